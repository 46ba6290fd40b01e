/* ReLU, ProNet Sec. 3.2 (E3): h = max(0, c). Four at a time as a compare
 * and a mask (GCC/clang vector extensions): no branch to mispredict on the
 * signs of pre-activations, and each element's result is the scalar rule's
 * (NaN and -0 give +0). */
#include "core/nn/relu.h"

#include <stdint.h>

typedef float quad __attribute__((vector_size(16), aligned(4), may_alias));
typedef int32_t quad_mask __attribute__((vector_size(16), aligned(4), may_alias));

void pronet_relu_forward(const float *x, size_t n, float *y)
{
	const quad zero = {0.0f, 0.0f, 0.0f, 0.0f};
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		quad v = *(const quad *)(x + i);

		*(quad *)(y + i) = (quad)((v > zero) & (quad_mask)v);
	}
	for (; i < n; i++)
		y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void pronet_relu_backward(const float *y, const float *dy, size_t n, float *dx)
{
	const quad zero = {0.0f, 0.0f, 0.0f, 0.0f};
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		quad v = *(const quad *)(y + i), g = *(const quad *)(dy + i);

		*(quad *)(dx + i) = (quad)((v > zero) & (quad_mask)g);
	}
	for (; i < n; i++)
		dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}
