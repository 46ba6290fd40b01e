/* Tests of core/nn/conv1d.c: a hand-computed convolution, and the gradients of
 * input, kernel and bias against central finite differences. */
#include "core/nn/conv1d.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

#include <string.h>

#define LENGTH 6
#define CHANNELS 3
#define WIDTH 4
#define FILTERS 2
#define POSITIONS (LENGTH - WIDTH + 1)

static const struct pronet_conv1d_shape shape = {LENGTH, CHANNELS, WIDTH, FILTERS};

static void test_hand_computed_convolution(void)
{
	/* One channel, width 2, one filter [1, -1], bias 0.5: y_p = x_p - x_{p+1} + 0.5 */
	const struct pronet_conv1d_shape small = {4, 1, 2, 1};
	const float x[4] = {1, 4, 9, 16}, w[2] = {1, -1}, b[1] = {0.5f};
	float y[3];

	CU_ASSERT_EQUAL(pronet_conv1d_positions(&small), 3);
	pronet_conv1d_forward(&small, x, w, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], -2.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[1], -4.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[2], -6.5, 1e-6);
}

struct problem {
	float x[LENGTH * CHANNELS], w[FILTERS * WIDTH * CHANNELS], b[FILTERS];
	float r[POSITIONS * FILTERS];
};

static double loss(const void *problem)
{
	const struct problem *p = problem;
	float y[POSITIONS * FILTERS];
	double sum = 0.0;

	pronet_conv1d_forward(&shape, p->x, p->w, p->b, y);
	for (int i = 0; i < POSITIONS * FILTERS; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void test_gradients_match_finite_differences(void)
{
	struct problem p;
	float dx[LENGTH * CHANNELS], dw[FILTERS * WIDTH * CHANNELS] = {0}, db[FILTERS] = {0};

	gradient_check_fill_normal((float *)&p, sizeof(p) / sizeof(float), 11);
	p.r[3] = 0.0f; /* a zero gradient entry is skipped, still correct */
	for (int i = 0; i < LENGTH * CHANNELS; i++)
		dx[i] = 100.0f; /* dx accumulates: start from a known value */
	pronet_conv1d_backward(&shape, p.x, p.w, p.r, dx, dw, db);
	for (int i = 0; i < LENGTH * CHANNELS; i++)
		dx[i] -= 100.0f;
	gradient_check(&p, loss, p.x, dx, LENGTH * CHANNELS, 1e-2f, 2e-3);
	gradient_check(&p, loss, p.w, dw, FILTERS * WIDTH * CHANNELS, 1e-2f, 2e-3);
	gradient_check(&p, loss, p.b, db, FILTERS, 1e-2f, 2e-3);
}

static CU_TestInfo tests[] = {
    {"a hand-computed convolution", test_hand_computed_convolution},
    {"gradients match finite differences", test_gradients_match_finite_differences},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/conv1d", tests);
}
