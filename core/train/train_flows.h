/* The training units of a per-flow family (ops->flow_logits, internal to
 * core/train): the training and validation samples grouped into flows, each
 * unit a flow's chosen samples in flow order, so that the gradient loop
 * draws flows as it draws packets for the per-packet families. A unit is
 * named by its flow's first sample index, so the loop's per-sample label
 * array, epochs and class balancing serve both kinds unchanged. A unit's
 * records are gathered through the dataset's one accessor when they are
 * used, so a streamed dataset trains a per-flow family as one in memory. */
#ifndef PRONET_CORE_TRAIN_FLOWS_H
#define PRONET_CORE_TRAIN_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/train/train.h"
#include "core/util/error.h"

struct pronet_train_flows {
	size_t *members;         /* every chosen sample's index, unit by unit */
	size_t *offset, *length; /* [num_samples]: a unit's members, by its first sample */
	size_t *train;           /* [num_train]: the training units */
	size_t num_train;
	size_t *validation; /* [num_validation]: the validation units */
	size_t num_validation;
	size_t longest; /* the most samples in one unit */
};

/* From options->train_indices (NULL: every sample) and
 * options->validation_indices, each grouped by (capture, flow) in packet
 * order; a flow with samples on both sides gives a unit to each. */
enum pronet_err pronet_train_flows_build(const struct pronet_dataset *data,
                                         const struct pronet_train_options *options,
                                         struct pronet_train_flows *out, char *errbuf);
void pronet_train_flows_free(struct pronet_train_flows *flows);

/* Room for the records of any one unit of `flows` (and, streamed, their
 * bytes), made once; units are gathered into it one at a time. */
struct pronet_flow_records {
	struct pronet_packet_record *records; /* [longest] */
	uint8_t *bytes;                       /* [longest][record_bytes]: a streamed dataset's */
	size_t record_bytes;
};

enum pronet_err pronet_flow_records_init(struct pronet_flow_records *room,
                                         const struct pronet_dataset *data,
                                         const struct pronet_train_flows *flows);
void pronet_flow_records_free(struct pronet_flow_records *room);
/* Unit `unit`'s records into room->records[0..flows->length[unit]), valid
 * until the room is reused; a streamed dataset's read errors name the file. */
enum pronet_err pronet_train_flows_gather(const struct pronet_dataset *data,
                                          const struct pronet_train_flows *flows, size_t unit,
                                          struct pronet_flow_records *room, char *errbuf);

#endif
