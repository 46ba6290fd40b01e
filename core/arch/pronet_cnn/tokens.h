/* The two views of a packet's payload prefix that ProNet embeds (Sec. 3.1):
 * its bytes and its overlapping 3-grams, as integer token ids.
 *
 * Byte view: PRONET_PAYLOAD_BYTES ids; id = the byte (0..255) where the
 * payload has one, PRONET_PADDING_TOKEN (256) past its end. The padding row
 * of the byte embedding is learned like any other, so the model sees how
 * long a short payload is.
 *
 * 3-gram view: PRONET_NGRAM_POSITIONS ids, one per 3-gram starting at
 * positions 0..13. A 3-gram lying wholly inside the payload hashes to a
 * bucket 1..buckets-1 (PRONET_NGRAM_HASH_FNV1A32: 32-bit FNV-1a over its
 * three bytes in order, then 1 + hash % (buckets - 1)); a 3-gram that touches
 * padding maps to bucket 0, the shared padding bucket. */
#ifndef PRONET_CORE_TOKENS_H
#define PRONET_CORE_TOKENS_H

#include <stdint.h>

#include "core/data/record.h"

#define PRONET_BYTE_VOCABULARY 257 /* 256 byte values + padding */
#define PRONET_PADDING_TOKEN 256
#define PRONET_NGRAM_SIZE 3
#define PRONET_NGRAM_POSITIONS (PRONET_PAYLOAD_BYTES - PRONET_NGRAM_SIZE + 1)
#define PRONET_NGRAM_PADDING_BUCKET 0

/* Hash function ids as stored in the model file. */
enum pronet_ngram_hash {
	PRONET_NGRAM_HASH_FNV1A32 = 1,
};

/* Inline: the fast path hashes 14 3-grams per prediction, and a call each
 * would cost more than the hashing. */
static inline uint32_t pronet_ngram_hash_fnv1a32(const uint8_t *bytes, uint32_t count)
{
	uint32_t hash = 2166136261u;

	for (uint32_t i = 0; i < count; i++) {
		hash ^= bytes[i];
		hash *= 16777619u;
	}
	return hash;
}

/* 1 + fnv1a32(bytes[0..2]) % divisor without a division (Lemire, Kaser,
 * Kurz: "Faster remainder by direct computation", 2019), for the table paths
 * (fast.c, quant.c): a division per 3-gram would cost more than its row.
 * Exact for 32-bit hashes and divisors, with magic from
 * pronet_ngram_bucket_magic. The high half of the 128-bit product is one
 * multiplication where the compiler has 128-bit integers, else it is
 * assembled from 32-bit pieces (divisor < 2^16 keeps every partial product
 * within 64 bits). */
static inline uint64_t pronet_ngram_bucket_magic(uint32_t divisor)
{
	return UINT64_MAX / divisor + 1;
}

static inline uint32_t pronet_ngram_bucket_of(uint64_t magic, uint32_t divisor,
                                              const uint8_t *bytes)
{
	uint64_t low = magic * pronet_ngram_hash_fnv1a32(bytes, PRONET_NGRAM_SIZE);
#ifdef __SIZEOF_INT128__
	uint64_t high = (uint64_t)(((unsigned __int128)low * divisor) >> 64);

	return 1 + (uint32_t)high;
#else
	uint64_t high = (low >> 32) * divisor + (((low & 0xffffffffu) * divisor) >> 32);

	return 1 + (uint32_t)(high >> 32);
#endif
}

void pronet_tokens_bytes(const struct pronet_packet_record *input,
                         uint32_t ids[PRONET_PAYLOAD_BYTES]);
/* buckets >= 2. */
void pronet_tokens_ngrams(const struct pronet_packet_record *input, uint32_t buckets,
                          uint32_t ids[PRONET_NGRAM_POSITIONS]);

#endif
