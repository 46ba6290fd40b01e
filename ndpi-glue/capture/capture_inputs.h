/* Which capture files a command reads: what `pronet flows`, `label` and
 * `classify` make of their CAPTURE arguments.
 *
 * An argument is one of
 *   - a directory: every file below it (recursively) whose name ends in
 *     .pcap, .pcapng or .cap (any case), sorted by path, so that a run is
 *     reproducible whatever order the file system lists them in;
 *   - "@FILE": a list file, one capture or directory per line; blank lines
 *     and lines starting with '#' are skipped, surrounding blanks trimmed; a
 *     relative path is relative to the list file's directory;
 *   - anything else: a capture file, taken as given (opening it later says
 *     whether it exists).
 * Arguments keep their order. A directory or list that cannot be read is not
 * fatal: it is recorded as a failed entry (its path and why), so the caller
 * can report it, count it as a failed input and still read the rest. */
#ifndef PRONET_GLUE_CAPTURE_INPUTS_H
#define PRONET_GLUE_CAPTURE_INPUTS_H

#include <stddef.h>

#include "core/util/error.h"

struct pronet_capture_inputs;

struct pronet_capture_inputs *pronet_capture_inputs_new(void);
/* NULL is a no-op. */
void pronet_capture_inputs_free(struct pronet_capture_inputs *inputs);

/* Expands one argument (see above) into capture paths and failed entries.
 * Returns PRONET_ERR_NOMEM or PRONET_ERR_LIMIT only (the inputs are then
 * unusable); unreadable directories and lists are failed entries. */
enum pronet_err pronet_capture_inputs_add(struct pronet_capture_inputs *inputs,
                                          const char *argument, char *errbuf);
/* The same for a list file given without its '@' (`--list FILE`). */
enum pronet_err pronet_capture_inputs_add_list(struct pronet_capture_inputs *inputs,
                                               const char *list_path, char *errbuf);

/* The capture files found, in order. */
size_t pronet_capture_inputs_count(const struct pronet_capture_inputs *inputs);
const char *pronet_capture_inputs_path(const struct pronet_capture_inputs *inputs, size_t i);

/* Directories and lists that could not be read: the message names the path
 * and says why ("DIR: cannot open directory: Permission denied"). */
size_t pronet_capture_inputs_failed_count(const struct pronet_capture_inputs *inputs);
const char *pronet_capture_inputs_failed_message(const struct pronet_capture_inputs *inputs,
                                                 size_t i);

/* 1 if `name` ends in .pcap, .pcapng or .cap (any case). */
int pronet_capture_inputs_is_capture_name(const char *name);

#endif
