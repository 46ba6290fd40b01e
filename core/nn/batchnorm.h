/* Batch normalisation of feature vectors (Ioffe & Szegedy 2015), optional in
 * ProNet on the pooled features (Sec. 3.2). Training normalises with the
 * batch's statistics and keeps running ones for inference.
 *   x, y, xhat [batch][features]; gamma, beta, mean, var, inv_std [features]. */
#ifndef PRONET_CORE_BATCHNORM_H
#define PRONET_CORE_BATCHNORM_H

#include <stddef.h>

#define PRONET_BATCHNORM_EPSILON 1e-3f
/* running = momentum * running + (1 - momentum) * batch */
#define PRONET_BATCHNORM_MOMENTUM 0.9f

/* Training: writes y, and xhat, batch_mean, batch_var (biased), inv_std for
 * the backward pass. */
void pronet_batchnorm_forward_train(const float *x, size_t batch, size_t features,
                                    const float *gamma, const float *beta, float *y, float *xhat,
                                    float *batch_mean, float *batch_var, float *inv_std);
void pronet_batchnorm_update_running(float *running_mean, float *running_var,
                                     const float *batch_mean, const float *batch_var,
                                     size_t features);
/* Inference on one vector with the running statistics. */
void pronet_batchnorm_forward_infer(const float *x, size_t features, const float *gamma,
                                    const float *beta, const float *running_mean,
                                    const float *running_var, float *y);
/* Writes dx; accumulates dgamma, dbeta. */
void pronet_batchnorm_backward(const float *dy, const float *xhat, const float *inv_std,
                               size_t batch, size_t features, const float *gamma, float *dx,
                               float *dgamma, float *dbeta);

#endif
