/* Dense layer, ProNet Sec. 3.2 (E5): o = W z + b. */
#include "core/nn/dense.h"

#include <string.h>

#include "core/nn/dot.h"

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

void pronet_dense_backward(const float *x, size_t inputs, const float *w, size_t outputs,
                           const float *dy, float *dx, float *dw, float *db)
{
	if (dx != NULL)
		memset(dx, 0, inputs * sizeof(float));
	for (size_t o = 0; o < outputs; o++) {
		const float *wo = w + o * inputs;
		float *dwo = dw + o * inputs;
		float g = dy[o];

		db[o] += g;
		for (size_t i = 0; i < inputs; i++)
			dwo[i] += g * x[i];
		if (dx != NULL)
			for (size_t i = 0; i < inputs; i++)
				dx[i] += g * wo[i];
	}
}
