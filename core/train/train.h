/* Training: mini-batch Adam on softmax cross-entropy (ProNet paper Sec. 3.3). */
#ifndef PRONET_CORE_TRAIN_H
#define PRONET_CORE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/util/error.h"
#include "core/model/model.h"

struct pronet_train_options {
	uint32_t batch_size;     /* 128 */
	uint32_t steps;          /* mini-batch steps; 0: use epochs */
	uint32_t epochs;         /* used when steps == 0 */
	float learning_rate;     /* Adam step size (1e-3) */
	uint64_t seed;           /* shuffling and dropout */
	uint32_t threads;        /* worker threads; results are bit-identical for a given count */
	uint32_t progress_every; /* steps between progress callbacks; 0: never */

	/* The samples to train on: indexes into the dataset, or NULL for all. */
	const size_t *train_indices;
	size_t num_train;
	/* Early stopping: every validate_every steps (0: never) the mean loss
	 * over these held-back samples is measured; the weights with the lowest
	 * one are kept, and training stops after `patience` measurements
	 * without a new lowest (0: runs to the end, still keeping the best). */
	const size_t *validation_indices;
	size_t num_validation;
	uint32_t validate_every;
	uint32_t patience;
	/* Class balancing by undersampling: each epoch takes at most this many
	 * samples of each class, drawn afresh (0: every sample, unbalanced). */
	uint32_t max_per_class;
	/* Augmentation: probability that a payload byte of a training sample is
	 * replaced by a random byte, drawn anew each time it is used (0: off;
	 * at most 0.5). */
	float augment_bytes;
	/* Warm start (pronet classify --update, seed 003's OLUC): the model's
	 * current weights are where training starts and everything fitted
	 * before them is kept, so the family's pretrain hook does not run
	 * (Deep Packet SAE's layer-wise pretraining would overwrite the
	 * weights, flow-cnn's z-score fit the input statistics they were
	 * trained under). A family fitted in one go rather than by gradient
	 * steps (the histogram families) cannot start from its fit and is
	 * refused (PRONET_ERR_UNSUPPORTED). 0 (default): a fresh model. */
	int warm_start;
};

#define PRONET_TRAIN_MAX_THREADS 256
#define PRONET_TRAIN_MAX_BATCH 65536

/* batch 128, 10 epochs, learning rate 1e-3, seed 1, 1 thread, progress
 * every 100 steps. */
void pronet_train_options_default(struct pronet_train_options *options);

struct pronet_train_progress {
	uint32_t step, total_steps;
	float loss;            /* mean loss over the steps since the last report */
	float accuracy;        /* training accuracy over the same steps */
	double seconds;        /* since training began */
	float validation_loss; /* at this step; NaN when not measured */
	uint32_t best_step;    /* step of the weights kept so far (early stopping) */
	uint64_t samples_seen; /* training samples processed since training began */
	int stopped_early;     /* 1 on the last report when patience ran out */
};

typedef void (*pronet_train_progress_fn)(const struct pronet_train_progress *progress, void *user);

/* 1 if `model` trains by gradient steps from its current weights, so that
 * options.warm_start can continue its training; 0 for a fitted family. */
int pronet_train_can_warm_start(const struct pronet_model *model);

/* Trains `model` in place on `data`, whose labels must name the model's
 * classes (matched by name). With validation samples the model ends with the
 * weights of the lowest validation loss. A report is made at the last step
 * and (with validation) at each measurement. */
enum pronet_err pronet_train(struct pronet_model *model, const struct pronet_dataset *data,
                             const struct pronet_train_options *options,
                             pronet_train_progress_fn progress, void *user, char *errbuf);

#endif
