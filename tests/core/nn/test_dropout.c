/* Tests of core/nn/dropout.c: inverted dropout keeps the expected value, its
 * mask is reproducible from the seed, and the gradient follows the mask. */
#include "core/nn/dropout.h"
#include "tests/unit.h"

#define N 10000

static void test_rate_scale_and_reproducibility(void)
{
	static float x[N], y[N], mask[N], y2[N], mask2[N];
	struct pronet_rng rng, again;
	int dropped = 0;
	double sum = 0.0;

	for (int i = 0; i < N; i++)
		x[i] = 1.0f;
	pronet_rng_seed(&rng, 8);
	pronet_rng_seed(&again, 8);
	pronet_dropout_forward(x, N, 0.5f, &rng, mask, y);
	pronet_dropout_forward(x, N, 0.5f, &again, mask2, y2);
	for (int i = 0; i < N; i++) {
		CU_ASSERT_TRUE(y[i] == 0.0f || y[i] == 2.0f);
		CU_ASSERT_EQUAL(y[i], y2[i]);
		dropped += y[i] == 0.0f;
		sum += y[i];
	}
	CU_ASSERT_TRUE(dropped > 4700 && dropped < 5300);
	CU_ASSERT_DOUBLE_EQUAL(sum / N, 1.0, 0.06);
}

static void test_zero_rate_is_identity(void)
{
	const float x[3] = {1.5f, -2.0f, 0.25f};
	float y[3], mask[3];
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 1);
	pronet_dropout_forward(x, 3, 0.0f, &rng, mask, y);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(y[i], x[i]);
}

static void test_gradient_follows_mask(void)
{
	const float mask[4] = {0.0f, 2.0f, 2.0f, 0.0f}, dy[4] = {1.0f, 2.0f, 3.0f, 4.0f};
	float dx[4];

	pronet_dropout_backward(dy, mask, 4, dx);
	CU_ASSERT_DOUBLE_EQUAL(dx[0], 0.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[1], 4.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[2], 6.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[3], 0.0, 0.0);
}

static CU_TestInfo tests[] = {
    {"rate, scale and reproducibility", test_rate_scale_and_reproducibility},
    {"p = 0 is the identity", test_zero_rate_is_identity},
    {"the gradient follows the mask", test_gradient_follows_mask},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/dropout", tests);
}
