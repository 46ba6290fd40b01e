/* Which packets of a flow are recorded, and how much of each: the one
 * description shared by the input builder (ndpi-glue/flow/input_builder.h),
 * the flow table, `pronet label` and the dataset file's header
 * (docs/dataset-format.md). */
#ifndef PRONET_CORE_INPUT_SPEC_H
#define PRONET_CORE_INPUT_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/record.h"
#include "core/util/error.h"

/* Payload-less packets (a TCP SYN, a pure ACK) are recorded too. */
#define PRONET_SPEC_ALL_PACKETS 0x01u
/* Timestamps, wire lengths, TCP flags and sequence numbers are unknown (0):
 * the records came from a v1 dataset, which did not keep them. */
#define PRONET_SPEC_NO_TIMES 0x02u
#define PRONET_SPEC_KNOWN_FLAGS (PRONET_SPEC_ALL_PACKETS | PRONET_SPEC_NO_TIMES)

struct pronet_input_spec {
	uint16_t window_bytes;          /* N: bytes kept per packet, 0..PRONET_RECORD_MAX_BYTES */
	uint8_t layer;                  /* enum pronet_record_layer */
	uint8_t flags;                  /* PRONET_SPEC_* */
	uint32_t packets_per_direction; /* K: packets recorded per direction; 0: no limit */
};

/* Today's (and a v1 dataset's) inputs: 16 payload bytes of the first 4
 * payload packets per direction. */
void pronet_input_spec_default(struct pronet_input_spec *spec);

/* PRONET_OK, or PRONET_ERR_ARG and a sentence naming `what` (a file, an
 * option) when a field is out of range. */
enum pronet_err pronet_input_spec_check(const struct pronet_input_spec *spec, const char *what,
                                        char *errbuf);

/* PRONET_OK if records made by `have` hold everything `need` reads: the same
 * layer, a window at least as wide, payload-less packets when they are
 * needed. Else PRONET_ERR_ARG and a sentence naming `what` and the shortfall
 * (a model trained on bytes its dataset never held would learn zeros). */
enum pronet_err pronet_input_spec_covers(const struct pronet_input_spec *have,
                                         const struct pronet_input_spec *need, const char *what,
                                         char *errbuf);

#endif
