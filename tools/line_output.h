/* Line-oriented output for a command: standard output, or a file that
 * appears whole or not at all. A file is written to a temporary file next to
 * it ("FILE.tmp.XXXXXX", core/util/atomic_file.h) and renamed onto FILE by
 * line_output_close, so a reader never sees a half-written last line, even
 * when the run was interrupted (the command stops reading, finishes its
 * lines, then closes). */
#ifndef PRONET_TOOLS_LINE_OUTPUT_H
#define PRONET_TOOLS_LINE_OUTPUT_H

#include <stddef.h>

#include "core/util/error.h"

struct line_output;

/* path NULL or "-": standard output. */
enum pronet_err line_output_open(const char *path, struct line_output **out, char *errbuf);
/* Writes `line` and a newline. After an error, later writes fail too. */
enum pronet_err line_output_write(struct line_output *output, const char *line, size_t length,
                                  char *errbuf);
/* Flushes, syncs and renames the file onto its path (standard output:
 * flushes). Frees the output whatever the outcome; on failure the temporary
 * file is removed and the path untouched. */
enum pronet_err line_output_close(struct line_output *output, char *errbuf);
/* Removes the temporary file and frees. NULL: no-op. */
void line_output_abort(struct line_output *output);

#endif
