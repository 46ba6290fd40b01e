/* Whole-or-nothing output files (core/util/atomic_file.h). */
#define _GNU_SOURCE /* mkostemp: the temporary descriptor is not inherited by exec */

#include "core/util/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TEMPORARY_SUFFIX ".tmp.XXXXXX"

struct pronet_atomic_file {
	FILE *stream;
	char *path, *temporary;
};

static void free_file(struct pronet_atomic_file *file)
{
	free(file->temporary);
	free(file->path);
	free(file);
}

static mode_t final_mode(const char *path, enum pronet_atomic_file_mode mode)
{
	struct stat existing;
	mode_t mask;

	if (mode == PRONET_ATOMIC_FILE_MODE_KEEP_OR_0644)
		return stat(path, &existing) == 0 ? existing.st_mode & 07777 : 0644;
	/* umask can only be read by setting it; no thread of ours creates
	 * files in between. */
	mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

enum pronet_err pronet_atomic_file_open(const char *path, enum pronet_atomic_file_mode mode,
                                        struct pronet_atomic_file **out, char *errbuf)
{
	struct pronet_atomic_file *file;
	size_t size;
	int fd, saved_errno;

	if (out != NULL)
		*out = NULL;
	if (path == NULL || *path == '\0' || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_atomic_file_open: bad argument");
	file = calloc(1, sizeof(*file));
	size = strlen(path) + sizeof(TEMPORARY_SUFFIX);
	if (file == NULL || (file->path = strdup(path)) == NULL ||
	    (file->temporary = malloc(size)) == NULL) {
		if (file != NULL)
			free_file(file);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", path);
	}
	snprintf(file->temporary, size, "%s" TEMPORARY_SUFFIX, path);
	fd = mkostemp(file->temporary, O_CLOEXEC);
	if (fd < 0) {
		saved_errno = errno;
		free_file(file);
		return pronet_error_errno(errbuf, PRONET_ERR_IO, saved_errno, "%s: cannot create",
		                          path);
	}
	if (fchmod(fd, final_mode(path, mode)) != 0 || (file->stream = fdopen(fd, "w")) == NULL) {
		saved_errno = errno;
		close(fd);
		unlink(file->temporary);
		free_file(file);
		return pronet_error_errno(errbuf, PRONET_ERR_IO, saved_errno, "%s: cannot create",
		                          path);
	}
	*out = file;
	return PRONET_OK;
}

FILE *pronet_atomic_file_stream(struct pronet_atomic_file *file)
{
	return file->stream;
}

const char *pronet_atomic_file_path(const struct pronet_atomic_file *file)
{
	return file->path;
}

enum pronet_err pronet_atomic_file_commit(struct pronet_atomic_file *file, char *errbuf)
{
	enum pronet_err err = PRONET_OK;
	FILE *stream = file->stream;
	int saved_errno = 0;

	/* A write that failed earlier leaves nothing for fflush to report and
	 * its errno is gone: EIO stands for it. */
	if (ferror(stream))
		saved_errno = EIO;
	else if (fflush(stream) != 0 || fsync(fileno(stream)) != 0)
		saved_errno = errno;
	if (fclose(stream) != 0 && saved_errno == 0)
		saved_errno = errno;
	if (saved_errno != 0)
		err = pronet_error_errno(errbuf, PRONET_ERR_IO, saved_errno, "%s: cannot write",
		                         file->path);
	else if (rename(file->temporary, file->path) != 0)
		err = pronet_error_errno(errbuf, PRONET_ERR_IO, errno, "%s: cannot replace",
		                         file->path);
	if (err != PRONET_OK)
		unlink(file->temporary);
	free_file(file);
	return err;
}

void pronet_atomic_file_abort(struct pronet_atomic_file *file)
{
	if (file == NULL)
		return;
	fclose(file->stream);
	unlink(file->temporary);
	free_file(file);
}
