/* Batch normalisation (Ioffe & Szegedy 2015, Alg. 1), per feature j over a
 * batch of B vectors:
 *   mu = mean_b x_bj,  var = mean_b (x_bj - mu)^2,  xhat = (x - mu) / sqrt(var + eps),
 *   y = gamma * xhat + beta.
 * Backward (the standard closed form):
 *   dx_bj = gamma_j * inv_std_j / B * (B dy_bj - sum_b dy_bj - xhat_bj sum_b dy_bj xhat_bj). */
#include "core/nn/batchnorm.h"

#include <math.h>

void pronet_batchnorm_forward_train(const float *x, size_t batch, size_t features,
                                    const float *gamma, const float *beta, float *y, float *xhat,
                                    float *batch_mean, float *batch_var, float *inv_std)
{
	for (size_t j = 0; j < features; j++) {
		float mean = 0.0f, var = 0.0f;

		for (size_t b = 0; b < batch; b++)
			mean += x[b * features + j];
		mean /= (float)batch;
		for (size_t b = 0; b < batch; b++) {
			float d = x[b * features + j] - mean;

			var += d * d;
		}
		var /= (float)batch;
		batch_mean[j] = mean;
		batch_var[j] = var;
		inv_std[j] = 1.0f / sqrtf(var + PRONET_BATCHNORM_EPSILON);
		for (size_t b = 0; b < batch; b++) {
			size_t i = b * features + j;

			xhat[i] = (x[i] - mean) * inv_std[j];
			y[i] = gamma[j] * xhat[i] + beta[j];
		}
	}
}

void pronet_batchnorm_update_running(float *running_mean, float *running_var,
                                     const float *batch_mean, const float *batch_var,
                                     size_t features)
{
	const float m = PRONET_BATCHNORM_MOMENTUM;

	for (size_t j = 0; j < features; j++) {
		running_mean[j] = m * running_mean[j] + (1.0f - m) * batch_mean[j];
		running_var[j] = m * running_var[j] + (1.0f - m) * batch_var[j];
	}
}

void pronet_batchnorm_forward_infer(const float *x, size_t features, const float *gamma,
                                    const float *beta, const float *running_mean,
                                    const float *running_var, float *y)
{
	for (size_t j = 0; j < features; j++) {
		float inv_std = 1.0f / sqrtf(running_var[j] + PRONET_BATCHNORM_EPSILON);

		y[j] = gamma[j] * (x[j] - running_mean[j]) * inv_std + beta[j];
	}
}

void pronet_batchnorm_backward(const float *dy, const float *xhat, const float *inv_std,
                               size_t batch, size_t features, const float *gamma, float *dx,
                               float *dgamma, float *dbeta)
{
	for (size_t j = 0; j < features; j++) {
		float sum_dy = 0.0f, sum_dy_xhat = 0.0f;
		float scale = gamma[j] * inv_std[j] / (float)batch;

		for (size_t b = 0; b < batch; b++) {
			sum_dy += dy[b * features + j];
			sum_dy_xhat += dy[b * features + j] * xhat[b * features + j];
		}
		dgamma[j] += sum_dy_xhat;
		dbeta[j] += sum_dy;
		for (size_t b = 0; b < batch; b++) {
			size_t i = b * features + j;

			dx[i] = scale * ((float)batch * dy[i] - sum_dy - xhat[i] * sum_dy_xhat);
		}
	}
}
