/* Eight partial sums break the chain of dependent additions, so the compiler
 * can keep eight multiply-adds in flight and vectorise them without
 * -ffast-math. The order of the additions is fixed by this code, not by the
 * compiler, so a result is the same on every run. */
#include "core/dot.h"

#define LANES 8

float pronet_dot(const float *a, const float *b, size_t n)
{
	float lane[LANES] = {0.0f};
	float sum = 0.0f;
	size_t k = 0;

	for (; k + LANES <= n; k += LANES)
		for (size_t j = 0; j < LANES; j++)
			lane[j] += a[k + j] * b[k + j];
	for (; k < n; k++)
		sum += a[k] * b[k];
	return sum + (((lane[0] + lane[4]) + (lane[1] + lane[5])) +
	              ((lane[2] + lane[6]) + (lane[3] + lane[7])));
}
