/* Mean squared error: L = (1/n) sum (y - t)^2, dL/dy = 2 (y - t) / n. */
#include "core/nn/mse.h"

enum pronet_err pronet_mse_check(size_t n, char *errbuf)
{
	if (n == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "mse: no values (n is 0)");
	return PRONET_OK;
}

float pronet_mse_forward(const float *y, const float *target, size_t n)
{
	double sum = 0.0;

	for (size_t i = 0; i < n; i++) {
		double d = (double)y[i] - (double)target[i];

		sum += d * d;
	}
	return (float)(sum / (double)n);
}

void pronet_mse_backward(const float *y, const float *target, size_t n, float scale, float *dy)
{
	float factor = 2.0f * scale / (float)n;

	for (size_t i = 0; i < n; i++)
		dy[i] = factor * (y[i] - target[i]);
}
