/* libFuzzer harness: the packet decoders (ndpi-glue/decode*.c) on arbitrary
 * frames of every supported link type.
 *
 * Input: byte 0 picks the link type (index into fuzz_link_types[],
 * modulo its size), byte 1 bit 0 turns tunnel decoding on (ndpiReader -t); the rest is
 * the captured frame. Besides ASan/UBSan, the harness traps when a usable
 * packet's l3 or payload pointer leaves the frame. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ndpi-glue/capture/decode.h"
#include "tests/fuzz/link_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const uint8_t *frame, size_t size, const uint8_t *p, size_t length)
{
	return p >= frame && length <= size && (size_t)(p - frame) <= size - length;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pronet_packet packet;
	enum pronet_packet_skip skip;

	if (size < 2)
		return 0;
	int dlt = fuzz_link_types[data[0] % FUZZ_NUM_LINK_TYPES];
	unsigned int options = (data[1] & 1u) ? PRONET_DECODE_TUNNELS : 0;
	const uint8_t *frame = data + 2;
	size_t caplen = size - 2;

	if (pronet_decode_packet_with(options, dlt, frame, caplen, (uint32_t)caplen, 0, &packet,
	                              &skip) != PRONET_OK)
		abort(); /* only caller bugs may fail, and this caller has none */
	if (skip == PRONET_SKIP_NONE) {
		if (!inside(frame, caplen, packet.l3, packet.l3_length))
			abort();
		if (packet.payload_length > 0 &&
		    !inside(frame, caplen, packet.payload, packet.payload_length))
			abort();
	}
	(void)pronet_packet_skip_name(skip);
	return 0;
}
