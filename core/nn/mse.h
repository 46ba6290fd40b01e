/* Mean squared error, the reconstruction loss of the stacked autoencoder
 * (issue 13): L = (1/n) sum_i (y_i - t_i)^2 over n values.
 *   y [n], target [n] -> L; dy [n]. */
#ifndef PRONET_CORE_MSE_H
#define PRONET_CORE_MSE_H

#include <stddef.h>

#include "core/util/error.h"

/* PRONET_ERR_ARG (with a message in errbuf, which may be NULL) when n is 0:
 * the mean of no values is undefined. Call once per shape, not per sample. */
enum pronet_err pronet_mse_check(size_t n, char *errbuf);
/* (1/n) sum (y - t)^2, summed in double so that long vectors keep precision. */
float pronet_mse_forward(const float *y, const float *target, size_t n);
/* dy[i] = scale * 2 (y_i - t_i) / n (all n written); scale is the weight of
 * this loss in the caller's total (1 for a batch mean's 1/batch, etc.). */
void pronet_mse_backward(const float *y, const float *target, size_t n, float scale, float *dy);

#endif
