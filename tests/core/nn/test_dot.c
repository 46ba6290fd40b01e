/* Tests of core/nn/dot.c: pronet_dot4 gives pronet_dot's four sums bit for bit
 * (the dense and convolution layers use one where they used the other) at
 * every length from 0 past a few lane blocks, including lengths that leave a
 * tail; the value is the dot product; pronet_axpy is the plain loop. */
#include "core/nn/dot.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <string.h>

#define MAX_N 200

static void test_dot4_matches_dot(void)
{
	static float a[4 * MAX_N], b[MAX_N];
	struct pronet_rng rng;
	unsigned long mismatches = 0;

	pronet_rng_seed(&rng, 3);
	for (size_t n = 0; n <= MAX_N; n++) {
		float four[4];

		for (size_t k = 0; k < 4 * n; k++)
			a[k] = pronet_rng_normal(&rng, 0.0f, 1.0f);
		for (size_t k = 0; k < n; k++)
			b[k] = pronet_rng_normal(&rng, 0.0f, 1.0f);
		pronet_dot4(a, b, n, four);
		for (size_t r = 0; r < 4; r++) {
			float one = pronet_dot(a + r * n, b, n);

			mismatches += memcmp(&one, &four[r], sizeof(float)) != 0;
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
}

static void test_dot_value(void)
{
	/* 1*1 + 2*2 + ... + 11*11 = 506: eight lanes and a tail of three. */
	float a[11], out[4];
	float rows[44];

	for (int k = 0; k < 11; k++)
		a[k] = (float)(k + 1);
	CU_ASSERT_DOUBLE_EQUAL(pronet_dot(a, a, 11), 506.0, 1e-4);
	for (int r = 0; r < 4; r++)
		for (int k = 0; k < 11; k++)
			rows[r * 11 + k] = (float)(r + 1);
	pronet_dot4(rows, a, 11, out);
	for (int r = 0; r < 4; r++)
		CU_ASSERT_DOUBLE_EQUAL(out[r], (r + 1) * 66.0, 1e-4);
}

static void test_axpy_matches_the_plain_loop(void)
{
	float x[67], y[67], expected[67];
	struct pronet_rng rng;
	unsigned long mismatches = 0;

	pronet_rng_seed(&rng, 5);
	for (size_t n = 0; n <= 67; n++) {
		float alpha = pronet_rng_normal(&rng, 0.0f, 1.0f);

		for (size_t k = 0; k < 67; k++) {
			x[k] = pronet_rng_normal(&rng, 0.0f, 1.0f);
			y[k] = expected[k] = pronet_rng_normal(&rng, 0.0f, 1.0f);
		}
		for (size_t k = 0; k < n; k++)
			expected[k] += alpha * x[k];
		pronet_axpy(y, alpha, x, n);
		mismatches += memcmp(y, expected, sizeof(y)) != 0; /* past n: untouched */
	}
	CU_ASSERT_EQUAL(mismatches, 0);
}

static CU_TestInfo tests[] = {
    {"axpy gives the plain loop's results and stops at n", test_axpy_matches_the_plain_loop},
    {"dot4 gives dot's sums bit for bit", test_dot4_matches_dot},
    {"the values are dot products", test_dot_value},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/dot", tests);
}
