/* What every rules parser shares: reading a text file whole, walking its
 * lines with their numbers, loading a result line by line, the characters a
 * name may use, and where the default rules files live. Pure parsing: no
 * nDPI here, so core-level tools can use rules/ too. */
#ifndef PRONET_RULES_RULES_FILE_H
#define PRONET_RULES_RULES_FILE_H

#include <stddef.h>

#include "core/util/error.h"

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

/* One line of a rules file, as a parser is handed it. */
struct pronet_rules_line {
	const char *file; /* the path, or the buffer's name: messages start with it */
	unsigned number;  /* 1-based */
	const char *text; /* without its newline; not NUL-terminated */
	size_t length;
	int terminated; /* a '\n' ended it (only the last line may lack one) */
};

/* A rules parser, described to the loaders below: the result it builds and
 * how one line adds to it. The loaders read the file, walk its lines in
 * order until a line is refused, and free the result on any error, so the
 * parsers (class map, thresholds, protos) hold only what is theirs. */
struct pronet_rules_format {
	const char *unnamed;   /* the name of a buffer loaded without one: "(protos)" */
	void *(*create)(void); /* an empty result; NULL if out of memory */
	void (*destroy)(void *result);
	enum pronet_err (*parse_line)(void *result, const struct pronet_rules_line *line,
	                              char *errbuf);
};

/* Parses text[0..size), named `name` (NULL: format->unnamed) in messages.
 * *out is the result, or NULL on error. */
enum pronet_err pronet_rules_load_buffer(const struct pronet_rules_format *format, const char *text,
                                         size_t size, const char *name, void **out, char *errbuf);
/* Reads `path` (pronet_rules_read_file) and parses it, named by its path. */
enum pronet_err pronet_rules_load(const struct pronet_rules_format *format, const char *path,
                                  void **out, char *errbuf);

/* 1 if c may appear in a name: ASCII letters, digits, '_' and '-'. */
int pronet_rules_is_name_char(char c);

/* The one rule for a name pronet gives nDPI as a protocol (protos files,
 * class names the plugin creates): 1..PRONET_RULES_NAME_MAX name characters
 * (pronet_rules_is_name_char; nDPI rewrites or splits on others), and not
 * "Unknown", nDPI's protocol 0, in any case. 1 if `name` (length bytes) is
 * such a name; else 0 and why not in why[why_size], for the caller's
 * message. */
int pronet_rules_check_protocol_name(const char *name, size_t length, char *why, size_t why_size);

/* The full path of rules file `file_name` ("class-map.conf") in `rules_dir`,
 * or in the installed data directory (PRONET_DATADIR) when rules_dir is NULL
 * or empty. The library reads no environment: tools/ and the LD_PRELOAD
 * shim pass $PRONET_RULES_DIR here (tests and tools run from the build tree
 * set it to the source tree's rules/). */
enum pronet_err pronet_rules_default_path(const char *rules_dir, const char *file_name, char *path,
                                          size_t size, char *errbuf);

#endif
