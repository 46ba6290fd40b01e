#include "tools/output_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int pronet_output_open(struct pronet_output_file *file, const char *command, const char *path)
{
	int fd;

	file->stream = NULL;
	if (snprintf(file->path, sizeof(file->path), "%s", path) >= (int)sizeof(file->path) ||
	    snprintf(file->temporary, sizeof(file->temporary), "%s.tmp.XXXXXX", path) >=
	        (int)sizeof(file->temporary)) {
		fprintf(stderr, "pronet %s: %s: path too long\n", command, path);
		return 0;
	}
	fd = mkstemp(file->temporary);
	if (fd < 0 || fchmod(fd, 0644) != 0 || (file->stream = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "pronet %s: %s: cannot create: %s\n", command, path,
		        strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(file->temporary);
		}
		return 0;
	}
	return 1;
}

int pronet_output_commit(struct pronet_output_file *file, const char *command)
{
	int failed = ferror(file->stream) != 0;

	failed |= fclose(file->stream) != 0;
	if (!failed && rename(file->temporary, file->path) == 0)
		return 1;
	fprintf(stderr, "pronet %s: %s: cannot write: %s\n", command, file->path,
	        strerror(errno));
	unlink(file->temporary);
	return 0;
}
