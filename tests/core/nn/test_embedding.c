/* Tests of core/nn/embedding.c: lookup, and its gradient against central
 * finite differences of a random projection of the output. */
#include "core/nn/embedding.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#define ROWS 5
#define DIM 3
#define N 4

static void test_lookup_copies_rows(void)
{
	float table[ROWS * DIM], out[N * DIM];
	const uint32_t ids[N] = {1, 3, 1, 4};

	for (int i = 0; i < ROWS * DIM; i++)
		table[i] = (float)i;
	pronet_embedding_forward(table, DIM, ids, N, out);
	for (int i = 0; i < N; i++)
		for (int d = 0; d < DIM; d++)
			CU_ASSERT_DOUBLE_EQUAL(out[i * DIM + d], ids[i] * DIM + d, 0.0);
}

static double projected_output(const float *table, const uint32_t *ids, const float *r)
{
	float out[N * DIM];
	double sum = 0.0;

	pronet_embedding_forward(table, DIM, ids, N, out);
	for (int i = 0; i < N * DIM; i++)
		sum += (double)r[i] * out[i];
	return sum;
}

static void test_gradient_matches_finite_differences(void)
{
	float table[ROWS * DIM], dtable[ROWS * DIM] = {0}, r[N * DIM];
	const uint32_t ids[N] = {1, 3, 1, 4}; /* row 1 twice: gradients add */
	const float h = 1e-2f;
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 3);
	for (int i = 0; i < ROWS * DIM; i++)
		table[i] = pronet_rng_normal(&rng, 0.0f, 1.0f);
	for (int i = 0; i < N * DIM; i++)
		r[i] = pronet_rng_normal(&rng, 0.0f, 1.0f);
	pronet_embedding_backward(dtable, DIM, ids, N, r);
	for (int i = 0; i < ROWS * DIM; i++) {
		float saved = table[i];
		double plus, minus;

		table[i] = saved + h;
		plus = projected_output(table, ids, r);
		table[i] = saved - h;
		minus = projected_output(table, ids, r);
		table[i] = saved;
		CU_ASSERT_DOUBLE_EQUAL(dtable[i], (plus - minus) / (2 * h), 1e-3);
	}
	/* Rows 0 and 2 were never looked up. */
	for (int d = 0; d < DIM; d++) {
		CU_ASSERT_DOUBLE_EQUAL(dtable[0 * DIM + d], 0.0, 0.0);
		CU_ASSERT_DOUBLE_EQUAL(dtable[2 * DIM + d], 0.0, 0.0);
	}
	CU_ASSERT_DOUBLE_EQUAL(dtable[1 * DIM], r[0] + r[2 * DIM], 1e-6);
}

static CU_TestInfo tests[] = {
    {"lookup copies the rows of the ids", test_lookup_copies_rows},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/embedding", tests);
}
