/* Tests of core/nn/softmax_xent.c: a stable softmax, temperature, the loss and
 * its gradient against central finite differences. */
#include "core/nn/softmax_xent.h"
#include "tests/unit.h"

#include <math.h>

static void test_softmax_is_stable_and_sums_to_one(void)
{
	const float logits[3] = {1000.0f, 999.0f, -1000.0f};
	float p[3];

	pronet_softmax(logits, 3, 1.0f, p);
	CU_ASSERT_TRUE(isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]));
	CU_ASSERT_DOUBLE_EQUAL(p[0], 1.0 / (1.0 + exp(-1.0)), 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(p[0] + p[1] + p[2], 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(p[2], 0.0, 1e-30);
}

static void test_temperature_divides_logits(void)
{
	const float logits[2] = {2.0f, 0.0f};
	float p[2];

	pronet_softmax(logits, 2, 2.0f, p);
	CU_ASSERT_DOUBLE_EQUAL(p[0], 1.0 / (1.0 + exp(-1.0)), 1e-6);
}

static void test_loss_of_a_certain_wrong_answer_is_finite(void)
{
	const float logits[2] = {0.0f, 200.0f};
	float p[2];
	float loss = pronet_softmax_xent_forward(logits, 2, 0, p);

	CU_ASSERT_TRUE(isfinite(loss) && loss > 80.0f);
}

static void test_gradient_matches_finite_differences(void)
{
	float logits[4] = {0.3f, -1.2f, 2.0f, 0.5f}, p[4], dlogits[4];
	const uint32_t label = 1;
	const float h = 1e-2f, scale = 0.25f;

	pronet_softmax_xent_forward(logits, 4, label, p);
	pronet_softmax_xent_backward(p, 4, label, scale, dlogits);
	for (int i = 0; i < 4; i++) {
		float saved = logits[i];
		double plus, minus;

		logits[i] = saved + h;
		plus = pronet_softmax_xent_forward(logits, 4, label, p);
		logits[i] = saved - h;
		minus = pronet_softmax_xent_forward(logits, 4, label, p);
		logits[i] = saved;
		CU_ASSERT_DOUBLE_EQUAL(dlogits[i], scale * (plus - minus) / (2 * h), 1e-4);
	}
}

static void test_argmax_takes_the_lowest_of_ties(void)
{
	const float one[] = {-3.0f};
	const float rising[] = {0.1f, 0.2f, 0.3f};
	const float tie[] = {0.2f, 0.7f, 0.1f, 0.7f};
	const float negative[] = {-5.0f, -1.0f, -2.0f};

	CU_ASSERT_EQUAL(pronet_argmax(one, 1), 0);
	CU_ASSERT_EQUAL(pronet_argmax(rising, 3), 2);
	CU_ASSERT_EQUAL(pronet_argmax(tie, 4), 1);
	CU_ASSERT_EQUAL(pronet_argmax(negative, 3), 1);
}

static CU_TestInfo tests[] = {
    {"softmax is stable and sums to one", test_softmax_is_stable_and_sums_to_one},
    {"temperature divides the logits", test_temperature_divides_logits},
    {"the loss stays finite when p underflows", test_loss_of_a_certain_wrong_answer_is_finite},
    {"gradient matches finite differences", test_gradient_matches_finite_differences},
    {"argmax takes the lowest index of ties", test_argmax_takes_the_lowest_of_ties},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/softmax_xent", tests);
}
