/* 1-D convolution, ProNet Sec. 3.2 (E2):
 *   c_{p,f} = b_f + sum_{j<width} sum_{c<channels} W_{f,j,c} * x_{p+j,c}. */
#include "core/nn/conv1d.h"

#include "core/nn/dot.h"

size_t pronet_conv1d_positions(const struct pronet_conv1d_shape *shape)
{
	return shape->length - shape->width + 1;
}

void pronet_conv1d_forward(const struct pronet_conv1d_shape *shape, const float *x, const float *w,
                           const float *b, float *y)
{
	size_t positions = pronet_conv1d_positions(shape);
	/* The window x[p .. p+width) is contiguous, as is W_f: one dot product. */
	size_t window = shape->width * shape->channels;

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
