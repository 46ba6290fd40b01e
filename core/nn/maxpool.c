/* Global max-pool, ProNet Sec. 3.2 (E4): z_f = max_p h_{p,f}. The gradient
 * flows only to the position that won; with ties the lowest position wins,
 * a valid subgradient. */
#include "core/nn/maxpool.h"

#include <string.h>

void pronet_maxpool_forward(const float *x, size_t length, size_t channels, float *y,
                            uint16_t *argmax)
{
	for (size_t c = 0; c < channels; c++) {
		float best = x[c];
		size_t best_position = 0;

		for (size_t p = 1; p < length; p++) {
			if (x[p * channels + c] > best) {
				best = x[p * channels + c];
				best_position = p;
			}
		}
		y[c] = best;
		if (argmax != NULL)
			argmax[c] = (uint16_t)best_position;
	}
}

void pronet_maxpool_backward(const uint16_t *argmax, size_t length, size_t channels,
                             const float *dy, float *dx)
{
	memset(dx, 0, length * channels * sizeof(float));
	for (size_t c = 0; c < channels; c++)
		dx[(size_t)argmax[c] * channels + c] = dy[c];
}
