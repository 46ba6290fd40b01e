/* Bytes of crafted packets, for the test programs that build them
 * (tests/plugin/fixture.c, tests/tools/make_flood.c,
 * tests/ndpi-glue/engine/test_ndpi_engine.c, test_shards.c): network-order
 * stores, a plain IPv4 header and one DNS exchange. Header-only (static inline) so that a
 * program needs no library for it: make_flood links no CUnit. */
#ifndef PRONET_TESTS_PACKET_BYTES_H
#define PRONET_TESTS_PACKET_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PACKET_IPV4_LENGTH 20

/* A DNS query, id 0x1234, recursion desired, one question: example.com A
 * IN (29 bytes); and its response: same id, response + RD + RA, the
 * question, one A answer (name pointer 0xc00c, TTL 60, 93.184.216.34; 45
 * bytes). Initialisers, so that each test's array keeps its sizeof:
 * static const uint8_t query[] = PACKET_DNS_QUERY; */
#define PACKET_DNS_QUERY                                                                           \
	{                                                                                          \
		0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 7, 'e',    \
		    'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01      \
	}
#define PACKET_DNS_RESPONSE                                                                        \
	{                                                                                          \
		0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 7, 'e',    \
		    'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,     \
		    0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 93,    \
		    184, 216, 34                                                                   \
	}

static inline void packet_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void packet_put32(uint8_t *p, uint32_t v)
{
	packet_put16(p, (uint16_t)(v >> 16));
	packet_put16(p + 2, (uint16_t)v);
}

/* An IPv4 header without options: total length `total`, TTL 64, the
 * transport `protocol`, src -> dst; checksum 0 (nDPI does not check it;
 * packet_ipv4_checksum fills it for captures other tools read). */
static inline void packet_put_ipv4(uint8_t *p, uint8_t protocol, size_t total, uint32_t src,
                                   uint32_t dst)
{
	memset(p, 0, PACKET_IPV4_LENGTH);
	p[0] = 0x45;
	packet_put16(p + 2, (uint16_t)total);
	p[8] = 64;
	p[9] = protocol;
	packet_put32(p + 12, src);
	packet_put32(p + 16, dst);
}

/* The header checksum of an IPv4 header without options (RFC 791). */
static inline uint16_t packet_ipv4_checksum(const uint8_t *header)
{
	uint32_t sum = 0;

	for (int i = 0; i < PACKET_IPV4_LENGTH; i += 2)
		sum += (uint32_t)(header[i] << 8 | header[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
