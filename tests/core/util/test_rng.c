/* Tests of core/util/rng.c: reproducible streams, ranges, and a normal
 * distribution with the right moments. */
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>

static void test_same_seed_same_stream(void)
{
	struct pronet_rng a, b, c;
	int differs = 0;

	pronet_rng_seed(&a, 42);
	pronet_rng_seed(&b, 42);
	pronet_rng_seed(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = pronet_rng_next(&a);

		CU_ASSERT_EQUAL(x, pronet_rng_next(&b));
		differs |= x != pronet_rng_next(&c);
	}
	CU_ASSERT_TRUE(differs);
}

static void test_splitmix64_reference_value(void)
{
	/* First output of splitmix64 seeded with 0 (Vigna's reference code). */
	uint64_t x = 0;

	CU_ASSERT_EQUAL(pronet_splitmix64(&x), 0xe220a8397b1dcdafull);
}

static void test_uniform_and_below_stay_in_range(void)
{
	struct pronet_rng rng;
	int seen[7] = {0};

	pronet_rng_seed(&rng, 1);
	for (int i = 0; i < 10000; i++) {
		double u = pronet_rng_uniform(&rng);
		uint64_t k = pronet_rng_below(&rng, 7);

		CU_ASSERT_TRUE(u >= 0.0 && u < 1.0);
		CU_ASSERT_TRUE_FATAL(k < 7);
		seen[k]++;
	}
	for (int k = 0; k < 7; k++)
		CU_ASSERT_TRUE(seen[k] > 1200 && seen[k] < 1660); /* ~1429 expected */
}

static void test_normal_has_requested_moments(void)
{
	struct pronet_rng rng;
	double sum = 0.0, sum_squares = 0.0;
	const int n = 100000;

	pronet_rng_seed(&rng, 7);
	for (int i = 0; i < n; i++) {
		double x = pronet_rng_normal(&rng, 1.0f, 0.05f);

		CU_ASSERT_TRUE(isfinite(x));
		sum += x;
		sum_squares += x * x;
	}
	double mean = sum / n, stddev = sqrt(sum_squares / n - mean * mean);

	CU_ASSERT_DOUBLE_EQUAL(mean, 1.0, 0.001);
	CU_ASSERT_DOUBLE_EQUAL(stddev, 0.05, 0.001);
}

static CU_TestInfo tests[] = {
    {"the same seed gives the same stream", test_same_seed_same_stream},
    {"splitmix64 matches its reference", test_splitmix64_reference_value},
    {"uniform and bounded draws stay in range", test_uniform_and_below_stay_in_range},
    {"normal draws have the requested mean and deviation", test_normal_has_requested_moments},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/util/rng", tests);
}
