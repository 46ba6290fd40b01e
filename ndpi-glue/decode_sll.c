/* Linux "cooked" captures (tcpdump -i any).
 *
 *   SLL  (DLT_LINUX_SLL, 16 bytes): packet type(2) ARPHRD type(2)
 *        address length(2) address(8) protocol(2)
 *   SLL2 (DLT_LINUX_SLL2, 20 bytes): protocol(2) reserved(2) interface index(4)
 *        ARPHRD type(2) packet type(1) address length(1) address(8)
 * The protocol is an ethertype (VLAN tags may follow if the kernel left them).
 * Netlink captures (ARPHRD 824) carry a netlink family there, not an
 * ethertype, and are never IP. */
#include "ndpi-glue/decode_units.h"

#define SLL_HEADER_LENGTH 16
#define SLL2_HEADER_LENGTH 20
#define ARPHRD_NETLINK 824

enum pronet_packet_skip pronet_decode_sll(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length)
{
	if (length < SLL_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	if (pronet_read16(data + 2) == ARPHRD_NETLINK)
		return PRONET_SKIP_NOT_IP;
	return pronet_decode_ethertype(decoder, pronet_read16(data + 14), data + SLL_HEADER_LENGTH,
	                               length - SLL_HEADER_LENGTH);
}

enum pronet_packet_skip pronet_decode_sll2(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length)
{
	if (length < SLL2_HEADER_LENGTH)
		return PRONET_SKIP_TRUNCATED;
	if (pronet_read16(data + 8) == ARPHRD_NETLINK)
		return PRONET_SKIP_NOT_IP;
	return pronet_decode_ethertype(decoder, pronet_read16(data), data + SLL2_HEADER_LENGTH,
	                               length - SLL2_HEADER_LENGTH);
}
