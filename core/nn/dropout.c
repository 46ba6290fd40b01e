/* Inverted dropout: y_i = x_i * r_i / (1 - p), r_i ~ Bernoulli(1 - p). */
#include "core/nn/dropout.h"

void pronet_dropout_forward(const float *x, size_t n, float p, struct pronet_rng *rng, float *mask,
                            float *y)
{
	float keep_scale = 1.0f / (1.0f - p);

	for (size_t i = 0; i < n; i++) {
		mask[i] = (p > 0.0f && pronet_rng_uniform(rng) < (double)p) ? 0.0f : keep_scale;
		y[i] = x[i] * mask[i];
	}
}

void pronet_dropout_backward(const float *dy, const float *mask, size_t n, float *dx)
{
	for (size_t i = 0; i < n; i++)
		dx[i] = dy[i] * mask[i];
}
