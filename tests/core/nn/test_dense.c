/* Tests of core/nn/dense.c: y = W x + b by hand, and the gradients of x, W, b
 * against central finite differences. */
#include "core/nn/dense.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

#define IN 4
#define OUT 3

static void test_hand_computed(void)
{
	const float x[2] = {1.0f, 2.0f}, w[2 * 2] = {1.0f, -1.0f, 0.5f, 2.0f}, b[2] = {0.25f, 0.0f};
	float y[2];

	pronet_dense_forward(x, 2, w, b, 2, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], -0.75, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 4.5, 1e-6);
}

struct problem {
	float x[IN], w[OUT * IN], b[OUT], r[OUT];
};

static double loss(const void *problem)
{
	const struct problem *p = problem;
	float y[OUT];
	double sum = 0.0;

	pronet_dense_forward(p->x, IN, p->w, p->b, OUT, y);
	for (int i = 0; i < OUT; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void test_gradients_match_finite_differences(void)
{
	struct problem p;
	float dx[IN], dw[OUT * IN] = {0}, db[OUT] = {0};

	gradient_check_fill_normal((float *)&p, sizeof(p) / sizeof(float), 5);
	pronet_dense_backward(p.x, IN, p.w, OUT, p.r, dx, dw, db);
	gradient_check(&p, loss, p.x, dx, IN, 1e-2f, 1e-3);
	gradient_check(&p, loss, p.w, dw, OUT * IN, 1e-2f, 1e-3);
	gradient_check(&p, loss, p.b, db, OUT, 1e-2f, 1e-3);
	/* Parameter gradients accumulate. */
	pronet_dense_backward(p.x, IN, p.w, OUT, p.r, NULL, dw, db);
	CU_ASSERT_DOUBLE_EQUAL(db[1], 2.0 * p.r[1], 1e-6);
}

static CU_TestInfo tests[] = {
    {"a hand-computed dense layer", test_hand_computed},
    {"gradients match finite differences", test_gradients_match_finite_differences},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/dense", tests);
}
