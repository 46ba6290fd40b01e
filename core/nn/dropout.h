/* Inverted dropout (Srivastava et al. 2014), ProNet Sec. 3.2: while training
 * each feature is zeroed with probability p and the survivors are scaled by
 * 1/(1-p), so inference is the identity and needs no code. */
#ifndef PRONET_CORE_DROPOUT_H
#define PRONET_CORE_DROPOUT_H

#include <stddef.h>

#include "core/util/rng.h"

/* mask[i] is 0 or 1/(1-p); y = x * mask. 0 <= p < 1. */
void pronet_dropout_forward(const float *x, size_t n, float p, struct pronet_rng *rng, float *mask,
                            float *y);
/* dx = dy * mask (dx may equal dy). */
void pronet_dropout_backward(const float *dy, const float *mask, size_t n, float *dx);

#endif
