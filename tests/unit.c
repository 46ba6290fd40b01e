#include "tests/unit.h"

#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned int skipped_kernels;

static const char *isa_name(enum pronet_vector_isa isa)
{
	switch (isa) {
	case PRONET_ISA_AVX2:
		return "avx2";
	case PRONET_ISA_AVX512:
		return "avx512";
	case PRONET_ISA_GENERIC:
		return "generic";
	default:
		return "widest";
	}
}

/* Whether NAME is an item of the comma-separated LIST. */
static int listed(const char *list, const char *name)
{
	size_t length = strlen(name);

	for (const char *p = list; p != NULL && *p != '\0';
	     p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, length) == 0 && (p[length] == ',' || p[length] == '\0'))
			return 1;
	return 0;
}

int pronet_unit_isa_runs(enum pronet_vector_isa isa, const char *test)
{
	int supported;

	pronet_vector_isa_resolve(isa, &supported);
	if (supported && !listed(getenv("PRONET_TEST_SKIP_ISA"), isa_name(isa)))
		return 1;
	/* A line of its own: CUnit's verbose mode has printed "Test: NAME ..." */
	printf("\nSKIP: %s: the %s kernel (%s)\n", test, isa_name(isa),
	       supported ? "PRONET_TEST_SKIP_ISA names it" : "this CPU lacks it");
	skipped_kernels++;
	return 0;
}

int pronet_unit_run(const char *suite_name, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
	    {(char *)suite_name, NULL, NULL, NULL, NULL, tests},
	    CU_SUITE_INFO_NULL,
	};
	unsigned int failures, ran;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: CUnit: %s\n", suite_name, CU_get_error_msg());
		return 2;
	}
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s: CUnit: %s\n", suite_name, CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (skipped_kernels > 0)
		printf("%s: %u vector kernel case(s) skipped (SKIP lines above)\n", suite_name,
		       skipped_kernels);
	/* A suite that ran nothing is a defect, not a pass. */
	if (ran == 0) {
		fprintf(stderr, "%s: no test ran\n", suite_name);
		return 1;
	}
	return failures == 0 ? 0 : 1;
}

const char *pronet_unit_tmpdir(void)
{
	const char *dir = getenv("PRONET_TEST_TMPDIR");

	if (dir == NULL || *dir == '\0')
		dir = getenv("TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	return dir;
}

/* Every block handed out, so that they stay reachable (a leak checker sees
 * them as still in use, not lost). */
static uint8_t **record_blocks;
static size_t num_record_blocks;
static pthread_mutex_t record_blocks_lock = PTHREAD_MUTEX_INITIALIZER; /* tests' threads */

uint8_t *pronet_unit_record_bytes(size_t size)
{
	uint8_t **grown, *bytes = calloc(1, size > 0 ? size : 1);

	pthread_mutex_lock(&record_blocks_lock);
	grown = realloc(record_blocks, (num_record_blocks + 1) * sizeof(*grown));

	if (grown == NULL || bytes == NULL) {
		fprintf(stderr, "pronet_unit_record_bytes: out of memory\n");
		abort();
	}
	record_blocks = grown;
	record_blocks[num_record_blocks++] = bytes;
	pthread_mutex_unlock(&record_blocks_lock);
	return bytes;
}
