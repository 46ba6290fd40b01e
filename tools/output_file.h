/* Output files written whole or not at all, for a command that reports its
 * own errors: core/atomic_file.h with the messages printed as
 * "pronet COMMAND: PATH: ...". */
#ifndef PRONET_TOOLS_OUTPUT_FILE_H
#define PRONET_TOOLS_OUTPUT_FILE_H

#include <limits.h> /* PATH_MAX, which callers size their paths with */
#include <stdio.h>

#include "core/atomic_file.h"

struct pronet_output_file {
	FILE *stream; /* write here between open and commit */
	struct pronet_atomic_file *atomic;
};

/* 0 on failure (reported on stderr as "pronet COMMAND: ..."). The file
 * gets mode 0666 less the umask. */
int pronet_output_open(struct pronet_output_file *file, const char *command, const char *path);
/* Flushes, syncs, closes and renames; on any write error removes the
 * temporary file and returns 0 (reported). */
int pronet_output_commit(struct pronet_output_file *file, const char *command);

#endif
