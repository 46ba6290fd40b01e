/* Tests of core/nn/conv2d.c: values by hand (valid, same, strided), the
 * forward pass against a plain six-loop reference with explicit zero
 * padding, the gradients against central finite differences, and bad
 * shapes rejected. */
#include "core/nn/conv2d.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

static void test_values_by_hand(void)
{
	/* x = 1..9 in a 3 x 3 image, one 3 x 3 kernel of ones, bias 0.5 */
	float x[9], w[9], b[1] = {0.5f}, y[9];
	struct pronet_conv2d_shape s = {.height = 3,
	                                .width = 3,
	                                .channels = 1,
	                                .kernel_h = 3,
	                                .kernel_w = 3,
	                                .filters = 1,
	                                .stride_h = 1,
	                                .stride_w = 1};
	size_t out_h, out_w;

	for (int i = 0; i < 9; i++) {
		x[i] = (float)(i + 1);
		w[i] = 1.0f;
	}
	pronet_conv2d_output(&s, &out_h, &out_w);
	CU_ASSERT_EQUAL(out_h, 1);
	CU_ASSERT_EQUAL(out_w, 1);
	pronet_conv2d_forward(&s, x, w, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 45.5, 1e-5);

	s.pad_h = s.pad_w = 1; /* same */
	pronet_conv2d_output(&s, &out_h, &out_w);
	CU_ASSERT_EQUAL(out_h, 3);
	CU_ASSERT_EQUAL(out_w, 3);
	pronet_conv2d_forward(&s, x, w, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 1 + 2 + 4 + 5 + 0.5, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 1 + 2 + 3 + 4 + 5 + 6 + 0.5, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(y[4], 45.5, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(y[8], 5 + 6 + 8 + 9 + 0.5, 1e-5);

	s.stride_h = s.stride_w = 2; /* centres at (0,0) (0,2) (2,0) (2,2) */
	pronet_conv2d_output(&s, &out_h, &out_w);
	CU_ASSERT_EQUAL(out_h, 2);
	CU_ASSERT_EQUAL(out_w, 2);
	pronet_conv2d_forward(&s, x, w, b, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 12.5, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 16.5, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(y[2], 24.5, 1e-5);
	CU_ASSERT_DOUBLE_EQUAL(y[3], 28.5, 1e-5);
}

/* A general shape: non-square, several channels and filters, stride and
 * padding that differ per axis. */
#define H 5
#define W 6
#define C 2
#define KH 3
#define KW 2
#define F 3
static const struct pronet_conv2d_shape shape = {.height = H,
                                                 .width = W,
                                                 .channels = C,
                                                 .kernel_h = KH,
                                                 .kernel_w = KW,
                                                 .filters = F,
                                                 .stride_h = 2,
                                                 .stride_w = 1,
                                                 .pad_h = 1,
                                                 .pad_w = 1};
#define OH ((H + 2 - KH) / 2 + 1)
#define OW ((W + 2 - KW) / 1 + 1)

struct problem {
	float x[H * W * C], w[F * KH * KW * C], b[F];
	float r[OH * OW * F];
};

static void test_matches_reference(void)
{
	struct problem p;
	float y[OH * OW * F];
	size_t out_h, out_w;

	gradient_check_fill_normal((float *)&p, sizeof(p) / sizeof(float), 21);
	pronet_conv2d_output(&shape, &out_h, &out_w);
	CU_ASSERT_EQUAL(out_h, OH);
	CU_ASSERT_EQUAL(out_w, OW);
	pronet_conv2d_forward(&shape, p.x, p.w, p.b, y);
	for (int i = 0; i < OH; i++)
		for (int j = 0; j < OW; j++)
			for (int f = 0; f < F; f++) {
				double sum = p.b[f];

				for (int u = 0; u < KH; u++)
					for (int v = 0; v < KW; v++)
						for (int c = 0; c < C; c++) {
							int row = i * 2 + u - 1, col = j + v - 1;

							if (row < 0 || row >= H || col < 0 ||
							    col >= W)
								continue;
							sum += (double)
							           p.w[((f * KH + u) * KW + v) * C +
							               c] *
							       p.x[(row * W + col) * C + c];
						}
				CU_ASSERT_DOUBLE_EQUAL(y[(i * OW + j) * F + f], sum, 1e-4);
			}
}

static double loss(const void *problem)
{
	const struct problem *p = problem;
	float y[OH * OW * F];
	double sum = 0.0;

	pronet_conv2d_forward(&shape, p->x, p->w, p->b, y);
	for (int i = 0; i < OH * OW * F; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void test_gradients_match_finite_differences(void)
{
	struct problem p;
	float dx[H * W * C], dw[F * KH * KW * C] = {0}, db[F] = {0};

	gradient_check_fill_normal((float *)&p, sizeof(p) / sizeof(float), 23);
	p.r[4] = 0.0f; /* a zero gradient entry is skipped, still correct */
	for (int i = 0; i < H * W * C; i++)
		dx[i] = 100.0f; /* dx accumulates: start from a known value */
	pronet_conv2d_backward(&shape, p.x, p.w, p.r, dx, dw, db);
	for (int i = 0; i < H * W * C; i++)
		dx[i] -= 100.0f;
	gradient_check(&p, loss, p.x, dx, H * W * C, 1e-2f, 2e-3);
	gradient_check(&p, loss, p.w, dw, F * KH * KW * C, 1e-2f, 2e-3);
	gradient_check(&p, loss, p.b, db, F, 1e-2f, 2e-3);
}

/* The im2col path (a padded, strided shape with two channels) against the
 * loops: outputs and every gradient within rounding. dx and dw start from
 * known values (both accumulate); col starts as garbage. */
static void test_columns_match_loops(void)
{
	struct problem p;
	float y[OH * OW * F], y2[OH * OW * F], col[OH * OW * KH * KW * C];
	float dx[H * W * C], dx2[H * W * C], dw[F * KH * KW * C], dw2[F * KH * KW * C];
	float db[F] = {0}, db2[F] = {0};

	CU_ASSERT_EQUAL(pronet_conv2d_columns(&shape), OH * OW * KH * KW * C);
	gradient_check_fill_normal((float *)&p, sizeof(p) / sizeof(float), 29);
	for (size_t i = 0; i < sizeof(col) / sizeof(col[0]); i++)
		col[i] = 1e6f;
	pronet_conv2d_forward(&shape, p.x, p.w, p.b, y);
	pronet_conv2d_forward_columns(&shape, p.x, p.w, p.b, y2, col);
	for (int i = 0; i < OH * OW * F; i++)
		CU_ASSERT_DOUBLE_EQUAL(y2[i], y[i], 1e-5);
	for (int i = 0; i < H * W * C; i++)
		dx[i] = dx2[i] = 0.5f * (float)i;
	for (int i = 0; i < F * KH * KW * C; i++)
		dw[i] = dw2[i] = -0.25f * (float)i;
	pronet_conv2d_backward(&shape, p.x, p.w, p.r, dx, dw, db);
	pronet_conv2d_backward_columns(&shape, p.x, p.w, p.r, dx2, dw2, db2, col);
	for (int i = 0; i < H * W * C; i++)
		CU_ASSERT_DOUBLE_EQUAL(dx2[i], dx[i], 1e-5);
	for (int i = 0; i < F * KH * KW * C; i++)
		CU_ASSERT_DOUBLE_EQUAL(dw2[i], dw[i], 1e-5);
	for (int i = 0; i < F; i++)
		CU_ASSERT_DOUBLE_EQUAL(db2[i], db[i], 1e-5);
}

static void test_bad_shapes_rejected(void)
{
	struct pronet_conv2d_shape bad[7];
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t out_h, out_w;

	for (size_t i = 0; i < 7; i++)
		bad[i] = shape;
	bad[0].height = 0;
	bad[1].channels = 0;
	bad[2].filters = 0;
	bad[3].stride_w = 0;
	bad[4].kernel_h = 0;
	bad[5].kernel_w = W + 3; /* wider than the padded input */
	bad[6].pad_h = KH;       /* windows of padding only */
	for (size_t i = 0; i < 7; i++) {
		errbuf[0] = '\0';
		CU_ASSERT_EQUAL(pronet_conv2d_check(&bad[i], errbuf), PRONET_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "conv2d"));
		pronet_conv2d_output(&bad[i], &out_h, &out_w);
		CU_ASSERT_EQUAL(out_h * out_w, 0);
	}
	CU_ASSERT_EQUAL(pronet_conv2d_check(&shape, errbuf), PRONET_OK);
}

static CU_TestInfo tests[] = {
    {"valid, same and strided values by hand", test_values_by_hand},
    {"forward matches the plain reference", test_matches_reference},
    {"gradients match finite differences", test_gradients_match_finite_differences},
    {"the im2col path matches the loops", test_columns_match_loops},
    {"bad shapes rejected", test_bad_shapes_rejected},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/conv2d", tests);
}
