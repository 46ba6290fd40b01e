/* Softmax and the cross-entropy loss on it (ProNet Sec. 3.3). */
#ifndef PRONET_CORE_SOFTMAX_XENT_H
#define PRONET_CORE_SOFTMAX_XENT_H

#include <stddef.h>
#include <stdint.h>

/* probabilities = softmax(logits / temperature), computed stably
 * (the largest logit is subtracted first). temperature > 0. */
void pronet_softmax(const float *logits, size_t n, float temperature, float *probabilities);
/* Index of the largest of x[0..n-1] (n >= 1); ties go to the lowest index,
 * so a class decision never depends on the order sums were taken in. */
size_t pronet_argmax(const float *x, size_t n);
/* Writes softmax(logits) and returns -log p[label]. */
float pronet_softmax_xent_forward(const float *logits, size_t n, uint32_t label,
                                  float *probabilities);
/* dlogits = scale * (p - onehot(label)); scale is 1/batch for a mean loss. */
void pronet_softmax_xent_backward(const float *probabilities, size_t n, uint32_t label, float scale,
                                  float *dlogits);

#endif
