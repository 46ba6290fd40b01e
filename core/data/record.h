/* What a model sees of one packet: a packet record. Up to a window of N
 * bytes (taken from the L4 payload, or from the IP header on), and the
 * packet's context: time, direction, its place in the flow, lengths, TCP
 * flags and transport. core/ knows nothing of packets beyond this;
 * ndpi-glue/flow/input_builder.c fills it in.
 *
 * The record does not own its bytes: they are the container's (a dataset's
 * arena, the flow table's slot, a caller's buffer), so that a record stays
 * 40 bytes whatever the window. Whoever copies a record copies a pointer;
 * the bytes must outlive every copy. */
#ifndef PRONET_CORE_RECORD_H
#define PRONET_CORE_RECORD_H

#include <stdint.h>

/* s in the ProNet paper (Sec. 3.1): the bytes of payload ProNet reads of a
 * record, and the window of a v1 dataset. */
#define PRONET_PAYLOAD_BYTES 16
/* The largest window N a record or a dataset may have (an Ethernet MTU). */
#define PRONET_RECORD_MAX_BYTES 1500
/* The most packet records of one flow a per-packet model combines into the
 * flow's verdict (core/model/flow_predict.h); per-flow models read them all. */
#define PRONET_FLOW_MAX_PACKETS 64
/* payload_index of a packet without payload (recorded only on request). */
#define PRONET_PAYLOAD_INDEX_NONE UINT16_MAX

enum pronet_direction {
	PRONET_DIR_CLIENT_TO_SERVER = 0, /* from the flow's initiator */
	PRONET_DIR_SERVER_TO_CLIENT = 1,
};

enum pronet_record_layer {
	PRONET_LAYER_PAYLOAD = 0, /* bytes[0] is the first L4 payload byte */
	PRONET_LAYER_L3 = 1,      /* bytes[0] is the first byte of the (innermost) IP header;
	                             addresses and checksums are zeroed */
};

struct pronet_packet_record {
	const uint8_t *bytes;    /* `length` bytes (may be NULL when length is 0) */
	uint64_t timestamp_us;   /* capture time; 0 when unknown (a v1 dataset) */
	uint32_t packet_index;   /* 0-based among the flow's packets the builder counted */
	uint32_t tcp_seq;        /* host order; 0 for other transports */
	uint16_t payload_index;  /* 0-based among payload packets (65534 past 65533);
	                            PRONET_PAYLOAD_INDEX_NONE without payload */
	uint16_t wire_length;    /* IP total length (65535 past); 0 when unknown */
	uint16_t payload_length; /* full L4 payload length (65535 past) */
	uint16_t l4_offset;      /* layer L3: where the TCP/UDP header starts in bytes; else 0 */
	uint16_t payload_offset; /* layer L3: where the payload starts in bytes; else 0 */
	uint16_t length;         /* valid bytes at `bytes`, at most the window N */
	uint8_t direction;       /* enum pronet_direction */
	uint8_t l4_protocol;     /* IP protocol number: IPPROTO_TCP, IPPROTO_UDP, ... */
	uint8_t tcp_flags;       /* TCP header flags byte; 0 for other transports */
	uint8_t layer;           /* enum pronet_record_layer */
};

#endif
