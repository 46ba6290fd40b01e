/* Tests of core/nn/relu.c: forward, and the gradient passed only where the
 * output is positive (points away from the kink at 0, where the finite
 * difference is undefined). */
#include "core/nn/relu.h"
#include "tests/unit.h"

static void test_forward_and_backward(void)
{
	const float x[5] = {-2.0f, -0.5f, 0.0f, 0.5f, 3.0f}, dy[5] = {1, 2, 3, 4, 5};
	float y[5], dx[5];

	pronet_relu_forward(x, 5, y);
	pronet_relu_backward(y, dy, 5, dx);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 0.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(y[2], 0.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(y[4], 3.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[0], 0.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[1], 0.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[2], 0.0, 0.0); /* subgradient 0 at the kink */
	CU_ASSERT_DOUBLE_EQUAL(dx[3], 4.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(dx[4], 5.0, 0.0);
}

static void test_gradient_matches_finite_differences(void)
{
	float x[4] = {-1.3f, 0.7f, 2.1f, -0.2f}, dy[4] = {0.3f, -1.1f, 0.9f, 2.0f}, y[4], dx[4];
	const float h = 1e-2f;

	pronet_relu_forward(x, 4, y);
	pronet_relu_backward(y, dy, 4, dx);
	for (int i = 0; i < 4; i++) {
		float plus, minus, xi = x[i];

		x[i] = xi + h;
		pronet_relu_forward(x + i, 1, &plus);
		x[i] = xi - h;
		pronet_relu_forward(x + i, 1, &minus);
		x[i] = xi;
		CU_ASSERT_DOUBLE_EQUAL(dx[i], dy[i] * (plus - minus) / (2 * h), 1e-4);
	}
}

static CU_TestInfo tests[] = {
    {"forward clips, backward gates", test_forward_and_backward},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/relu", tests);
}
