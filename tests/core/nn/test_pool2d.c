/* Tests of core/nn/pool2d.c: 2 x 2 stride 2 max and average by hand (odd
 * sizes floor), the gradient against central finite differences on inputs
 * at least 0.1 apart (no ties within the step), and bad shapes rejected. */
#include "core/nn/pool2d.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

static void test_values_by_hand(void)
{
	/* a 3 x 5 image, one channel, x = 0..14; 2 x 2 stride 2 keeps the
	 * windows at columns 0-1 and 2-3 of rows 0-1 */
	float x[15], y[2];
	uint32_t argmax[2];
	const struct pronet_pool2d_shape s = {.height = 3,
	                                      .width = 5,
	                                      .channels = 1,
	                                      .window_h = 2,
	                                      .window_w = 2,
	                                      .stride_h = 2,
	                                      .stride_w = 2};
	size_t out_h, out_w;

	for (int i = 0; i < 15; i++)
		x[i] = (float)i;
	x[0] = 9.0f; /* the first window's max moves to its top-left pixel */
	pronet_pool2d_output(&s, &out_h, &out_w);
	CU_ASSERT_EQUAL(out_h, 1);
	CU_ASSERT_EQUAL(out_w, 2);
	pronet_pool2d_forward(PRONET_POOL_MAX, &s, x, y, argmax);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 9.0, 0.0);
	CU_ASSERT_EQUAL(argmax[0], 0);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 8.0, 0.0);
	CU_ASSERT_EQUAL(argmax[1], 8);
	pronet_pool2d_forward(PRONET_POOL_AVG, &s, x, y, NULL);
	CU_ASSERT_DOUBLE_EQUAL(y[0], (9 + 1 + 5 + 6) / 4.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(y[1], (2 + 3 + 7 + 8) / 4.0, 1e-6);
}

#define H 5
#define W 4
#define C 2
#define N (H * W * C)

struct problem {
	enum pronet_pool_kind kind;
	const struct pronet_pool2d_shape *shape;
	float x[N], r[N];
};

static double loss(const void *problem)
{
	const struct problem *p = problem;
	float y[N];
	size_t out_h, out_w;
	double sum = 0.0;

	pronet_pool2d_output(p->shape, &out_h, &out_w);
	pronet_pool2d_forward(p->kind, p->shape, p->x, y, NULL);
	for (size_t i = 0; i < out_h * out_w * C; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void check_gradient(enum pronet_pool_kind kind, const struct pronet_pool2d_shape *shape)
{
	struct problem p = {.kind = kind, .shape = shape};
	float y[N], dx[N];
	uint32_t argmax[N];

	for (int i = 0; i < N; i++)
		p.x[i] = 0.1f * (float)((i * 7) % N);
	gradient_check_fill_normal(p.r, N, 29);
	pronet_pool2d_forward(kind, shape, p.x, y, argmax);
	pronet_pool2d_backward(kind, shape, argmax, p.r, dx);
	gradient_check(&p, loss, p.x, dx, N, 1e-2f, 1e-3);
}

static void test_gradient_matches_finite_differences(void)
{
	const struct pronet_pool2d_shape halving = {.height = H,
	                                            .width = W,
	                                            .channels = C,
	                                            .window_h = 2,
	                                            .window_w = 2,
	                                            .stride_h = 2,
	                                            .stride_w = 2};
	const struct pronet_pool2d_shape overlapping = {.height = H,
	                                                .width = W,
	                                                .channels = C,
	                                                .window_h = 3,
	                                                .window_w = 2,
	                                                .stride_h = 1,
	                                                .stride_w = 1};

	check_gradient(PRONET_POOL_MAX, &halving);
	check_gradient(PRONET_POOL_AVG, &halving);
	check_gradient(PRONET_POOL_MAX, &overlapping);
	check_gradient(PRONET_POOL_AVG, &overlapping);
}

static void test_bad_shapes_rejected(void)
{
	const struct pronet_pool2d_shape good = {.height = 4,
	                                         .width = 4,
	                                         .channels = 1,
	                                         .window_h = 2,
	                                         .window_w = 2,
	                                         .stride_h = 2,
	                                         .stride_w = 2};
	struct pronet_pool2d_shape bad[6];
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t out_h, out_w;

	for (size_t i = 0; i < 6; i++)
		bad[i] = good;
	bad[0].height = 0;
	bad[1].channels = 0;
	bad[2].window_w = 0;
	bad[3].window_h = 5;
	bad[4].stride_h = 0;
	bad[5].height = (size_t)UINT32_MAX;
	for (size_t i = 0; i < 6; i++) {
		errbuf[0] = '\0';
		CU_ASSERT_EQUAL(pronet_pool2d_check(&bad[i], errbuf), PRONET_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "pool2d"));
		pronet_pool2d_output(&bad[i], &out_h, &out_w);
		CU_ASSERT_EQUAL(out_h * out_w, 0);
	}
	CU_ASSERT_EQUAL(pronet_pool2d_check(&good, errbuf), PRONET_OK);
}

static CU_TestInfo tests[] = {
    {"2 x 2 stride 2 max and average by hand", test_values_by_hand},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    {"bad shapes rejected", test_bad_shapes_rejected},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/pool2d", tests);
}
