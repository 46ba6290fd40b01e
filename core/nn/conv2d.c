/* 2-D convolution:
 *   y_{i,j,f} = b_f + sum_{u,v,c} W_{f,u,v,c} * x_{i s_h + u - p_h, j s_w + v - p_w, c},
 * with x zero outside the image. For one output and one kernel row u, the
 * kernel columns that land inside the image form one contiguous run of x's
 * row and of W_{f,u}: one dot product (or axpy) per row, padding skipped
 * rather than materialised. */
#include "core/nn/conv2d.h"

#include "core/nn/dot.h"

#include <string.h>

#include "core/nn/gemm.h"

enum pronet_err pronet_conv2d_check(const struct pronet_conv2d_shape *shape, char *errbuf)
{
	const struct pronet_conv2d_shape *s = shape;

	if (s->height == 0 || s->width == 0 || s->channels == 0 || s->filters == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "conv2d: empty shape (%zu x %zu x %zu, %zu filters)", s->height,
		                    s->width, s->channels, s->filters);
	if (s->kernel_h == 0 || s->kernel_w == 0 || s->stride_h == 0 || s->stride_w == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "conv2d: kernel %zu x %zu, stride %zu x %zu (0 not allowed)",
		                    s->kernel_h, s->kernel_w, s->stride_h, s->stride_w);
	if (s->kernel_h > s->height + 2 * s->pad_h || s->kernel_w > s->width + 2 * s->pad_w)
		return pronet_error(
		    errbuf, PRONET_ERR_ARG,
		    "conv2d: kernel %zu x %zu larger than the padded %zu x %zu input", s->kernel_h,
		    s->kernel_w, s->height + 2 * s->pad_h, s->width + 2 * s->pad_w);
	if (s->pad_h >= s->kernel_h || s->pad_w >= s->kernel_w)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "conv2d: padding %zu x %zu not smaller than kernel %zu x %zu",
		                    s->pad_h, s->pad_w, s->kernel_h, s->kernel_w);
	return PRONET_OK;
}

void pronet_conv2d_output(const struct pronet_conv2d_shape *shape, size_t *out_h, size_t *out_w)
{
	if (pronet_conv2d_check(shape, NULL) != PRONET_OK) {
		*out_h = 0;
		*out_w = 0;
		return;
	}
	*out_h = (shape->height + 2 * shape->pad_h - shape->kernel_h) / shape->stride_h + 1;
	*out_w = (shape->width + 2 * shape->pad_w - shape->kernel_w) / shape->stride_w + 1;
}

/* The kernel offsets [*first, *last) that put padded coordinate `start`
 * (= output index * stride, before subtracting pad) inside [0, size). */
static void inside(size_t start, size_t pad, size_t kernel, size_t size, size_t *first,
                   size_t *last)
{
	*first = start < pad ? pad - start : 0;
	*last = start + kernel <= size + pad ? kernel : size + pad - start;
	if (*last < *first)
		*last = *first;
}

void pronet_conv2d_forward(const struct pronet_conv2d_shape *shape, const float *x, const float *w,
                           const float *b, float *y)
{
	const struct pronet_conv2d_shape *s = shape;
	size_t out_h, out_w, kernel_row = s->kernel_w * s->channels;
	size_t kernel_size = s->kernel_h * kernel_row;

	pronet_conv2d_output(s, &out_h, &out_w);
	for (size_t i = 0; i < out_h; i++) {
		size_t u0, u1;

		inside(i * s->stride_h, s->pad_h, s->kernel_h, s->height, &u0, &u1);
		for (size_t j = 0; j < out_w; j++) {
			float *yij = y + (i * out_w + j) * s->filters;
			size_t v0, v1, run;

			inside(j * s->stride_w, s->pad_w, s->kernel_w, s->width, &v0, &v1);
			run = (v1 - v0) * s->channels;
			for (size_t f = 0; f < s->filters; f++) {
				const float *wf = w + f * kernel_size;
				float sum = b[f];

				for (size_t u = u0; u < u1; u++) {
					size_t row = i * s->stride_h + u - s->pad_h;
					size_t col = j * s->stride_w + v0 - s->pad_w;

					sum += pronet_dot(wf + u * kernel_row + v0 * s->channels,
					                  x + (row * s->width + col) * s->channels,
					                  run);
				}
				yij[f] = sum;
			}
		}
	}
}

void pronet_conv2d_backward(const struct pronet_conv2d_shape *shape, const float *x, const float *w,
                            const float *dy, float *dx, float *dw, float *db)
{
	const struct pronet_conv2d_shape *s = shape;
	size_t out_h, out_w, kernel_row = s->kernel_w * s->channels;
	size_t kernel_size = s->kernel_h * kernel_row;

	pronet_conv2d_output(s, &out_h, &out_w);
	for (size_t i = 0; i < out_h; i++) {
		size_t u0, u1;

		inside(i * s->stride_h, s->pad_h, s->kernel_h, s->height, &u0, &u1);
		for (size_t j = 0; j < out_w; j++) {
			const float *dyij = dy + (i * out_w + j) * s->filters;
			size_t v0, v1, run;

			inside(j * s->stride_w, s->pad_w, s->kernel_w, s->width, &v0, &v1);
			run = (v1 - v0) * s->channels;
			for (size_t f = 0; f < s->filters; f++) {
				float g = dyij[f];

				if (g == 0.0f)
					continue;
				db[f] += g;
				for (size_t u = u0; u < u1; u++) {
					size_t row = i * s->stride_h + u - s->pad_h;
					size_t col = j * s->stride_w + v0 - s->pad_w;
					size_t at = (row * s->width + col) * s->channels;
					size_t k =
					    f * kernel_size + u * kernel_row + v0 * s->channels;

					pronet_axpy(dw + k, g, x + at, run);
					if (dx != NULL)
						pronet_axpy(dx + at, g, w + k, run);
				}
			}
		}
	}
}

size_t pronet_conv2d_columns(const struct pronet_conv2d_shape *shape)
{
	size_t out_h, out_w;

	pronet_conv2d_output(shape, &out_h, &out_w);
	return out_h * out_w * shape->kernel_h * shape->kernel_w * shape->channels;
}

/* col2im's inverse direction (add = 0): the windows of x into col's rows;
 * add = 1: col's rows added back into x (the input gradient). A kernel
 * row's columns inside the image are one contiguous run of both. */
static void columns(const struct pronet_conv2d_shape *s, float *x, float *col, int add)
{
	size_t out_h, out_w, kernel_row = s->kernel_w * s->channels;
	size_t patch = s->kernel_h * kernel_row;

	pronet_conv2d_output(s, &out_h, &out_w);
	for (size_t i = 0; i < out_h; i++) {
		size_t u0, u1;

		inside(i * s->stride_h, s->pad_h, s->kernel_h, s->height, &u0, &u1);
		for (size_t j = 0; j < out_w; j++) {
			float *row = col + (i * out_w + j) * patch;
			size_t v0, v1, run;

			inside(j * s->stride_w, s->pad_w, s->kernel_w, s->width, &v0, &v1);
			run = (v1 - v0) * s->channels;
			if (!add && (u0 > 0 || u1 < s->kernel_h || run < kernel_row))
				memset(row, 0, patch * sizeof(float));
			for (size_t u = u0; u < u1; u++) {
				size_t at = ((i * s->stride_h + u - s->pad_h) * s->width +
				             j * s->stride_w + v0 - s->pad_w) *
				            s->channels;
				float *c = row + u * kernel_row + v0 * s->channels;

				if (add)
					for (size_t k = 0; k < run; k++)
						x[at + k] += c[k];
				else
					memcpy(c, x + at, run * sizeof(float));
			}
		}
	}
}

void pronet_conv2d_forward_columns(const struct pronet_conv2d_shape *shape, const float *x,
                                   const float *w, const float *b, float *y, float *col)
{
	size_t out_h, out_w, patch = shape->kernel_h * shape->kernel_w * shape->channels;

	pronet_conv2d_output(shape, &out_h, &out_w);
	columns(shape, (float *)x, col, 0); /* reads x only */
	pronet_gemm_nt(out_h * out_w, shape->filters, patch, col, patch, w, patch, b, y,
	               shape->filters);
}

void pronet_conv2d_backward_columns(const struct pronet_conv2d_shape *shape, const float *x,
                                    const float *w, const float *dy, float *dx, float *dw,
                                    float *db, float *col)
{
	size_t out_h, out_w, patch = shape->kernel_h * shape->kernel_w * shape->channels;
	size_t positions;

	pronet_conv2d_output(shape, &out_h, &out_w);
	positions = out_h * out_w;
	for (size_t p = 0; p < positions; p++)
		for (size_t f = 0; f < shape->filters; f++)
			db[f] += dy[p * shape->filters + f];
	columns(shape, (float *)x, col, 0);
	pronet_gemm_tn_acc(positions, shape->filters, patch, dy, shape->filters, col, patch, dw,
	                   patch);
	if (dx == NULL)
		return;
	memset(col, 0, positions * patch * sizeof(float));
	pronet_gemm_nn_acc(positions, shape->filters, patch, dy, shape->filters, w, patch, col,
	                   patch);
	columns(shape, dx, col, 1);
}
