/* A training run's buffers (internal to core/train): everything
 * pronet_train allocates for the gradient loop, sized once before it and
 * freed in one place, so that no step allocates. */
#ifndef PRONET_CORE_TRAIN_TRAIN_RUN_H
#define PRONET_CORE_TRAIN_TRAIN_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/data/record.h"
#include "core/model/model.h"
#include "core/train/epochs.h"
#include "core/train/train.h"
#include "core/train/train_flows.h"
#include "core/util/error.h"

/* Everything a run allocates, freed in one place. A unit of training is a
 * sample (a packet record), or for a per-flow family a flow (named by its
 * first sample, core/train/train_flows.h). */
struct pronet_train_run {
	uint32_t *labels;            /* [num_samples]: model class of each sample */
	struct pronet_epochs epochs; /* the units trained on, and each epoch's order */
	float *best_weights;         /* [num_weights]: lowest validation loss so far */
	double *worker_loss;         /* [threads]: validation loss sums */
	const struct pronet_packet_record **batch_inputs;
	/* The batch's and each validation worker's records, fetched through
	 * the one accessor; their bytes (a streamed dataset's only) follow. */
	struct pronet_packet_record *batch_records; /* [batch] */
	uint8_t *batch_bytes;                       /* [batch][record_bytes] */
	uint8_t *worker_bytes;                      /* [threads][record_bytes] */
	enum pronet_err *worker_err;                /* [threads]: validation's reads */
	char (*worker_errbuf)[PRONET_ERRBUF_SIZE];  /* [threads] */
	size_t record_bytes;
	struct pronet_packet_record *augmented; /* [batch]: noisy copies (augment_bytes > 0) */
	uint8_t (*augmented_bytes)[PRONET_PAYLOAD_BYTES]; /* [batch]: their bytes */
	uint32_t *batch_labels;
	float *losses;
	uint8_t *correct;
	float **grads; /* [threads][num_trainable] */
	float *moment1, *moment2;
	void *workspace;
	struct pronet_workspace **predict_workspaces; /* [threads]: validation's forward passes */
	size_t threads;
	struct pronet_train_flows flows; /* per-flow families only */
	int per_flow;
	size_t *batch_lengths; /* [batch]: records of each unit (per-flow) */
	/* Per-flow: the batch's units' records and each validation worker's. */
	struct pronet_flow_records *batch_flows;  /* [batch] */
	struct pronet_flow_records *worker_flows; /* [threads] */
	size_t num_batch_flows;
	const size_t *validation; /* [num_validation]: the validation units */
	size_t num_validation;
};

/* The buffers for `batch` units of units[pool] (NULL: every sample) on
 * o->threads workers, and the architecture's training workspace;
 * run->per_flow and run->flows are set before. PRONET_ERR_NOMEM, the
 * architecture's train_begin error, or PRONET_OK; freed by
 * pronet_train_run_free either way. */
enum pronet_err pronet_train_run_allocate(struct pronet_train_run *run,
                                          const struct pronet_model *model,
                                          const struct pronet_dataset *data,
                                          const struct pronet_train_options *o, const size_t *units,
                                          size_t pool, size_t batch);
void pronet_train_run_free(struct pronet_train_run *run, const struct pronet_model *model);

#endif
