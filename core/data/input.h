/* What a model sees of one packet: the first PRONET_PAYLOAD_BYTES bytes of
 * its payload and a little context. core/ knows nothing of packets beyond
 * this; ndpi-glue/ fills it in. */
#ifndef PRONET_CORE_INPUT_H
#define PRONET_CORE_INPUT_H

#include <stdint.h>

/* s in the ProNet paper (Sec. 3.1): bytes of payload per packet. */
#define PRONET_PAYLOAD_BYTES 16

enum pronet_direction {
	PRONET_DIR_CLIENT_TO_SERVER = 0, /* from the flow's initiator */
	PRONET_DIR_SERVER_TO_CLIENT = 1,
};

struct pronet_input {
	uint8_t bytes[PRONET_PAYLOAD_BYTES]; /* payload prefix; bytes past `length` are 0 */
	uint8_t length;                      /* valid bytes in `bytes`, 0..16 */
	uint8_t direction;                   /* enum pronet_direction */
	uint8_t packet_index;                /* 0-based index among the flow's payload packets */
	uint8_t l4_protocol;                 /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t payload_length;             /* full payload length of the packet */
};

#endif
