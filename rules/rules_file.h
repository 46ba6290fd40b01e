/* What every rules parser shares: reading a text file whole, walking its
 * lines with their numbers, the characters a name may use, and where the
 * default rules files live. Pure parsing: no nDPI here, so core-level tools
 * can use rules/ too. */
#ifndef PRONET_RULES_RULES_FILE_H
#define PRONET_RULES_RULES_FILE_H

#include <stddef.h>

#include "core/error.h"

/* Longest name (class label, protocol name) in any rules file, without
 * the NUL; the model's class names have the same bound. */
#define PRONET_RULES_NAME_MAX 63
/* Rules files are small; anything larger is a mistake, not a rules file. */
#define PRONET_RULES_FILE_MAX (16u << 20)

/* Reads `path` whole into a NUL-terminated malloc'd buffer. Refuses files
 * above PRONET_RULES_FILE_MAX and files containing NUL bytes. */
enum pronet_err pronet_rules_read_file(const char *path, char **text, size_t *size, char *errbuf);

/* Walks text[0..size) line by line. Lines may be of any length. */
struct pronet_rules_lines {
	const char *text;
	size_t size, offset;
	unsigned number; /* 1-based number of the line last returned */
};

void pronet_rules_lines_init(struct pronet_rules_lines *lines, const char *text, size_t size);
/* The next line (without its newline) through *line and *length; *terminated is 1
 * if a '\n' ended it. Returns 0 at the end of the text. */
int pronet_rules_lines_next(struct pronet_rules_lines *lines, const char **line, size_t *length,
                            int *terminated);

/* 1 if c may appear in a name: ASCII letters, digits, '_' and '-'. */
int pronet_rules_is_name_char(char c);

/* The full path of a default rules file `file_name` ("class-map.conf"):
 * in $PRONET_RULES_DIR if set and not empty, else in the installed data
 * directory (PRONET_DATADIR). Tests and tools run from the build tree set
 * PRONET_RULES_DIR to the source tree's rules/. */
enum pronet_err pronet_rules_default_path(const char *file_name, char *path, size_t size,
                                          char *errbuf);

#endif
