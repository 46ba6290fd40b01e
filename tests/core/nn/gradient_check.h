/* The gradient check the layer tests share: an analytic gradient against
 * central finite differences of a scalar loss, as ggml's test-backend-ops
 * checks each operation's backward pass. */
#ifndef PRONET_TESTS_CORE_GRADIENT_CHECK_H
#define PRONET_TESTS_CORE_GRADIENT_CHECK_H

#include <stddef.h>
#include <stdint.h>

/* The loss of a test problem (its inputs, parameters and the weights r that
 * make the layer's output a scalar: loss = sum r * y). */
typedef double (*gradient_check_loss_fn)(const void *problem);

/* For each of the n values at `param` (inside `problem`): asserts that
 * analytic[i] equals (loss(param[i] + step) - loss(param[i] - step)) /
 * (2 step) within `tolerance`. Each value is restored after. */
void gradient_check(const void *problem, gradient_check_loss_fn loss, float *param,
                    const float *analytic, size_t n, float step, double tolerance);

/* Fills values[0..n) with N(0, 1) draws of core/rng seeded with `seed`. */
void gradient_check_fill_normal(float *values, size_t n, uint64_t seed);

#endif
