/* ReLU, ProNet Sec. 3.2 (E3): h = max(0, c). */
#include "core/relu.h"

void pronet_relu_forward(const float *x, size_t n, float *y)
{
	for (size_t i = 0; i < n; i++)
		y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void pronet_relu_backward(const float *y, const float *dy, size_t n, float *dx)
{
	for (size_t i = 0; i < n; i++)
		dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
