/* What follows the IP header(s): TCP (RFC 9293), UDP (RFC 768), or an inner
 * IP header (IP-in-IP, protocol 4; IPv6-in-IP, protocol 41), which ndpiReader
 * opens unconditionally, so we do too.
 *
 *   TCP: sport(2) dport(2) seq(4) ack(4) data offset(4 bits)/reserved flags(1)
 *        window(2) checksum(2) urgent(2) options(data offset*4-20)
 *   UDP: sport(2) dport(2) length(2) checksum(2)
 *
 * `captured` bytes are present; `declared` is the length the IP header gives.
 * A transport header cut by the IP length is a bad header; cut by the capture,
 * it is truncated. The payload is what nDPI 4.2 sees: the IP payload after
 * the TCP/UDP header. The UDP length field is only checked (nDPI ignores it),
 * and not in a first fragment, where it counts the whole datagram. */
#include "ndpi-glue/capture/decode_units.h"

#include "ndpi-glue/capture/decode.h"

#define PROTOCOL_IPIP 4
#define PROTOCOL_TCP 6
#define PROTOCOL_UDP 17
#define PROTOCOL_IPV6 41
#define TCP_MIN_HEADER_LENGTH 20
#define UDP_HEADER_LENGTH 8

static enum pronet_packet_skip need_bytes(size_t count, size_t captured, size_t declared)
{
	if (count > declared)
		return PRONET_SKIP_BAD_HEADER;
	if (count > captured)
		return PRONET_SKIP_TRUNCATED;
	return PRONET_SKIP_NONE;
}

static enum pronet_packet_skip decode_tcp(struct pronet_packet *out, const uint8_t *data,
                                          size_t captured, size_t declared)
{
	enum pronet_packet_skip skip = need_bytes(TCP_MIN_HEADER_LENGTH, captured, declared);
	if (skip != PRONET_SKIP_NONE)
		return skip;
	size_t header_length = (size_t)(data[12] >> 4) * 4;
	if (header_length < TCP_MIN_HEADER_LENGTH)
		return PRONET_SKIP_BAD_HEADER;
	if ((skip = need_bytes(header_length, captured, declared)) != PRONET_SKIP_NONE)
		return skip;
	out->src_port = pronet_read16(data);
	out->dst_port = pronet_read16(data + 2);
	out->tcp_seq = pronet_read32(data + 4);
	out->tcp_flags = data[13];
	out->payload = data + header_length;
	out->payload_length = captured - header_length;
	return PRONET_SKIP_NONE;
}

static enum pronet_packet_skip decode_udp(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t captured, size_t declared)
{
	struct pronet_packet *out = decoder->out;
	enum pronet_packet_skip skip = need_bytes(UDP_HEADER_LENGTH, captured, declared);
	if (skip != PRONET_SKIP_NONE)
		return skip;
	size_t udp_length = pronet_read16(data + 4);
	if ((out->flags & PRONET_PACKET_F_FIRST_FRAGMENT) == 0 &&
	    (udp_length < UDP_HEADER_LENGTH || udp_length > declared))
		out->flags |= PRONET_PACKET_F_UDP_LENGTH_MISMATCH;
	out->src_port = pronet_read16(data);
	out->dst_port = pronet_read16(data + 2);
	out->payload = data + UDP_HEADER_LENGTH;
	out->payload_length = captured - UDP_HEADER_LENGTH;
	if (decoder->options & PRONET_DECODE_TUNNELS) {
		if (pronet_decode_udp_tunnel(decoder, out->payload, out->payload_length, &skip))
			return skip;
	}
	return PRONET_SKIP_NONE;
}

enum pronet_packet_skip pronet_decode_ip_payload(struct pronet_decoder *decoder, uint8_t protocol,
                                                 const uint8_t *data, size_t captured,
                                                 size_t declared)
{
	switch (protocol) {
	case PROTOCOL_TCP:
		return decode_tcp(decoder->out, data, captured, declared);
	case PROTOCOL_UDP:
		return decode_udp(decoder, data, captured, declared);
	case PROTOCOL_IPIP:
	case PROTOCOL_IPV6:
		if (++decoder->depth >= PRONET_DECODE_MAX_DEPTH)
			return PRONET_SKIP_BAD_HEADER;
		decoder->out->flags |= PRONET_PACKET_F_TUNNELED;
		return pronet_decode_ip(decoder, data, captured);
	default:
		return PRONET_SKIP_OTHER_PROTOCOL; /* ICMP, GRE, ESP, SCTP, ... */
	}
}
