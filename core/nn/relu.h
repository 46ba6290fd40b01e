/* Rectified linear unit after each convolution (ProNet Sec. 3.2). */
#ifndef PRONET_CORE_RELU_H
#define PRONET_CORE_RELU_H

#include <stddef.h>

/* y = max(0, x); y may equal x (in place). */
void pronet_relu_forward(const float *x, size_t n, float *y);
/* dx = dy where the output y was positive, else 0 (the subgradient at 0 is
 * taken as 0). dx may equal dy. */
void pronet_relu_backward(const float *y, const float *dy, size_t n, float *dx);

#endif
