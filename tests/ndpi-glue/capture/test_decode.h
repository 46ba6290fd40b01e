/* Helpers shared by the decoder tests (tests/ndpi-glue/test_decode_*.c). */
#ifndef PRONET_TESTS_GLUE_TEST_DECODE_H
#define PRONET_TESTS_GLUE_TEST_DECODE_H

#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "ndpi-glue/capture/decode.h"

/* libpcap link types, by number so that tests do not depend on the platform. */
enum {
	TEST_DLT_NULL = 0,
	TEST_DLT_EN10MB = 1,
	TEST_DLT_PPP = 9,
	TEST_DLT_RAW = 12,
	TEST_DLT_RAW_OPENBSD = 14,
	TEST_DLT_PPP_SERIAL = 50,
	TEST_DLT_LINKTYPE_RAW = 101,
	TEST_DLT_C_HDLC = 104,
	TEST_DLT_LOOP = 108,
	TEST_DLT_LINUX_SLL = 113,
	TEST_DLT_IEEE802_11_RADIO = 127,
	TEST_DLT_IPV4 = 228,
	TEST_DLT_IPV6 = 229,
	TEST_DLT_LINUX_SLL2 = 276,
};

/* Building blocks, each a whole header. */
#define ETHERNET_ADDRESSES 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
/* IPv4 192.168.1.2 -> 192.168.1.3, TCP, total length 45, DF */
#define IPV4_HEADER_TCP                                                                            \
	0x45, 0x00, 0x00, 0x2d, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xc0, 0xa8, 0x01,  \
	    0x02, 0xc0, 0xa8, 0x01, 0x03
/* TCP 12345 -> 80, seq 1 ack 1, data offset 5, PSH|ACK */
#define TCP_HEADER_PSH_ACK                                                                         \
	0x30, 0x39, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0xff,  \
	    0xff, 0x00, 0x00, 0x00, 0x00
#define GET_SLASH 'G', 'E', 'T', ' ', '/'
/* The 45-byte IPv4/TCP packet "GET /" every link type below carries. */
#define IPV4_TCP_GET IPV4_HEADER_TCP, TCP_HEADER_PSH_ACK, GET_SLASH
#define IPV4_TCP_GET_HEADERS 40 /* bytes of IPv4 + TCP header before "GET /" */
/* IPv6 2001:db8::1 -> 2001:db8::2, UDP 54321 -> 53, payload DE AD BE EF */
#define IPV6_UDP                                                                                   \
	0x60, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x11, 0x40, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0,  \
	    0, 0, 0, 0, 0, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,    \
	    0xd4, 0x31, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef
#define IPV6_UDP_HEADERS 48

/* Decodes `length` bytes with options; asserts the call itself succeeds. */
static inline enum pronet_packet_skip decode_with(unsigned int options, int dlt,
                                                  const uint8_t *bytes, size_t length,
                                                  struct pronet_packet *out)
{
	enum pronet_packet_skip skip = PRONET_SKIP_COUNT_;
	CU_ASSERT_EQUAL(pronet_decode_packet_with(options, dlt, bytes, length, 1500,
	                                          1234567890123456ull, out, &skip),
	                PRONET_OK);
	return skip;
}

static inline enum pronet_packet_skip decode(int dlt, const uint8_t *bytes, size_t length,
                                             struct pronet_packet *out)
{
	return decode_with(0, dlt, bytes, length, out);
}

/* Decodes every prefix 0..length-1 of bytes from a heap copy of exactly that
 * size (so that AddressSanitizer or valgrind see any read past it). Prefixes
 * shorter than headers_end must be TRUNCATED; longer ones must give `skip`,
 * and every pointer in the result must lie inside the prefix. */
static inline void check_every_truncation(unsigned int options, int dlt, const uint8_t *bytes,
                                          size_t length, size_t headers_end,
                                          enum pronet_packet_skip skip)
{
	for (size_t cut = 0; cut < length; cut++) {
		uint8_t *copy = malloc(cut > 0 ? cut : 1);
		struct pronet_packet out;

		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, bytes, cut);
		enum pronet_packet_skip got = decode_with(options, dlt, copy, cut, &out);
		CU_ASSERT_EQUAL(got, cut < headers_end ? PRONET_SKIP_TRUNCATED : skip);
		if (got == PRONET_SKIP_NONE) {
			CU_ASSERT(out.l3 >= copy && out.l3 + out.l3_length <= copy + cut);
			CU_ASSERT(out.payload >= copy &&
			          out.payload + out.payload_length <= copy + cut);
		}
		free(copy);
	}
}

#endif
