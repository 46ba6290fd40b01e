/* One decoded packet: what the link-type and IP decoders produce and the flow
 * table consumes. Pointers point into the caller's capture buffer; nothing is
 * copied or allocated.
 *
 * A packet that cannot be used is reported as a skip reason, not an error:
 * the decoder fills `out` as far as it got (a non-first fragment or an ICMP
 * packet still has its addresses, l3 and l4_protocol) so that callers can
 * count what they skip. */
#ifndef PRONET_GLUE_PACKET_H
#define PRONET_GLUE_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

/* Why a packet could not be used for flows; counted per capture file. */
enum pronet_packet_skip {
	PRONET_SKIP_NONE = 0,
	PRONET_SKIP_TRUNCATED,      /* a header is cut by snaplen or the packet is short */
	PRONET_SKIP_BAD_HEADER,     /* a header field is impossible (version, lengths) */
	PRONET_SKIP_NOT_IP,         /* ARP, LLDP, ... */
	PRONET_SKIP_LINKTYPE,       /* link type not supported */
	PRONET_SKIP_FRAGMENT,       /* non-first IPv4/IPv6 fragment: no transport header */
	PRONET_SKIP_OTHER_PROTOCOL, /* IP, but neither TCP nor UDP (counted) */
	PRONET_SKIP_COUNT_
};

#define PRONET_PACKET_F_FIRST_FRAGMENT 0x01u /* first fragment: ports valid, payload partial */
/* The capture holds fewer bytes than the IP header declares (snaplen). nDPI
 * treats such an IPv4 packet as a fragment and ndpiReader drops IPv4 and IPv6
 * ones before they reach a flow: a flow table that wants to agree with
 * ndpiReader skips packets with this flag. */
#define PRONET_PACKET_F_SNAPPED 0x02u
/* The UDP length field is < 8 or larger than the IP payload. The payload is
 * still what nDPI sees (the IP payload minus 8 bytes); the flag only reports. */
#define PRONET_PACKET_F_UDP_LENGTH_MISMATCH 0x04u
/* The addresses, ports and l3 are those of a packet carried inside another
 * IP packet (IP-in-IP, IPv6-in-IPv4, or a UDP tunnel when asked for). */
#define PRONET_PACKET_F_TUNNELED 0x08u

/* Bits of pronet_packet.tcp_flags (the TCP header's flags byte). */
#define PRONET_TCP_FIN 0x01u
#define PRONET_TCP_SYN 0x02u
#define PRONET_TCP_RST 0x04u

struct pronet_packet {
	uint64_t timestamp_us;
	const uint8_t *l3;    /* start of the (innermost used) IP header, as nDPI wants it */
	size_t l3_length;     /* captured bytes from l3, clipped to the IP total length */
	uint32_t wire_length; /* original length on the wire */
	uint8_t ip_version;   /* 4 or 6 */
	uint8_t l4_protocol;  /* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint8_t src_addr[16]; /* IPv4 addresses use the first 4 bytes, rest 0 */
	uint8_t dst_addr[16];
	uint16_t src_port; /* host byte order; 0 for non-TCP/UDP */
	uint16_t dst_port;
	uint16_t vlan_id;       /* innermost 802.1Q VLAN ID, 0 if none */
	uint8_t tcp_flags;      /* TCP flags byte (SYN, ACK, FIN, RST...) */
	uint32_t tcp_seq;       /* TCP sequence number, host byte order; 0 for UDP */
	uint8_t flags;          /* PRONET_PACKET_F_* */
	const uint8_t *payload; /* L4 payload (captured part) */
	size_t payload_length;  /* captured L4 payload bytes */
};

#endif
