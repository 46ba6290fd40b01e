/* Tests of core/nn/pool1d.c: max and average windows by hand (overlapping
 * and adaptive), the gradient against central finite differences on inputs
 * at least 0.1 apart (no ties within the step), and bad shapes rejected. */
#include "core/nn/pool1d.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

#define LENGTH 7
#define CHANNELS 2

static void test_windows_by_hand(void)
{
	/* channel 0: 0 1 2 ... 6; channel 1: 6 5 4 ... 0 */
	float x[LENGTH * CHANNELS], y[3 * CHANNELS];
	uint32_t argmax[3 * CHANNELS];
	const struct pronet_pool1d_shape windows = {
	    .length = LENGTH, .channels = CHANNELS, .window = 3, .stride = 2};
	const struct pronet_pool1d_shape adaptive = {
	    .length = LENGTH, .channels = CHANNELS, .regions = 2};

	for (int i = 0; i < LENGTH; i++) {
		x[i * CHANNELS] = (float)i;
		x[i * CHANNELS + 1] = (float)(LENGTH - 1 - i);
	}
	/* windows [0,3) [2,5) [4,7) */
	CU_ASSERT_EQUAL(pronet_pool1d_positions(&windows), 3);
	pronet_pool1d_forward(PRONET_POOL_MAX, &windows, x, y, argmax);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 2.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 6.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(y[4], 6.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(y[5], 2.0, 0.0);
	CU_ASSERT_EQUAL(argmax[0], 2);
	CU_ASSERT_EQUAL(argmax[1], 0);
	CU_ASSERT_EQUAL(argmax[3], 2);
	pronet_pool1d_forward(PRONET_POOL_AVG, &windows, x, y, NULL);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[2], 3.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[5], 1.0, 1e-6);
	/* regions [0,4) [3,7) */
	CU_ASSERT_EQUAL(pronet_pool1d_positions(&adaptive), 2);
	pronet_pool1d_forward(PRONET_POOL_AVG, &adaptive, x, y, NULL);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 1.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[2], 4.5, 1e-6);
	pronet_pool1d_forward(PRONET_POOL_MAX, &adaptive, x, y, argmax);
	CU_ASSERT_DOUBLE_EQUAL(y[2], 6.0, 0.0);
	CU_ASSERT_EQUAL(argmax[2], 6);
}

struct problem {
	enum pronet_pool_kind kind;
	const struct pronet_pool1d_shape *shape;
	float x[LENGTH * CHANNELS], r[LENGTH * CHANNELS];
};

static double loss(const void *problem)
{
	const struct problem *p = problem;
	float y[LENGTH * CHANNELS];
	size_t n = pronet_pool1d_positions(p->shape) * CHANNELS;
	double sum = 0.0;

	pronet_pool1d_forward(p->kind, p->shape, p->x, y, NULL);
	for (size_t i = 0; i < n; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void check_gradient(enum pronet_pool_kind kind, const struct pronet_pool1d_shape *shape)
{
	struct problem p = {.kind = kind, .shape = shape};
	float y[LENGTH * CHANNELS], dx[LENGTH * CHANNELS];
	uint32_t argmax[LENGTH * CHANNELS];

	for (int i = 0; i < LENGTH * CHANNELS; i++)
		p.x[i] = 0.1f * (float)((i * 5) % (LENGTH * CHANNELS));
	gradient_check_fill_normal(p.r, LENGTH * CHANNELS, 17);
	pronet_pool1d_forward(kind, shape, p.x, y, argmax);
	pronet_pool1d_backward(kind, shape, argmax, p.r, dx);
	gradient_check(&p, loss, p.x, dx, LENGTH * CHANNELS, 1e-2f, 1e-3);
}

static void test_gradient_matches_finite_differences(void)
{
	const struct pronet_pool1d_shape overlapping = {
	    .length = LENGTH, .channels = CHANNELS, .window = 3, .stride = 2};
	const struct pronet_pool1d_shape gapped = {
	    .length = LENGTH, .channels = CHANNELS, .window = 2, .stride = 3};
	const struct pronet_pool1d_shape adaptive = {
	    .length = LENGTH, .channels = CHANNELS, .regions = 3};

	check_gradient(PRONET_POOL_MAX, &overlapping);
	check_gradient(PRONET_POOL_AVG, &overlapping);
	check_gradient(PRONET_POOL_MAX, &gapped);
	check_gradient(PRONET_POOL_AVG, &gapped);
	check_gradient(PRONET_POOL_MAX, &adaptive);
	check_gradient(PRONET_POOL_AVG, &adaptive);
}

static void test_bad_shapes_rejected(void)
{
	const struct pronet_pool1d_shape bad[] = {
	    {.length = 0, .channels = 2, .window = 1, .stride = 1},
	    {.length = 4, .channels = 0, .window = 1, .stride = 1},
	    {.length = 4, .channels = 2, .window = 5, .stride = 1},
	    {.length = 4, .channels = 2, .window = 0, .stride = 1},
	    {.length = 4, .channels = 2, .window = 2, .stride = 0},
	    {.length = 4, .channels = 2, .regions = 5},
	};
	const struct pronet_pool1d_shape good = {
	    .length = 4, .channels = 2, .window = 4, .stride = 9};
	char errbuf[PRONET_ERRBUF_SIZE];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errbuf[0] = '\0';
		CU_ASSERT_EQUAL(pronet_pool1d_check(&bad[i], errbuf), PRONET_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "pool1d"));
		CU_ASSERT_EQUAL(pronet_pool1d_positions(&bad[i]), 0);
	}
	CU_ASSERT_EQUAL(pronet_pool1d_check(&good, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_pool1d_positions(&good), 1);
}

static CU_TestInfo tests[] = {
    {"max and average windows by hand", test_windows_by_hand},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    {"bad shapes rejected", test_bad_shapes_rejected},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/pool1d", tests);
}
