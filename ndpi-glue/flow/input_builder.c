/* The input builder (ndpi-glue/flow/input_builder.h). */
#include "ndpi-glue/flow/input_builder.h"

#include <netinet/in.h>
#include <string.h>

void pronet_input_builder_reset(struct pronet_input_builder *builder)
{
	memset(builder, 0, sizeof(*builder));
}

static uint16_t saturate16(size_t value, uint16_t max)
{
	return value < max ? (uint16_t)value : max;
}

static uint16_t read16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv6 extension headers that may come before the transport header. */
static int is_ipv6_extension(uint8_t next)
{
	return next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135;
}

/* Where the transport header starts in the packet's l3 bytes; 0 when the
 * captured bytes do not tell. */
static size_t l4_offset_of(const struct pronet_packet *packet)
{
	const uint8_t *l3 = packet->l3;
	size_t length = packet->l3_length;

	if (l3 == NULL)
		return 0;
	if (packet->ip_version == 4)
		return length >= 20 ? (size_t)(l3[0] & 0x0f) * 4 : 0;
	if (length < 40)
		return 0;
	size_t offset = 40;
	uint8_t next = l3[6];
	while (next != packet->l4_protocol && is_ipv6_extension(next) && offset + 8 <= length) {
		uint8_t after = l3[offset];
		if (next == 44) /* fragment: fixed 8 bytes */
			offset += 8;
		else if (next == 51) /* AH: length in 4-byte units, minus 2 */
			offset += ((size_t)l3[offset + 1] + 2) * 4;
		else
			offset += ((size_t)l3[offset + 1] + 1) * 8;
		next = after;
	}
	return offset <= length ? offset : 0;
}

/* The IP total length from the header; the capture's wire length when the
 * header is not there. */
static size_t ip_total_length(const struct pronet_packet *packet)
{
	if (packet->l3 != NULL && packet->ip_version == 4 && packet->l3_length >= 4)
		return read16(packet->l3 + 2);
	if (packet->l3 != NULL && packet->ip_version == 6 && packet->l3_length >= 6)
		return 40 + (size_t)read16(packet->l3 + 4);
	return packet->wire_length;
}

static void zero_range(uint8_t *bytes, size_t length, size_t from, size_t to)
{
	for (size_t i = from; i < to && i < length; i++)
		bytes[i] = 0;
}

/* Layer l3: the IP header on, addresses and checksums zeroed. */
static size_t copy_l3(const struct pronet_packet *packet, size_t window, uint8_t *bytes,
                      struct pronet_packet_record *record)
{
	size_t length = packet->l3 == NULL ? 0 : packet->l3_length;
	size_t l4 = l4_offset_of(packet);

	if (length > window)
		length = window;
	if (length > 0)
		memcpy(bytes, packet->l3, length);
	if (packet->ip_version == 4)
		zero_range(bytes, length, 10, 20);
	else
		zero_range(bytes, length, 8, 40);
	if (l4 > 0 && packet->l4_protocol == IPPROTO_TCP)
		zero_range(bytes, length, l4 + 16, l4 + 18);
	else if (l4 > 0 && packet->l4_protocol == IPPROTO_UDP)
		zero_range(bytes, length, l4 + 6, l4 + 8);
	record->l4_offset = saturate16(l4, UINT16_MAX);
	if (packet->payload != NULL && packet->l3 != NULL && packet->payload >= packet->l3 &&
	    packet->payload <= packet->l3 + packet->l3_length)
		record->payload_offset =
		    saturate16((size_t)(packet->payload - packet->l3), UINT16_MAX);
	return length;
}

void pronet_record_from_packet(const struct pronet_packet *packet, enum pronet_direction direction,
                               uint32_t packet_index, uint32_t payload_index,
                               const struct pronet_input_spec *spec, uint8_t *bytes,
                               struct pronet_packet_record *record)
{
	size_t length;

	memset(record, 0, sizeof(*record));
	if (spec->layer == PRONET_LAYER_L3) {
		length = copy_l3(packet, spec->window_bytes, bytes, record);
	} else {
		length = packet->payload_length < spec->window_bytes ? packet->payload_length
		                                                     : spec->window_bytes;
		if (length > 0)
			memcpy(bytes, packet->payload, length);
	}
	record->bytes = bytes;
	record->length = (uint16_t)length;
	record->layer = spec->layer;
	record->timestamp_us = packet->timestamp_us;
	record->packet_index = packet_index;
	record->payload_index = payload_index == PRONET_PAYLOAD_INDEX_NONE
	                            ? PRONET_PAYLOAD_INDEX_NONE
	                            : saturate16(payload_index, PRONET_PAYLOAD_INDEX_NONE - 1);
	record->direction = (uint8_t)direction;
	record->l4_protocol = packet->l4_protocol;
	record->payload_length = saturate16(packet->payload_length, UINT16_MAX);
	record->wire_length = saturate16(ip_total_length(packet), UINT16_MAX);
	if (packet->l4_protocol == IPPROTO_TCP) {
		record->tcp_flags = packet->tcp_flags;
		record->tcp_seq = packet->tcp_seq;
	}
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

	end += (packet->tcp_flags & PRONET_TCP_SYN) ? 1u : 0u;
	end += (packet->tcp_flags & PRONET_TCP_FIN) ? 1u : 0u;
	if (builder->tcp_seq_known[direction]) {
		int32_t ahead = (int32_t)(end - builder->tcp_seq_end[direction]);

		if (packet->payload_length > 0 && ahead <= 0)
			return 1;
		if (ahead <= 0)
			return 0;
	}
	if (packet->tcp_flags & PRONET_TCP_RST)
		return 0;
	builder->tcp_seq_known[direction] = 1;
	builder->tcp_seq_end[direction] = end;
	return 0;
}

enum pronet_input_status pronet_input_builder_add(struct pronet_input_builder *builder,
                                                  const struct pronet_packet *packet,
                                                  const struct pronet_input_spec *spec,
                                                  enum pronet_direction *direction, uint8_t *bytes,
                                                  struct pronet_packet_record *record)
{
	enum pronet_direction dir;
	uint32_t index, payload_index = PRONET_PAYLOAD_INDEX_NONE;
	uint32_t limit = spec->packets_per_direction;

	if (!builder->started)
		start(builder, packet);
	dir = direction_of(builder, packet);
	*direction = dir;
	if (packet->l4_protocol == IPPROTO_TCP && is_retransmission(builder, dir, packet)) {
		builder->retransmissions++;
		return PRONET_INPUT_RETRANSMISSION;
	}
	/* Saturating counts: past 2^32 - 1 packets a flow keeps nothing new. */
	index = builder->packets;
	if (builder->packets < UINT32_MAX)
		builder->packets++;
	if (packet->payload_length > 0) {
		payload_index = builder->payload_packets;
		if (builder->payload_packets < UINT32_MAX)
			builder->payload_packets++;
		if (builder->direction_packets[dir] < UINT32_MAX)
			builder->direction_packets[dir]++;
	} else if (!(spec->flags & PRONET_SPEC_ALL_PACKETS)) {
		return PRONET_INPUT_NO_PAYLOAD;
	}
	if (limit != 0 && builder->recorded[dir] >= limit)
		return PRONET_INPUT_DIRECTION_FULL;
	if (builder->recorded[dir] < UINT32_MAX)
		builder->recorded[dir]++;
	pronet_record_from_packet(packet, dir, index, payload_index, spec, bytes, record);
	return PRONET_INPUT_KEPT;
}
