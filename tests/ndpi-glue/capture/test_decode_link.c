/* Tests of the link-type decoders: ndpi-glue/capture/decode.c, decode_ethernet.c,
 * decode_sll.c, decode_null.c, decode_ppp.c. Every crafted frame is also cut
 * at every length and must never be read past its end. */
#include "tests/ndpi-glue/capture/test_decode.h"
#include "tests/unit.h"

static void assert_ipv4_tcp_get(const struct pronet_packet *out, const uint8_t *l3)
{
	static const uint8_t source[16] = {192, 168, 1, 2}, destination[16] = {192, 168, 1, 3};

	CU_ASSERT_PTR_EQUAL(out->l3, l3);
	CU_ASSERT_EQUAL(out->l3_length, 45);
	CU_ASSERT_EQUAL(out->ip_version, 4);
	CU_ASSERT_EQUAL(out->l4_protocol, 6);
	CU_ASSERT_EQUAL(memcmp(out->src_addr, source, 16), 0);
	CU_ASSERT_EQUAL(memcmp(out->dst_addr, destination, 16), 0);
	CU_ASSERT_EQUAL(out->src_port, 12345);
	CU_ASSERT_EQUAL(out->dst_port, 80);
	CU_ASSERT_EQUAL(out->tcp_flags, 0x18);
	CU_ASSERT_PTR_EQUAL(out->payload, l3 + IPV4_TCP_GET_HEADERS);
	CU_ASSERT_EQUAL(out->payload_length, 5);
	CU_ASSERT_EQUAL(memcmp(out->payload, "GET /", 5), 0);
}

static void assert_ipv6_udp(const struct pronet_packet *out, const uint8_t *l3)
{
	CU_ASSERT_PTR_EQUAL(out->l3, l3);
	CU_ASSERT_EQUAL(out->l3_length, 52);
	CU_ASSERT_EQUAL(out->ip_version, 6);
	CU_ASSERT_EQUAL(out->l4_protocol, 17);
	CU_ASSERT_EQUAL(out->src_addr[0], 0x20);
	CU_ASSERT_EQUAL(out->src_addr[15], 0x01);
	CU_ASSERT_EQUAL(out->dst_addr[15], 0x02);
	CU_ASSERT_EQUAL(out->src_port, 54321);
	CU_ASSERT_EQUAL(out->dst_port, 53);
	CU_ASSERT_EQUAL(out->payload_length, 4);
}

static void test_ethernet_ipv4_tcp(void)
{
	/* Ethernet II, IPv4, TCP 12345 -> 80 "GET /" */
	static const uint8_t frame[] = {ETHERNET_ADDRESSES, 0x08, 0x00, IPV4_TCP_GET};
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, frame, sizeof(frame), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, frame + 14);
	CU_ASSERT_EQUAL(out.vlan_id, 0);
	CU_ASSERT_EQUAL(out.flags, 0);
	CU_ASSERT_EQUAL(out.wire_length, 1500);
	CU_ASSERT_EQUAL(out.timestamp_us, 1234567890123456ull);
	check_every_truncation(0, TEST_DLT_EN10MB, frame, sizeof(frame), 14 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
}

static void test_ethernet_padding_is_not_ip(void)
{
	/* Ethernet II, IPv4 10.0.0.1 -> 10.0.0.2 UDP 54321 -> 53 with 4 payload
	 * bytes (IP total 32), padded with 14 zero bytes to the 60-byte minimum */
	/* clang-format off */
	static const uint8_t frame[] = {
		ETHERNET_ADDRESSES, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x02, 0x00, 0x00,
		0x40, 0x11, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0xd4, 0x31,
		0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(sizeof(frame), 60);
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, frame, sizeof(frame), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.l3_length, 32);
	CU_ASSERT_EQUAL(out.payload_length, 4);
	CU_ASSERT_EQUAL(out.flags, 0);
	check_every_truncation(0, TEST_DLT_EN10MB, frame, sizeof(frame), 14 + 28, PRONET_SKIP_NONE);
}

static void test_vlan_8021q(void)
{
	/* Ethernet, 802.1Q tag PCP 3 VID 100, IPv4 TCP "GET /" */
	/* clang-format off */
	static const uint8_t frame[] = {
		ETHERNET_ADDRESSES, 0x81, 0x00, 0x60, 0x64, 0x08, 0x00, IPV4_TCP_GET};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, frame, sizeof(frame), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.vlan_id, 100);
	assert_ipv4_tcp_get(&out, frame + 18);
	check_every_truncation(0, TEST_DLT_EN10MB, frame, sizeof(frame), 18 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
}

static void test_qinq_records_inner_vlan(void)
{
	/* Ethernet, 802.1ad S-tag (0x88a8) VID 10, 802.1Q C-tag VID 20, IPv4 TCP */
	/* clang-format off */
	static const uint8_t qinq[] = {
		ETHERNET_ADDRESSES, 0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x08, 0x00,
		IPV4_TCP_GET};
	/* clang-format on */
	/* Ethernet, old QinQ (0x9100) VID 4094, 802.1Q VID 1, IPv6 UDP */
	/* clang-format off */
	static const uint8_t old_qinq[] = {
		ETHERNET_ADDRESSES, 0x91, 0x00, 0x0f, 0xfe, 0x81, 0x00, 0x00, 0x01, 0x86, 0xdd,
		IPV6_UDP};
	/* clang-format on */
	/* Ethernet, priority tag (VID 0), 802.1Q VID 7, IPv4 TCP */
	/* clang-format off */
	static const uint8_t priority[] = {
		ETHERNET_ADDRESSES, 0x81, 0x00, 0xe0, 0x00, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00,
		IPV4_TCP_GET};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, qinq, sizeof(qinq), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.vlan_id, 20);
	assert_ipv4_tcp_get(&out, qinq + 22);
	check_every_truncation(0, TEST_DLT_EN10MB, qinq, sizeof(qinq), 22 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, old_qinq, sizeof(old_qinq), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.vlan_id, 1);
	assert_ipv6_udp(&out, old_qinq + 22);
	check_every_truncation(0, TEST_DLT_EN10MB, old_qinq, sizeof(old_qinq),
	                       22 + IPV6_UDP_HEADERS, PRONET_SKIP_NONE);

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, priority, sizeof(priority), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.vlan_id, 7);

	/* Ethernet, 802.1Q VID 7, inner priority tag (VID 0), IPv4 TCP: the
	 * innermost VID, 0, as ndpiReader 4.2 keys it. */
	/* clang-format off */
	static const uint8_t inner_priority[] = {
		ETHERNET_ADDRESSES, 0x81, 0x00, 0x00, 0x07, 0x81, 0x00, 0xe0, 0x00, 0x08, 0x00,
		IPV4_TCP_GET};
	/* clang-format on */
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, inner_priority, sizeof(inner_priority), &out),
	                PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(out.vlan_id, 0);
}

static void test_ethernet_not_ip(void)
{
	/* Ethernet, ARP request who-has 10.0.0.2 tell 10.0.0.1 */
	/* clang-format off */
	static const uint8_t arp[] = {
		ETHERNET_ADDRESSES, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x0a, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x0a,
		0x00, 0x00, 0x02};
	/* clang-format on */
	/* 802.3 frame, length 38, LLC 42 42 03: spanning tree BPDU (start) */
	/* clang-format off */
	static const uint8_t stp[] = {
		ETHERNET_ADDRESSES, 0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00};
	/* clang-format on */
	/* Ethernet with type/length 0x05ff: neither a length nor a type */
	static const uint8_t bad[] = {ETHERNET_ADDRESSES, 0x05, 0xff, IPV4_TCP_GET};
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, arp, sizeof(arp), &out), PRONET_SKIP_NOT_IP);
	check_every_truncation(0, TEST_DLT_EN10MB, arp, sizeof(arp), 14, PRONET_SKIP_NOT_IP);
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, stp, sizeof(stp), &out), PRONET_SKIP_NOT_IP);
	check_every_truncation(0, TEST_DLT_EN10MB, stp, sizeof(stp), 17, PRONET_SKIP_NOT_IP);
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, bad, sizeof(bad), &out), PRONET_SKIP_BAD_HEADER);
}

static void test_llc_snap_mpls_pppoe(void)
{
	/* 802.3 frame, LLC AA AA 03, SNAP OUI 000000 type 0x0800, IPv4 TCP */
	/* clang-format off */
	static const uint8_t snap[] = {
		ETHERNET_ADDRESSES, 0x00, 0x35, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00,
		IPV4_TCP_GET};
	/* clang-format on */
	/* Ethernet, MPLS label 16 (not bottom), label 17 (bottom of stack), IPv4 TCP */
	/* clang-format off */
	static const uint8_t mpls[] = {
		ETHERNET_ADDRESSES, 0x88, 0x47, 0x00, 0x01, 0x00, 0x40, 0x00, 0x01, 0x11, 0x40,
		IPV4_TCP_GET};
	/* clang-format on */
	/* Ethernet, PPPoE session 0x1234 length 47, PPP protocol 0x0021, IPv4 TCP */
	/* clang-format off */
	static const uint8_t pppoe[] = {
		ETHERNET_ADDRESSES, 0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00, 0x2f, 0x00, 0x21,
		IPV4_TCP_GET};
	/* clang-format on */
	/* Ethernet, PPPoE session, PPP LCP (0xc021) echo request */
	/* clang-format off */
	static const uint8_t lcp[] = {
		ETHERNET_ADDRESSES, 0x88, 0x64, 0x11, 0x00, 0x12, 0x34, 0x00, 0x0a, 0xc0, 0x21,
		0x09, 0x01, 0x00, 0x08, 0, 0, 0, 0};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, snap, sizeof(snap), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, snap + 22);
	check_every_truncation(0, TEST_DLT_EN10MB, snap, sizeof(snap), 22 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, mpls, sizeof(mpls), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, mpls + 22);
	check_every_truncation(0, TEST_DLT_EN10MB, mpls, sizeof(mpls), 22 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, pppoe, sizeof(pppoe), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, pppoe + 22);
	check_every_truncation(0, TEST_DLT_EN10MB, pppoe, sizeof(pppoe), 22 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_EN10MB, lcp, sizeof(lcp), &out), PRONET_SKIP_NOT_IP);
}

static void test_linux_cooked(void)
{
	/* Linux SLL v1: outgoing (4), ARPHRD_ETHER, 6-byte address, protocol 0x0800, IPv4 TCP */
	/* clang-format off */
	static const uint8_t sll[] = {
		0x00, 0x04, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x00, 0x00,
		0x08, 0x00, IPV4_TCP_GET};
	/* clang-format on */
	/* Linux SLL v2: protocol 0x86dd, ifindex 2, ARPHRD_ETHER, host (0), IPv6 UDP */
	/* clang-format off */
	static const uint8_t sll2[] = {
		0x86, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06, 0x00, 0x11,
		0x22, 0x33, 0x44, 0x55, 0x00, 0x00, IPV6_UDP};
	/* clang-format on */
	/* Linux SLL v1 of a netlink socket (ARPHRD 824), netlink family 0 */
	/* clang-format off */
	static const uint8_t netlink[] = {
		0x00, 0x04, 0x03, 0x38, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x14, 0, 0,
		0};
	/* clang-format on */
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_LINUX_SLL, sll, sizeof(sll), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, sll + 16);
	check_every_truncation(0, TEST_DLT_LINUX_SLL, sll, sizeof(sll), 16 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_LINUX_SLL2, sll2, sizeof(sll2), &out), PRONET_SKIP_NONE);
	assert_ipv6_udp(&out, sll2 + 20);
	check_every_truncation(0, TEST_DLT_LINUX_SLL2, sll2, sizeof(sll2), 20 + IPV6_UDP_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_LINUX_SLL, netlink, sizeof(netlink), &out),
	                PRONET_SKIP_NOT_IP);
}

static void test_null_and_loop_families(void)
{
	/* BSD null, AF_INET (2) little-endian, IPv4 TCP */
	static const uint8_t null_le[] = {0x02, 0x00, 0x00, 0x00, IPV4_TCP_GET};
	/* OpenBSD loop, AF_INET (2) big-endian, IPv4 TCP */
	static const uint8_t loop_be[] = {0x00, 0x00, 0x00, 0x02, IPV4_TCP_GET};
	/* BSD null, AF_INET6 as 24 (NetBSD/OpenBSD) big-endian, IPv6 UDP */
	static const uint8_t null6_24[] = {0x00, 0x00, 0x00, 0x18, IPV6_UDP};
	/* BSD null, AF_INET6 as 28 (FreeBSD) little-endian, IPv6 UDP */
	static const uint8_t null6_28[] = {0x1c, 0x00, 0x00, 0x00, IPV6_UDP};
	/* BSD null, AF_INET6 as 30 (macOS) little-endian, IPv6 UDP */
	static const uint8_t null6_30[] = {0x1e, 0x00, 0x00, 0x00, IPV6_UDP};
	/* BSD null, family 7 (AF_IMPLINK), some bytes */
	static const uint8_t other[] = {0x07, 0x00, 0x00, 0x00, 0x45, 0x00};
	/* BSD null, AF_INET but the packet is IPv6 */
	static const uint8_t mismatch[] = {0x02, 0x00, 0x00, 0x00, IPV6_UDP};
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_NULL, null_le, sizeof(null_le), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, null_le + 4);
	check_every_truncation(0, TEST_DLT_NULL, null_le, sizeof(null_le), 4 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_LOOP, loop_be, sizeof(loop_be), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, loop_be + 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_NULL, null6_24, sizeof(null6_24), &out), PRONET_SKIP_NONE);
	assert_ipv6_udp(&out, null6_24 + 4);
	check_every_truncation(0, TEST_DLT_NULL, null6_24, sizeof(null6_24), 4 + IPV6_UDP_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_NULL, null6_28, sizeof(null6_28), &out), PRONET_SKIP_NONE);
	assert_ipv6_udp(&out, null6_28 + 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_LOOP, null6_30, sizeof(null6_30), &out), PRONET_SKIP_NONE);
	assert_ipv6_udp(&out, null6_30 + 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_NULL, other, sizeof(other), &out), PRONET_SKIP_NOT_IP);
	CU_ASSERT_EQUAL(decode(TEST_DLT_NULL, mismatch, sizeof(mismatch), &out),
	                PRONET_SKIP_BAD_HEADER);
}

static void test_raw_ip_link_types(void)
{
	/* Raw IPv4 TCP "GET /" */
	static const uint8_t ipv4[] = {IPV4_TCP_GET};
	/* Raw IPv6 UDP */
	static const uint8_t ipv6[] = {IPV6_UDP};
	static const int raw_types[] = {TEST_DLT_RAW, TEST_DLT_RAW_OPENBSD, TEST_DLT_LINKTYPE_RAW};
	struct pronet_packet out;

	for (size_t i = 0; i < sizeof(raw_types) / sizeof(raw_types[0]); i++) {
		CU_ASSERT_EQUAL(decode(raw_types[i], ipv4, sizeof(ipv4), &out), PRONET_SKIP_NONE);
		assert_ipv4_tcp_get(&out, ipv4);
		CU_ASSERT_EQUAL(decode(raw_types[i], ipv6, sizeof(ipv6), &out), PRONET_SKIP_NONE);
		assert_ipv6_udp(&out, ipv6);
	}
	check_every_truncation(0, TEST_DLT_RAW, ipv4, sizeof(ipv4), IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	check_every_truncation(0, TEST_DLT_RAW, ipv6, sizeof(ipv6), IPV6_UDP_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_IPV4, ipv4, sizeof(ipv4), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_IPV6, ipv6, sizeof(ipv6), &out), PRONET_SKIP_NONE);
	/* DLT_IPV4 promises IPv4: an IPv6 packet there is a bad header, and vice versa. */
	CU_ASSERT_EQUAL(decode(TEST_DLT_IPV4, ipv6, sizeof(ipv6), &out), PRONET_SKIP_BAD_HEADER);
	CU_ASSERT_EQUAL(decode(TEST_DLT_IPV6, ipv4, sizeof(ipv4), &out), PRONET_SKIP_BAD_HEADER);
}

static void test_ppp_and_cisco_hdlc(void)
{
	/* PPP in HDLC-like framing: FF 03, protocol 0x0021, IPv4 TCP */
	static const uint8_t ppp[] = {0xff, 0x03, 0x00, 0x21, IPV4_TCP_GET};
	/* PPP, address/control and protocol compressed: protocol 0x21, IPv4 TCP */
	static const uint8_t ppp_compressed[] = {0x21, IPV4_TCP_GET};
	/* PPP, FF 03, protocol 0x0057, IPv6 UDP */
	static const uint8_t ppp6[] = {0xff, 0x03, 0x00, 0x57, IPV6_UDP};
	/* Cisco HDLC unicast, ethertype 0x0800, IPv4 TCP */
	static const uint8_t chdlc[] = {0x0f, 0x00, 0x08, 0x00, IPV4_TCP_GET};
	/* Cisco HDLC keepalive (SLARP, 0x8035) */
	static const uint8_t slarp[] = {0x8f, 0x00, 0x80, 0x35, 0, 0, 0, 2};
	struct pronet_packet out;

	CU_ASSERT_EQUAL(decode(TEST_DLT_PPP, ppp, sizeof(ppp), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, ppp + 4);
	check_every_truncation(0, TEST_DLT_PPP, ppp, sizeof(ppp), 4 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_PPP, ppp_compressed, sizeof(ppp_compressed), &out),
	                PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, ppp_compressed + 1);
	CU_ASSERT_EQUAL(decode(TEST_DLT_PPP_SERIAL, ppp6, sizeof(ppp6), &out), PRONET_SKIP_NONE);
	assert_ipv6_udp(&out, ppp6 + 4);
	CU_ASSERT_EQUAL(decode(TEST_DLT_C_HDLC, chdlc, sizeof(chdlc), &out), PRONET_SKIP_NONE);
	assert_ipv4_tcp_get(&out, chdlc + 4);
	check_every_truncation(0, TEST_DLT_C_HDLC, chdlc, sizeof(chdlc), 4 + IPV4_TCP_GET_HEADERS,
	                       PRONET_SKIP_NONE);
	/* DLT_PPP_SERIAL also carries Cisco HDLC frames. */
	CU_ASSERT_EQUAL(decode(TEST_DLT_PPP_SERIAL, chdlc, sizeof(chdlc), &out), PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(decode(TEST_DLT_C_HDLC, slarp, sizeof(slarp), &out), PRONET_SKIP_NOT_IP);
}

static void test_unknown_link_type_and_arguments(void)
{
	/* Raw IPv4 TCP, offered as 802.11 radiotap, which we do not decode */
	static const uint8_t ipv4[] = {IPV4_TCP_GET};
	struct pronet_packet out;
	enum pronet_packet_skip skip;

	CU_ASSERT_EQUAL(decode(TEST_DLT_IEEE802_11_RADIO, ipv4, sizeof(ipv4), &out),
	                PRONET_SKIP_LINKTYPE);
	CU_ASSERT_FALSE(pronet_decode_supports_datalink(TEST_DLT_IEEE802_11_RADIO));
	CU_ASSERT_TRUE(pronet_decode_supports_datalink(TEST_DLT_LINUX_SLL2));
	CU_ASSERT_EQUAL(pronet_decode_packet(TEST_DLT_RAW, ipv4, sizeof(ipv4), 0, 0, NULL, &skip),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_decode_packet(TEST_DLT_RAW, ipv4, sizeof(ipv4), 0, 0, &out, NULL),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_decode_packet(TEST_DLT_RAW, NULL, 10, 0, 0, &out, &skip),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_decode_packet(TEST_DLT_RAW, NULL, 0, 0, 0, &out, &skip), PRONET_OK);
	CU_ASSERT_EQUAL(skip, PRONET_SKIP_TRUNCATED);
}

static void test_skip_names(void)
{
	CU_ASSERT_STRING_EQUAL(pronet_packet_skip_name(PRONET_SKIP_NONE), "none");
	CU_ASSERT_STRING_EQUAL(pronet_packet_skip_name(PRONET_SKIP_FRAGMENT), "fragment");
	for (int skip = 0; skip < PRONET_SKIP_COUNT_; skip++)
		CU_ASSERT_STRING_NOT_EQUAL(pronet_packet_skip_name((enum pronet_packet_skip)skip),
		                           "unknown");
	CU_ASSERT_STRING_EQUAL(pronet_packet_skip_name(PRONET_SKIP_COUNT_), "unknown");
}

static CU_TestInfo tests[] = {
    {"Ethernet IPv4 TCP", test_ethernet_ipv4_tcp},
    {"Ethernet padding is not IP payload", test_ethernet_padding_is_not_ip},
    {"802.1Q VLAN", test_vlan_8021q},
    {"QinQ keys by the inner VLAN ID", test_qinq_records_inner_vlan},
    {"ARP, STP, bad type are not IP", test_ethernet_not_ip},
    {"LLC/SNAP, MPLS, PPPoE", test_llc_snap_mpls_pppoe},
    {"Linux cooked v1 and v2", test_linux_cooked},
    {"BSD null/loop in both byte orders", test_null_and_loop_families},
    {"raw IP link types", test_raw_ip_link_types},
    {"PPP and Cisco HDLC", test_ppp_and_cisco_hdlc},
    {"unknown link type and argument errors", test_unknown_link_type_and_arguments},
    {"skip reasons have names", test_skip_names},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/decode (link types)", tests);
}
