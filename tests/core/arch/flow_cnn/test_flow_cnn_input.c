/* Tests of core/arch/flow_cnn/flow_cnn_input.c, the input step on
 * hand-built flows: TLS record headers stripped, gaps as 4 big-endian
 * bytes, truncation and padding. */
#include "core/arch/flow_cnn/flow_cnn.h"
#include "tests/core/arch/flow_cnn/flow_cnn_synthetic.h"
#include "tests/unit.h"

#include <string.h>

/* A TLS 1.2 application_data header: type 23, version 3.3, length. */
static size_t put_tls_header(uint8_t *at, uint8_t type, size_t length)
{
	at[0] = type;
	at[1] = 0x03;
	at[2] = 0x03;
	at[3] = (uint8_t)(length >> 8);
	at[4] = (uint8_t)length;
	return 5;
}

static void test_tls_headers_are_stripped(void)
{
	uint8_t in[64], out[64];
	size_t n = 0;

	/* Two whole records in one segment: header, 3 bytes, header, 4 bytes. */
	n += put_tls_header(in + n, 23, 3);
	memcpy(in + n, "\x01\x02\x03", 3), n += 3;
	n += put_tls_header(in + n, 22, 4);
	memcpy(in + n, "\x04\x05\x06\x07", 4), n += 4;
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, sizeof(out)), 7);
	CU_ASSERT_EQUAL(memcmp(out, "\x01\x02\x03\x04\x05\x06\x07", 7), 0);
	/* A record continued in the next segment: its header goes, its 10
	 * bytes here stay. */
	n = put_tls_header(in, 23, 1000);
	memset(in + n, 0x55, 10), n += 10;
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, sizeof(out)), 10);
	CU_ASSERT_EQUAL(out[0], 0x55);
	CU_ASSERT_EQUAL(out[9], 0x55);
	/* A record, then bytes that are not a header: kept as they are. */
	n = put_tls_header(in, 23, 2);
	memcpy(in + n, "\xaa\xbb\x17\x03\x09\x00\x01", 7), n += 7; /* version 3.9: not TLS */
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, sizeof(out)), 7);
	CU_ASSERT_EQUAL(memcmp(out, "\xaa\xbb\x17\x03\x09\x00\x01", 7), 0);
	/* Not TLS at all (an HTTP request), type 24, a 4-byte stub: whole. */
	CU_ASSERT_EQUAL(flow_cnn_strip_tls((const uint8_t *)"GET / HTTP/1.1", 14, out, 64), 14);
	CU_ASSERT_EQUAL(memcmp(out, "GET / HTTP/1.1", 14), 0);
	n = put_tls_header(in, 24, 2);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n + 2, out, sizeof(out)), 7);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls((const uint8_t *)"\x17\x03\x03\x00", 4, out, 64), 4);
	/* A length past the largest record: not a header. */
	n = put_tls_header(in, 23, 20000);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n + 3, out, sizeof(out)), 8);
	/* The room bounds the copy. */
	n = put_tls_header(in, 23, 30);
	memset(in + n, 1, 30), n += 30;
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in, n, out, 12), 12);
	CU_ASSERT_EQUAL(flow_cnn_strip_tls(in + 5, 30, out, 12), 12);
}

/* A hand-built flow: TLS client payload at t = 1 s, a pure ACK (skipped),
 * a server payload 0x010203 us later, a third 5 s later; the layout is
 * each payload, then its gap as 4 big-endian bytes. */
static void test_input_layout_on_a_hand_built_flow(void)
{
	struct pronet_packet_record r[4];
	float v[40];
	size_t filled;

	r[0] = record_at(8, 1000000, TCP, 0);
	put_tls_header(PRONET_UNIT_BYTES(r[0]), 23, 3);
	memcpy(PRONET_UNIT_BYTES(r[0]) + 5, "\x0a\x0b\x0c", 3);
	r[1] = record_at(0, 1000100, TCP, PRONET_PAYLOAD_INDEX_NONE);
	r[2] = record_at(2, 1000000 + 0x010203, TCP, 1);
	memcpy(PRONET_UNIT_BYTES(r[2]), "\x61\x62", 2);
	r[2].direction = PRONET_DIR_SERVER_TO_CLIENT;
	r[3] = record_at(1, 1000000 + 0x010203 + 5000000, TCP, 2);
	PRONET_UNIT_BYTES(r[3])[0] = 0xff;
	filled = flow_cnn_raw_values(r, 4, 1, v, 40);
	{
		static const float want[] = {
		    10,  11, 12,   0,    0,    0, 0, /* payload, first gap 0 */
		    97,  98, 0,    1,    2,    3,    /* 0x010203 us */
		    255, 0,  0x4c, 0x4b, 0x40,       /* 5,000,000 us = 0x004c4b40 */
		};
		CU_ASSERT_EQUAL(filled, sizeof(want) / sizeof(want[0]));
		for (size_t i = 0; i < filled; i++)
			CU_ASSERT_EQUAL(v[i], want[i]);
		for (size_t i = filled; i < 40; i++)
			CU_ASSERT_EQUAL(v[i], 0.0f); /* zero padded */
	}
	/* Without stripping the header stays; cut at 6 values. */
	filled = flow_cnn_raw_values(r, 4, 0, v, 6);
	CU_ASSERT_EQUAL(filled, 6);
	CU_ASSERT_EQUAL(v[0], 23);
	CU_ASSERT_EQUAL(v[5], 10);
	/* UDP: datagrams as they are (a TLS-looking start is not stripped). */
	r[0].l4_protocol = UDP;
	filled = flow_cnn_raw_values(r, 1, 1, v, 40);
	CU_ASSERT_EQUAL(filled, 8 + 4);
	CU_ASSERT_EQUAL(v[0], 23);
	/* Times that go back, or are unknown, give a gap of 0. */
	r[0].l4_protocol = TCP;
	r[2].timestamp_us = 10;
	filled = flow_cnn_raw_values(r, 3, 1, v, 40);
	CU_ASSERT_EQUAL(v[9] + v[10] + v[11] + v[12], 0.0f);
	/* A gap past 2^32 us saturates. */
	r[2].timestamp_us = 1000000 + (1ull << 33);
	flow_cnn_raw_values(r, 3, 1, v, 40);
	CU_ASSERT_EQUAL(v[9], 255);
	CU_ASSERT_EQUAL(v[12], 255);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"TLS record headers are stripped", test_tls_headers_are_stripped},
	    {"the input layout of a hand-built flow", test_input_layout_on_a_hand_built_flow},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("flow_cnn_input", tests);
}
