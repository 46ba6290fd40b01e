/* IPv6 headers (RFC 8200) and their extension headers.
 *
 *   version/class/flow(4) payload length(2) next header(1) hop limit(1)
 *   source(16) destination(16)
 *   hop-by-hop (0), routing (43), destination options (60), mobility (135):
 *       next(1) length(1: 8-byte units beyond the first 8) ...
 *   fragment (44): next(1) reserved(1) offset/M(2: offset<<3 | M) id(4)
 *   AH (51): next(1) length(1: 4-byte units minus 2) ...
 *
 * nDPI 4.2's ndpi_handle_ipv6_extension_headers() skips 0, 43, 44, 60, 135;
 * we also skip AH so that a flow under AH keys on its TCP/UDP ports (nDPI
 * itself then sees protocol 51 and cannot dissect it; ndpiReader keys such a
 * packet as protocol 51 - a divergence, rare in practice). ESP (50) and "no
 * next header" (59) end the walk: other protocol. nDPI drops packets whose
 * walk ends on 59; we count them as other protocol. */
#include "ndpi-glue/capture/decode_units.h"

#include <string.h>

#define IPV6_HEADER_LENGTH 40
#define IPV6_HOP_BY_HOP 0
#define IPV6_ROUTING 43
#define IPV6_FRAGMENT 44
#define IPV6_AUTHENTICATION 51
#define IPV6_NO_NEXT_HEADER 59
#define IPV6_DESTINATION_OPTIONS 60
#define IPV6_MOBILITY 135
#define IPV6_FRAGMENT_HEADER_LENGTH 8
#define IPV6_MORE_FRAGMENTS 0x0001

/* Where the walk over extension headers is. */
struct ipv6_walk {
	uint8_t next_header;
	size_t offset;   /* from the start of the IPv6 header */
	size_t captured; /* l3_length */
	size_t declared; /* 40 + payload length */
};

/* Returns NONE to go on, or a skip. Checks the declared length before the
 * captured one so that a lying length field is a bad header, not a cut. */
static enum pronet_packet_skip need_bytes(const struct ipv6_walk *walk, size_t count)
{
	if (walk->offset + count > walk->declared)
		return PRONET_SKIP_BAD_HEADER;
	if (walk->offset + count > walk->captured)
		return PRONET_SKIP_TRUNCATED;
	return PRONET_SKIP_NONE;
}

/* One extension header; sets *done when next_header is not one. */
static enum pronet_packet_skip skip_extension_header(struct pronet_decoder *decoder,
                                                     const uint8_t *data, struct ipv6_walk *walk,
                                                     int *done)
{
	enum pronet_packet_skip skip;
	const uint8_t *header = data + walk->offset;
	size_t length;

	switch (walk->next_header) {
	case IPV6_HOP_BY_HOP:
	case IPV6_ROUTING:
	case IPV6_DESTINATION_OPTIONS:
	case IPV6_MOBILITY:
	case IPV6_AUTHENTICATION:
		if ((skip = need_bytes(walk, 2)) != PRONET_SKIP_NONE)
			return skip;
		if (walk->next_header == IPV6_AUTHENTICATION)
			length = ((size_t)header[1] + 2) * 4;
		else
			length = ((size_t)header[1] + 1) * 8;
		break;
	case IPV6_FRAGMENT:
		length = IPV6_FRAGMENT_HEADER_LENGTH;
		if ((skip = need_bytes(walk, length)) != PRONET_SKIP_NONE)
			return skip;
		uint16_t fragment = pronet_read16(header + 2);
		if (fragment >> 3 != 0) {
			decoder->out->l4_protocol = header[0];
			return PRONET_SKIP_FRAGMENT;
		}
		if (fragment & IPV6_MORE_FRAGMENTS)
			decoder->out->flags |= PRONET_PACKET_F_FIRST_FRAGMENT;
		break;
	default:
		*done = 1;
		return PRONET_SKIP_NONE;
	}
	if ((skip = need_bytes(walk, length)) != PRONET_SKIP_NONE)
		return skip;
	walk->next_header = header[0];
	walk->offset += length;
	return PRONET_SKIP_NONE;
}

enum pronet_packet_skip pronet_decode_ipv6(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length)
{
	struct pronet_packet *out = decoder->out;

	if (length < 1)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] >> 4 != 6)
		return PRONET_SKIP_BAD_HEADER;
	if (length < IPV6_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;

	struct ipv6_walk walk = {
	    .next_header = data[6],
	    .offset = IPV6_HEADER_LENGTH,
	    .declared = IPV6_HEADER_LENGTH + (size_t)pronet_read16(data + 4),
	};
	walk.captured = walk.declared < length ? walk.declared : length;
	out->ip_version = 6;
	out->l3 = data;
	out->l3_length = walk.captured;
	if (walk.declared > length)
		out->flags |= PRONET_PACKET_F_SNAPPED;
	memcpy(out->src_addr, data + 8, 16);
	memcpy(out->dst_addr, data + 24, 16);

	/* Each header is at least 8 bytes, so the walk ends within the packet. */
	for (int done = 0; !done;) {
		out->l4_protocol = walk.next_header;
		enum pronet_packet_skip skip = skip_extension_header(decoder, data, &walk, &done);
		if (skip != PRONET_SKIP_NONE)
			return skip;
	}
	out->l4_protocol = walk.next_header;
	if (walk.next_header == IPV6_NO_NEXT_HEADER)
		return PRONET_SKIP_OTHER_PROTOCOL;
	return pronet_decode_ip_payload(decoder, walk.next_header, data + walk.offset,
	                                walk.captured - walk.offset, walk.declared - walk.offset);
}
