/* The training units of a per-flow family (ops->flow_logits, internal to
 * core/train): the training and validation samples grouped into flows, each
 * flow's records copied together in flow order, so that the gradient loop
 * draws flows as it draws packets for the per-packet families. A unit is
 * named by its flow's first sample index, so the loop's per-sample label
 * array, epochs and class balancing serve both kinds unchanged. */
#ifndef PRONET_CORE_TRAIN_FLOWS_H
#define PRONET_CORE_TRAIN_FLOWS_H

#include <stddef.h>

#include "core/data/dataset.h"
#include "core/train/train.h"
#include "core/util/error.h"

struct pronet_train_flows {
	struct pronet_packet_record *records; /* every chosen sample's record, unit by unit */
	size_t *offset, *length; /* [num_samples]: a unit's records, by its first sample */
	size_t *train;           /* [num_train]: the training units */
	size_t num_train;
	size_t *validation; /* [num_validation]: the validation units */
	size_t num_validation;
};

/* From options->train_indices (NULL: every sample) and
 * options->validation_indices, each grouped by (capture, flow) in packet
 * order; a flow with samples on both sides gives a unit to each. */
enum pronet_err pronet_train_flows_build(const struct pronet_dataset *data,
                                         const struct pronet_train_options *options,
                                         struct pronet_train_flows *out, char *errbuf);
void pronet_train_flows_free(struct pronet_train_flows *flows);

#endif
