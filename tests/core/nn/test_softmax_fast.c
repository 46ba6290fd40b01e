/* Tests of core/nn/softmax_fast.c: probabilities against a double-precision
 * softmax for many logit vectors, temperatures and class counts (including
 * counts that are not a multiple of the sixteen lanes), logits far apart, and
 * the exp's relative error over the whole range it is used on; for every
 * vector kernel this CPU runs. */
#include "core/nn/softmax_fast.h"
#include "tests/unit.h"

#include <math.h>
#include <string.h>

#include "core/model/model.h"
#include "core/nn/softmax_xent.h"
#include "core/util/rng.h"

static const enum pronet_vector_isa isas[] = {PRONET_ISA_GENERIC, PRONET_ISA_AVX2,
                                              PRONET_ISA_AVX512};
#define ISAS (sizeof(isas) / sizeof(isas[0]))

/* run[k]: whether this CPU runs isas[k]; a kernel it lacks is reported as
 * skipped, once per test (tests/unit.h). */
static void kernels_run(const char *test, int run[ISAS])
{
	for (size_t k = 0; k < ISAS; k++)
		run[k] = pronet_unit_isa_runs(isas[k], test);
}

static double worst_difference(const float *logits, size_t n, float temperature,
                               enum pronet_vector_isa isa)
{
	float p[PRONET_MAX_CLASSES + 1];
	double q[PRONET_MAX_CLASSES], top = -INFINITY, sum = 0.0, worst = 0.0;

	p[n] = -1.0f; /* must stay: nothing is written past n */
	pronet_softmax_fast(logits, n, temperature, p, isa);
	CU_ASSERT_EQUAL(p[n], -1.0f);
	for (size_t i = 0; i < n; i++)
		top = fmax(top, (double)logits[i] / temperature);
	for (size_t i = 0; i < n; i++)
		sum += q[i] = exp((double)logits[i] / temperature - top);
	for (size_t i = 0; i < n; i++)
		worst = fmax(worst, fabs(p[i] - q[i] / sum));
	return worst;
}

static void test_random_logits_match_double_precision(void)
{
	static const size_t counts[] = {1,  2,  3,  4,  5,  7,   15,
	                                16, 17, 24, 32, 33, 255, PRONET_MAX_CLASSES};
	static const float temperatures[] = {0.05f, 0.7f, 1.0f, 3.0f};
	struct pronet_rng rng;
	float logits[PRONET_MAX_CLASSES];
	double worst = 0.0;
	int run[ISAS];

	kernels_run("random logits", run);
	pronet_rng_seed(&rng, 5);
	for (size_t k = 0; k < ISAS; k++)
		for (size_t c = 0; run[k] && c < sizeof(counts) / sizeof(counts[0]); c++)
			for (size_t t = 0; t < sizeof(temperatures) / sizeof(temperatures[0]); t++)
				for (int trial = 0; trial < 200; trial++) {
					float spread = trial < 100 ? 3.0f : 40.0f;

					for (size_t i = 0; i < counts[c]; i++)
						logits[i] = pronet_rng_normal(&rng, 0.0f, spread);
					worst =
					    fmax(worst, worst_difference(logits, counts[c],
					                                 temperatures[t], isas[k]));
				}
	/* Float sums over 256 classes alone reach 2e-6 (pronet_softmax with
	 * libm's expf does too); prediction promises 1e-4. */
	CU_ASSERT_TRUE(worst < 1e-5);
}

/* Logits far apart, either way from the first one. */
static void test_far_apart_logits(void)
{
	const float logits[5] = {1000.0f, 999.0f, -1000.0f, 0.0f, 998.5f};
	float p[5];
	int run[ISAS];

	kernels_run("logits far apart", run);
	for (size_t k = 0; k < ISAS; k++) {
		if (!run[k])
			continue;
		pronet_softmax_fast(logits, 5, 1.0f, p, isas[k]);
		CU_ASSERT_TRUE(worst_difference(logits, 5, 1.0f, isas[k]) < 1e-6);
		CU_ASSERT_DOUBLE_EQUAL(p[2], 0.0, 1e-30);
		CU_ASSERT_DOUBLE_EQUAL(p[0] + p[1] + p[2] + p[3] + p[4], 1.0, 1e-6);
	}
	/* The first class far below the others (its logit cannot be the
	 * shift: the exact maximum is taken instead), with 1, 16 and 17
	 * classes past it. */
	for (size_t k = 0; k < ISAS; k++) {
		static const size_t counts[] = {2, 17, 18};
		float low[18];

		for (size_t c = 0; run[k] && c < sizeof(counts) / sizeof(counts[0]); c++) {
			low[0] = -1000.0f;
			for (size_t i = 1; i < counts[c]; i++)
				low[i] = (float)i * 3.0f;
			CU_ASSERT_TRUE(worst_difference(low, counts[c], 1.0f, isas[k]) < 1e-6);
			CU_ASSERT_TRUE(worst_difference(low, counts[c], 0.01f, isas[k]) < 1e-6);
		}
	}
}

/* exp itself, through a two-class softmax: p0 = 1 / (1 + exp(-d)) for
 * d = logit0 - logit1, so p1 / p0 = exp(-d); relative error over
 * d in [0, 80] (below exp(-80) a probability is 0 for any purpose). */
static void test_exp_relative_error(void)
{
	double worst = 0.0;
	int run[ISAS];

	kernels_run("exp's relative error", run);
	for (size_t isa = 0; isa < ISAS; isa++)
		for (int k = 0; run[isa] && k <= 80000; k++) {
			float d = (float)k * 0.001f, logits[2] = {d, 0.0f}, p[2];
			double ratio;

			pronet_softmax_fast(logits, 2, 1.0f, p, isas[isa]);
			ratio = (double)p[1] / (double)p[0];
			worst = fmax(worst, fabs(ratio / exp(-(double)d) - 1.0));
		}
	CU_ASSERT_TRUE(worst < 1e-6);
}

/* pronet_softmax_fast_best: the same probabilities as pronet_softmax_fast
 * and the class pronet_argmax gives on them, the lowest index on ties,
 * wherever the largest class lies: each vector, the overlapping last one, a
 * tie across the overlap, every class count up to 40 and the largest. */
static void test_best_is_argmax(void)
{
	static const size_t counts[] = {1,  2,  3,  4,  5,  7,   8,
	                                9,  15, 16, 17, 23, 24,  25,
	                                31, 32, 33, 39, 40, 255, PRONET_MAX_CLASSES};
	struct pronet_rng rng;
	float logits[PRONET_MAX_CLASSES], p[PRONET_MAX_CLASSES], q[PRONET_MAX_CLASSES];
	int run[ISAS];

	kernels_run("best is argmax", run);
	pronet_rng_seed(&rng, 9);
	for (size_t k = 0; k < ISAS; k++)
		for (size_t c = 0; run[k] && c < sizeof(counts) / sizeof(counts[0]); c++)
			for (size_t top = 0; top < counts[c]; top++)
				for (int tie = 0; tie < 3; tie++) {
					size_t n = counts[c], best;

					for (size_t i = 0; i < n; i++)
						logits[i] = (float)pronet_rng_uniform(&rng) * 4.0f;
					logits[top] = 5.0f;
					/* a tie with the class below, or with the first */
					if (tie == 1 && top > 0)
						logits[top - 1] = 5.0f;
					if (tie == 2)
						logits[0] = 5.0f;
					best =
					    pronet_softmax_fast_best(logits, n, 0.8f, p, isas[k]);
					pronet_softmax_fast(logits, n, 0.8f, q, isas[k]);
					CU_ASSERT_EQUAL(memcmp(p, q, n * sizeof(float)), 0);
					CU_ASSERT_EQUAL(best, pronet_argmax(p, n));
				}
}

static CU_TestInfo tests[] = {
    {"the best class is pronet_argmax's", test_best_is_argmax},
    {"random logits match a double-precision softmax", test_random_logits_match_double_precision},
    {"logits far apart", test_far_apart_logits},
    {"exp's relative error on [-80, 0]", test_exp_relative_error},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/softmax_fast", tests);
}
