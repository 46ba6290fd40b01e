/* Windowed pooling over an image: y_{i,j,c} = max or mean of x_{u,v,c} over
 * window (i, j). Channels are the inner loop, so each step reads one
 * contiguous pixel of x. */
#include "core/nn/pool2d.h"

#include <string.h>

enum pronet_err pronet_pool2d_check(const struct pronet_pool2d_shape *shape, char *errbuf)
{
	const struct pronet_pool2d_shape *s = shape;

	if (s->height == 0 || s->width == 0 || s->channels == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pool2d: empty image (%zu x %zu x %zu)",
		                    s->height, s->width, s->channels);
	if (s->height > UINT32_MAX / s->width)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pool2d: %zu x %zu pixels exceed uint32_t", s->height,
		                    s->width);
	if (s->window_h == 0 || s->window_w == 0 || s->window_h > s->height ||
	    s->window_w > s->width)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pool2d: window %zu x %zu over a %zu x %zu image", s->window_h,
		                    s->window_w, s->height, s->width);
	if (s->stride_h == 0 || s->stride_w == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pool2d: stride %zu x %zu (0 not allowed)", s->stride_h,
		                    s->stride_w);
	return PRONET_OK;
}

void pronet_pool2d_output(const struct pronet_pool2d_shape *shape, size_t *out_h, size_t *out_w)
{
	if (pronet_pool2d_check(shape, NULL) != PRONET_OK) {
		*out_h = 0;
		*out_w = 0;
		return;
	}
	*out_h = (shape->height - shape->window_h) / shape->stride_h + 1;
	*out_w = (shape->width - shape->window_w) / shape->stride_w + 1;
}

/* Max or sum of one window into yo (channels values); argmax as the header says. */
static void pool_window(enum pronet_pool_kind kind, const struct pronet_pool2d_shape *s,
                        const float *x, size_t row0, size_t col0, float *yo, uint32_t *argmax)
{
	size_t channels = s->channels, first = row0 * s->width + col0;

	memcpy(yo, x + first * channels, channels * sizeof(float));
	if (kind == PRONET_POOL_MAX && argmax != NULL) {
		for (size_t c = 0; c < channels; c++)
			argmax[c] = (uint32_t)first;
	}
	for (size_t u = 0; u < s->window_h; u++) {
		for (size_t v = u == 0 ? 1 : 0; v < s->window_w; v++) {
			size_t pixel = (row0 + u) * s->width + col0 + v;
			const float *xp = x + pixel * channels;

			for (size_t c = 0; c < channels; c++) {
				if (kind == PRONET_POOL_AVG) {
					yo[c] += xp[c];
				} else if (xp[c] > yo[c]) {
					yo[c] = xp[c];
					if (argmax != NULL)
						argmax[c] = (uint32_t)pixel;
				}
			}
		}
	}
}

void pronet_pool2d_forward(enum pronet_pool_kind kind, const struct pronet_pool2d_shape *shape,
                           const float *x, float *y, uint32_t *argmax)
{
	const struct pronet_pool2d_shape *s = shape;
	size_t out_h, out_w;
	float inverse = 1.0f / (float)(s->window_h * s->window_w);

	pronet_pool2d_output(s, &out_h, &out_w);
	for (size_t i = 0; i < out_h; i++) {
		for (size_t j = 0; j < out_w; j++) {
			size_t at = (i * out_w + j) * s->channels;
			float *yo = y + at;

			pool_window(kind, s, x, i * s->stride_h, j * s->stride_w, yo,
			            argmax != NULL ? argmax + at : NULL);
			if (kind == PRONET_POOL_AVG) {
				for (size_t c = 0; c < s->channels; c++)
					yo[c] *= inverse;
			}
		}
	}
}

void pronet_pool2d_backward(enum pronet_pool_kind kind, const struct pronet_pool2d_shape *shape,
                            const uint32_t *argmax, const float *dy, float *dx)
{
	const struct pronet_pool2d_shape *s = shape;
	size_t out_h, out_w, channels = s->channels;
	float inverse = 1.0f / (float)(s->window_h * s->window_w);

	pronet_pool2d_output(s, &out_h, &out_w);
	memset(dx, 0, s->height * s->width * channels * sizeof(float));
	for (size_t o = 0; o < out_h * out_w; o++) {
		const float *dyo = dy + o * channels;

		if (kind == PRONET_POOL_MAX) {
			for (size_t c = 0; c < channels; c++)
				dx[(size_t)argmax[o * channels + c] * channels + c] += dyo[c];
			continue;
		}
		for (size_t u = 0; u < s->window_h; u++) {
			for (size_t v = 0; v < s->window_w; v++) {
				size_t row = (o / out_w) * s->stride_h + u;
				size_t col = (o % out_w) * s->stride_w + v;
				float *dxp = dx + (row * s->width + col) * channels;

				for (size_t c = 0; c < channels; c++)
					dxp[c] += dyo[c] * inverse;
			}
		}
	}
}
