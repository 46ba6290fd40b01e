/* The whole-file reader (core/util/file_read.h). */
#include "config.h"

#include "core/util/file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum pronet_err pronet_file_read(const char *path, size_t max_bytes, uint8_t **data, size_t *size,
                                 char *errbuf)
{
	struct stat st;
	size_t done = 0;

	if (path == NULL || data == NULL || size == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "file read: NULL argument");
	*data = NULL;
	*size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pronet_error_errno(errbuf, PRONET_ERR_IO, errno, "%s: cannot open", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max_bytes) {
		close(fd);
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: %lld bytes is larger than the %zu a file may have", path,
		                    (long long)st.st_size, max_bytes);
	}
	size_t length = (size_t)st.st_size;
	uint8_t *buffer = malloc(length + 1);
	if (buffer == NULL) {
		close(fd);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: no memory for %zu bytes", path,
		                    length);
	}
	while (done < length) {
		ssize_t got = read(fd, buffer + done, length - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) { /* 0: the file shrank while read */
			int saved_errno = got < 0 ? errno : EIO;
			close(fd);
			free(buffer);
			return pronet_error_errno(errbuf, PRONET_ERR_IO, saved_errno,
			                          "%s: cannot read", path);
		}
		done += (size_t)got;
	}
	close(fd);
	buffer[length] = '\0';
	*data = buffer;
	*size = length;
	return PRONET_OK;
}
