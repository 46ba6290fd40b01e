/* The input builder: the packets of one flow -> the model's inputs
 * (struct pronet_input, core/data/input.h). The one place where pronet decides
 * what a model sees of a flow, used by the flow table (`pronet label`,
 * `pronet flows`, the tests) and by the plugin (`pronet classify`,
 * pronet_ndpi.so in an nDPI host), so that training and serving give the
 * model the same inputs for the same packets:
 *
 *  - direction: relative to the flow's initiator, the source of the first
 *    packet the builder is given (any packet, with payload or not: a TCP
 *    SYN), compared by (address, port), IPv4 and IPv6 alike;
 *  - TCP retransmissions: per direction the builder keeps the highest
 *    sequence end seen (seq + payload + SYN + FIN, modulo 2^32). A payload
 *    packet that ends at or before it carries no byte not seen already and
 *    is skipped: neither counted nor kept. nDPI's dissectors skip
 *    retransmissions as well. A segment that arrives after a later one
 *    (reordering) is skipped the same way; a partial overlap is kept;
 *  - packet index: 0-based among the flow's counted payload packets, both
 *    directions, in arrival order (255 past 254);
 *  - kept: the first `per_direction` counted payload packets of each
 *    direction.
 * Packets without payload only start the flow and move the sequence ends.
 *
 * The state is a small struct the caller keeps per flow; nothing allocates.
 * Its endpoints (the two (address, port) ends, the initiator's first) are
 * what the plugin exposes per flow (plugin/pronet_plugin.h). */
#ifndef PRONET_GLUE_INPUT_BUILDER_H
#define PRONET_GLUE_INPUT_BUILDER_H

#include <stdint.h>

#include "core/data/input.h"
#include "ndpi-glue/capture/packet.h"

/* The two ends of a flow, indexed by enum pronet_direction of the packets
 * they send: end 0 is the initiator (client), end 1 the responder. */
struct pronet_flow_endpoints {
	uint8_t ip_version;  /* 4 or 6; 0 before the first packet */
	uint8_t l4_protocol; /* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint8_t addr[2][16]; /* IPv4 addresses use the first 4 bytes, rest 0 */
	uint16_t port[2];    /* host byte order */
};

struct pronet_input_builder {
	struct pronet_flow_endpoints endpoints;
	uint8_t started;
	uint8_t tcp_seq_known[2];      /* per direction: tcp_seq_end is set */
	uint32_t tcp_seq_end[2];       /* per direction: highest sequence end seen */
	uint32_t payload_packets;      /* counted payload packets, both directions */
	uint32_t direction_packets[2]; /* counted payload packets per direction */
	uint32_t retransmissions;      /* TCP payload packets skipped */
};

/* What pronet_input_builder_add did with a packet. */
enum pronet_input_status {
	PRONET_INPUT_KEPT = 0,       /* *input is the packet's model input */
	PRONET_INPUT_NO_PAYLOAD,     /* nothing to keep */
	PRONET_INPUT_RETRANSMISSION, /* TCP payload already seen: not counted */
	PRONET_INPUT_DIRECTION_FULL, /* counted; its direction has its packets */
};

/* A builder for a new flow (all zero, as calloc'd state is). */
void pronet_input_builder_reset(struct pronet_input_builder *builder);

/* Accounts the next packet of the flow. The first packet given makes its
 * source the initiator. *direction is the packet's direction (always set);
 * on PRONET_INPUT_KEPT *input is filled. `per_direction` is K, the payload
 * packets kept per direction. */
enum pronet_input_status pronet_input_builder_add(struct pronet_input_builder *builder,
                                                  const struct pronet_packet *packet,
                                                  uint32_t per_direction,
                                                  enum pronet_direction *direction,
                                                  struct pronet_input *input);

/* The model's input for one packet: the first PRONET_PAYLOAD_BYTES bytes of
 * its payload, their count, the direction, `packet_index` (255 past 254),
 * the transport and the full payload length (65535 past 65534). What the
 * builder keeps; exported so that whatever else turns packets into inputs
 * (the benchmark, the fuzzers' seeds) does it this one way. */
void pronet_flow_input_from_packet(const struct pronet_packet *packet,
                                   enum pronet_direction direction, uint32_t packet_index,
                                   struct pronet_input *input);

#endif
