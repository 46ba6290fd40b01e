/* 1-D convolution, ProNet Sec. 3.2 (E2):
 *   c_{p,f} = b_f + sum_{j<width} sum_{c<channels} W_{f,j,c} * x_{p s+j-pad,c},
 * with x zero outside [0, length). Stride 1 and pad 0 (ProNet) keep their
 * own loop, unchanged, so that the shipped model's outputs stay bit for bit;
 * other shapes take the strided loop, which skips the padding rather than
 * materialising it: the kernel taps that land inside x are one contiguous
 * run of x and of W_f, one dot product. Without padding, the windows are
 * rows of x (stride apart, overlapping when the stride is shorter than the
 * window) and the convolution is one matrix product with W (core/nn/gemm.h),
 * forward with the same sums as the dot products (the same bits). */
#include "core/nn/conv1d.h"

#include "core/nn/dot.h"
#include "core/nn/gemm.h"

enum pronet_err pronet_conv1d_check(const struct pronet_conv1d_shape *shape, char *errbuf)
{
	const struct pronet_conv1d_shape *s = shape;

	if (s->length == 0 || s->channels == 0 || s->width == 0 || s->filters == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "conv1d: empty shape (length %zu, channels %zu, width %zu, "
		                    "filters %zu)",
		                    s->length, s->channels, s->width, s->filters);
	if (s->stride == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "conv1d: stride is 0");
	if (s->width > s->length + 2 * s->pad)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "conv1d: width %zu wider than the padded length %zu", s->width,
		                    s->length + 2 * s->pad);
	if (s->pad >= s->width)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "conv1d: padding %zu not smaller than width %zu", s->pad,
		                    s->width);
	return PRONET_OK;
}

size_t pronet_conv1d_positions(const struct pronet_conv1d_shape *shape)
{
	if (shape->stride == 0 || shape->width > shape->length + 2 * shape->pad)
		return 0;
	return (shape->length + 2 * shape->pad - shape->width) / shape->stride + 1;
}

/* The kernel taps [*first, *last) of output position p that land inside x. */
static void taps_inside(const struct pronet_conv1d_shape *shape, size_t p, size_t *first,
                        size_t *last)
{
	size_t start = p * shape->stride, pad = shape->pad;

	*first = start < pad ? pad - start : 0;
	*last = start + shape->width <= shape->length + pad ? shape->width
	                                                    : shape->length + pad - start;
	if (*last < *first)
		*last = *first;
}

static void forward_strided(const struct pronet_conv1d_shape *shape, const float *x, const float *w,
                            const float *b, float *y)
{
	size_t positions = pronet_conv1d_positions(shape);
	size_t window = shape->width * shape->channels;

	if (shape->pad == 0) {
		pronet_gemm_nt(positions, shape->filters, window, x,
		               shape->stride * shape->channels, w, window, b, y, shape->filters);
		return;
	}

	for (size_t p = 0; p < positions; p++) {
		size_t first, last;
		const float *xp;

		taps_inside(shape, p, &first, &last);
		xp = x + (p * shape->stride + first - shape->pad) * shape->channels;
		for (size_t f = 0; f < shape->filters; f++)
			y[p * shape->filters + f] =
			    b[f] + pronet_dot(w + f * window + first * shape->channels, xp,
			                      (last - first) * shape->channels);
	}
}

/* Without padding: dW += dY^T X over the window rows, db the column sums
 * of dY, and dX += dY W when the windows do not overlap (else the loop). */
static void backward_windows(const struct pronet_conv1d_shape *shape, const float *x,
                             const float *w, const float *dy, float *dx, float *dw, float *db)
{
	size_t positions = pronet_conv1d_positions(shape);
	size_t window = shape->width * shape->channels, step = shape->stride * shape->channels;

	for (size_t p = 0; p < positions; p++)
		for (size_t f = 0; f < shape->filters; f++)
			db[f] += dy[p * shape->filters + f];
	pronet_gemm_tn_acc(positions, shape->filters, window, dy, shape->filters, x, step, dw,
	                   window);
	if (dx == NULL)
		return;
	if (shape->stride >= shape->width) {
		pronet_gemm_nn_acc(positions, shape->filters, window, dy, shape->filters, w, window,
		                   dx, step);
		return;
	}
	for (size_t p = 0; p < positions; p++)
		for (size_t f = 0; f < shape->filters; f++)
			pronet_axpy(dx + p * step, dy[p * shape->filters + f], w + f * window,
			            window);
}

static void backward_strided(const struct pronet_conv1d_shape *shape, const float *x,
                             const float *w, const float *dy, float *dx, float *dw, float *db)
{
	size_t positions = pronet_conv1d_positions(shape);
	size_t window = shape->width * shape->channels;

	if (shape->pad == 0) {
		backward_windows(shape, x, w, dy, dx, dw, db);
		return;
	}

	for (size_t p = 0; p < positions; p++) {
		size_t first, last, at, run;

		taps_inside(shape, p, &first, &last);
		at = (p * shape->stride + first - shape->pad) * shape->channels;
		run = (last - first) * shape->channels;
		for (size_t f = 0; f < shape->filters; f++) {
			float g = dy[p * shape->filters + f];
			size_t k = f * window + first * shape->channels;

			if (g == 0.0f)
				continue;
			db[f] += g;
			pronet_axpy(dw + k, g, x + at, run);
			if (dx != NULL)
				pronet_axpy(dx + at, g, w + k, run);
		}
	}
}

void pronet_conv1d_forward(const struct pronet_conv1d_shape *shape, const float *x, const float *w,
                           const float *b, float *y)
{
	size_t positions = pronet_conv1d_positions(shape);
	/* The window x[p .. p+width) is contiguous, as is W_f: one dot product. */
	size_t window = shape->width * shape->channels;

	if (shape->stride != 1 || shape->pad != 0) {
		forward_strided(shape, x, w, b, y);
		return;
	}

	for (size_t p = 0; p < positions; p++) {
		const float *xp = x + p * shape->channels;
		float *yp = y + p * shape->filters;
		size_t f = 0;

		/* Four filters' windows at a time: the same sums as pronet_dot. */
		for (; f + 4 <= shape->filters; f += 4) {
			float sums[4];

			pronet_dot4(w + f * window, xp, window, sums);
			for (size_t r = 0; r < 4; r++)
				yp[f + r] = b[f + r] + sums[r];
		}
		for (; f < shape->filters; f++)
			yp[f] = b[f] + pronet_dot(w + f * window, xp, window);
	}
}

void pronet_conv1d_backward(const struct pronet_conv1d_shape *shape, const float *x, const float *w,
                            const float *dy, float *dx, float *dw, float *db)
{
	size_t positions = pronet_conv1d_positions(shape);
	size_t window = shape->width * shape->channels;

	if (shape->stride != 1 || shape->pad != 0) {
		backward_strided(shape, x, w, dy, dx, dw, db);
		return;
	}

	for (size_t p = 0; p < positions; p++) {
		const float *xp = x + p * shape->channels;
		float *dxp = dx != NULL ? dx + p * shape->channels : NULL;

		for (size_t f = 0; f < shape->filters; f++) {
			float g = dy[p * shape->filters + f];
			const float *wf = w + f * window;
			float *dwf = dw + f * window;

			if (g == 0.0f)
				continue;
			db[f] += g;
			pronet_axpy(dwf, g, xp, window);
			if (dxp != NULL)
				pronet_axpy(dxp, g, wf, window);
		}
	}
}
