/* Dense layer, ProNet Sec. 3.2 (E5): o = W z + b. */
#include "core/nn/dense.h"

#include <string.h>

#include "core/nn/dot.h"
#include "core/nn/gemm.h"

void pronet_dense_forward(const float *x, size_t inputs, const float *w, const float *b,
                          size_t outputs, float *y)
{
	size_t o = 0;

	for (; o + 4 <= outputs; o += 4) { /* the same sums as below, four at a time */
		float sums[4];

		pronet_dot4(w + o * inputs, x, inputs, sums);
		for (size_t r = 0; r < 4; r++)
			y[o + r] = b[o + r] + sums[r];
	}
	for (; o < outputs; o++)
		y[o] = b[o] + pronet_dot(w + o * inputs, x, inputs);
}

/* dW += dy x^T and dx = W^T dy as matrix products of one row: each
 * element's sum is the plain loops' (dW: one product added; dx: products
 * added in output order from 0), the same bits, in vectors. */
void pronet_dense_backward(const float *x, size_t inputs, const float *w, size_t outputs,
                           const float *dy, float *dx, float *dw, float *db)
{
	for (size_t o = 0; o < outputs; o++)
		db[o] += dy[o];
	pronet_gemm_tn_acc(1, outputs, inputs, dy, outputs, x, inputs, dw, inputs);
	if (dx != NULL) {
		memset(dx, 0, inputs * sizeof(float));
		pronet_gemm_nn_acc(1, outputs, inputs, dy, outputs, w, inputs, dx, inputs);
	}
}
