/* One-dimensional convolution over positions (ProNet Sec. 3.2 (E2)), with
 * bias, stride and zero padding. Layouts are row-major:
 *   x [length][channels], w [filters][width][channels], b [filters],
 *   y [positions][filters], positions = (length + 2 pad - width) / stride + 1.
 * "valid" padding is pad 0; "same" is pad (width - 1) / 2 with an odd width
 * and stride 1 (positions = length). Padding reads as zeros. ProNet's
 * convolutions are stride 1, pad 0, and take the loop they always took. */
#ifndef PRONET_CORE_CONV1D_H
#define PRONET_CORE_CONV1D_H

#include <stddef.h>

#include "core/util/error.h"

struct pronet_conv1d_shape {
	size_t length;   /* input positions */
	size_t channels; /* input features per position (m) */
	size_t width;    /* kernel width (3, 4 or 5 in ProNet) */
	size_t filters;  /* output features per position (t) */
	size_t stride;   /* positions between windows (1 in ProNet) */
	size_t pad;      /* zero positions added on each side (0 in ProNet) */
};

/* PRONET_ERR_ARG with a message in errbuf (may be NULL) for a shape with no
 * output: a zero size or stride, a kernel wider than the padded input, or
 * padding as wide as the kernel (windows of zeros only). Call once per
 * shape; forward and backward assume a checked shape. */
enum pronet_err pronet_conv1d_check(const struct pronet_conv1d_shape *shape, char *errbuf);
/* Output positions, (length + 2 pad - width) / stride + 1; 0 if stride is 0
 * or width > length + 2 pad. */
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
