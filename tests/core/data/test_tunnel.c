/* Tests of core/data/tunnel.c on hand-built flows: ESP's sizes byte for byte
 * (outer IP, ESP header, IV, the packet and its 2-byte trailer padded to 16,
 * ICV of 16 or 32, UDP for NAT traversal), Tor's cells, TLS records, TCP
 * segments, delayed ACKs and SENDMEs, times and directions kept, the
 * numbering, and bad input refused. */
#include "core/data/tunnel.h"
#include "tests/unit.h"

#include <string.h>

#define MAX_OUT 128

/* A record of an inner packet: `wire` bytes on the wire, `payload` of them
 * payload, at time t (us), client to server when dir is 0. */
static struct pronet_packet_record inner(uint8_t dir, uint16_t wire, uint16_t payload, uint64_t t,
                                         uint8_t proto)
{
	struct pronet_packet_record r;
	memset(&r, 0, sizeof(r));
	r.direction = dir;
	r.wire_length = wire;
	r.payload_length = payload;
	r.payload_index = payload > 0 ? 0 : PRONET_PAYLOAD_INDEX_NONE;
	r.timestamp_us = t;
	r.l4_protocol = proto;
	return r;
}

static size_t transform(const struct pronet_tunnel_options *o,
                        const struct pronet_packet_record *in, const uint32_t *stream, size_t n,
                        struct pronet_packet_record *out, struct pronet_tunnel_stats *stats)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t count = 0;
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(o, in, stream, n, out, MAX_OUT, &count, stats, "test", errbuf),
	    PRONET_OK);
	return count;
}

static void test_esp_sizes(void)
{
	/* Wire lengths 40 (a pure ACK), 46 (46 + 2 fills 48 exactly), 47, 52,
	 * 100, 1500; the ESP packet is 8 + 16 + roundup(L + 2, 16) + ICV. */
	const uint16_t wire[] = {40, 46, 47, 52, 100, 1500};
	const uint32_t icv16[] = {108, 108, 124, 124, 172, 1564};
	const uint32_t icv32[] = {124, 124, 140, 140, 188, 1580};
	struct pronet_packet_record in[6], out[MAX_OUT];
	uint32_t stream[6] = {0};
	struct pronet_tunnel_options o;
	struct pronet_tunnel_stats stats = {0};
	for (int i = 0; i < 6; i++)
		in[i] = inner((uint8_t)(i % 2), wire[i], i == 0 ? 0 : (uint16_t)(wire[i] - 40),
		              100 * (uint64_t)i, 6);
	pronet_tunnel_options_default(&o);
	CU_ASSERT_EQUAL(o.kind, PRONET_TUNNEL_ESP);
	CU_ASSERT_EQUAL(o.esp_icv_bytes, 16);
	CU_ASSERT_EQUAL_FATAL(transform(&o, in, stream, 6, out, &stats), 6);
	for (uint32_t i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(out[i].wire_length, icv16[i]);
		CU_ASSERT_EQUAL(out[i].payload_length, icv16[i] - 20);
		CU_ASSERT_EQUAL(out[i].l4_protocol, 50);
		CU_ASSERT_EQUAL(out[i].direction, i % 2);
		CU_ASSERT_EQUAL(out[i].timestamp_us, 100 * i);
		CU_ASSERT_EQUAL(out[i].packet_index, i);
		/* Encrypted: the pure ACK has payload like any other. */
		CU_ASSERT_EQUAL(out[i].payload_index, i);
		CU_ASSERT_EQUAL(out[i].length, 0);
	}
	CU_ASSERT_EQUAL(stats.inner_packets, 6);
	CU_ASSERT_EQUAL(stats.outer_packets, 6);
	o.esp_icv_bytes = 32;
	transform(&o, in, stream, 6, out, NULL);
	for (int i = 0; i < 6; i++)
		CU_ASSERT_EQUAL(out[i].wire_length, icv32[i]);
	/* NAT traversal: in UDP, 8 bytes more. */
	o.esp_icv_bytes = 16;
	o.esp_udp = 1;
	transform(&o, in, stream, 6, out, NULL);
	CU_ASSERT_EQUAL(out[0].wire_length, 116);
	CU_ASSERT_EQUAL(out[0].payload_length, 88);
	CU_ASSERT_EQUAL(out[0].l4_protocol, 17);
}

static void test_none_renumbers(void)
{
	struct pronet_packet_record in[3] = {inner(0, 60, 0, 5, 6), inner(1, 90, 50, 7, 6),
	                                     inner(0, 70, 30, 9, 6)};
	struct pronet_packet_record out[MAX_OUT];
	uint32_t stream[3] = {0, 1, 1};
	struct pronet_tunnel_options o;
	pronet_tunnel_options_default(&o);
	o.kind = PRONET_TUNNEL_NONE;
	CU_ASSERT_EQUAL_FATAL(transform(&o, in, stream, 3, out, NULL), 3);
	CU_ASSERT_EQUAL(out[0].payload_index, PRONET_PAYLOAD_INDEX_NONE);
	CU_ASSERT_EQUAL(out[1].payload_index, 0);
	CU_ASSERT_EQUAL(out[2].payload_index, 1);
	CU_ASSERT_EQUAL(out[2].packet_index, 2);
	CU_ASSERT_EQUAL(out[1].wire_length, 90);
	CU_ASSERT_EQUAL(out[1].payload_length, 50);
	CU_ASSERT_EQUAL(out[1].direction, 1);
	CU_ASSERT_EQUAL(out[2].timestamp_us, 9);
}

/* One expected outer packet. */
struct expect {
	uint8_t dir;
	uint16_t wire;
	uint64_t t;
};

static void check_packets(const struct pronet_packet_record *out, size_t n,
                          const struct expect *want, size_t m)
{
	CU_ASSERT_EQUAL_FATAL(n, m);
	for (size_t i = 0; i < m; i++) {
		CU_ASSERT_EQUAL(out[i].direction, want[i].dir);
		CU_ASSERT_EQUAL(out[i].wire_length, want[i].wire);
		CU_ASSERT_EQUAL(out[i].timestamp_us, want[i].t);
		CU_ASSERT_EQUAL(out[i].l4_protocol, 6);
		if (want[i].wire == 52) { /* a pure ACK */
			CU_ASSERT_EQUAL(out[i].payload_length, 0);
			CU_ASSERT_EQUAL(out[i].payload_index, PRONET_PAYLOAD_INDEX_NONE);
			CU_ASSERT_EQUAL(out[i].tcp_flags, 0x10);
		} else {
			CU_ASSERT_EQUAL(out[i].payload_length, want[i].wire - 52);
			CU_ASSERT_EQUAL(out[i].tcp_flags, 0x18);
		}
	}
}

static void test_tor_cells(void)
{
	/* A TCP flow: SYN, SYN-ACK, ACK, a 300-byte request, a 1000-byte
	 * response, an ACK; and a UDP datagram, which Tor does not carry. */
	struct pronet_packet_record in[7] = {inner(0, 60, 0, 0, 6),       inner(1, 60, 0, 10, 6),
	                                     inner(0, 52, 0, 20, 6),      inner(0, 352, 300, 30, 6),
	                                     inner(1, 1052, 1000, 40, 6), inner(0, 52, 0, 50, 6),
	                                     inner(0, 128, 100, 60, 17)};
	uint32_t stream[7] = {0, 0, 0, 0, 0, 0, 1};
	/* One cell in a TLS record is 514 + 22 = 536 bytes, a 588-byte packet:
	 * BEGIN up at the SYN, CONNECTED down at the SYN-ACK, the request's
	 * cell; the response's 3 cells are 1564 bytes, segments of 1448 and
	 * 116, and the client acknowledges the second segment it received. */
	const struct expect want[] = {{0, 588, 0},   {1, 588, 10}, {0, 588, 30},
	                              {1, 1500, 40}, {1, 168, 40}, {0, 52, 40}};
	struct pronet_packet_record out[MAX_OUT];
	struct pronet_tunnel_options o;
	struct pronet_tunnel_stats stats = {0};
	pronet_tunnel_options_default(&o);
	o.kind = PRONET_TUNNEL_TOR;
	size_t n = transform(&o, in, stream, 7, out, &stats);
	check_packets(out, n, want, sizeof(want) / sizeof(want[0]));
	CU_ASSERT_EQUAL(stats.cells, 6);
	CU_ASSERT_EQUAL(stats.not_carried, 5); /* SYN, SYN-ACK, 2 ACKs, UDP */
	CU_ASSERT_EQUAL(out[5].packet_index, 5);
	CU_ASSERT_EQUAL(out[4].payload_index, 4);
}

static void test_tor_sendme_and_streams(void)
{
	/* A server's first packet of 60 x 498 bytes: BEGIN up and CONNECTED
	 * down first, then 60 cells in 2 TLS records (31 + 29 cells: 30,884
	 * bytes), 21 full segments and one of 476, a client ACK after every
	 * second (11), then the client's stream-level SENDME for 50 cells. */
	struct pronet_packet_record in[1] = {inner(1, 29932, 29880, 7, 6)};
	uint32_t stream[1] = {0};
	struct pronet_packet_record out[MAX_OUT];
	struct pronet_tunnel_options o;
	struct pronet_tunnel_stats stats = {0};
	pronet_tunnel_options_default(&o);
	o.kind = PRONET_TUNNEL_TOR;
	size_t n = transform(&o, in, stream, 1, out, &stats);
	CU_ASSERT_EQUAL_FATAL(n, 2 + 22 + 11 + 1);
	CU_ASSERT_EQUAL(out[0].wire_length, 588);
	CU_ASSERT_EQUAL(out[0].direction, 0);
	CU_ASSERT_EQUAL(out[1].direction, 1);
	size_t full = 0, acks = 0, bytes = 0;
	for (size_t i = 2; i < n - 1; i++) {
		full += out[i].wire_length == 1500;
		acks += out[i].wire_length == 52 && out[i].direction == 0;
		if (out[i].direction == 1)
			bytes += out[i].payload_length;
	}
	CU_ASSERT_EQUAL(full, 21);
	CU_ASSERT_EQUAL(acks, 11);
	CU_ASSERT_EQUAL(bytes, 60 * 514 + 2 * 22);
	CU_ASSERT_EQUAL(out[n - 1].wire_length, 588); /* the SENDME */
	CU_ASSERT_EQUAL(out[n - 1].direction, 0);
	CU_ASSERT_EQUAL(stats.cells, 63);

	/* Two streams in one circuit: each opens with its own BEGIN. */
	struct pronet_packet_record two[2] = {inner(0, 140, 100, 1, 6), inner(0, 140, 100, 2, 6)};
	uint32_t streams[2] = {0, 1};
	n = transform(&o, two, streams, 2, out, NULL);
	CU_ASSERT_EQUAL(n, 4 + 2); /* BEGIN, DATA, BEGIN, DATA + 2 server ACKs */
	streams[1] = 0;
	CU_ASSERT_EQUAL(transform(&o, two, streams, 2, out, NULL), 3 + 1);
}

static void test_bad_input_refused(void)
{
	struct pronet_packet_record in[2] = {inner(0, 60, 0, 10, 6), inner(1, 60, 0, 5, 6)};
	struct pronet_packet_record out[1];
	uint32_t stream[2] = {0, 0};
	struct pronet_tunnel_options o;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t count = 99;
	pronet_tunnel_options_default(&o);
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(&o, in, stream, 2, NULL, 0, &count, NULL, "x.ds", errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "x.ds: packet 1 is earlier"));
	CU_ASSERT_EQUAL(count, 0);
	in[1].timestamp_us = 20;
	in[1].wire_length = 0; /* a v1 record */
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(&o, in, stream, 2, NULL, 0, &count, NULL, "x.ds", errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "no IP length"));
	in[1].wire_length = 60;
	stream[1] = 2;
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(&o, in, stream, 2, NULL, 0, &count, NULL, "x.ds", errbuf),
	    PRONET_ERR_ARG);
	stream[1] = 0;
	/* Counting first, then too little room: the first record, and LIMIT. */
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(&o, in, stream, 2, NULL, 0, &count, NULL, "x.ds", errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(count, 2);
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(&o, in, stream, 2, out, 1, &count, NULL, "x.ds", errbuf),
	    PRONET_ERR_LIMIT);
	CU_ASSERT_EQUAL(count, 2);
	CU_ASSERT_EQUAL(out[0].wire_length, 124); /* 20 + 8 + 16 + roundup(62, 16) + 16 */
	o.esp_icv_bytes = 12;
	CU_ASSERT_EQUAL(
	    pronet_tunnel_transform(&o, in, stream, 2, NULL, 0, &count, NULL, "x.ds", errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "ICV"));
}

static CU_TestInfo tests[] = {
    {"ESP: sizes byte for byte", test_esp_sizes},
    {"none: packets as they are, renumbered", test_none_renumbers},
    {"Tor: cells, records, segments, ACKs", test_tor_cells},
    {"Tor: SENDMEs and streams", test_tor_sendme_and_streams},
    {"bad input refused", test_bad_input_refused},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/data/tunnel", tests);
}
