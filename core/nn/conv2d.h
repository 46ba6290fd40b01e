/* Two-dimensional convolution with bias, stride and zero padding (the
 * image-style CNNs of issue 13). Layouts are channels-last, row-major:
 *   x [height][width][channels], w [filters][kernel_h][kernel_w][channels],
 *   b [filters], y [out_h][out_w][filters], where
 *   out_h = (height + 2 pad_h - kernel_h) / stride_h + 1 (out_w likewise).
 * "valid" padding is pad 0; "same" is pad (k - 1) / 2 with an odd kernel
 * and stride 1 (out_h = height). Padding reads as zeros. */
#ifndef PRONET_CORE_CONV2D_H
#define PRONET_CORE_CONV2D_H

#include <stddef.h>

#include "core/util/error.h"

struct pronet_conv2d_shape {
	size_t height, width, channels;
	size_t kernel_h, kernel_w, filters;
	size_t stride_h, stride_w;
	size_t pad_h, pad_w; /* zero rows (columns) added on each side */
};

/* PRONET_ERR_ARG with a message in errbuf (may be NULL) for a shape with no
 * output: a zero size or stride, a kernel larger than the padded input, or
 * padding as wide as the kernel (windows of zeros only). Call once per
 * shape; forward and backward assume a checked shape. */
enum pronet_err pronet_conv2d_check(const struct pronet_conv2d_shape *shape, char *errbuf);
/* Output size of a checked shape (0 x 0 for a shape the check rejects). */
void pronet_conv2d_output(const struct pronet_conv2d_shape *shape, size_t *out_h, size_t *out_w);
void pronet_conv2d_forward(const struct pronet_conv2d_shape *shape, const float *x, const float *w,
                           const float *b, float *y);
/* Given dy, accumulates (+=) dw, db and dx (dx may be NULL when the input
 * needs no gradient), as core/nn/conv1d.h does. Zero entries of dy are
 * skipped. */
void pronet_conv2d_backward(const struct pronet_conv2d_shape *shape, const float *x, const float *w,
                            const float *dy, float *dx, float *dw, float *db);

/* The same convolution as one matrix product (core/nn/gemm.h) over the
 * im2col matrix col [out_h * out_w][kernel_h * kernel_w * channels]
 * (pronet_conv2d_columns floats, caller-owned scratch): the rows are the
 * windows, zeros where they leave the image. Same results within rounding
 * (one sum per output rather than one per kernel row); the layers of a
 * model use these, the loops above are their reference. */
size_t pronet_conv2d_columns(const struct pronet_conv2d_shape *shape);
void pronet_conv2d_forward_columns(const struct pronet_conv2d_shape *shape, const float *x,
                                   const float *w, const float *b, float *y, float *col);
/* As pronet_conv2d_backward (no zero skipping); col is overwritten. */
void pronet_conv2d_backward_columns(const struct pronet_conv2d_shape *shape, const float *x,
                                    const float *w, const float *dy, float *dx, float *dw,
                                    float *db, float *col);

#endif
