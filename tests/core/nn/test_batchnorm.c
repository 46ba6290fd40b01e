/* Tests of core/nn/batchnorm.c: normalised outputs, running statistics,
 * inference, and the gradients of x, gamma, beta over a whole batch against
 * central finite differences. */
#include "core/nn/batchnorm.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>

#define BATCH 5
#define FEATURES 3
#define CELLS (BATCH * FEATURES)

struct problem {
	float x[CELLS], gamma[FEATURES], beta[FEATURES], r[CELLS];
};

static void forward(const struct problem *p, float *y, float *xhat, float *inv_std)
{
	float mean[FEATURES], var[FEATURES];

	pronet_batchnorm_forward_train(p->x, BATCH, FEATURES, p->gamma, p->beta, y, xhat, mean, var,
	                               inv_std);
}

static double loss(const struct problem *p)
{
	float y[CELLS], xhat[CELLS], inv_std[FEATURES];
	double sum = 0.0;

	forward(p, y, xhat, inv_std);
	for (int i = 0; i < CELLS; i++)
		sum += (double)p->r[i] * y[i];
	return sum;
}

static void random_problem(struct problem *p, uint64_t seed)
{
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed);
	for (int i = 0; i < CELLS; i++) {
		p->x[i] = pronet_rng_normal(&rng, 1.0f, 2.0f);
		p->r[i] = pronet_rng_normal(&rng, 0.0f, 1.0f);
	}
	for (int j = 0; j < FEATURES; j++) {
		p->gamma[j] = pronet_rng_normal(&rng, 1.0f, 0.5f);
		p->beta[j] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	}
}

static void test_output_is_normalised(void)
{
	struct problem p;
	float y[CELLS], xhat[CELLS], inv_std[FEATURES];

	random_problem(&p, 1);
	forward(&p, y, xhat, inv_std);
	for (int j = 0; j < FEATURES; j++) {
		double mean = 0.0, var = 0.0;

		for (int b = 0; b < BATCH; b++)
			mean += xhat[b * FEATURES + j] / BATCH;
		for (int b = 0; b < BATCH; b++)
			var += pow(xhat[b * FEATURES + j] - mean, 2) / BATCH;
		CU_ASSERT_DOUBLE_EQUAL(mean, 0.0, 1e-5);
		CU_ASSERT_DOUBLE_EQUAL(var, 1.0, 0.01); /* eps makes it slightly below 1 */
		CU_ASSERT_DOUBLE_EQUAL(y[j], p.gamma[j] * xhat[j] + p.beta[j], 1e-5);
	}
}

static void test_running_statistics_and_inference(void)
{
	float running_mean[1] = {0.0f}, running_var[1] = {1.0f};
	const float batch_mean[1] = {10.0f}, batch_var[1] = {4.0f};
	const float gamma[1] = {2.0f}, beta[1] = {1.0f}, x[1] = {3.0f};
	float y[1];

	pronet_batchnorm_update_running(running_mean, running_var, batch_mean, batch_var, 1);
	CU_ASSERT_DOUBLE_EQUAL(running_mean[0], 1.0, 1e-6); /* 0.9 * 0 + 0.1 * 10 */
	CU_ASSERT_DOUBLE_EQUAL(running_var[0], 1.3, 1e-6);  /* 0.9 * 1 + 0.1 * 4 */
	pronet_batchnorm_forward_infer(x, 1, gamma, beta, running_mean, running_var, y);
	CU_ASSERT_DOUBLE_EQUAL(y[0], 2.0 * (3.0 - 1.0) / sqrt(1.3 + 1e-3) + 1.0, 1e-5);
}

static void check(struct problem *p, float *param, const float *analytic, size_t n)
{
	const float h = 1e-2f;

	for (size_t i = 0; i < n; i++) {
		float saved = param[i];
		double plus, minus, numeric;

		param[i] = saved + h;
		plus = loss(p);
		param[i] = saved - h;
		minus = loss(p);
		param[i] = saved;
		numeric = (plus - minus) / (2 * h);
		CU_ASSERT_DOUBLE_EQUAL(analytic[i], numeric, 2e-3 + 2e-3 * fabs(numeric));
	}
}

static void test_gradients_match_finite_differences(void)
{
	struct problem p;
	float y[CELLS], xhat[CELLS], inv_std[FEATURES], dx[CELLS];
	float dgamma[FEATURES] = {0}, dbeta[FEATURES] = {0};

	random_problem(&p, 2);
	forward(&p, y, xhat, inv_std);
	pronet_batchnorm_backward(p.r, xhat, inv_std, BATCH, FEATURES, p.gamma, dx, dgamma, dbeta);
	check(&p, p.x, dx, CELLS);
	check(&p, p.gamma, dgamma, FEATURES);
	check(&p, p.beta, dbeta, FEATURES);
}

static CU_TestInfo tests[] = {
    {"training output is normalised per feature", test_output_is_normalised},
    {"running statistics and inference", test_running_statistics_and_inference},
    {"gradients match finite differences", test_gradients_match_finite_differences},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/batchnorm", tests);
}
