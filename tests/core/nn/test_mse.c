/* Tests of core/nn/mse.c: a value by hand, the gradient against central
 * finite differences, and n = 0 rejected. */
#include "core/nn/mse.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

#define N 7

static void test_value_by_hand(void)
{
	const float y[3] = {1.0f, 2.0f, -1.0f}, t[3] = {0.0f, 4.0f, -1.0f};
	float dy[3];

	/* (1 + 4 + 0) / 3 */
	CU_ASSERT_DOUBLE_EQUAL(pronet_mse_forward(y, t, 3), 5.0 / 3.0, 1e-6);
	/* 0.5 * 2 (y - t) / 3 */
	pronet_mse_backward(y, t, 3, 0.5f, dy);
	CU_ASSERT_DOUBLE_EQUAL(dy[0], 1.0 / 3.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(dy[1], -2.0 / 3.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(dy[2], 0.0, 0.0);
}

struct problem {
	float y[N], t[N];
};

static double loss(const void *problem)
{
	const struct problem *p = problem;

	return pronet_mse_forward(p->y, p->t, N);
}

static void test_gradient_matches_finite_differences(void)
{
	struct problem p;
	float dy[N];

	gradient_check_fill_normal((float *)&p, sizeof(p) / sizeof(float), 13);
	pronet_mse_backward(p.y, p.t, N, 1.0f, dy);
	gradient_check(&p, loss, p.y, dy, N, 1e-2f, 1e-3);
}

static void test_empty_rejected(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_EQUAL(pronet_mse_check(0, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "mse"));
	CU_ASSERT_EQUAL(pronet_mse_check(N, errbuf), PRONET_OK);
}

static CU_TestInfo tests[] = {
    {"value and gradient by hand", test_value_by_hand},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    {"n = 0 rejected", test_empty_rejected},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/mse", tests);
}
