/* CRC-32 (core/util/crc32.h). */
#include "core/util/crc32.h"

uint32_t pronet_crc32(uint32_t crc, const void *data, size_t size)
{
	/* Reflected polynomial 0xEDB88320, four bits at a time. */
	static const uint32_t nibble[16] = {
	    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *bytes = data;

	crc = ~crc;
	for (size_t i = 0; i < size; i++) {
		crc ^= bytes[i];
		crc = (crc >> 4) ^ nibble[crc & 0x0f];
		crc = (crc >> 4) ^ nibble[crc & 0x0f];
	}
	return ~crc;
}
