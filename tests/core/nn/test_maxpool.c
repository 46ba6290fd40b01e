/* Tests of core/nn/maxpool.c: the max and its position per channel, ties to
 * the lowest position, and the gradient against central finite differences
 * on inputs whose values are at least 0.1 apart (no ties within h). */
#include "core/nn/maxpool.h"
#include "tests/unit.h"

#define LENGTH 5
#define CHANNELS 3

static void test_max_and_ties(void)
{
	/* channel 0 peaks at position 3, channel 1 ties at 1 and 4, channel 2 all equal */
	const float x[LENGTH * CHANNELS] = {
	    0.0f, 1.0f, 7.0f, /* position 0 */
	    1.0f, 5.0f, 7.0f, /* position 1 */
	    2.0f, 2.0f, 7.0f, /* position 2 */
	    9.0f, 3.0f, 7.0f, /* position 3 */
	    3.0f, 5.0f, 7.0f, /* position 4 */
	};
	float y[CHANNELS];
	uint16_t argmax[CHANNELS];

	pronet_maxpool_forward(x, LENGTH, CHANNELS, y, argmax);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 9.0, 0.0);
	CU_ASSERT_EQUAL(argmax[0], 3);
	CU_ASSERT_DOUBLE_EQUAL(y[1], 5.0, 0.0);
	CU_ASSERT_EQUAL(argmax[1], 1);
	CU_ASSERT_EQUAL(argmax[2], 0);
}

static double loss(const float *x, const float *r)
{
	float y[CHANNELS];
	double sum = 0.0;

	pronet_maxpool_forward(x, LENGTH, CHANNELS, y, NULL);
	for (int c = 0; c < CHANNELS; c++)
		sum += (double)r[c] * y[c];
	return sum;
}

static void test_gradient_matches_finite_differences(void)
{
	float x[LENGTH * CHANNELS], y[CHANNELS], dx[LENGTH * CHANNELS];
	const float r[CHANNELS] = {0.5f, -2.0f, 1.5f}, h = 1e-2f;
	uint16_t argmax[CHANNELS];

	/* Distinct values 0.1 apart, in a scrambled order. */
	for (int i = 0; i < LENGTH * CHANNELS; i++)
		x[i] = 0.1f * (float)((i * 7) % (LENGTH * CHANNELS));
	pronet_maxpool_forward(x, LENGTH, CHANNELS, y, argmax);
	pronet_maxpool_backward(argmax, LENGTH, CHANNELS, r, dx);
	for (int i = 0; i < LENGTH * CHANNELS; i++) {
		float saved = x[i];
		double plus, minus;

		x[i] = saved + h;
		plus = loss(x, r);
		x[i] = saved - h;
		minus = loss(x, r);
		x[i] = saved;
		CU_ASSERT_DOUBLE_EQUAL(dx[i], (plus - minus) / (2 * h), 1e-3);
	}
}

static CU_TestInfo tests[] = {
    {"max per channel, ties to the lowest position", test_max_and_ties},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/maxpool", tests);
}
