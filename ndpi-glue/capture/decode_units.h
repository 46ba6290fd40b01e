/* The decoder units behind pronet_decode_packet(), one file each. Private to
 * ndpi-glue/.
 *
 * Every unit has the same shape: it takes the decoder state and the bytes that
 * start at its header (pointer, captured length), checks lengths before it
 * reads, fills what it knows into state->out and hands the rest to the next
 * unit. It returns PRONET_SKIP_NONE for a usable packet, else why not. */
#ifndef PRONET_GLUE_DECODE_UNITS_H
#define PRONET_GLUE_DECODE_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "ndpi-glue/capture/packet.h"

/* IP headers nested deeper than this (IP-in-IP-in-...) are a bad header. */
#define PRONET_DECODE_MAX_DEPTH 4

struct pronet_decoder {
	struct pronet_packet *out;
	unsigned int options; /* PRONET_DECODE_* */
	unsigned int depth;   /* IP headers entered so far */
};

static inline uint16_t pronet_read16(const uint8_t *bytes)
{
	return (uint16_t)((bytes[0] << 8) | bytes[1]);
}

static inline uint32_t pronet_read32(const uint8_t *bytes)
{
	return ((uint32_t)bytes[0] << 24) | ((uint32_t)bytes[1] << 16) | ((uint32_t)bytes[2] << 8) |
	       bytes[3];
}

/* decode_ethernet.c: Ethernet II / 802.3 LLC-SNAP frames, and the ethertype
 * dispatch (VLAN, QinQ, MPLS, PPPoE, IPv4, IPv6) shared by other link types. */
enum pronet_packet_skip pronet_decode_ethernet(struct pronet_decoder *decoder, const uint8_t *data,
                                               size_t length);
enum pronet_packet_skip pronet_decode_ethertype(struct pronet_decoder *decoder, uint16_t type,
                                                const uint8_t *data, size_t length);

/* decode_sll.c: Linux cooked capture v1 (DLT_LINUX_SLL) and v2 (DLT_LINUX_SLL2). */
enum pronet_packet_skip pronet_decode_sll(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length);
enum pronet_packet_skip pronet_decode_sll2(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length);

/* decode_null.c: BSD loopback (DLT_NULL, DLT_LOOP), family in either byte order. */
enum pronet_packet_skip pronet_decode_null(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length);

/* decode_ppp.c: PPP (DLT_PPP, DLT_PPP_SERIAL) and Cisco HDLC (DLT_C_HDLC). */
enum pronet_packet_skip pronet_decode_ppp(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length);
enum pronet_packet_skip pronet_decode_chdlc(struct pronet_decoder *decoder, const uint8_t *data,
                                            size_t length);
enum pronet_packet_skip pronet_decode_ppp_protocol(struct pronet_decoder *decoder,
                                                   uint16_t protocol, const uint8_t *data,
                                                   size_t length);

/* decode_ipv4.c / decode_ipv6.c; pronet_decode_ip picks one by the version nibble. */
enum pronet_packet_skip pronet_decode_ip(struct pronet_decoder *decoder, const uint8_t *data,
                                         size_t length);
enum pronet_packet_skip pronet_decode_ipv4(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length);
enum pronet_packet_skip pronet_decode_ipv6(struct pronet_decoder *decoder, const uint8_t *data,
                                           size_t length);

/* decode_l4.c: what follows the IP header(s). `captured` bytes are present,
 * `declared` is the IP header's idea of the length (captured <= declared).
 * Inner IP headers (protocols 4 and 41) go back to pronet_decode_ip(). */
enum pronet_packet_skip pronet_decode_ip_payload(struct pronet_decoder *decoder, uint8_t protocol,
                                                 const uint8_t *data, size_t captured,
                                                 size_t declared);

/* decode_tunnel.c: UDP tunnels ndpiReader -t opens (GTP-U, TZSP, CAPWAP).
 * Returns 1 and sets *skip if the UDP payload was a tunnel it decoded (the
 * inner packet then replaces the outer one in out), 0 if it is no tunnel. */
int pronet_decode_udp_tunnel(struct pronet_decoder *decoder, const uint8_t *payload, size_t length,
                             enum pronet_packet_skip *skip);

#endif
