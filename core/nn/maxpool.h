/* Global max-pool over positions (ProNet Sec. 3.2 (E4)): one feature per
 * channel, the largest value it takes at any position.
 *   x [length][channels] -> y [channels], argmax [channels]. */
#ifndef PRONET_CORE_MAXPOOL_H
#define PRONET_CORE_MAXPOOL_H

#include <stddef.h>
#include <stdint.h>

/* Ties go to the lowest position. argmax may be NULL (inference). */
void pronet_maxpool_forward(const float *x, size_t length, size_t channels, float *y,
                            uint16_t *argmax);
/* dx (all length*channels entries written) is dy routed to each channel's
 * argmax position and 0 elsewhere. */
void pronet_maxpool_backward(const uint16_t *argmax, size_t length, size_t channels,
                             const float *dy, float *dx);

#endif
