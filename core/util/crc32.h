/* The one CRC-32 of pronet: IEEE 802.3, reflected polynomial 0xEDB88320, as
 * zlib's crc32(). Model files and datasets end with it. */
#ifndef PRONET_CORE_CRC32_H
#define PRONET_CORE_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32 of `size` bytes, continued from `crc` (start with 0). */
uint32_t pronet_crc32(uint32_t crc, const void *data, size_t size);

#endif
