/* Windowed max and average pooling over positions (Deep Packet, the
 * stacked autoencoder's CNN of issue 13; ProNet's global max-pool stays in
 * core/nn/maxpool.c). Layouts are channels-last, as core/nn/conv1d.h:
 *   x [length][channels] -> y [positions][channels],
 *   argmax [positions][channels] (max only: the input position that won).
 * Two ways to lay the windows:
 *   regions == 0: valid windows [p stride, p stride + window),
 *                 positions = (length - window) / stride + 1;
 *   regions  > 0: adaptive, region r = [floor(r L / R), ceil((r + 1) L / R)),
 *                 positions = regions (window and stride ignored). */
#ifndef PRONET_CORE_POOL1D_H
#define PRONET_CORE_POOL1D_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

enum pronet_pool_kind { PRONET_POOL_MAX = 0, PRONET_POOL_AVG = 1 };

struct pronet_pool1d_shape {
	size_t length;   /* input positions */
	size_t channels; /* features per position */
	size_t window;   /* positions per window (regions == 0) */
	size_t stride;   /* positions between windows (regions == 0) */
	size_t regions;  /* > 0: that many adaptive regions instead of windows */
};

/* PRONET_ERR_ARG with a message in errbuf (may be NULL) for a shape that has
 * no output: length or channels 0, window 0 or longer than length, stride 0,
 * more regions than positions, or a position index beyond uint32_t. Call
 * once per shape; forward and backward assume a checked shape. */
enum pronet_err pronet_pool1d_check(const struct pronet_pool1d_shape *shape, char *errbuf);
/* Output positions of a checked shape (0 for a shape the check rejects). */
size_t pronet_pool1d_positions(const struct pronet_pool1d_shape *shape);
/* Max: ties go to the lowest position; argmax may be NULL (inference).
 * Average: argmax is unused (may be NULL). */
void pronet_pool1d_forward(enum pronet_pool_kind kind, const struct pronet_pool1d_shape *shape,
                           const float *x, float *y, uint32_t *argmax);
/* dx (all length * channels entries written): max routes dy to each
 * window's argmax (summed where windows overlap), average spreads dy / size
 * over its window. */
void pronet_pool1d_backward(enum pronet_pool_kind kind, const struct pronet_pool1d_shape *shape,
                            const uint32_t *argmax, const float *dy, float *dx);

#endif
