/* The dot product every forward pass spends its time in. */
#ifndef PRONET_CORE_DOT_H
#define PRONET_CORE_DOT_H

#include <stddef.h>

/* sum_k a[k] * b[k], summed in a fixed order (so results are reproducible). */
float pronet_dot(const float *a, const float *b, size_t n);
/* out[r] = pronet_dot(a + r * n, b, n) for r < 4, bit for bit, with the four
 * sums interleaved so that a dense layer's outputs do not wait on each other. */
void pronet_dot4(const float *a, const float *b, size_t n, float out[4]);
/* y[k] += alpha * x[k] for k < n, four at a time: each element's result is
 * the plain loop's, whatever the vector width. */
void pronet_axpy(float *y, float alpha, const float *x, size_t n);

#endif
