/* Softmax for prediction: the same quantity as pronet_softmax (ProNet Sec.
 * 3.2 (E6) with the calibration temperature), four classes at a time with a
 * polynomial exp instead of one libm expf call per class. The relative
 * error of each exp is a few float roundings (about 2e-7, checked in
 * tests/core/test_softmax_fast), so a probability differs from the exact one
 * by well under 1e-6; training keeps pronet_softmax, whose bits its
 * reproducibility tests pin. */
#ifndef PRONET_CORE_SOFTMAX_FAST_H
#define PRONET_CORE_SOFTMAX_FAST_H

#include <stddef.h>

/* probabilities[n] = softmax(logits[n] / temperature); n <= PRONET_MAX_CLASSES,
 * temperature > 0, logits finite. No allocation. */
void pronet_softmax_fast(const float *logits, size_t n, float temperature, float *probabilities);

#endif
