/* Tests of core/arch/pronet_cnn/tokens.c: byte and 3-gram ids, padding, the documented hash. */
#include "core/arch/pronet_cnn/tokens.h"
#include "tests/unit.h"

#include <string.h>

static struct pronet_packet_record input_of(const char *text, size_t length)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	memcpy(PRONET_UNIT_BYTES(input), text, length);
	input.length = (uint8_t)length;
	return input;
}

static void test_fnv1a32_reference_values(void)
{
	/* Published FNV-1a 32-bit test vectors. */
	CU_ASSERT_EQUAL(pronet_ngram_hash_fnv1a32((const uint8_t *)"a", 1), 0xe40c292cu);
	CU_ASSERT_EQUAL(pronet_ngram_hash_fnv1a32((const uint8_t *)"foobar", 6), 0xbf9cf968u);
}

static void test_short_payload_is_padded(void)
{
	struct pronet_packet_record input = input_of("GE", 2);
	uint32_t bytes[PRONET_PAYLOAD_BYTES], ngrams[PRONET_NGRAM_POSITIONS];

	pronet_tokens_bytes(&input, bytes);
	pronet_tokens_ngrams(&input, 4096, ngrams);
	CU_ASSERT_EQUAL(bytes[0], 'G');
	CU_ASSERT_EQUAL(bytes[1], 'E');
	for (int i = 2; i < PRONET_PAYLOAD_BYTES; i++)
		CU_ASSERT_EQUAL(bytes[i], PRONET_PADDING_TOKEN);
	/* No complete 3-gram in two bytes: all padding. */
	for (int i = 0; i < PRONET_NGRAM_POSITIONS; i++)
		CU_ASSERT_EQUAL(ngrams[i], PRONET_NGRAM_PADDING_BUCKET);
}

static void test_ngrams_hash_into_buckets(void)
{
	/* "GET / HTTP/1.1\r\n": a full 16-byte HTTP request line. */
	struct pronet_packet_record input = input_of("GET / HTTP/1.1\r\n", 16);
	struct pronet_packet_record five = input_of("GET /", 5);
	uint32_t ngrams[PRONET_NGRAM_POSITIONS], short_ngrams[PRONET_NGRAM_POSITIONS];

	pronet_tokens_ngrams(&input, 4096, ngrams);
	pronet_tokens_ngrams(&five, 4096, short_ngrams);
	for (int i = 0; i < PRONET_NGRAM_POSITIONS; i++) {
		CU_ASSERT_TRUE(ngrams[i] >= 1 && ngrams[i] < 4096);
		CU_ASSERT_EQUAL(ngrams[i],
		                1 + pronet_ngram_hash_fnv1a32(input.bytes + i, 3) % 4095);
	}
	/* Five bytes hold 3-grams at 0, 1, 2; later ones touch padding. */
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(short_ngrams[i], ngrams[i]);
	for (int i = 3; i < PRONET_NGRAM_POSITIONS; i++)
		CU_ASSERT_EQUAL(short_ngrams[i], PRONET_NGRAM_PADDING_BUCKET);
}

static void test_length_beyond_payload_is_clamped(void)
{
	struct pronet_packet_record input = input_of("0123456789abcdef", 16);
	uint32_t bytes[PRONET_PAYLOAD_BYTES];

	input.length = 200;
	pronet_tokens_bytes(&input, bytes);
	CU_ASSERT_EQUAL(bytes[15], 'f');
}

static CU_TestInfo tests[] = {
    {"FNV-1a matches published values", test_fnv1a32_reference_values},
    {"a short payload is padded in both views", test_short_payload_is_padded},
    {"complete 3-grams hash into buckets 1..n-1", test_ngrams_hash_into_buckets},
    {"a length past 16 is clamped", test_length_beyond_payload_is_clamped},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/arch/pronet_cnn/tokens", tests);
}
