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
	struct redis_output *redis;        /* not NULL: Redis, no file */
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

#ifdef PRONET_HAVE_HIREDIS
enum pronet_err line_output_open_redis(const struct redis_output_options *options,
                                       struct line_output **out, char *errbuf)
{
	struct line_output *output = calloc(1, sizeof(*output));
	*out = NULL;
	if (output == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	enum pronet_err err = redis_output_open(options, &output->redis, errbuf);
	if (err != PRONET_OK) {
		free(output);
		return err;
	}
	*out = output;
	return PRONET_OK;
}
#endif

static const char *name_of(const struct line_output *output)
{
	return output->atomic != NULL ? pronet_atomic_file_path(output->atomic) : "standard output";
}

enum pronet_err line_output_write_lines(struct line_output *output, const char *lines,
                                        size_t length, char *errbuf)
{
#ifdef PRONET_HAVE_HIREDIS
	if (output->redis != NULL) {
		/* One event a command, so that Redis's counts stay per event. */
		const char *end = lines + length;
		while (lines < end) {
			const char *newline = memchr(lines, '\n', (size_t)(end - lines));
			size_t line_length = (size_t)((newline != NULL ? newline : end) - lines);
			redis_output_write(output->redis, lines, line_length);
			lines += line_length + 1;
		}
		return PRONET_OK;
	}
#endif
	if (output->failed || fwrite(lines, 1, length, output->file) != length) {
		output->failed = 1;
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot write: %s", name_of(output),
		                    strerror(errno));
	}
	return PRONET_OK;
}

void line_output_poll(struct line_output *output)
{
#ifdef PRONET_HAVE_HIREDIS
	if (output->redis != NULL)
		redis_output_poll(output->redis);
#else
	(void)output;
#endif
}

int line_output_drain(struct line_output *output, struct redis_output_counts *counts)
{
#ifdef PRONET_HAVE_HIREDIS
	if (output->redis != NULL) {
		redis_output_finish(output->redis);
		redis_output_get_counts(output->redis, counts);
		return 1;
	}
#else
	(void)output;
#endif
	memset(counts, 0, sizeof(*counts));
	return 0;
}

#ifdef PRONET_HAVE_HIREDIS
/* Delivered or counted: a dropped line fails the output as a lost line
 * of a file would, naming how many and why. */
static enum pronet_err close_redis(struct redis_output *redis, char *errbuf)
{
	struct redis_output_counts counts;
	redis_output_finish(redis);
	redis_output_get_counts(redis, &counts);
	enum pronet_err err = PRONET_OK;
	uint64_t dropped = redis_output_dropped(&counts);
	if (dropped > 0)
		err = pronet_error(
		    errbuf, PRONET_ERR_IO,
		    "redis %s: %llu of %llu events dropped (%llu backlog full, %llu "
		    "refused by the server, %llu undelivered at the end)",
		    redis_output_address(redis), (unsigned long long)dropped,
		    (unsigned long long)counts.lines, (unsigned long long)counts.backlog_full,
		    (unsigned long long)counts.refused, (unsigned long long)counts.undelivered);
	redis_output_free(redis);
	return err;
}
#endif

enum pronet_err line_output_close(struct line_output *output, char *errbuf)
{
	enum pronet_err err = PRONET_OK;
#ifdef PRONET_HAVE_HIREDIS
	if (output->redis != NULL) {
		err = close_redis(output->redis, errbuf);
		free(output);
		return err;
	}
#endif
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
#ifdef PRONET_HAVE_HIREDIS
	redis_output_free(output->redis);
#endif
	pronet_atomic_file_abort(output->atomic);
	free(output);
}
