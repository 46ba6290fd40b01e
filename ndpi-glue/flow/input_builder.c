/* The input builder (ndpi-glue/flow/input_builder.h). */
#include "ndpi-glue/flow/input_builder.h"

#include <netinet/in.h>
#include <string.h>

#define TCP_FLAG_FIN 0x01u
#define TCP_FLAG_SYN 0x02u
#define TCP_FLAG_RST 0x04u

void pronet_input_builder_reset(struct pronet_input_builder *builder)
{
	memset(builder, 0, sizeof(*builder));
}

void pronet_flow_input_from_packet(const struct pronet_packet *packet,
                                   enum pronet_direction direction, uint32_t packet_index,
                                   struct pronet_input *input)
{
	size_t length = packet->payload_length < PRONET_PAYLOAD_BYTES ? packet->payload_length
	                                                              : PRONET_PAYLOAD_BYTES;

	memset(input, 0, sizeof(*input));
	memcpy(input->bytes, packet->payload, length);
	input->length = (uint8_t)length;
	input->direction = (uint8_t)direction;
	input->packet_index = packet_index < UINT8_MAX ? (uint8_t)packet_index : UINT8_MAX;
	input->l4_protocol = packet->l4_protocol;
	input->payload_length =
	    packet->payload_length < UINT16_MAX ? (uint16_t)packet->payload_length : UINT16_MAX;
}

static size_t address_length(uint8_t ip_version)
{
	return ip_version == 4 ? 4 : 16;
}

static void start(struct pronet_input_builder *builder, const struct pronet_packet *packet)
{
	struct pronet_flow_endpoints *ends = &builder->endpoints;
	size_t length = address_length(packet->ip_version);

	pronet_input_builder_reset(builder);
	builder->started = 1;
	ends->ip_version = packet->ip_version;
	ends->l4_protocol = packet->l4_protocol;
	memcpy(ends->addr[PRONET_DIR_CLIENT_TO_SERVER], packet->src_addr, length);
	memcpy(ends->addr[PRONET_DIR_SERVER_TO_CLIENT], packet->dst_addr, length);
	ends->port[PRONET_DIR_CLIENT_TO_SERVER] = packet->src_port;
	ends->port[PRONET_DIR_SERVER_TO_CLIENT] = packet->dst_port;
}

/* Client to server when the packet comes from the initiator's (address,
 * port). A flow whose two ends are the same (address, port) only has that
 * direction. */
static enum pronet_direction direction_of(const struct pronet_input_builder *builder,
                                          const struct pronet_packet *packet)
{
	const struct pronet_flow_endpoints *ends = &builder->endpoints;
	int from_initiator = packet->src_port == ends->port[PRONET_DIR_CLIENT_TO_SERVER] &&
	                     memcmp(packet->src_addr, ends->addr[PRONET_DIR_CLIENT_TO_SERVER],
	                            address_length(ends->ip_version)) == 0;

	return from_initiator ? PRONET_DIR_CLIENT_TO_SERVER : PRONET_DIR_SERVER_TO_CLIENT;
}

/* Moves the direction's sequence end; 1 if the packet is a payload packet
 * that ends at or before it (a retransmission). Sequence numbers compare
 * modulo 2^32 (RFC 9293 Sec. 3.4). A RST's sequence number is not trusted
 * to move the end. */
static int is_retransmission(struct pronet_input_builder *builder, enum pronet_direction direction,
                             const struct pronet_packet *packet)
{
	uint32_t end = packet->tcp_seq + (uint32_t)packet->payload_length;

	end += (packet->tcp_flags & TCP_FLAG_SYN) ? 1u : 0u;
	end += (packet->tcp_flags & TCP_FLAG_FIN) ? 1u : 0u;
	if (builder->tcp_seq_known[direction]) {
		int32_t ahead = (int32_t)(end - builder->tcp_seq_end[direction]);

		if (packet->payload_length > 0 && ahead <= 0)
			return 1;
		if (ahead <= 0)
			return 0;
	}
	if (packet->tcp_flags & TCP_FLAG_RST)
		return 0;
	builder->tcp_seq_known[direction] = 1;
	builder->tcp_seq_end[direction] = end;
	return 0;
}

enum pronet_input_status pronet_input_builder_add(struct pronet_input_builder *builder,
                                                  const struct pronet_packet *packet,
                                                  uint32_t per_direction,
                                                  enum pronet_direction *direction,
                                                  struct pronet_input *input)
{
	enum pronet_direction dir;
	uint32_t index;

	if (!builder->started)
		start(builder, packet);
	dir = direction_of(builder, packet);
	*direction = dir;
	if (packet->l4_protocol == IPPROTO_TCP && is_retransmission(builder, dir, packet)) {
		builder->retransmissions++;
		return PRONET_INPUT_RETRANSMISSION;
	}
	if (packet->payload_length == 0)
		return PRONET_INPUT_NO_PAYLOAD;
	/* Saturating counts: past 2^32 - 1 packets a flow keeps nothing new. */
	index = builder->payload_packets;
	if (builder->payload_packets < UINT32_MAX)
		builder->payload_packets++;
	if (builder->direction_packets[dir] < UINT32_MAX)
		builder->direction_packets[dir]++;
	if (builder->direction_packets[dir] > per_direction)
		return PRONET_INPUT_DIRECTION_FULL;
	pronet_flow_input_from_packet(packet, dir, index, input);
	return PRONET_INPUT_KEPT;
}
