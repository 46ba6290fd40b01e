/* Whole-or-nothing line output (tools/line_output.h). */
#include "config.h"

#include "tools/line_output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct line_output {
	FILE *file;
	char *path;     /* NULL: standard output */
	char *tmp_path; /* the temporary file, renamed onto path */
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
	size_t size = strlen(path) + sizeof(".tmp.XXXXXX");
	output->path = strdup(path);
	output->tmp_path = malloc(size);
	if (output->path == NULL || output->tmp_path == NULL) {
		line_output_abort(output);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	}
	snprintf(output->tmp_path, size, "%s.tmp.XXXXXX", path);
	int fd = mkstemp(output->tmp_path);
	if (fd < 0) {
		int error = errno;
		free(output->tmp_path);
		output->tmp_path = NULL;
		line_output_abort(output);
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot create: %s", path,
		                    strerror(error));
	}
	/* mkstemp makes 0600; an output file is for others to read too. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (output->file = fdopen(fd, "w")) == NULL) {
		int error = errno;
		close(fd);
		line_output_abort(output);
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot create: %s", path,
		                    strerror(error));
	}
	*out = output;
	return PRONET_OK;
}

static const char *name_of(const struct line_output *output)
{
	return output->path != NULL ? output->path : "standard output";
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
	if (output->path == NULL) {
		if (output->failed || fflush(stdout) != 0)
			err = pronet_error(errbuf, PRONET_ERR_IO,
			                   "standard output: cannot write: %s", strerror(errno));
		free(output);
		return err;
	}
	FILE *file = output->file;
	output->file = NULL;
	int failed = output->failed || fflush(file) != 0 || fsync(fileno(file)) != 0;
	int error = errno;
	failed |= fclose(file) != 0;
	if (!failed && rename(output->tmp_path, output->path) != 0) {
		error = errno;
		failed = 1;
	}
	if (failed) {
		err = pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot write: %s", output->path,
		                   strerror(error));
		unlink(output->tmp_path);
	}
	free(output->tmp_path);
	free(output->path);
	free(output);
	return err;
}

void line_output_abort(struct line_output *output)
{
	if (output == NULL)
		return;
	if (output->file != NULL && output->file != stdout)
		fclose(output->file);
	if (output->tmp_path != NULL)
		unlink(output->tmp_path);
	free(output->tmp_path);
	free(output->path);
	free(output);
}
