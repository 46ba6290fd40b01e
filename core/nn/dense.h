/* Fully connected layer (ProNet Sec. 3.2, the output layer before softmax).
 *   x [inputs], w [outputs][inputs], b [outputs], y [outputs]. */
#ifndef PRONET_CORE_DENSE_H
#define PRONET_CORE_DENSE_H

#include <stddef.h>

void pronet_dense_forward(const float *x, size_t inputs, const float *w, const float *b,
                          size_t outputs, float *y);
/* Accumulates dw, db; writes dx unless it is NULL. */
void pronet_dense_backward(const float *x, size_t inputs, const float *w, size_t outputs,
                           const float *dy, float *dx, float *dw, float *db);

#endif
