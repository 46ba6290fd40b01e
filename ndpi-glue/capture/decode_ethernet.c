/* Ethernet frames (DLT_EN10MB) and the ethertype dispatch other link types
 * share: 802.1Q/QinQ VLAN tags, MPLS label stacks, PPPoE sessions, IPv4, IPv6.
 *
 *   Ethernet II:  dst(6) src(6) ethertype(2)             payload
 *   802.3 + SNAP: dst(6) src(6) length(2) AA AA 03 oui(3) ethertype(2) payload
 *   VLAN tag:     TCI(2: PCP 3 bits, DEI 1, VID 12) ethertype(2)
 *   MPLS label:   label(20 bits) TC(3) S(1: bottom of stack) TTL(8)
 *   PPPoE:        ver/type(1, 0x11) code(1) session(2) length(2) PPP protocol(2) */
#include "ndpi-glue/capture/decode_units.h"

#define ETHERNET_HEADER_LENGTH 14
#define ETHERTYPE_MIN 0x0600 /* below 1536 the field is an 802.3 length */
#define ETHERNET_MAX_LENGTH_FIELD 1500
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS_UNICAST 0x8847
#define ETHERTYPE_MPLS_MULTICAST 0x8848
#define ETHERTYPE_PPPOE_SESSION 0x8864
#define LLC_SNAP_SAP 0xaa
#define LLC_UNNUMBERED_INFORMATION 0x03
#define LLC_SNAP_HEADER_LENGTH 8
#define MPLS_LABEL_LENGTH 4
#define PPPOE_HEADER_LENGTH 8 /* including the PPP protocol field */
#define PPPOE_VERSION_TYPE 0x11

/* An 802.3 frame: only LLC/SNAP can carry IP. */
static enum pronet_packet_skip decode_llc(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length)
{
	if (length < 3)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] != LLC_SNAP_SAP || data[1] != LLC_SNAP_SAP ||
	    data[2] != LLC_UNNUMBERED_INFORMATION)
		return PRONET_SKIP_NOT_IP; /* spanning tree, NetBIOS, ... */
	if (length < LLC_SNAP_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	return pronet_decode_ethertype(decoder, pronet_read16(data + 6),
	                               data + LLC_SNAP_HEADER_LENGTH,
	                               length - LLC_SNAP_HEADER_LENGTH);
}

enum pronet_packet_skip pronet_decode_ethernet(struct pronet_decoder *decoder, const uint8_t *data,
                                               size_t length)
{
	if (length < ETHERNET_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	uint16_t type = pronet_read16(data + 12);
	data += ETHERNET_HEADER_LENGTH;
	length -= ETHERNET_HEADER_LENGTH;
	if (type >= ETHERTYPE_MIN)
		return pronet_decode_ethertype(decoder, type, data, length);
	if (type <= ETHERNET_MAX_LENGTH_FIELD)
		return decode_llc(decoder, data, length);
	return PRONET_SKIP_BAD_HEADER; /* 1501..1535 is neither a length nor a type */
}

/* Labels up to the one with the bottom-of-stack bit, then IP by its version
 * nibble (as ndpiReader does; an Ethernet pseudowire is not IP). */
static enum pronet_packet_skip decode_mpls(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length)
{
	for (;;) {
		if (length < MPLS_LABEL_LENGTH)
			return PRONET_SKIP_TRUNCATED;
		int bottom_of_stack = data[2] & 0x01;
		data += MPLS_LABEL_LENGTH;
		length -= MPLS_LABEL_LENGTH;
		if (bottom_of_stack)
			return pronet_decode_ip(decoder, data, length);
	}
}

static enum pronet_packet_skip decode_pppoe(struct pronet_decoder *decoder, const uint8_t *data,
                                            size_t length)
{
	if (length < PPPOE_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	if (data[0] != PPPOE_VERSION_TYPE)
		return PRONET_SKIP_BAD_HEADER;
	return pronet_decode_ppp_protocol(decoder, pronet_read16(data + 6),
	                                  data + PPPOE_HEADER_LENGTH, length - PPPOE_HEADER_LENGTH);
}

enum pronet_packet_skip pronet_decode_ethertype(struct pronet_decoder *decoder, uint16_t type,
                                                const uint8_t *data, size_t length)
{
	/* VLAN tags are consumed in a loop; each iteration eats 4 bytes. */
	for (;;) {
		switch (type) {
		case ETHERTYPE_IPV4:
			return pronet_decode_ipv4(decoder, data, length);
		case ETHERTYPE_IPV6:
			return pronet_decode_ipv6(decoder, data, length);
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			if (length < 4)
				return PRONET_SKIP_TRUNCATED;
			/* The innermost tag's VID keys the flow, as in ndpiReader
			 * 4.2 (reader_util.c keeps the last 802.1Q tag's VID):
			 * in QinQ the C-tag names the customer's VLAN, and the
			 * same key as the reference host keeps verdicts
			 * comparable. A priority-only inner tag gives VID 0. */
			decoder->out->vlan_id = pronet_read16(data) & 0x0fff;
			type = pronet_read16(data + 2);
			data += 4;
			length -= 4;
			break;
		case ETHERTYPE_MPLS_UNICAST:
		case ETHERTYPE_MPLS_MULTICAST:
			return decode_mpls(decoder, data, length);
		case ETHERTYPE_PPPOE_SESSION:
			return decode_pppoe(decoder, data, length);
		default:
			return PRONET_SKIP_NOT_IP;
		}
	}
}
