/* `pronet explain --dataset`: candidate signatures (fixed byte values at
 * fixed offsets of a flow's first payload packet) for the classes whose
 * evidence lies on such bytes, each tested on the labelled dataset for the
 * flows it would name, right and wrong.
 *
 * Per class (dataset flows whose label has the model class's name), over
 * each flow's first payload packet (its first record, either direction):
 *   - at each position 0..15, the most common byte and its share of the
 *     flows (past a packet's end: padding, never a signature byte);
 *   - the class's positive evidence there: the exact attribution of that
 *     packet to the class's centred logit (core/arch/pronet_cnn/explain.h:
 *     byte view exact, 3-grams split in thirds), positive parts only,
 *     summed over the flows, as a share of all positions' sum.
 * The fixed bytes are those shared by at least PRONET_SIGNATURE_SHARE of
 * the flows; a signature is proposed when there are at least
 * PRONET_SIGNATURE_MIN_BYTES of them and they carry at least
 * PRONET_SIGNATURE_CONCENTRATION of the evidence. A flow of the dataset
 * matches it when its first payload packet holds those bytes at those
 * offsets. */
#ifndef PRONET_TOOLS_EXPLAIN_SIGNATURES_H
#define PRONET_TOOLS_EXPLAIN_SIGNATURES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arch/pronet_cnn/explain.h"
#include "core/data/dataset.h"
#include "core/data/flows.h"

#define PRONET_SIGNATURE_SHARE 0.9
#define PRONET_SIGNATURE_MIN_BYTES 2
#define PRONET_SIGNATURE_CONCENTRATION 0.5
#define PRONET_SIGNATURE_WRONG_LISTED 3

struct pronet_class_profile {
	size_t model_class;
	uint64_t flows;                        /* the class's flows in the dataset */
	uint16_t mode[PRONET_PAYLOAD_BYTES];   /* most common token (256: padding) */
	double share[PRONET_PAYLOAD_BYTES];    /* of the flows holding it */
	double evidence[PRONET_PAYLOAD_BYTES]; /* share of the positive evidence */
	double concentration;                  /* evidence on the fixed bytes */
	int proposed;                          /* a signature (below) */
	size_t num_bytes;
	uint8_t offset[PRONET_PAYLOAD_BYTES], value[PRONET_PAYLOAD_BYTES];
	/* The signature tested on every flow of the dataset. */
	uint64_t right, wrong;
	uint16_t wrong_label[PRONET_SIGNATURE_WRONG_LISTED];
	uint64_t wrong_count[PRONET_SIGNATURE_WRONG_LISTED];
};

/* The profile of model class `model_class` from the flows labelled `label`
 * (and, if proposed, its signature's test over all flows). 0 without memory. */
int pronet_class_profile_build(const struct pronet_cnn_explainer *explainer,
                               const struct pronet_dataset *data, const struct pronet_flows *flows,
                               size_t model_class, uint16_t label,
                               struct pronet_class_profile *profile);

/* The profile as text; with a signature, also as comment lines an nDPI
 * protos file reads (and ignores: its rules take ports, host names and IP
 * addresses, no payload bytes) with the dissector test to write. */
void pronet_class_profile_print(FILE *out, const struct pronet_class_profile *profile,
                                const char *class_name, const struct pronet_dataset *data,
                                const char *dataset_path);

#endif
