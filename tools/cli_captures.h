/* What the capture-reading subcommands (flows, label, classify) share: their
 * CAPTURE arguments expanded into files (ndpi-glue/capture/capture_inputs.h), and a
 * progress line for long runs. */
#ifndef PRONET_TOOLS_CLI_CAPTURES_H
#define PRONET_TOOLS_CLI_CAPTURES_H

#include <stddef.h>
#include <stdint.h>

#include "ndpi-glue/capture/capture_inputs.h"

/* Expands args[0..count) and the list file `list_file` (may be NULL) into
 * capture files. Prints "pronet COMMAND: MESSAGE" for each directory or list
 * that could not be read and counts them in *failed. NULL (after a message)
 * only when out of memory. */
struct pronet_capture_inputs *pronet_cli_captures(const char *command, char *const *args, int count,
                                                  const char *list_file, unsigned *failed);

/* Progress over the files of a run, on standard error: on a terminal one
 * line rewritten after every file; otherwise a line every `every` files
 * (and none at all for runs shorter than that). */
struct pronet_cli_progress {
	const char *command;
	size_t total;
	size_t every;
	int terminal;
	int shown; /* a terminal line is on screen */
};

void pronet_cli_progress_init(struct pronet_cli_progress *progress, const char *command,
                              size_t total, size_t every, int enabled);
/* After file `done` (1-based) of the run; `flows` so far. */
void pronet_cli_progress_update(struct pronet_cli_progress *progress, size_t done, uint64_t flows);
/* Ends a terminal line so later messages start on their own line. */
void pronet_cli_progress_end(struct pronet_cli_progress *progress);

#endif
