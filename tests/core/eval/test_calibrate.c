/* Tests of core/eval/calibrate.c on crafted sets:
 * - temperature: logits that are overconfident (right 70% of the time with
 *   margins of 6) get T > 1 and a lower NLL than at T = 1; underconfident
 *   ones (always right, small margins) get T < 1, or 1 in the range eval
 *   uses; the NLL at the chosen T is no higher than at nearby temperatures;
 * - thresholds: on the examples they were chosen on, every class's
 *   predictions at or above its threshold meet the precision, and the
 *   threshold is the lowest that does. */
#include "core/eval/calibrate.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <stdlib.h>

#define N 400
#define C 3

static double nll_at(const float *logits, const uint32_t *labels, size_t n, double t)
{
	double total = 0.0;

	for (size_t i = 0; i < n; i++) {
		double sum = 0.0;

		for (size_t c = 0; c < C; c++)
			sum += exp(logits[i * C + c] / t);
		total += log(sum) - logits[i * C + labels[i]] / t;
	}
	return total / (double)n;
}

/* margin on the predicted class; predicted == label for a share `right`. */
static void crafted_logits(float *logits, uint32_t *labels, double right, float margin,
                           uint64_t seed)
{
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed);
	for (size_t i = 0; i < N; i++) {
		uint32_t label = (uint32_t)(i % C), predicted = label;

		if ((double)pronet_rng_below(&rng, 1000) >= right * 1000.0)
			predicted = (label + 1) % C;
		labels[i] = label;
		for (size_t c = 0; c < C; c++)
			logits[i * C + c] = c == predicted ? margin : 0.0f;
	}
}

static void test_temperature_lowers_nll(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	float logits[N * C], t = 0.0f;
	uint32_t labels[N];
	double nll;

	crafted_logits(logits, labels, 0.7, 6.0f, 1);
	CU_ASSERT_EQUAL_FATAL(pronet_calibrate_temperature(logits, labels, N, C, 0.05f, 20.0f, &t, &nll, errbuf),
	                      PRONET_OK);
	CU_ASSERT(t > 1.0f);
	CU_ASSERT(nll < nll_at(logits, labels, N, 1.0) - 0.1);
	CU_ASSERT(nll <= nll_at(logits, labels, N, t * 1.05) + 1e-9);
	CU_ASSERT(nll <= nll_at(logits, labels, N, t / 1.05) + 1e-9);
	crafted_logits(logits, labels, 1.0, 0.5f, 2);
	CU_ASSERT_EQUAL_FATAL(pronet_calibrate_temperature(logits, labels, N, C, 0.05f, 20.0f, &t, &nll, errbuf),
	                      PRONET_OK);
	CU_ASSERT(t < 1.0f);
	CU_ASSERT(nll < nll_at(logits, labels, N, 1.0));
	/* The range calibration uses: never below 1. */
	CU_ASSERT_EQUAL(pronet_calibrate_temperature(logits, labels, N, C,
	                                             PRONET_CALIBRATION_MIN_TEMPERATURE,
	                                             PRONET_CALIBRATION_MAX_TEMPERATURE, &t, NULL,
	                                             errbuf),
	                PRONET_OK);
	CU_ASSERT(t >= 1.0f && t < 1.01f);
	labels[0] = C; /* a label out of range is refused */
	CU_ASSERT_EQUAL(pronet_calibrate_temperature(logits, labels, N, C, 0.05f, 20.0f, &t, NULL, errbuf),
	                PRONET_ERR_ARG);
}

static void test_thresholds_meet_precision(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	float p[N * C], thresholds[C];
	uint32_t labels[N];
	struct pronet_rng rng;

	/* Right predictions tend to be confident, wrong ones less so, with
	 * overlap: a threshold is needed and exists. */
	pronet_rng_seed(&rng, 3);
	for (size_t i = 0; i < N; i++) {
		uint32_t label = (uint32_t)(i % C), predicted = label;
		int wrong = pronet_rng_below(&rng, 100) < 25;
		float top = wrong ? 0.4f + 0.4f * (float)pronet_rng_below(&rng, 1000) / 1000.0f
		                  : 0.6f + 0.4f * (float)pronet_rng_below(&rng, 1000) / 1000.0f;

		if (wrong)
			predicted = (label + 2) % C;
		labels[i] = label;
		for (size_t c = 0; c < C; c++)
			p[i * C + c] = c == predicted ? top : (1.0f - top) / (C - 1);
	}
	CU_ASSERT_EQUAL_FATAL(
	    pronet_calibrate_thresholds(p, labels, N, C, 0.97, 0.0f, thresholds, errbuf), PRONET_OK);
	for (size_t c = 0; c < C; c++) {
		size_t kept = 0, right = 0, kept_below = 0, right_below = 0;
		float below = 0.0f;

		CU_ASSERT(thresholds[c] > 0.6f && thresholds[c] <= 1.0f);
		/* The highest probability below the threshold among c's predictions. */
		for (size_t i = 0; i < N; i++) {
			float q = p[i * C + c];

			if (q >= p[i * C + (c + 1) % C] && q >= p[i * C + (c + 2) % C] &&
			    q < thresholds[c] && q > below)
				below = q;
		}
		for (size_t i = 0; i < N; i++) {
			float q = p[i * C + c];

			if (!(q >= p[i * C + (c + 1) % C] && q >= p[i * C + (c + 2) % C]))
				continue;
			if (q >= thresholds[c]) {
				kept++;
				right += labels[i] == c;
			}
			if (q >= below) {
				kept_below++;
				right_below += labels[i] == c;
			}
		}
		CU_ASSERT(kept > 0);
		CU_ASSERT((double)right >= 0.97 * (double)kept);
		/* One step lower would miss the precision: the lowest that meets it. */
		CU_ASSERT((double)right_below < 0.97 * (double)kept_below);
	}
	/* A class never predicted gets the `unseen` value. */
	for (size_t i = 0; i < N; i++)
		p[i * C + 2] = 0.0f;
	CU_ASSERT_EQUAL(pronet_calibrate_thresholds(p, labels, N, C, 0.97, 0.5f, thresholds, errbuf),
	                PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(thresholds[2], 0.5, 1e-9);
}

static CU_TestInfo tests[] = {
    {"temperature lowers the NLL", test_temperature_lowers_nll},
    {"thresholds meet the precision", test_thresholds_meet_precision},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/eval/calibrate", tests);
}
