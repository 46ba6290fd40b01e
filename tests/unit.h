/* The one CUnit runner every unit test binary uses. */
#ifndef PRONET_TESTS_UNIT_H
#define PRONET_TESTS_UNIT_H

#include <CUnit/CUnit.h>

/* Runs one suite of tests with CUnit's basic interface and returns the
 * process exit status: 0 if every test ran and passed. Call from main(). */
int pronet_unit_run(const char *suite_name, CU_TestInfo *tests);

/* A directory for test files: $PRONET_TEST_TMPDIR, else $TMPDIR, else /tmp. */
const char *pronet_unit_tmpdir(void);

#endif
