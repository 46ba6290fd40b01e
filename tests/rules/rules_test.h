/* What the tests of rules/ share: the check that each kind of wrong line is
 * refused at its line, and test files (temporary or shipped). */
#ifndef PRONET_TESTS_RULES_RULES_TEST_H
#define PRONET_TESTS_RULES_RULES_TEST_H

#include <stddef.h>

/* One wrong line and what the message about it must say. */
struct rules_test_case {
	const char *line;
	const char *expect;
};

/* Loads `text` with the parser under test and frees the result; 1 if it
 * loaded, 0 if refused (errbuf then says why). */
typedef int (*rules_test_load_fn)(const char *text, char *errbuf);

/* Each case's line, between the lines `before` (two lines) and `after`,
 * must be refused with a message naming `place` ("t.conf:3: ") and saying
 * the case's `expect`; a mismatch prints the line and the message. */
void rules_test_wrong_lines(const struct rules_test_case *cases, size_t count, const char *before,
                            const char *after, const char *place, rules_test_load_fn load);

/* A path for a temporary test file, unique to the process:
 * "TMPDIR/pronet-test-WHAT-PID". */
void rules_test_temporary_path(char *path, size_t size, const char *what);
/* Writes text[0..size) to `path` (asserted). */
void rules_test_write_file(const char *path, const char *text, size_t size);
/* "$top_srcdir/rules/NAME"; fails the test if top_srcdir is not set. */
void rules_test_shipped_path(char *path, size_t size, const char *name);

#endif
