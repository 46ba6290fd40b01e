/* Linux "cooked" captures (tcpdump -i any).
 *
 *   SLL  (DLT_LINUX_SLL, 16 bytes): packet type(2) ARPHRD type(2)
 *        address length(2) address(8) protocol(2)
 *   SLL2 (DLT_LINUX_SLL2, 20 bytes): protocol(2) reserved(2) interface index(4)
 *        ARPHRD type(2) packet type(1) address length(1) address(8)
 * The protocol is an ethertype (VLAN tags may follow if the kernel left them).
 * Netlink captures (ARPHRD 824) carry a netlink family there, not an
 * ethertype, and are never IP. */
#include "ndpi-glue/capture/decode_units.h"

#define SLL_HEADER_LENGTH 16
#define SLL_ARPHRD_OFFSET 2
#define SLL_PROTOCOL_OFFSET 14
#define SLL2_HEADER_LENGTH 20
#define SLL2_ARPHRD_OFFSET 8
#define SLL2_PROTOCOL_OFFSET 0
#define ARPHRD_NETLINK 824

/* Both versions differ only in where the fields are. */
static enum pronet_packet_skip decode_cooked(struct pronet_decoder *decoder, const uint8_t *data,
                                             size_t length, size_t header_length,
                                             size_t arphrd_offset, size_t protocol_offset)
{
	if (length < header_length)
		return PRONET_SKIP_TRUNCATED;
	if (pronet_read16(data + arphrd_offset) == ARPHRD_NETLINK)
		return PRONET_SKIP_NOT_IP;
	return pronet_decode_ethertype(decoder, pronet_read16(data + protocol_offset),
	                               data + header_length, length - header_length);
}

enum pronet_packet_skip pronet_decode_sll(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length)
{
	return decode_cooked(decoder, data, length, SLL_HEADER_LENGTH, SLL_ARPHRD_OFFSET,
	                     SLL_PROTOCOL_OFFSET);
}

enum pronet_packet_skip pronet_decode_sll2(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length)
{
	return decode_cooked(decoder, data, length, SLL2_HEADER_LENGTH, SLL2_ARPHRD_OFFSET,
	                     SLL2_PROTOCOL_OFFSET);
}
