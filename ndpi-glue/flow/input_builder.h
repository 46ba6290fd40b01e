/* The input builder: the packets of one flow -> the model's inputs
 * (struct pronet_packet_record, core/data/record.h). The one place where pronet decides
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
 *  - payload index: 0-based among the flow's counted payload packets, both
 *    directions, in arrival order (65534 past 65533); packet index: the same
 *    among all counted packets, payload-less ones too;
 *  - kept: the first K (spec->packets_per_direction; 0: every) counted
 *    payload packets of each direction, or with PRONET_SPEC_ALL_PACKETS the
 *    first K counted packets, payload-less ones included. Without that flag
 *    packets without payload only start the flow and move the sequence ends;
 *  - bytes: the first N (spec->window_bytes) bytes of the payload, or with
 *    layer l3 of the (innermost) IP header on, with the addresses and the
 *    checksums zeroed (pronet_record_from_packet).
 *
 * The state is a small struct the caller keeps per flow; nothing allocates.
 * Its endpoints (the two (address, port) ends, the initiator's first) are
 * what the plugin exposes per flow (plugin/pronet_plugin.h). */
#ifndef PRONET_GLUE_INPUT_BUILDER_H
#define PRONET_GLUE_INPUT_BUILDER_H

#include <stdint.h>

#include "core/data/input_spec.h"
#include "core/data/record.h"
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
	uint32_t packets;              /* counted packets, payload-less ones too */
	uint32_t recorded[2];          /* packets kept per direction */
	uint32_t retransmissions;      /* TCP payload packets skipped */
};

/* What pronet_input_builder_add did with a packet. */
enum pronet_input_status {
	PRONET_INPUT_KEPT = 0,       /* *record is the packet's record */
	PRONET_INPUT_NO_PAYLOAD,     /* nothing to keep (without PRONET_SPEC_ALL_PACKETS) */
	PRONET_INPUT_RETRANSMISSION, /* TCP payload already seen: not counted */
	PRONET_INPUT_DIRECTION_FULL, /* counted; its direction has its packets */
};

/* A builder for a new flow (all zero, as calloc'd state is). */
void pronet_input_builder_reset(struct pronet_input_builder *builder);

/* Accounts the next packet of the flow. The first packet given makes its
 * source the initiator. *direction is the packet's direction (always set);
 * on PRONET_INPUT_KEPT *record is filled and its bytes written to `bytes`,
 * which has room for spec->window_bytes and must outlive the record. */
enum pronet_input_status pronet_input_builder_add(struct pronet_input_builder *builder,
                                                  const struct pronet_packet *packet,
                                                  const struct pronet_input_spec *spec,
                                                  enum pronet_direction *direction, uint8_t *bytes,
                                                  struct pronet_packet_record *record);

/* One packet's record: at most spec->window_bytes bytes from the payload
 * (layer payload) or from the IP header on (layer l3: IPv4 bytes 10-19 -
 * header checksum, source, destination - or IPv6 bytes 8-39, and the TCP or
 * UDP checksum, zeroed: they are functions of the addresses, which name the
 * capture, not the protocol), copied to `bytes`; only what was captured is
 * copied and `length` says how much. The context: time, direction, the two
 * indexes (payload_index PRONET_PAYLOAD_INDEX_NONE without payload), the IP
 * total length, the payload length (65535 past 65534), TCP flags and
 * sequence number, transport. What the builder keeps; exported so that
 * whatever else turns packets into records (the benchmark, the fuzzers'
 * seeds) does it this one way. */
void pronet_record_from_packet(const struct pronet_packet *packet, enum pronet_direction direction,
                               uint32_t packet_index, uint32_t payload_index,
                               const struct pronet_input_spec *spec, uint8_t *bytes,
                               struct pronet_packet_record *record);

#endif
