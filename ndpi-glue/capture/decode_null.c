/* BSD loopback (DLT_NULL) and OpenBSD loopback (DLT_LOOP).
 *
 *   address family(4) IP packet
 * DLT_NULL stores the family in the byte order of the machine that captured;
 * DLT_LOOP in network order, though writers get it wrong, so both accept
 * both orders. AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD),
 * 28 (FreeBSD) or 30 (macOS). ndpiReader calls every family but a
 * network-order 2 IPv6 and lets the version nibble decide; we decide by the
 * family and check the version. */
#include "ndpi-glue/capture/decode_units.h"

#define NULL_HEADER_LENGTH 4
#define FAMILY_INET 2
#define FAMILY_INET6_BSD 24
#define FAMILY_INET6_FREEBSD 28
#define FAMILY_INET6_DARWIN 30

static uint32_t swap32(uint32_t value)
{
	return (value >> 24) | ((value >> 8) & 0xff00u) | ((value << 8) & 0xff0000u) |
	       (value << 24);
}

static int is_family(uint32_t family, uint32_t wanted)
{
	return family == wanted || swap32(family) == wanted;
}

enum pronet_packet_skip pronet_decode_null(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length)
{
	if (length < NULL_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	uint32_t family = pronet_read32(data);
	data += NULL_HEADER_LENGTH;
	length -= NULL_HEADER_LENGTH;
	if (is_family(family, FAMILY_INET))
		return pronet_decode_ipv4(decoder, data, length);
	if (is_family(family, FAMILY_INET6_BSD) || is_family(family, FAMILY_INET6_FREEBSD) ||
	    is_family(family, FAMILY_INET6_DARWIN))
		return pronet_decode_ipv6(decoder, data, length);
	return PRONET_SKIP_NOT_IP;
}
