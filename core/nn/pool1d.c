/* Windowed pooling over positions: y_{p,c} = max or mean of x_{i,c} for i
 * in window p. Channels are the inner loop, so each step reads one
 * contiguous row of x. */
#include "core/nn/pool1d.h"

#include <string.h>

enum pronet_err pronet_pool1d_check(const struct pronet_pool1d_shape *shape, char *errbuf)
{
	if (shape->length == 0 || shape->channels == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pool1d: empty input (%zu x %zu)",
		                    shape->length, shape->channels);
	if (shape->length > UINT32_MAX)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pool1d: %zu positions exceed uint32_t",
		                    shape->length);
	if (shape->regions > 0) {
		if (shape->regions > shape->length)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "pool1d: %zu regions over %zu positions",
			                    shape->regions, shape->length);
		return PRONET_OK;
	}
	if (shape->window == 0 || shape->window > shape->length)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pool1d: window %zu over %zu positions",
		                    shape->window, shape->length);
	if (shape->stride == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pool1d: stride is 0");
	return PRONET_OK;
}

size_t pronet_pool1d_positions(const struct pronet_pool1d_shape *shape)
{
	if (pronet_pool1d_check(shape, NULL) != PRONET_OK)
		return 0;
	if (shape->regions > 0)
		return shape->regions;
	return (shape->length - shape->window) / shape->stride + 1;
}

/* The input positions [*begin, *end) of output position p. */
static void window_of(const struct pronet_pool1d_shape *shape, size_t p, size_t *begin, size_t *end)
{
	if (shape->regions > 0) {
		*begin = p * shape->length / shape->regions;
		*end = ((p + 1) * shape->length + shape->regions - 1) / shape->regions;
	} else {
		*begin = p * shape->stride;
		*end = *begin + shape->window;
	}
}

void pronet_pool1d_forward(enum pronet_pool_kind kind, const struct pronet_pool1d_shape *shape,
                           const float *x, float *y, uint32_t *argmax)
{
	size_t positions = pronet_pool1d_positions(shape), channels = shape->channels;

	for (size_t p = 0; p < positions; p++) {
		float *yp = y + p * channels;
		size_t begin, end;

		window_of(shape, p, &begin, &end);
		memcpy(yp, x + begin * channels, channels * sizeof(float));
		if (kind == PRONET_POOL_MAX && argmax != NULL) {
			for (size_t c = 0; c < channels; c++)
				argmax[p * channels + c] = (uint32_t)begin;
		}
		for (size_t i = begin + 1; i < end; i++) {
			const float *xi = x + i * channels;

			for (size_t c = 0; c < channels; c++) {
				if (kind == PRONET_POOL_AVG) {
					yp[c] += xi[c];
				} else if (xi[c] > yp[c]) {
					yp[c] = xi[c];
					if (argmax != NULL)
						argmax[p * channels + c] = (uint32_t)i;
				}
			}
		}
		if (kind == PRONET_POOL_AVG) {
			float inverse = 1.0f / (float)(end - begin);

			for (size_t c = 0; c < channels; c++)
				yp[c] *= inverse;
		}
	}
}

void pronet_pool1d_backward(enum pronet_pool_kind kind, const struct pronet_pool1d_shape *shape,
                            const uint32_t *argmax, const float *dy, float *dx)
{
	size_t positions = pronet_pool1d_positions(shape), channels = shape->channels;

	memset(dx, 0, shape->length * channels * sizeof(float));
	for (size_t p = 0; p < positions; p++) {
		const float *dyp = dy + p * channels;

		if (kind == PRONET_POOL_MAX) {
			for (size_t c = 0; c < channels; c++)
				dx[(size_t)argmax[p * channels + c] * channels + c] += dyp[c];
		} else {
			size_t begin, end;
			float inverse;

			window_of(shape, p, &begin, &end);
			inverse = 1.0f / (float)(end - begin);
			for (size_t i = begin; i < end; i++) {
				for (size_t c = 0; c < channels; c++)
					dx[i * channels + c] += dyp[c] * inverse;
			}
		}
	}
}
