/* PPP (DLT_PPP, DLT_PPP_SERIAL) and Cisco HDLC (DLT_C_HDLC) framing.
 *
 *   PPP in HDLC-like framing: FF 03 protocol(2)   (RFC 1662)
 *   PPP without address/control: protocol(1 or 2: an odd first byte ends it)
 *   Cisco HDLC: address(1, 0x0F unicast or 0x8F broadcast) control(1) ethertype(2)
 * DLT_PPP_SERIAL may carry either PPP or Cisco HDLC frames, as ndpiReader
 * notes too; the first byte tells them apart. */
#include "ndpi-glue/capture/decode_units.h"

#define PPP_ADDRESS 0xff
#define PPP_CONTROL 0x03
#define PPP_PROTOCOL_IPV4 0x0021
#define PPP_PROTOCOL_IPV6 0x0057
#define CHDLC_UNICAST 0x0f
#define CHDLC_BROADCAST 0x8f
#define CHDLC_HEADER_LENGTH 4

enum pronet_packet_skip pronet_decode_ppp_protocol(struct pronet_decoder *decoder,
                                                   uint16_t protocol, const uint8_t *data,
                                                   size_t length)
{
	switch (protocol) {
	case PPP_PROTOCOL_IPV4:
		return pronet_decode_ipv4(decoder, data, length);
	case PPP_PROTOCOL_IPV6:
		return pronet_decode_ipv6(decoder, data, length);
	default:
		return PRONET_SKIP_NOT_IP; /* LCP, IPCP, CHAP, ... */
	}
}

enum pronet_packet_skip pronet_decode_chdlc(struct pronet_decoder *decoder, const uint8_t *data,
                                            size_t length)
{
	if (length < CHDLC_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] != CHDLC_UNICAST && data[0] != CHDLC_BROADCAST)
		return PRONET_SKIP_BAD_HEADER;
	return pronet_decode_ethertype(decoder, pronet_read16(data + 2), data + CHDLC_HEADER_LENGTH,
	                               length - CHDLC_HEADER_LENGTH);
}

enum pronet_packet_skip pronet_decode_ppp(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length)
{
	if (length < 1)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] == CHDLC_UNICAST || data[0] == CHDLC_BROADCAST)
		return pronet_decode_chdlc(decoder, data, length);
	if (data[0] == PPP_ADDRESS) {
		if (length < 2)
			return PRONET_SKIP_TRUNCATED;
		if (data[1] != PPP_CONTROL)
			return PRONET_SKIP_BAD_HEADER;
		data += 2;
		length -= 2;
	}
	if (length < 1)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] & 0x01) /* protocol field compressed to one byte */
		return pronet_decode_ppp_protocol(decoder, data[0], data + 1, length - 1);
	if (length < 2)
		return PRONET_SKIP_TRUNCATED;
	return pronet_decode_ppp_protocol(decoder, pronet_read16(data), data + 2, length - 2);
}
