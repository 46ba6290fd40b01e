/* Adam, Kingma & Ba 2015, Algorithm 1:
 *   m = b1 m + (1 - b1) g,       v = b2 v + (1 - b2) g^2,
 *   mhat = m / (1 - b1^t),       vhat = v / (1 - b2^t),
 *   theta -= alpha * mhat / (sqrt(vhat) + eps). */
#include "core/nn/adam.h"

#include <math.h>

void pronet_adam_init(struct pronet_adam *adam, float learning_rate)
{
	adam->learning_rate = learning_rate;
	adam->beta1 = 0.9f;
	adam->beta2 = 0.999f;
	adam->epsilon = 1e-8f;
	adam->step = 0;
}

void pronet_adam_begin(struct pronet_adam *adam, struct pronet_adam_step *step)
{
	adam->step++;
	step->learning_rate = adam->learning_rate;
	step->beta1 = adam->beta1;
	step->beta2 = adam->beta2;
	step->epsilon = adam->epsilon;
	step->correction1 = 1.0f - (float)pow(adam->beta1, (double)adam->step);
	step->correction2 = 1.0f - (float)pow(adam->beta2, (double)adam->step);
}

void pronet_adam_apply(const struct pronet_adam_step *step, float *params, const float *grads,
                       float *m, float *v, size_t begin, size_t end)
{
	float b1 = step->beta1, b2 = step->beta2;

	for (size_t i = begin; i < end; i++) {
		float g = grads[i];
		float mhat, vhat;

		m[i] = b1 * m[i] + (1.0f - b1) * g;
		v[i] = b2 * v[i] + (1.0f - b2) * g * g;
		mhat = m[i] / step->correction1;
		vhat = v[i] / step->correction2;
		params[i] -= step->learning_rate * mhat / (sqrtf(vhat) + step->epsilon);
	}
}

void pronet_adam_update(struct pronet_adam *adam, float *params, const float *grads, float *m,
                        float *v, size_t n)
{
	struct pronet_adam_step step;

	pronet_adam_begin(adam, &step);
	pronet_adam_apply(&step, params, grads, m, v, 0, n);
}
