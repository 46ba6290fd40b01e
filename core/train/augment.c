/* Byte noise drawn from the caller's generator, so a seed gives the same
 * noise: two draws a byte (whether, and what), as a 16-bit chance. */
#include "core/train/augment.h"

#include <stddef.h>

const struct pronet_packet_record *pronet_augment_record(float chance,
                                                         const struct pronet_packet_record *input,
                                                         struct pronet_packet_record *copy,
                                                         uint8_t copy_bytes[PRONET_PAYLOAD_BYTES],
                                                         struct pronet_rng *rng)
{
	uint32_t threshold = (uint32_t)(chance * 65536.0f);

	if (threshold == 0)
		return input;
	*copy = *input;
	copy->bytes = copy_bytes;
	/* The copy holds ProNet's window only (what augmentation is for). */
	if (copy->length > PRONET_PAYLOAD_BYTES)
		copy->length = PRONET_PAYLOAD_BYTES;
	for (size_t k = 0; k < copy->length && k < PRONET_PAYLOAD_BYTES; k++)
		copy_bytes[k] = pronet_rng_below(rng, 65536) < threshold
		                    ? (uint8_t)pronet_rng_below(rng, 256)
		                    : input->bytes[k];
	return copy;
}
