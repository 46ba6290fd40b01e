/* Finite-difference gradient checks (tests/core/nn/gradient_check.h). */
#include "tests/core/nn/gradient_check.h"

#include "core/util/rng.h"
#include "tests/unit.h"

void gradient_check(const void *problem, gradient_check_loss_fn loss, float *param,
                    const float *analytic, size_t n, float step, double tolerance)
{
	for (size_t i = 0; i < n; i++) {
		float saved = param[i];
		double plus, minus;

		param[i] = saved + step;
		plus = loss(problem);
		param[i] = saved - step;
		minus = loss(problem);
		param[i] = saved;
		CU_ASSERT_DOUBLE_EQUAL(analytic[i], (plus - minus) / (2 * step), tolerance);
	}
}

void gradient_check_fill_normal(float *values, size_t n, uint64_t seed)
{
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++)
		values[i] = pronet_rng_normal(&rng, 0.0f, 1.0f);
}
