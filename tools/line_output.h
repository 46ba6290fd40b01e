/* Line-oriented output for a command: standard output, a file that
 * appears whole or not at all, or a Redis server (tools/redis_output.h). A file is written to a
 * temporary file next to it ("FILE.tmp.XXXXXX", core/util/atomic_file.h) and renamed onto FILE by
 * line_output_close, so a reader never sees a half-written last line, even
 * when the run was interrupted (the command stops reading, finishes its
 * lines, then closes). */
#ifndef PRONET_TOOLS_LINE_OUTPUT_H
#define PRONET_TOOLS_LINE_OUTPUT_H

#include <stddef.h>

#include "core/util/error.h"
#include "tools/redis_output.h"

struct line_output;

/* path NULL or "-": standard output. */
enum pronet_err line_output_open(const char *path, struct line_output **out, char *errbuf);
#ifdef PRONET_HAVE_HIREDIS
/* Lines as Redis commands (tools/redis_output.h): a write never fails, a
 * line that cannot be delivered is counted as dropped. */
enum pronet_err line_output_open_redis(const struct redis_output_options *options,
                                       struct line_output **out, char *errbuf);
#endif
/* Writes `length` bytes of whole lines, each ending with a newline (Redis:
 * one command per line, without its newline). After an error, later writes
 * fail too. Not thread-safe: one writer at a time (tools/classify_sink.h
 * takes a lock around it). */
enum pronet_err line_output_write_lines(struct line_output *output, const char *lines,
                                        size_t length, char *errbuf);
/* A quiet moment (a live capture's idle read): Redis sends what waits,
 * reads replies, retries a lost connection. Files: nothing. */
void line_output_poll(struct line_output *output);
/* Redis: delivers what is left (tools/redis_output.h) and fills `counts`,
 * final; returns 1. Files and standard output: 0, nothing done. */
int line_output_drain(struct line_output *output, struct redis_output_counts *counts);
/* Flushes, syncs and renames the file onto its path (standard output:
 * flushes; Redis: drains, then fails if any line was dropped). Frees the output whatever the
 * outcome; on failure the temporary file is removed and the path untouched. */
enum pronet_err line_output_close(struct line_output *output, char *errbuf);
/* Removes the temporary file and frees. NULL: no-op. */
void line_output_abort(struct line_output *output);

#endif
