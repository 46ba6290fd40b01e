/* Evaluation like the ProNet paper's Table 1, but honest about leakage:
 * k-fold cross-validation whose folds split whole captures (with their
 * families: captures cut from one trace stay together) or whole flows,
 * never single packets; per-class precision, recall and F1 decided PER FLOW
 * (core/model/flow_predict.h), over R repeated runs; calibration and abstention
 * on a validation part held back from each fold's training data; an
 * open-set test that trains without one class and counts how many of its
 * flows abstain. Printing, JSON and pictures are the CLI's (tools/). */
#ifndef PRONET_CORE_EVAL_H
#define PRONET_CORE_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/eval/calibrate_model.h"
#include "core/eval/folds.h"
#include "core/eval/scores.h"
#include "core/util/error.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/train/train.h"

struct pronet_eval_options {
	uint32_t folds;   /* k (5) */
	uint32_t repeats; /* R runs of k folds, each with its own split (1) */
	enum pronet_fold_by by;
	const uint32_t *group_of_capture; /* NULL: each capture its own group */
	size_t num_groups;
	uint64_t seed; /* splits; training seeds derive from it and the fold */
	/* The family each fold trains (pronet_arch_find; default pronet-cnn) and
	 * its config (the family's struct; NULL: its defaults). */
	const struct pronet_arch_ops *arch;
	const void *arch_config;
	struct pronet_train_options train; /* index fields are set per fold */
	/* Share of each fold's training units held back for early stopping and
	 * calibration (0: none; no calibration either). */
	float validation_fraction;
	enum pronet_flow_combine combine;
	uint32_t flow_packets;      /* a flow's first N samples (0: all) train and decide */
	int hold_out_class;         /* dataset label trained without (open set), -1: none */
	double threshold_precision; /* abstention thresholds aim at this (0.97) */
	/* Dataset label whose flows are not trained on (nor used for early
	 * stopping) but count in calibration, as negatives of every class the
	 * model names them (--reject-rare=calibrate); -1: none. */
	int untrained_class;
	int untrained_calibrated; /* 0: the untrained class is only tested on */
	/* With abstention: random-looking flows need this probability
	 * (PRONET_RANDOM_FLOOR; 0: no gate; above 1: they always abstain); see
	 * pronet_flow_decide. */
	float random_floor;
	float min_threshold; /* no threshold below this (0) */
};

void pronet_eval_options_default(struct pronet_eval_options *options);

struct pronet_eval_curve_point {
	uint32_t step;
	float loss, accuracy, validation_loss; /* validation_loss NaN if not measured */
};

struct pronet_eval_result {
	size_t num_classes; /* classes of the models (dataset labels in use, minus held out) */
	uint16_t *label_of; /* [num_classes]: the dataset label of model class k */
	/* [num_classes]: the name of model class k, borrowed from the dataset
	 * (cross-validation) or the model (pronet_eval_model): valid while
	 * that lives. */
	const char **class_names;
	/* pronet_eval_model only, else NULL: per dataset label, flows of the
	 * classes the model does not know, and how many of them abstained. */
	uint64_t *unknown_flows, *unknown_abstained;
	uint32_t repeats, folds;
	/* [repeats][num_classes][num_classes + 1]: per-flow verdicts, column
	 * num_classes = abstained. `confusion` takes the best class always;
	 * `confusion_thresholded` abstains below the calibrated thresholds. */
	uint64_t *confusion, *confusion_thresholded;
	/* The loss curve of the first training (repeat 1, fold 1). */
	struct pronet_eval_curve_point *curve;
	size_t curve_points;
	/* Open set: flows of the held-out class in the test folds (with
	 * pronet_eval_model: of the dataset's classes the model does not
	 * know), how many abstained, and what the others were named
	 * ([num_classes]). */
	uint64_t held_out_flows, held_out_abstained;
	/* With abstention, flows that abstained by reason (enum
	 * pronet_flow_decision; [PRONET_FLOW_NAMED] counts those named). */
	uint64_t decisions[4];
	/* Random-looking flows (pronet_flow_looks_random) of the test folds, how
	 * many the thresholds alone (no gate) name, and how many of those
	 * rightly: the evidence for or against the gate. */
	uint64_t random_flows, random_named, random_right;
	uint64_t random_gated_named, random_gated_right; /* the same with the gate */
	uint64_t *held_out_named;
	/* Training cost over all folds. */
	double train_seconds;
	uint64_t samples_seen, steps;
	uint32_t trainings;
	double temperature_sum; /* over trainings with calibration */
	uint32_t calibrated;
};

void pronet_eval_result_free(struct pronet_eval_result *result);

/* Progress of fold `fold` (0-based) of run `repeat`, forwarded from training. */
typedef void (*pronet_eval_progress_fn)(uint32_t repeat, uint32_t fold,
                                        const struct pronet_train_progress *progress, void *user);

enum pronet_err pronet_eval_run(const struct pronet_dataset *data,
                                const struct pronet_eval_options *options,
                                pronet_eval_progress_fn progress, void *user,
                                struct pronet_eval_result **out, char *errbuf);

#endif
