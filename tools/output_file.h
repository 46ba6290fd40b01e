/* Output files written whole or not at all: a temporary file next to the
 * target, renamed onto it when complete. */
#ifndef PRONET_TOOLS_OUTPUT_FILE_H
#define PRONET_TOOLS_OUTPUT_FILE_H

#include <limits.h>
#include <stdio.h>

struct pronet_output_file {
	FILE *stream;
	char path[PATH_MAX], temporary[PATH_MAX];
};

/* 0 on failure (reported on stderr as "pronet COMMAND: ..."). */
int pronet_output_open(struct pronet_output_file *file, const char *command, const char *path);
/* Flushes, closes and renames; on any write error removes the temporary file
 * and returns 0 (reported). */
int pronet_output_commit(struct pronet_output_file *file, const char *command);

#endif
