/* Softmax for prediction: the same quantity as pronet_softmax (ProNet Sec.
 * 3.2 (E6) with the calibration temperature), one register of classes at a
 * time (core/util/vector_isa.h: the widest vectors the CPU has) with a polynomial exp
 * instead of one libm expf call per class. The relative error of each exp is
 * a few float roundings (about 2e-7, checked in tests/core/nn/test_softmax_fast),
 * so a probability differs from the exact one by well under 1e-6; training
 * keeps pronet_softmax, whose bits its reproducibility tests pin. */
#ifndef PRONET_CORE_SOFTMAX_FAST_H
#define PRONET_CORE_SOFTMAX_FAST_H

#include <stddef.h>

#include "core/util/vector_isa.h"

/* probabilities[n] = softmax(logits[n] / temperature) with the kernels of
 * isa, resolved (pronet_vector_isa_resolve, once per model: not per call);
 * 1 <= n <= PRONET_MAX_CLASSES, temperature > 0, logits finite. No
 * allocation. */
void pronet_softmax_fast(const float *logits, size_t n, float temperature, float *probabilities,
                         enum pronet_vector_isa isa);

/* The same, returning the class of the largest probability: the lowest
 * index holding it, as pronet_argmax(probabilities, n) gives, found in the
 * kernel's registers (on AVX2; the other kernels call pronet_argmax). */
size_t pronet_softmax_fast_best(const float *logits, size_t n, float temperature,
                                float *probabilities, enum pronet_vector_isa isa);

/* logits[n] copied from padded[n] in
 * the pieces pronet_softmax_fast's kernel for isa loads them: a vector load
 * that spans several smaller stores waits until they reach the cache
 * (store forwarding fails), one that matches a store takes its value
 * directly. For code that computes logits in vectors and hands them to the
 * softmax next. */
void pronet_softmax_fast_store(const float *padded, size_t n, float *logits,
                               enum pronet_vector_isa isa);

#endif
