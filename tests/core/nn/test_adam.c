/* Tests of core/nn/adam.c: two Adam steps against values computed by hand from
 * Kingma & Ba's Algorithm 1, and the paper's default constants. */
#include "core/nn/adam.h"
#include "tests/unit.h"

#include <string.h>

static void test_defaults(void)
{
	struct pronet_adam adam;

	pronet_adam_init(&adam, 1e-3f);
	CU_ASSERT_DOUBLE_EQUAL(adam.learning_rate, 1e-3, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(adam.beta1, 0.9, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(adam.beta2, 0.999, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(adam.epsilon, 1e-8, 1e-12);
	CU_ASSERT_EQUAL(adam.step, 0);
}

static void test_two_steps_by_hand(void)
{
	struct pronet_adam adam;
	float param[2] = {1.0f, -3.0f}, m[2] = {0}, v[2] = {0};
	const float g1[2] = {0.5f, 0.0f}, g2[2] = {-1.0f, 0.0f};

	pronet_adam_init(&adam, 0.1f);
	/* Step 1, g = 0.5: m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025,
	 * mhat = 0.05 / 0.1 = 0.5, vhat = 0.00025 / 0.001 = 0.25,
	 * theta = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.9. A zero gradient moves nothing. */
	pronet_adam_update(&adam, param, g1, m, v, 2);
	CU_ASSERT_EQUAL(adam.step, 1);
	CU_ASSERT_DOUBLE_EQUAL(m[0], 0.05, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(v[0], 0.00025, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(param[0], 0.9, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(param[1], -3.0, 0.0);
	/* Step 2, g = -1: m = 0.9 * 0.05 - 0.1 = -0.055, v = 0.999 * 0.00025 + 0.001
	 * = 0.00124975, mhat = -0.055 / 0.19 = -0.289474, vhat = 0.00124975 / 0.001999
	 * = 0.625188, theta = 0.9 + 0.1 * 0.289474 / 0.790688 = 0.936610. */
	pronet_adam_update(&adam, param, g2, m, v, 2);
	CU_ASSERT_DOUBLE_EQUAL(m[0], -0.055, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(v[0], 0.00124975, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(param[0], 0.936610, 2e-6);
}

/* What training's workers do: one begin, then apply on ranges in any order;
 * the parameters and moments must be the bits of one pronet_adam_update. */
static void test_split_update_is_the_same_bits(void)
{
	enum { N = 37 };
	struct pronet_adam whole, split;
	struct pronet_adam_step step;
	float p1[N], m1[N] = {0}, v1[N] = {0}, p2[N], m2[N] = {0}, v2[N] = {0}, g[N];

	for (size_t i = 0; i < N; i++) {
		p1[i] = p2[i] = 0.1f * (float)i - 1.7f;
		g[i] = 0.37f * (float)(i % 7) - 1.1f;
	}
	pronet_adam_init(&whole, 0.01f);
	pronet_adam_init(&split, 0.01f);
	for (int s = 0; s < 3; s++) {
		pronet_adam_update(&whole, p1, g, m1, v1, N);
		pronet_adam_begin(&split, &step);
		pronet_adam_apply(&step, p2, g, m2, v2, 20, N); /* second share first */
		pronet_adam_apply(&step, p2, g, m2, v2, 0, 20);
	}
	CU_ASSERT_EQUAL(split.step, 3);
	CU_ASSERT_EQUAL(memcmp(p1, p2, sizeof(p1)), 0);
	CU_ASSERT_EQUAL(memcmp(m1, m2, sizeof(m1)), 0);
	CU_ASSERT_EQUAL(memcmp(v1, v2, sizeof(v1)), 0);
}

static CU_TestInfo tests[] = {
    {"defaults of the paper", test_defaults},
    {"two steps computed by hand", test_two_steps_by_hand},
    {"begin + apply on ranges = one update, bit for bit", test_split_update_is_the_same_bits},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/adam", tests);
}
