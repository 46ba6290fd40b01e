/* 1-D convolution, ProNet Sec. 3.2 (E2):
 *   c_{p,f} = b_f + sum_{j<width} sum_{c<channels} W_{f,j,c} * x_{p+j,c}. */
#include "core/conv1d.h"

#include "core/dot.h"

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

		for (size_t f = 0; f < shape->filters; f++)
			y[p * shape->filters + f] = b[f] + pronet_dot(w + f * window, xp, window);
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
			for (size_t k = 0; k < window; k++)
				dwf[k] += g * xp[k];
			if (dxp != NULL)
				for (size_t k = 0; k < window; k++)
					dxp[k] += g * wf[k];
		}
	}
}
