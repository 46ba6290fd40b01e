/* Whole-or-nothing line output (tools/line_output.h). */
#include "config.h"

#include "tools/line_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/atomic_file.h"

struct line_output {
	FILE *file;
	struct pronet_atomic_file *atomic; /* NULL: standard output */
	int failed;
};

enum pronet_err line_output_open(const char *path, struct line_output **out, char *errbuf)
{
	struct line_output *output = calloc(1, sizeof(*output));
	*out = NULL;
	if (output == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	if (path == NULL || strcmp(path, "-") == 0) {
		output->file = stdout;
		*out = output;
		return PRONET_OK;
	}
	enum pronet_err err =
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &output->atomic, errbuf);
	if (err != PRONET_OK) {
		free(output);
		return err;
	}
	output->file = pronet_atomic_file_stream(output->atomic);
	*out = output;
	return PRONET_OK;
}

static const char *name_of(const struct line_output *output)
{
	return output->atomic != NULL ? pronet_atomic_file_path(output->atomic) : "standard output";
}

enum pronet_err line_output_write(struct line_output *output, const char *line, size_t length,
                                  char *errbuf)
{
	if (output->failed || fwrite(line, 1, length, output->file) != length ||
	    putc('\n', output->file) == EOF) {
		output->failed = 1;
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot write: %s", name_of(output),
		                    strerror(errno));
	}
	return PRONET_OK;
}

enum pronet_err line_output_close(struct line_output *output, char *errbuf)
{
	enum pronet_err err = PRONET_OK;
	if (output->atomic != NULL)
		err = pronet_atomic_file_commit(output->atomic, errbuf);
	else if (output->failed || fflush(stdout) != 0)
		err = pronet_error(errbuf, PRONET_ERR_IO, "standard output: cannot write: %s",
		                   strerror(errno));
	free(output);
	return err;
}

void line_output_abort(struct line_output *output)
{
	if (output == NULL)
		return;
	pronet_atomic_file_abort(output->atomic);
	free(output);
}
