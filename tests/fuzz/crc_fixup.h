/* Both file formats end with a CRC-32 (IEEE, little-endian) of every byte
 * before it. Mutated inputs almost never carry a right one, so the loaders'
 * success paths (and what runs on a loaded model or dataset) would stay out
 * of the fuzzer's reach: the harnesses also try each input with its last four
 * bytes replaced by the right checksum. */
#ifndef PRONET_TESTS_FUZZ_CRC_FIXUP_H
#define PRONET_TESTS_FUZZ_CRC_FIXUP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/crc32.h"

/* A malloc'd copy of data[size] with the checksum fixed, or NULL if size < 4
 * (or out of memory). */
static inline uint8_t *fuzz_copy_with_crc(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size < 4 || (copy = malloc(size)) == NULL)
		return NULL;
	memcpy(copy, data, size);
	uint32_t crc = pronet_crc32(0, copy, size - 4);
	for (int i = 0; i < 4; i++)
		copy[size - 4 + i] = (uint8_t)(crc >> (8 * i));
	return copy;
}

/* Runs `run` on data[size] as given, then on its copy with the checksum
 * fixed: the whole of a loader harness's LLVMFuzzerTestOneInput. */
static inline void fuzz_with_and_without_crc(const uint8_t *data, size_t size,
                                             void (*run)(const uint8_t *, size_t))
{
	uint8_t *fixed = fuzz_copy_with_crc(data, size);

	run(data, size);
	if (fixed != NULL)
		run(fixed, size);
	free(fixed);
}

#endif
