/* Per-packet context features: what a packet's position in its flow says
 * besides its bytes (direction, index among the flow's payload packets,
 * transport, payload length). Not part of the ProNet paper: an option of the
 * CNN (struct pronet_cnn_config.context_features) that concatenates them to
 * the pooled features before the dense layer, so one model can tell a
 * client's first message from a server's reply with the same bytes. */
#ifndef PRONET_CORE_PACKET_CONTEXT_H
#define PRONET_CORE_PACKET_CONTEXT_H

#include <math.h>
#include <stdint.h>

#include "core/data/record.h"

/* Layout (docs/model-format.md, "Context features"):
 *   0..1   direction one-hot (client->server, server->client)
 *   2..7   packet index one-hot: 0, 1, 2, 3, 4, >= 5
 *   8..9   transport one-hot: TCP, UDP (neither: both 0)
 *   10     log2(1 + payload_length) / 16
 *   11..15 payload length one-hot: <= 16, <= 64, <= 256, <= 1024, larger */
#define PRONET_CONTEXT_FEATURES 16

/* Feature 10, and the bucket of features 11..15 (0..4): here so that the
 * 16-bit path (quant.c), which folds the features into rows, computes them
 * as pronet_packet_context does. */
static inline float pronet_packet_context_length(uint32_t payload_length)
{
	return log2f(1.0f + (float)payload_length) / 16.0f;
}

static inline unsigned pronet_packet_context_bucket(uint32_t payload_length)
{
	static const unsigned length_bounds[4] = {16, 64, 256, 1024};
	unsigned bucket = 0;

	while (bucket < 4 && payload_length > length_bounds[bucket])
		bucket++;
	return bucket;
}

void pronet_packet_context(const struct pronet_packet_record *input,
                           float features[PRONET_CONTEXT_FEATURES]);

#endif
