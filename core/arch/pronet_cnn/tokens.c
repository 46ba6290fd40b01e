/* Byte and 3-gram token ids of a payload prefix (ProNet Sec. 3.1); the
 * padding and hashing choices are described in core/arch/pronet_cnn/tokens.h. */
#include "core/arch/pronet_cnn/tokens.h"

static uint32_t valid_length(const struct pronet_packet_record *input)
{
	return input->length < PRONET_PAYLOAD_BYTES ? input->length : PRONET_PAYLOAD_BYTES;
}

void pronet_tokens_bytes(const struct pronet_packet_record *input,
                         uint32_t ids[PRONET_PAYLOAD_BYTES])
{
	uint32_t length = valid_length(input);

	for (uint32_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		ids[i] = i < length ? input->bytes[i] : PRONET_PADDING_TOKEN;
}

void pronet_tokens_ngrams(const struct pronet_packet_record *input, uint32_t buckets,
                          uint32_t ids[PRONET_NGRAM_POSITIONS])
{
	uint32_t length = valid_length(input);

	for (uint32_t i = 0; i < PRONET_NGRAM_POSITIONS; i++) {
		if (i + PRONET_NGRAM_SIZE > length) {
			ids[i] = PRONET_NGRAM_PADDING_BUCKET;
			continue;
		}
		ids[i] = 1 + pronet_ngram_hash_fnv1a32(input->bytes + i, PRONET_NGRAM_SIZE) %
		                 (buckets - 1);
	}
}
