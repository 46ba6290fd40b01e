/* Tests of core/arch/pronet_cnn/packet_context.c: each context feature at its boundaries
 * (layout in core/arch/pronet_cnn/packet_context.h): direction, packet index 0..5 and past
 * it, TCP / UDP / another transport, the payload length buckets on both
 * sides of 16, 64, 256 and 1024, and the log-length feature; every group is
 * one-hot (exactly one 1, the rest 0) and the other groups do not move. */
#include "core/arch/pronet_cnn/packet_context.h"
#include "tests/unit.h"

#include <math.h>
#include <string.h>

/* Feature offsets of each group (core/arch/pronet_cnn/packet_context.h). */
enum {
	DIRECTION = 0,
	INDEX = 2,
	INDEX_COUNT = 6,
	TRANSPORT = 8,
	LOG_LENGTH = 10,
	BUCKET = 11,
	BUCKET_COUNT = 5,
};

static struct pronet_packet_record input_with(uint8_t direction, uint8_t index, uint8_t l4,
                                              uint16_t payload_length)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));
	input.direction = direction;
	input.payload_index = index;
	input.l4_protocol = l4;
	input.payload_length = payload_length;
	return input;
}

/* The position of the single 1 among features[first .. first + count), or -1
 * if the group is not one-hot. */
static int hot(const float *features, int first, int count)
{
	int at = -1;

	for (int i = first; i < first + count; i++) {
		if (features[i] == 1.0f && at < 0)
			at = i - first;
		else if (features[i] != 0.0f)
			return -1;
	}
	return at;
}

static void test_direction(void)
{
	float f[PRONET_CONTEXT_FEATURES];
	struct pronet_packet_record in = input_with(PRONET_DIR_CLIENT_TO_SERVER, 0, 6, 10);

	pronet_packet_context(&in, f);
	CU_ASSERT_EQUAL(hot(f, DIRECTION, 2), 0);
	in.direction = PRONET_DIR_SERVER_TO_CLIENT;
	pronet_packet_context(&in, f);
	CU_ASSERT_EQUAL(hot(f, DIRECTION, 2), 1);
	/* Any other value is not server-to-client: the first slot. */
	in.direction = 7;
	pronet_packet_context(&in, f);
	CU_ASSERT_EQUAL(hot(f, DIRECTION, 2), 0);
}

static void test_packet_index(void)
{
	static const struct {
		uint8_t index;
		int slot;
	} cases[] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 5}, {200, 5}, {255, 5}};
	float f[PRONET_CONTEXT_FEATURES];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pronet_packet_record in = input_with(0, cases[i].index, 17, 10);

		pronet_packet_context(&in, f);
		CU_ASSERT_EQUAL(hot(f, INDEX, INDEX_COUNT), cases[i].slot);
		CU_ASSERT_EQUAL(hot(f, DIRECTION, 2), 0);
		CU_ASSERT_EQUAL(hot(f, TRANSPORT, 2), 1);
	}
}

static void test_transport(void)
{
	float f[PRONET_CONTEXT_FEATURES];
	struct pronet_packet_record in = input_with(0, 0, 6, 10);

	pronet_packet_context(&in, f);
	CU_ASSERT_EQUAL(hot(f, TRANSPORT, 2), 0); /* TCP */
	in.l4_protocol = 17;
	pronet_packet_context(&in, f);
	CU_ASSERT_EQUAL(hot(f, TRANSPORT, 2), 1); /* UDP */
	/* Neither (ICMP 1, SCTP 132, 0): both slots 0. */
	for (unsigned l4 = 0; l4 < 256; l4++) {
		if (l4 == 6 || l4 == 17)
			continue;
		in.l4_protocol = (uint8_t)l4;
		pronet_packet_context(&in, f);
		CU_ASSERT_EQUAL(f[TRANSPORT], 0.0f);
		CU_ASSERT_EQUAL(f[TRANSPORT + 1], 0.0f);
	}
}

static void test_length_buckets(void)
{
	static const struct {
		uint16_t length;
		int bucket;
	} cases[] = {{0, 0},   {1, 0},   {16, 0},   {17, 1},   {64, 1},   {65, 2},
	             {256, 2}, {257, 3}, {1024, 3}, {1025, 4}, {1500, 4}, {65535, 4}};
	float f[PRONET_CONTEXT_FEATURES];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pronet_packet_record in = input_with(1, 3, 6, cases[i].length);

		pronet_packet_context(&in, f);
		CU_ASSERT_EQUAL(hot(f, BUCKET, BUCKET_COUNT), cases[i].bucket);
		CU_ASSERT_EQUAL(hot(f, DIRECTION, 2), 1);
		CU_ASSERT_EQUAL(hot(f, INDEX, INDEX_COUNT), 3);
		CU_ASSERT_EQUAL(hot(f, TRANSPORT, 2), 0);
	}
}

/* log2(1 + length) / 16: 0 for an empty payload, 1/16 for one byte, 4/16
 * for 15, and just under 1 for the largest length. */
static void test_log_length(void)
{
	static const struct {
		uint16_t length;
		double expected;
	} cases[] = {{0, 0.0},   {1, 1.0 / 16},     {3, 2.0 / 16}, {15, 4.0 / 16},
	             {255, 0.5}, {1023, 10.0 / 16}, {65535, 1.0}};
	float f[PRONET_CONTEXT_FEATURES];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pronet_packet_record in = input_with(0, 0, 6, cases[i].length);

		pronet_packet_context(&in, f);
		CU_ASSERT_DOUBLE_EQUAL(f[LOG_LENGTH], cases[i].expected, 1e-6);
	}
	/* Increasing with the length. */
	for (unsigned length = 1; length < 65536; length += 97) {
		struct pronet_packet_record a = input_with(0, 0, 6, (uint16_t)(length - 1)),
		                            b = input_with(0, 0, 6, (uint16_t)length);
		float fa[PRONET_CONTEXT_FEATURES], fb[PRONET_CONTEXT_FEATURES];

		pronet_packet_context(&a, fa);
		pronet_packet_context(&b, fb);
		CU_ASSERT_TRUE(fa[LOG_LENGTH] < fb[LOG_LENGTH]);
	}
}

/* Every feature is written: a buffer full of garbage comes back with the
 * five groups one-hot (transport: TCP here) and nothing else set. */
static void test_whole_buffer_written(void)
{
	float f[PRONET_CONTEXT_FEATURES];
	struct pronet_packet_record in = input_with(1, 9, 6, 300);
	float sum = 0.0f;

	for (int i = 0; i < PRONET_CONTEXT_FEATURES; i++)
		f[i] = NAN;
	pronet_packet_context(&in, f);
	for (int i = 0; i < PRONET_CONTEXT_FEATURES; i++) {
		CU_ASSERT_FALSE(isnan(f[i]));
		if (i != LOG_LENGTH)
			sum += f[i];
	}
	CU_ASSERT_DOUBLE_EQUAL(sum, 4.0, 0.0); /* direction, index, TCP, bucket */
	CU_ASSERT_EQUAL(hot(f, BUCKET, BUCKET_COUNT), 3);
	CU_ASSERT_EQUAL(hot(f, INDEX, INDEX_COUNT), 5);
	CU_ASSERT_EQUAL(PRONET_CONTEXT_FEATURES, BUCKET + BUCKET_COUNT);
}

static CU_TestInfo tests[] = {
    {"direction", test_direction},
    {"packet index 0..4, then >= 5", test_packet_index},
    {"transport: TCP, UDP, neither", test_transport},
    {"payload length buckets at 16/17, 64/65, 256/257, 1024/1025", test_length_buckets},
    {"log2(1 + length) / 16", test_log_length},
    {"every feature is written", test_whole_buffer_written},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/arch/pronet_cnn/packet_context", tests);
}
