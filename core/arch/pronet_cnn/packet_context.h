/* Per-packet context features: what a packet's position in its flow says
 * besides its bytes (direction, index among the flow's payload packets,
 * transport, payload length). Not part of the ProNet paper: an option of the
 * CNN (struct pronet_cnn_config.context_features) that concatenates them to
 * the pooled features before the dense layer, so one model can tell a
 * client's first message from a server's reply with the same bytes. */
#ifndef PRONET_CORE_PACKET_CONTEXT_H
#define PRONET_CORE_PACKET_CONTEXT_H

#include "core/data/record.h"

/* Layout (docs/model-format.md, "Context features"):
 *   0..1   direction one-hot (client->server, server->client)
 *   2..7   packet index one-hot: 0, 1, 2, 3, 4, >= 5
 *   8..9   transport one-hot: TCP, UDP (neither: both 0)
 *   10     log2(1 + payload_length) / 16
 *   11..15 payload length one-hot: <= 16, <= 64, <= 256, <= 1024, larger */
#define PRONET_CONTEXT_FEATURES 16

void pronet_packet_context(const struct pronet_packet_record *input,
                           float features[PRONET_CONTEXT_FEATURES]);

#endif
