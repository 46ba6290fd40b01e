/* IPv4 headers (RFC 791).
 *
 *   version/IHL(1) TOS(1) total length(2) id(2) flags/fragment offset(2)
 *   TTL(1) protocol(1) checksum(2) source(4) destination(4) options(IHL*4-20)
 *
 * l3_length is the total length clipped to the captured bytes: with Ethernet
 * padding nDPI must not see the trailer, and when snaplen cut the packet we
 * mark it PRONET_PACKET_F_SNAPPED (nDPI 4.2 calls an IPv4 packet whose
 * captured length is below its total length "fragmented" and ignores it).
 * A non-first fragment has no transport header and is skipped as FRAGMENT;
 * a first fragment with More Fragments set is decoded and marked. */
#include "ndpi-glue/capture/decode_units.h"

#include <string.h>

#define IPV4_MIN_HEADER_LENGTH 20
#define IPV4_FRAGMENT_OFFSET_MASK 0x1fff
#define IPV4_MORE_FRAGMENTS 0x2000

static void copy_ipv4_addresses(struct pronet_packet *out, const uint8_t *header)
{
	memset(out->src_addr, 0, sizeof(out->src_addr));
	memset(out->dst_addr, 0, sizeof(out->dst_addr));
	memcpy(out->src_addr, header + 12, 4);
	memcpy(out->dst_addr, header + 16, 4);
}

enum pronet_packet_skip pronet_decode_ipv4(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length)
{
	struct pronet_packet *out = decoder->out;

	if (length < 1)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] >> 4 != 4)
		return PRONET_SKIP_BAD_HEADER;
	size_t header_length = (size_t)(data[0] & 0x0f) * 4;
	if (header_length < IPV4_MIN_HEADER_LENGTH)
		return PRONET_SKIP_BAD_HEADER;
	if (length < header_length)
		return PRONET_SKIP_TRUNCATED;
	size_t total_length = pronet_read16(data + 2);
	if (total_length < header_length)
		return PRONET_SKIP_BAD_HEADER; /* also TSO captures with length 0 */

	out->ip_version = 4;
	out->l3 = data;
	out->l3_length = total_length < length ? total_length : length;
	if (total_length > length)
		out->flags |= PRONET_PACKET_F_SNAPPED;
	out->l4_protocol = data[9];
	copy_ipv4_addresses(out, data);

	uint16_t fragment = pronet_read16(data + 6);
	if ((fragment & IPV4_FRAGMENT_OFFSET_MASK) != 0)
		return PRONET_SKIP_FRAGMENT;
	if (fragment & IPV4_MORE_FRAGMENTS)
		out->flags |= PRONET_PACKET_F_FIRST_FRAGMENT;

	return pronet_decode_ip_payload(decoder, data[9], data + header_length,
	                                out->l3_length - header_length,
	                                total_length - header_length);
}
