/* One bidirectional flow, as the flow table keeps it.
 *
 * A flow is keyed by (IP version, VLAN, L4 protocol, the two address:port
 * ends). The key is normalised - the lower (address, port) end is side 0 -
 * so both directions of a conversation find the same flow; `client_side`
 * remembers which end sent the flow's first packet (the initiator, as
 * ndpiReader prints it first). Directions are enum pronet_direction
 * (core/data/record.h): client to server is 0. The model's inputs are what the
 * input builder (ndpi-glue/flow/input_builder.h) keeps of the flow's packets, the
 * same builder the plugin records with. */
#ifndef PRONET_GLUE_FLOW_H
#define PRONET_GLUE_FLOW_H

#include <stdint.h>

#include "core/data/record.h"
#include "ndpi-glue/flow/input_builder.h"

/* Packets recorded per direction, at most (the K option), when records keep
 * bytes: ProNet and the byte models read a flow's first few packets. */
#define PRONET_FLOW_MAX_INPUTS_PER_DIRECTION 8
#define PRONET_FLOW_MAX_INPUTS (2 * PRONET_FLOW_MAX_INPUTS_PER_DIRECTION)
/* Records of one flow, at most, when they keep no bytes (window 0: sizes,
 * times and flags only, what Leroux et al.'s histogram windows read): K may
 * then be up to this many per direction, and a flow keeps its first
 * min(2K, PRONET_FLOW_MAX_RECORDS) packets in arrival order. 1024 is the
 * paper's window; a record is 40 bytes, so a flow slot holds 40 KiB. */
#define PRONET_FLOW_MAX_RECORDS 1024

struct pronet_flow_key {
	uint8_t ip_version;  /* 4 or 6 */
	uint8_t l4_protocol; /* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint16_t vlan_id;    /* 0 if none */
	uint8_t addr[2][16]; /* side 0 is the lower (address, port) end */
	uint16_t port[2];    /* host byte order; 0 when the protocol has none */
};

struct pronet_flow {
	struct pronet_flow_key key;
	uint8_t client_side; /* key side (0 or 1) that sent the first packet */
	uint64_t first_us;   /* capture time of the first and last packet */
	uint64_t last_us;
	uint64_t packets[2]; /* indexed by enum pronet_direction */
	uint64_t bytes[2];   /* wire bytes */
	/* Per direction, as nDPId's flow events report them: the capture time
	 * of its last packet (both first_us until it has one), and the
	 * captured L4 payload bytes of its packets, summed, least and most (0
	 * while it has none). */
	uint64_t last_us_by_direction[2];
	uint64_t payload_bytes[2];
	uint32_t payload_min[2], payload_max[2];
	uint8_t tcp_fin_or_rst; /* TCP: a FIN or RST was seen, either way */
	uint8_t midstream;      /* TCP: its first packet had no SYN */
	/* Direction, retransmissions and packet index of the model's inputs;
	 * builder.payload_packets counts the flow's payload packets, TCP
	 * retransmissions left out. */
	struct pronet_input_builder builder;
	/* The first K recorded packets of each direction (payload packets, or
	 * all with the table's all_packets), in arrival order, at most
	 * input_capacity. The array is the table's, one region per slot
	 * (min(2K, PRONET_FLOW_MAX_RECORDS) records), valid until on_end
	 * returns. Their bytes are slots of the table's record pool
	 * (input_slots), given back when the flow ends; a window of 0 bytes
	 * takes no pool slot (input_slots is NULL). */
	struct pronet_packet_record *inputs;
	uint32_t *input_slots;
	uint32_t num_inputs;
	uint32_t input_capacity;
	uint32_t inputs_per_direction[2];
	uint32_t records_dropped; /* records the table's pool had no room for */
	void *user;               /* the flow table's owner keeps its per-flow state here */
};

#endif
