/* Tests of core/nn/conv1d.c: hand-computed convolutions (stride 1 valid, as
 * ProNet; same padding; strides), the gradients of input, kernel and bias
 * against central finite differences for each, and bad shapes rejected. */
#include "core/nn/conv1d.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

#include <string.h>

#define LENGTH 6
#define CHANNELS 3
#define WIDTH 4
#define FILTERS 2
#define POSITIONS (LENGTH - WIDTH + 1)

static const struct pronet_conv1d_shape shape = {LENGTH, CHANNELS, WIDTH, FILTERS, 1, 0};

static void test_hand_computed_convolution(void)
{
	/* One channel, width 2, one filter [1, -1], bias 0.5: y_p = x_p - x_{p+1} + 0.5 */
	const struct pronet_conv1d_shape small = {4, 1, 2, 1, 1, 0};
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

static void test_padding_and_stride_by_hand(void)
{
	/* One channel, width 3, one filter [1, 2, -1] (no zero tap, so that a
	 * wrong tap at a padded edge shows), bias 0.5, zeros outside x */
	const struct pronet_conv1d_shape same = {4, 1, 3, 1, 1, 1};
	const struct pronet_conv1d_shape strided_padded = {4, 1, 3, 1, 2, 1};
	const struct pronet_conv1d_shape strided = {5, 1, 2, 1, 2, 0};
	const float x[5] = {1, 4, 9, 16, 25}, w3[3] = {1, 2, -1}, w2[2] = {1, -1}, b[1] = {0.5f};
	float y[4];

	CU_ASSERT_EQUAL(pronet_conv1d_positions(&same), 4);
	pronet_conv1d_forward(&same, x, w3, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], -1.5, 1e-6); /* 0.5 + 1*0 + 2*1 - 4 */
	CU_ASSERT_DOUBLE_EQUAL(y[1], 0.5, 1e-6);  /* 0.5 + 1 + 2*4 - 9 */
	CU_ASSERT_DOUBLE_EQUAL(y[2], 6.5, 1e-6);  /* 0.5 + 4 + 2*9 - 16 */
	CU_ASSERT_DOUBLE_EQUAL(y[3], 41.5, 1e-6); /* 0.5 + 9 + 2*16 - 0 */
	CU_ASSERT_EQUAL(pronet_conv1d_positions(&strided_padded), 2);
	pronet_conv1d_forward(&strided_padded, x, w3, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], -1.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 6.5, 1e-6);
	CU_ASSERT_EQUAL(pronet_conv1d_positions(&strided), 2);
	pronet_conv1d_forward(&strided, x, w2, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], -2.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[1], -6.5, 1e-6);
}

struct strided_problem {
	const struct pronet_conv1d_shape *shape;
	float x[LENGTH * CHANNELS], w[FILTERS * WIDTH * CHANNELS], b[FILTERS];
	float r[LENGTH * 2 * FILTERS];
};

static double strided_loss(const void *problem)
{
	const struct strided_problem *p = problem;
	float y[LENGTH * 2 * FILTERS];
	size_t n = pronet_conv1d_positions(p->shape) * FILTERS;
	double sum = 0.0;

	pronet_conv1d_forward(p->shape, p->x, p->w, p->b, y);
	for (size_t i = 0; i < n; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void check_strided_gradients(const struct pronet_conv1d_shape *conv, uint64_t seed)
{
	struct strided_problem p;
	float dx[LENGTH * CHANNELS], dw[FILTERS * WIDTH * CHANNELS] = {0}, db[FILTERS] = {0};

	gradient_check_fill_normal(p.x, sizeof(p.x) / sizeof(float), seed);
	gradient_check_fill_normal(p.w, sizeof(p.w) / sizeof(float), seed + 1);
	gradient_check_fill_normal(p.b, FILTERS, seed + 2);
	gradient_check_fill_normal(p.r, sizeof(p.r) / sizeof(float), seed + 3);
	p.shape = conv;
	for (int i = 0; i < LENGTH * CHANNELS; i++)
		dx[i] = 100.0f; /* dx accumulates: start from a known value */
	pronet_conv1d_backward(conv, p.x, p.w, p.r, dx, dw, db);
	for (int i = 0; i < LENGTH * CHANNELS; i++)
		dx[i] -= 100.0f;
	gradient_check(&p, strided_loss, p.x, dx, LENGTH * CHANNELS, 1e-2f, 2e-3);
	gradient_check(&p, strided_loss, p.w, dw, FILTERS * WIDTH * CHANNELS, 1e-2f, 2e-3);
	gradient_check(&p, strided_loss, p.b, db, FILTERS, 1e-2f, 2e-3);
}

static void test_strided_padded_gradients(void)
{
	const struct pronet_conv1d_shape padded = {LENGTH, CHANNELS, WIDTH, FILTERS, 1, 2};
	const struct pronet_conv1d_shape strided = {LENGTH, CHANNELS, WIDTH, FILTERS, 2, 0};
	const struct pronet_conv1d_shape both = {LENGTH, CHANNELS, WIDTH, FILTERS, 3, 1};

	CU_ASSERT_EQUAL(pronet_conv1d_positions(&padded), LENGTH + 1);
	CU_ASSERT_EQUAL(pronet_conv1d_positions(&strided), 2);
	CU_ASSERT_EQUAL(pronet_conv1d_positions(&both), 2);
	check_strided_gradients(&padded, 31);
	check_strided_gradients(&strided, 37);
	check_strided_gradients(&both, 41);
}

static void test_bad_shapes_rejected(void)
{
	const struct pronet_conv1d_shape bad[] = {
	    {0, 1, 1, 1, 1, 0},                       /* no positions */
	    {4, 0, 1, 1, 1, 0},                       /* no channels */
	    {4, 1, 1, 0, 1, 0},                       /* no filters */
	    {4, 1, 0, 1, 1, 0},                       /* no kernel */
	    {4, 1, 2, 1, 0, 0},                       /* stride 0 */
	    {4, 1, 5, 1, 1, 0},                       /* wider than the input */
	    {4, 1, 3, 1, 1, 3},                       /* windows of padding only */
	    {LENGTH, CHANNELS, WIDTH, FILTERS, 0, 0}, /* stride 0, as an old initialiser left it */
	};
	char errbuf[PRONET_ERRBUF_SIZE];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errbuf[0] = '\0';
		CU_ASSERT_EQUAL(pronet_conv1d_check(&bad[i], errbuf), PRONET_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "conv1d"));
	}
	CU_ASSERT_EQUAL(pronet_conv1d_positions(&bad[4]), 0);
	CU_ASSERT_EQUAL(pronet_conv1d_positions(&bad[5]), 0);
	CU_ASSERT_EQUAL(pronet_conv1d_check(&shape, errbuf), PRONET_OK);
}

static CU_TestInfo tests[] = {
    {"a hand-computed convolution", test_hand_computed_convolution},
    {"gradients match finite differences", test_gradients_match_finite_differences},
    {"same padding and strides by hand", test_padding_and_stride_by_hand},
    {"strided and padded gradients match finite differences", test_strided_padded_gradients},
    {"bad shapes rejected", test_bad_shapes_rejected},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/conv1d", tests);
}
