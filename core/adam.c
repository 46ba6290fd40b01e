/* Adam, Kingma & Ba 2015, Algorithm 1:
 *   m = b1 m + (1 - b1) g,       v = b2 v + (1 - b2) g^2,
 *   mhat = m / (1 - b1^t),       vhat = v / (1 - b2^t),
 *   theta -= alpha * mhat / (sqrt(vhat) + eps). */
#include "core/adam.h"

#include <math.h>

void pronet_adam_init(struct pronet_adam *adam, float learning_rate)
{
	adam->learning_rate = learning_rate;
	adam->beta1 = 0.9f;
	adam->beta2 = 0.999f;
	adam->epsilon = 1e-8f;
	adam->step = 0;
}

void pronet_adam_update(struct pronet_adam *adam, float *params, const float *grads, float *m,
                        float *v, size_t n)
{
	float b1 = adam->beta1, b2 = adam->beta2;
	float correction1, correction2;

	adam->step++;
	correction1 = 1.0f - (float)pow(b1, (double)adam->step);
	correction2 = 1.0f - (float)pow(b2, (double)adam->step);
	for (size_t i = 0; i < n; i++) {
		float g = grads[i];
		float mhat, vhat;

		m[i] = b1 * m[i] + (1.0f - b1) * g;
		v[i] = b2 * v[i] + (1.0f - b2) * g * g;
		mhat = m[i] / correction1;
		vhat = v[i] / correction2;
		params[i] -= adam->learning_rate * mhat / (sqrtf(vhat) + adam->epsilon);
	}
}
