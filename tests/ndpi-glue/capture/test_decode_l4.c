/* Tests of ndpi-glue/capture/decode_l4.c and decode_tunnel.c: TCP options and data
 * offsets, UDP length fields that lie, other protocols, and the UDP tunnels
 * opened with PRONET_DECODE_TUNNELS. Packets are raw IP, cut at every length. */
#include "tests/ndpi-glue/capture/test_decode.h"
#include "tests/unit.h"

#define IPV4_ADDRESSES_10 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02
/* IPv4 10.0.0.1 -> 10.0.0.2 header, protocol p, total length t (one byte) */
#define IPV4_HEADER(p, t)                                                                          \
	0x45, 0x00, 0x00, (t), 0x00, 0x07, 0x00, 0x00, 0x40, (p), 0x00, 0x00, IPV4_ADDRESSES_10

static void test_tcp_options(void)
{
	/* IPv4 TCP SYN 40000 -> 443, data offset 8: MSS 1460, SACK permitted,
	 * NOP, window scale 7, NOP, NOP, NOP; no payload */
	/* clang-format off */
	static const uint8_t syn[] = {
		IPV4_HEADER(6, 52), 0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x80, 0x02, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4,
		0x04, 0x02, 0x01, 0x03, 0x03, 0x07, 0x01, 0x01};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(sizeof(syn), 52);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, syn, sizeof(syn), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.tcp_flags, 0x02);
	CU_ASSERT_EQUAL(out.src_port, 40000);
	CU_ASSERT_EQUAL(out.dst_port, 443);
	CU_ASSERT_PTR_EQUAL(out.payload, syn + 52);
	CU_ASSERT_EQUAL(out.payload_length, 0);
	check_every_truncation(0, TEST_DLT_RAW, syn, sizeof(syn), 52, PRONET_SKIP_NONE);
}

static void test_tcp_bad_data_offsets(void)
{
	/* IPv4 TCP with data offset 4 (16 bytes: below the fixed header) */
	/* clang-format off */
	static const uint8_t small[] = {
		IPV4_HEADER(6, 40), 0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10,
		0xff, 0xff, 0, 0, 0, 0};
	/* clang-format on */
	/* IPv4 TCP with data offset 15 (60 bytes) in a 20-byte IP payload */
	/* clang-format off */
	static const uint8_t large[] = {
		IPV4_HEADER(6, 40), 0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x10,
		0xff, 0xff, 0, 0, 0, 0};
	/* clang-format on */
	/* IPv4 total length 30: only 10 bytes of a TCP header fit */
	/* clang-format off */
	static const uint8_t short_ip[] = {
		IPV4_HEADER(6, 30), 0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10,
		0xff, 0xff, 0, 0, 0, 0};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, small, sizeof(small), &out), PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, large, sizeof(large), &out), PRONET_SKIP_BAD_HEADER);
	check_every_truncation(0, TEST_DLT_RAW, large, sizeof(large), 40, PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, short_ip, sizeof(short_ip), &out),
	                PRONET_SKIP_BAD_HEADER);
}

static void test_udp_length_lies(void)
{
	/* IPv4 UDP 5000 -> 6000, UDP length 4 (< 8), 4 payload bytes */
	/* clang-format off */
	static const uint8_t too_small[] = {
		IPV4_HEADER(17, 32), 0x13, 0x88, 0x17, 0x70, 0x00, 0x04, 0x00, 0x00, 'a', 'b', 'c',
		'd'};
	/* clang-format on */
	/* IPv4 UDP, UDP length 200 in a 12-byte IP payload */
	/* clang-format off */
	static const uint8_t too_large[] = {
		IPV4_HEADER(17, 32), 0x13, 0x88, 0x17, 0x70, 0x00, 0xc8, 0x00, 0x00, 'a', 'b', 'c',
		'd'};
	/* clang-format on */
	/* IPv4 UDP, UDP length 10: 2 payload bytes, 2 more bytes inside IP */
	/* clang-format off */
	static const uint8_t shorter[] = {
		IPV4_HEADER(17, 32), 0x13, 0x88, 0x17, 0x70, 0x00, 0x0a, 0x00, 0x00, 'a', 'b', 'c',
		'd'};
	/* clang-format on */
	/* IPv4 UDP, UDP length 12: honest */
	/* clang-format off */
	static const uint8_t honest[] = {
		IPV4_HEADER(17, 32), 0x13, 0x88, 0x17, 0x70, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c',
		'd'};
	/* clang-format on */
	/* IPv4 total length 24: a 4-byte IP payload cannot hold a UDP header */
	/* clang-format off */
	static const uint8_t short_ip[] = {
		IPV4_HEADER(17, 24), 0x13, 0x88, 0x17, 0x70, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c',
		'd'};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, too_small, sizeof(too_small), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_UDP_LENGTH_MISMATCH);
	CU_ASSERT_EQUAL(out.payload_length, 4); /* what nDPI sees */
	check_every_truncation(0, TEST_DLT_RAW, too_small, sizeof(too_small), 28, PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, too_large, sizeof(too_large), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_UDP_LENGTH_MISMATCH);
	CU_ASSERT_EQUAL(out.payload_length, 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, shorter, sizeof(shorter), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, 0);
	CU_ASSERT_EQUAL(out.payload_length, 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, honest, sizeof(honest), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, 0);
	CU_ASSERT_EQUAL(out.src_port, 5000);
	CU_ASSERT_EQUAL(out.dst_port, 6000);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, short_ip, sizeof(short_ip), &out),
	                PRONET_SKIP_BAD_HEADER);
}

static void test_other_protocols_keep_addresses(void)
{
	/* IPv4 ICMP echo request id 1 seq 1 */
	/* clang-format off */
	static const uint8_t icmp[] = {
		IPV4_HEADER(1, 28), 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, icmp, sizeof(icmp), &out), PRONET_SKIP_OTHER_PROTOCOL);
	CU_ASSERT_EQUAL(out.l4_protocol, 1);
	CU_ASSERT_EQUAL(out.src_addr[0], 10);
	CU_ASSERT_EQUAL(out.dst_addr[3], 2);
	CU_ASSERT_PTR_EQUAL(out.l3, icmp);
	CU_ASSERT_EQUAL(out.l3_length, 28);
	CU_ASSERT_EQUAL(out.src_port, 0);
	check_every_truncation(0, TEST_DLT_RAW, icmp, sizeof(icmp), 20, PRONET_SKIP_OTHER_PROTOCOL);
}

static void test_gtp_u(void)
{
	/* IPv4 UDP 2152 -> 2152 (total 81), GTPv1-U T-PDU (flags 0x30, length 45,
	 * TEID 1), inner IPv4 192.168.1.2 -> 192.168.1.3 TCP 12345 -> 80 "GET /" */
	/* clang-format off */
	static const uint8_t gtp[] = {
		IPV4_HEADER(17, 81), 0x08, 0x68, 0x08, 0x68, 0x00, 0x3d, 0x00, 0x00, 0x30, 0xff,
		0x00, 0x2d, 0x00, 0x00, 0x00, 0x01, IPV4_TCP_GET};
	/* clang-format on */
	/* The same with a GTP echo request (type 1) instead of a T-PDU */
	/* clang-format off */
	static const uint8_t echo[] = {
		IPV4_HEADER(17, 81), 0x08, 0x68, 0x08, 0x68, 0x00, 0x3d, 0x00, 0x00, 0x30, 0x01,
		0x00, 0x2d, 0x00, 0x00, 0x00, 0x01, IPV4_TCP_GET};
	/* clang-format on */
	struct pronet_packet out;

	/* Without the option: an ordinary UDP packet, as ndpiReader without -t. */
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, gtp, sizeof(gtp), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.dst_port, 2152);
	CU_ASSERT_EQUAL(out.flags, 0);

	CU_ASSERT_EQUAL(decode_with(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, gtp, sizeof(gtp), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_TUNNELED);
	CU_ASSERT_PTR_EQUAL(out.l3, gtp + 36);
	CU_ASSERT_EQUAL(out.src_addr[0], 192);
	CU_ASSERT_EQUAL(out.dst_port, 80);
	CU_ASSERT_EQUAL(out.payload_length, 5);
	/* Cut inside GTP: not yet a tunnel (ndpiReader's rule), an outer UDP packet. */
	check_every_truncation(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, gtp, 37, 28, PRONET_SKIP_NONE);
	for (size_t cut = 37; cut < 76; cut++) {
		CU_ASSERT_EQUAL(decode_with(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, gtp, cut, &out),
		                PRONET_SKIP_TRUNCATED);
	}
	CU_ASSERT_EQUAL(decode_with(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, echo, sizeof(echo), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.dst_port, 2152);
	CU_ASSERT_EQUAL(out.flags, 0);
}

static void test_tzsp_and_capwap(void)
{
	/* IPv4 UDP 37008 -> 37008 (total 97), TZSP v1 received Ethernet, padding
	 * tag, a 2-byte tag (type 10), end tag, then Ethernet IPv4 TCP "GET /" */
	/* clang-format off */
	static const uint8_t tzsp[] = {
		IPV4_HEADER(17, 97), 0x90, 0x90, 0x90, 0x90, 0x00, 0x4d, 0x00, 0x00, 0x01, 0x00,
		0x00, 0x01, 0x00, 0x0a, 0x02, 0xab, 0xcd, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
		0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0x08, 0x00, IPV4_TCP_GET};
	/* clang-format on */
	/* IPv4 UDP 5247 -> 5247 (total 113), CAPWAP header (HLEN 2: 8 bytes),
	 * 802.11 data header (24 bytes), LLC/SNAP type 0x0800, IPv4 TCP "GET /" */
	/* clang-format off */
	static const uint8_t capwap[] = {
		IPV4_HEADER(17, 113), 0x14, 0x7f, 0x14, 0x7f, 0x00, 0x5d, 0x00, 0x00, 0x00, 0x10,
		0x43, 0x10, 0x00, 0x00, 0x00, 0x00, 0x08, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00,
		IPV4_TCP_GET};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(sizeof(tzsp), 97);
	CU_ASSERT_EQUAL(decode_with(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, tzsp, sizeof(tzsp), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_TUNNELED);
	CU_ASSERT_PTR_EQUAL(out.l3, tzsp + 52);
	CU_ASSERT_EQUAL(out.dst_port, 80);
	check_every_truncation(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, tzsp, sizeof(tzsp), 92,
	                       PRONET_SKIP_NONE);

	CU_ASSERT_EQUAL(sizeof(capwap), 113);
	CU_ASSERT_EQUAL(
	    decode_with(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, capwap, sizeof(capwap), &out),
	    PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_TUNNELED);
	CU_ASSERT_PTR_EQUAL(out.l3, capwap + 68);
	CU_ASSERT_EQUAL(out.dst_port, 80);
	for (size_t cut = 0; cut < sizeof(capwap); cut++) {
		uint8_t *copy = malloc(cut + 1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, capwap, cut);
		enum pronet_packet_skip skip =
		    decode_with(PRONET_DECODE_TUNNELS, TEST_DLT_RAW, copy, cut, &out);
		/* Short of the 802.11 + LLC headers it stays outer UDP, as in ndpiReader. */
		if (cut >= 28 && cut <= 68)
			CU_ASSERT_EQUAL(skip, PRONET_SKIP_NONE);
		if (cut > 68 && cut < 108)
			CU_ASSERT_EQUAL(skip, PRONET_SKIP_TRUNCATED);
		free(copy);
	}
}

static CU_TestInfo tests[] = {
    {"TCP options", test_tcp_options},
    {"TCP bad data offsets", test_tcp_bad_data_offsets},
    {"UDP length fields that lie", test_udp_length_lies},
    {"other protocols keep their addresses", test_other_protocols_keep_addresses},
    {"GTP-U only when asked", test_gtp_u},
    {"TZSP and CAPWAP", test_tzsp_and_capwap},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/decode (TCP, UDP, tunnels)", tests);
}
