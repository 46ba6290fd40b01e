/* Tests of ndpi-glue/capture/decode_ipv4.c and decode_ipv6.c: options, length
 * sanity, fragments, extension headers, IP-in-IP. Packets are raw IP
 * (DLT_RAW) and cut at every length. */
#include "tests/ndpi-glue/capture/test_decode.h"
#include "tests/unit.h"

#define IPV6_ADDRESSES                                                                             \
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0,  \
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
#define IPV4_ADDRESSES_10 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02
/* UDP 54321 -> 53, length 12, payload DE AD BE EF */
#define UDP_DNS_DEADBEEF 0xd4, 0x31, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef

static void test_ipv4_options_are_skipped(void)
{
	/* IPv4 IHL 6 (options NOP NOP NOP EOL), total 36, UDP 54321 -> 53 DEADBEEF */
	/* clang-format off */
	static const uint8_t packet[] = {
		0x46, 0x00, 0x00, 0x24, 0x00, 0x03, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, 0x01, 0x01, 0x01, 0x00, UDP_DNS_DEADBEEF};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, packet, sizeof(packet), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.l3_length, 36);
	CU_ASSERT_EQUAL(out.src_port, 54321);
	CU_ASSERT_EQUAL(out.dst_port, 53);
	CU_ASSERT_PTR_EQUAL(out.payload, packet + 32);
	CU_ASSERT_EQUAL(out.payload_length, 4);
	CU_ASSERT_EQUAL(out.src_addr[0], 10);
	CU_ASSERT_EQUAL(out.dst_addr[3], 2);
	CU_ASSERT_EQUAL(out.src_addr[4], 0);
	check_every_truncation(0, TEST_DLT_RAW, packet, sizeof(packet), 32, PRONET_SKIP_NONE);
}

static void test_ipv4_impossible_headers(void)
{
	/* IPv4 with IHL 4 (16 bytes: less than the fixed header) */
	/* clang-format off */
	static const uint8_t short_ihl[] = {
		0x44, 0x00, 0x00, 0x24, 0x00, 0x03, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, UDP_DNS_DEADBEEF};
	/* clang-format on */
	/* IPv4 with total length 16, below its 20-byte header */
	/* clang-format off */
	static const uint8_t short_total[] = {
		0x45, 0x00, 0x00, 0x10, 0x00, 0x03, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, UDP_DNS_DEADBEEF};
	/* clang-format on */
	/* IPv4 with total length 0, as TCP segmentation offload captures show */
	/* clang-format off */
	static const uint8_t zero_total[] = {
		0x45, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, UDP_DNS_DEADBEEF};
	/* clang-format on */
	/* IP version 5 */
	/* clang-format off */
	static const uint8_t version5[] = {
		0x55, 0x00, 0x00, 0x20, 0x00, 0x03, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, UDP_DNS_DEADBEEF};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, short_ihl, sizeof(short_ihl), &out),
	                PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, short_total, sizeof(short_total), &out),
	                PRONET_SKIP_BAD_HEADER);
	check_every_truncation(0, TEST_DLT_RAW, short_total, sizeof(short_total), 20,
	                       PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, zero_total, sizeof(zero_total), &out),
	                PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, version5, sizeof(version5), &out),
	                PRONET_SKIP_BAD_HEADER);
}

static void test_ipv4_snapped_is_flagged(void)
{
	/* IPv4 TCP "GET /" whose total length says 100: the capture kept 45 */
	/* clang-format off */
	static const uint8_t packet[] = {
		0x45, 0x00, 0x00, 0x64, 0x00, 0x01, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00, 0xc0, 0xa8,
		0x01, 0x02, 0xc0, 0xa8, 0x01, 0x03, TCP_HEADER_PSH_ACK, GET_SLASH};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, packet, sizeof(packet), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_SNAPPED);
	CU_ASSERT_EQUAL(out.l3_length, 45);
	CU_ASSERT_EQUAL(out.payload_length, 5);
	check_every_truncation(0, TEST_DLT_RAW, packet, sizeof(packet), 40, PRONET_SKIP_NONE);
}

static void test_ipv4_fragments(void)
{
	/* IPv4 first fragment (MF, offset 0), total 36: UDP header says 512 bytes,
	 * 16 payload bytes here */
	/* clang-format off */
	static const uint8_t first[] = {
		0x45, 0x00, 0x00, 0x24, 0x00, 0x04, 0x20, 0x00, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, 0xd4, 0x31, 0x00, 0x35, 0x02, 0x00, 0x00, 0x00, 'a', 'b', 'c',
		'd', 'e', 'f', 'g', 'h'};
	/* clang-format on */
	/* IPv4 middle fragment (MF, offset 185 = byte 1480) of the same datagram,
	 * whose first bytes would parse as UDP 0x6162 -> 0x6364 */
	/* clang-format off */
	static const uint8_t middle[] = {
		0x45, 0x00, 0x00, 0x24, 0x00, 0x04, 0x20, 0xb9, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'a', 'b', 'c', 'd', 'e',
		'f', 'g', 'h'};
	/* clang-format on */
	/* IPv4 last fragment (no MF, offset 2) */
	/* clang-format off */
	static const uint8_t last[] = {
		0x45, 0x00, 0x00, 0x1c, 0x00, 0x04, 0x00, 0x02, 0x40, 0x11, 0x00, 0x00,
		IPV4_ADDRESSES_10, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, first, sizeof(first), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_FIRST_FRAGMENT);
	CU_ASSERT_EQUAL(out.src_port, 54321);
	CU_ASSERT_EQUAL(out.dst_port, 53);
	CU_ASSERT_EQUAL(out.payload_length, 8);
	check_every_truncation(0, TEST_DLT_RAW, first, sizeof(first), 28, PRONET_SKIP_NONE);

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, middle, sizeof(middle), &out), PRONET_SKIP_FRAGMENT);
	CU_ASSERT_EQUAL(out.src_port, 0);
	CU_ASSERT_EQUAL(out.dst_port, 0);
	CU_ASSERT_EQUAL(out.l4_protocol, 17);
	CU_ASSERT_EQUAL(out.src_addr[0], 10);
	CU_ASSERT_PTR_EQUAL(out.l3, middle);
	check_every_truncation(0, TEST_DLT_RAW, middle, sizeof(middle), 20, PRONET_SKIP_FRAGMENT);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, last, sizeof(last), &out), PRONET_SKIP_FRAGMENT);
}

static void test_ipv6_every_extension_header(void)
{
	/* IPv6 payload length 84: hop-by-hop (PadN) -> destination options (PadN)
	 * -> routing (24 bytes) -> fragment (offset 0, no M: atomic) -> AH (24 bytes)
	 * -> UDP 54321 -> 53 DEADBEEF */
	/* clang-format off */
	static const uint8_t packet[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x54, 0x00, 0x40, IPV6_ADDRESSES,
		/* hop-by-hop: next 60, length 0, PadN(4) */
		0x3c, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
		/* destination options: next 43, length 0, PadN(4) */
		0x2b, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
		/* routing: next 44, length 2 (24 bytes), type 4, segments left 1, one address */
		0x2c, 0x02, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0x03,
		/* fragment: next 51, offset 0, M 0, id 1 */
		0x33, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		/* AH: next 17, length 4 ((4+2)*4 = 24 bytes), SPI, sequence, 12-byte ICV */
		0x11, 0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, UDP_DNS_DEADBEEF};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(sizeof(packet), 124);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, packet, sizeof(packet), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.ip_version, 6);
	CU_ASSERT_EQUAL(out.l4_protocol, 17);
	CU_ASSERT_EQUAL(out.src_port, 54321);
	CU_ASSERT_EQUAL(out.dst_port, 53);
	CU_ASSERT_EQUAL(out.l3_length, 124);
	CU_ASSERT_PTR_EQUAL(out.payload, packet + 120);
	CU_ASSERT_EQUAL(out.flags, 0);
	check_every_truncation(0, TEST_DLT_RAW, packet, sizeof(packet), 120, PRONET_SKIP_NONE);
}

static void test_ipv6_fragments(void)
{
	/* IPv6 payload length 20: fragment header (next UDP, offset 0, M, id 2), UDP */
	/* clang-format off */
	static const uint8_t first[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x2c, 0x40, IPV6_ADDRESSES, 0x11, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x02, UDP_DNS_DEADBEEF};
	/* clang-format on */
	/* IPv6 payload length 20: fragment header (next UDP, offset 185), 12 data bytes */
	/* clang-format off */
	static const uint8_t later[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x14, 0x2c, 0x40, IPV6_ADDRESSES, 0x11, 0x00, 0x05,
		0xc8, 0x00, 0x00, 0x00, 0x02, UDP_DNS_DEADBEEF};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, first, sizeof(first), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_FIRST_FRAGMENT);
	CU_ASSERT_EQUAL(out.dst_port, 53);
	check_every_truncation(0, TEST_DLT_RAW, first, sizeof(first), 56, PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, later, sizeof(later), &out), PRONET_SKIP_FRAGMENT);
	CU_ASSERT_EQUAL(out.l4_protocol, 17);
	CU_ASSERT_EQUAL(out.src_port, 0);
	CU_ASSERT_EQUAL(out.dst_addr[15], 0x02);
	check_every_truncation(0, TEST_DLT_RAW, later, sizeof(later), 48, PRONET_SKIP_FRAGMENT);
}

static void test_ipv6_other_and_lying_lengths(void)
{
	/* IPv6 ESP: SPI 0x1000, sequence 1 */
	/* clang-format off */
	static const uint8_t esp[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x32, 0x40, IPV6_ADDRESSES, 0x00, 0x00, 0x10,
		0x00, 0x00, 0x00, 0x00, 0x01};
	/* clang-format on */
	/* IPv6 hop-by-hop (PadN) followed by "no next header" */
	/* clang-format off */
	static const uint8_t nothing[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x40, IPV6_ADDRESSES, 0x3b, 0x00, 0x01,
		0x04, 0x00, 0x00, 0x00, 0x00};
	/* clang-format on */
	/* IPv6 payload length 8, but its hop-by-hop header claims 16 bytes */
	/* clang-format off */
	static const uint8_t lying[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x40, IPV6_ADDRESSES, 0x11, 0x01, 0x01,
		0x04, 0x00, 0x00, 0x00, 0x00, UDP_DNS_DEADBEEF};
	/* clang-format on */
	/* IPv6 UDP whose payload length says 400: the capture kept 12 bytes */
	/* clang-format off */
	static const uint8_t snapped[] = {
		0x60, 0x00, 0x00, 0x00, 0x01, 0x90, 0x11, 0x40, IPV6_ADDRESSES, UDP_DNS_DEADBEEF};
	/* clang-format on */
	/* IPv6 payload length 4 carrying an 8-byte UDP header */
	/* clang-format off */
	static const uint8_t short_payload[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x04, 0x11, 0x40, IPV6_ADDRESSES, UDP_DNS_DEADBEEF};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, esp, sizeof(esp), &out), PRONET_SKIP_OTHER_PROTOCOL);
	CU_ASSERT_EQUAL(out.l4_protocol, 50);
	check_every_truncation(0, TEST_DLT_RAW, esp, sizeof(esp), 40, PRONET_SKIP_OTHER_PROTOCOL);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, nothing, sizeof(nothing), &out),
	                PRONET_SKIP_OTHER_PROTOCOL);
	CU_ASSERT_EQUAL(out.l4_protocol, 59);
	check_every_truncation(0, TEST_DLT_RAW, nothing, sizeof(nothing), 48,
	                       PRONET_SKIP_OTHER_PROTOCOL);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, lying, sizeof(lying), &out), PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, snapped, sizeof(snapped), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_SNAPPED);
	CU_ASSERT_EQUAL(out.l3_length, 52);
	CU_ASSERT_EQUAL(out.payload_length, 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, short_payload, sizeof(short_payload), &out),
	                PRONET_SKIP_BAD_HEADER);
}

static void test_ip_in_ip(void)
{
	/* IPv4 10.0.0.1 -> 10.0.0.2 protocol 4 (IP-in-IP), total 65, carrying
	 * IPv4 192.168.1.2 -> 192.168.1.3 TCP "GET /" */
	/* clang-format off */
	static const uint8_t ipip[] = {
		0x45, 0x00, 0x00, 0x41, 0x00, 0x05, 0x00, 0x00, 0x40, 0x04, 0x00, 0x00,
		IPV4_ADDRESSES_10, IPV4_TCP_GET};
	/* clang-format on */
	/* IPv4 protocol 41 (6in4), total 72, carrying IPv6 UDP */
	/* clang-format off */
	static const uint8_t six_in_four[] = {
		0x45, 0x00, 0x00, 0x48, 0x00, 0x05, 0x00, 0x00, 0x40, 0x29, 0x00, 0x00,
		IPV4_ADDRESSES_10, IPV6_UDP};
	/* clang-format on */
	/* IPv6 next header 4, payload length 45, carrying IPv4 TCP "GET /" */
	/* clang-format off */
	static const uint8_t four_in_six[] = {
		0x60, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x04, 0x40, IPV6_ADDRESSES, IPV4_TCP_GET};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, ipip, sizeof(ipip), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.flags, PRONET_PACKET_F_TUNNELED);
	CU_ASSERT_PTR_EQUAL(out.l3, ipip + 20);
	CU_ASSERT_EQUAL(out.l3_length, 45);
	CU_ASSERT_EQUAL(out.src_addr[0], 192);
	CU_ASSERT_EQUAL(out.dst_port, 80);
	check_every_truncation(0, TEST_DLT_RAW, ipip, sizeof(ipip), 60, PRONET_SKIP_NONE);

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, six_in_four, sizeof(six_in_four), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.ip_version, 6);
	CU_ASSERT_PTR_EQUAL(out.l3, six_in_four + 20);
	CU_ASSERT_EQUAL(out.dst_port, 53);
	check_every_truncation(0, TEST_DLT_RAW, six_in_four, sizeof(six_in_four), 68,
	                       PRONET_SKIP_NONE);

	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, four_in_six, sizeof(four_in_six), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.ip_version, 4);
	CU_ASSERT_EQUAL(out.src_addr[0], 192);
	CU_ASSERT_EQUAL(out.src_addr[4], 0); /* no IPv6 bytes left behind */
	check_every_truncation(0, TEST_DLT_RAW, four_in_six, sizeof(four_in_six), 80,
	                       PRONET_SKIP_NONE);
}

/* Writes `levels` IPv4 headers, each protocol 4 but the last (TCP), then a
 * TCP header; returns the length. */
static size_t write_nested_ipv4(uint8_t *buffer, int levels)
{
	static const uint8_t tcp[] = {TCP_HEADER_PSH_ACK};
	size_t length = (size_t)levels * 20 + sizeof(tcp);

	for (int level = 0; level < levels; level++) {
		uint8_t *header = buffer + level * 20;
		size_t total = length - (size_t)level * 20;

		memset(header, 0, 20);
		header[0] = 0x45;
		header[2] = (uint8_t)(total >> 8);
		header[3] = (uint8_t)total;
		header[9] = level == levels - 1 ? 6 : 4;
	}
	memcpy(buffer + levels * 20, tcp, sizeof(tcp));
	return length;
}

static void test_nesting_is_bounded(void)
{
	uint8_t buffer[6 * 20 + 20];
	struct pronet_packet out;

	size_t length = write_nested_ipv4(buffer, 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, buffer, length, &out), PRONET_SKIP_NONE);
	CU_ASSERT_PTR_EQUAL(out.l3, buffer + 60);
	length = write_nested_ipv4(buffer, 5);
	CU_ASSERT_EQUAL(decode(TEST_DLT_RAW, buffer, length, &out), PRONET_SKIP_BAD_HEADER);
}

static CU_TestInfo tests[] = {
    {"IPv4 options are skipped", test_ipv4_options_are_skipped},
    {"impossible IPv4 headers", test_ipv4_impossible_headers},
    {"IPv4 cut by snaplen is flagged", test_ipv4_snapped_is_flagged},
    {"IPv4 first and later fragments", test_ipv4_fragments},
    {"IPv6 with every extension header", test_ipv6_every_extension_header},
    {"IPv6 first and later fragments", test_ipv6_fragments},
    {"IPv6 ESP, no next header, lying lengths", test_ipv6_other_and_lying_lengths},
    {"IP-in-IP, 6in4, 4in6", test_ip_in_ip},
    {"nesting is bounded", test_nesting_is_bounded},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/decode (IPv4, IPv6)", tests);
}
