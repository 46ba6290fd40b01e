/* The one CUnit runner every unit test binary uses. */
#ifndef PRONET_TESTS_UNIT_H
#define PRONET_TESTS_UNIT_H

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdint.h>

#include "core/util/vector_isa.h"

/* Runs one suite of tests with CUnit's basic interface and returns the
 * process exit status: 0 if every test ran and passed. Call from main(). */
int pronet_unit_run(const char *suite_name, CU_TestInfo *tests);

/* Whether this CPU runs the vector kernel isa (core/util/vector_isa.h). If not,
 * prints "SKIP: TEST: the NAME kernel (REASON)" on a line of its own on standard
 * output, counts it for pronet_unit_run's closing line, and returns 0: the
 * caller skips that kernel's checks. CUnit has no skipped state; the line is
 * what the log and .ci/run's tally show. PRONET_TEST_SKIP_ISA=avx2,avx512
 * (a comma-separated list) treats those kernels as missing, so that this
 * path is exercised on CPUs that have them (tests/core/isa_skip.sh). */
int pronet_unit_isa_runs(enum pronet_vector_isa isa, const char *test);

/* `size` zeroed bytes for a test's packet record (core/data/record.h), alive
 * until the program ends: a record points at its bytes, so a helper that
 * returns a record by value needs bytes that outlive the call. Aborts the
 * test program when out of memory. */
uint8_t *pronet_unit_record_bytes(size_t size);
/* The bytes of such a record, to write into (a record's own pointer is
 * const: models and datasets only read). */
#define PRONET_UNIT_BYTES(record) ((uint8_t *)(uintptr_t)(record).bytes)

/* A directory for test files: $PRONET_TEST_TMPDIR, else $TMPDIR, else /tmp. */
const char *pronet_unit_tmpdir(void);

#endif
