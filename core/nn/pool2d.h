/* Windowed max and average pooling over an image (2 x 2, stride 2 in the
 * image-style CNNs of issue 13). Channels-last, valid windows:
 *   x [height][width][channels] -> y [out_h][out_w][channels],
 *   out_h = (height - window_h) / stride_h + 1 (out_w likewise; a remainder
 *   that fills no window is dropped, "floor"),
 *   argmax [out_h][out_w][channels] (max only): the winning input pixel as
 *   row * width + column. The kinds are core/nn/pool1d.h's. */
#ifndef PRONET_CORE_POOL2D_H
#define PRONET_CORE_POOL2D_H

#include <stddef.h>
#include <stdint.h>

#include "core/nn/pool1d.h"
#include "core/util/error.h"

struct pronet_pool2d_shape {
	size_t height, width, channels;
	size_t window_h, window_w;
	size_t stride_h, stride_w;
};

/* PRONET_ERR_ARG with a message in errbuf (may be NULL) for a shape with no
 * output: a zero size, window or stride, a window larger than the image, or
 * more pixels than uint32_t indexes. Call once per shape; forward and
 * backward assume a checked shape. */
enum pronet_err pronet_pool2d_check(const struct pronet_pool2d_shape *shape, char *errbuf);
/* Output size of a checked shape (0 x 0 for a shape the check rejects). */
void pronet_pool2d_output(const struct pronet_pool2d_shape *shape, size_t *out_h, size_t *out_w);
/* Max: ties go to the first pixel in row-major order; argmax may be NULL
 * (inference). Average: argmax is unused (may be NULL). */
void pronet_pool2d_forward(enum pronet_pool_kind kind, const struct pronet_pool2d_shape *shape,
                           const float *x, float *y, uint32_t *argmax);
/* dx (all height * width * channels entries written): max routes dy to each
 * window's argmax (summed where windows overlap), average spreads dy / size
 * over its window. */
void pronet_pool2d_backward(enum pronet_pool_kind kind, const struct pronet_pool2d_shape *shape,
                            const uint32_t *argmax, const float *dy, float *dx);

#endif
