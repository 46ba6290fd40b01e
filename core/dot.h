/* The dot product every forward pass spends its time in. */
#ifndef PRONET_CORE_DOT_H
#define PRONET_CORE_DOT_H

#include <stddef.h>

/* sum_k a[k] * b[k], summed in a fixed order (so results are reproducible). */
float pronet_dot(const float *a, const float *b, size_t n);

#endif
