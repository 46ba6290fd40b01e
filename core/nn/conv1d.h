/* One-dimensional convolution over positions (ProNet Sec. 3.2 (E2)), valid
 * padding, stride 1, with bias. Layouts are row-major:
 *   x [length][channels], w [filters][width][channels], b [filters],
 *   y [length - width + 1][filters]. */
#ifndef PRONET_CORE_CONV1D_H
#define PRONET_CORE_CONV1D_H

#include <stddef.h>

struct pronet_conv1d_shape {
	size_t length;   /* input positions */
	size_t channels; /* input features per position (m) */
	size_t width;    /* kernel width (3, 4 or 5 in ProNet) */
	size_t filters;  /* output features per position (t) */
};

/* Output positions: length - width + 1 (the caller ensures width <= length). */
size_t pronet_conv1d_positions(const struct pronet_conv1d_shape *shape);
void pronet_conv1d_forward(const struct pronet_conv1d_shape *shape, const float *x, const float *w,
                           const float *b, float *y);
/* Given dy, accumulates (+=) dw, db and dx (dx may be NULL when the input
 * needs no gradient; accumulating lets convolutions that share one input,
 * as ProNet's widths 3/4/5 do, sum into one dx). Zero entries of dy are skipped, so a dy that is
 * sparse (after a max-pool) costs little. */
void pronet_conv1d_backward(const struct pronet_conv1d_shape *shape, const float *x, const float *w,
                            const float *dy, float *dx, float *dw, float *db);

#endif
