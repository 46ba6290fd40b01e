/* A flow's verdict from its first payload packets: the one place where the
 * per-packet predictions of a flow are combined, used by `pronet eval` and by
 * the plugin's give-up fallback alike.
 *
 * The default combination is the mean of the packets' logits, then the
 * calibrated softmax: the normalised geometric mean of the per-packet
 * probabilities (a product of experts). A packet that is certain of its class
 * outweighs several that are unsure, and temperature scaling of the flow's
 * probabilities stays a single division. Measured against the mean of the
 * probabilities and against the first packet alone in docs/evaluation.md. */
#ifndef PRONET_CORE_FLOW_PREDICT_H
#define PRONET_CORE_FLOW_PREDICT_H

#include <stddef.h>

#include "core/util/error.h"
#include "core/data/record.h"
#include "core/model/model.h"

enum pronet_flow_combine {
	PRONET_COMBINE_MEAN_LOGITS = 0,        /* default: geometric mean of probabilities */
	PRONET_COMBINE_MEAN_PROBABILITIES = 1, /* arithmetic mean of probabilities */
	PRONET_COMBINE_FIRST_PACKET = 2,       /* the flow's first input alone */
	/* Weighted means of the logits, each packet weighted by its own
	 * confidence (its softmax at temperature 1, before calibration): */
	PRONET_COMBINE_WEIGHT_MAX = 3,     /* its largest probability */
	PRONET_COMBINE_WEIGHT_ENTROPY = 4, /* 1 - its entropy / log(classes) */
};
#define PRONET_COMBINE_LAST PRONET_COMBINE_WEIGHT_ENTROPY

/* At most PRONET_FLOW_MAX_PACKETS (core/data/record.h) inputs of a flow are
 * combined (the first ones given). */

/* Class probabilities of a flow from its inputs[n] (n >= 1), in flow order:
 * probabilities[num_classes], *best the most probable class (may be NULL).
 * No allocation; thread-safe like pronet_model_predict, whose workspace rule
 * it shares. A per-packet family's packet logits are combined (at most
 * PRONET_FLOW_MAX_PACKETS of them); a per-flow family
 * (pronet_model_is_per_flow) reads all n records itself, and the combination
 * does not apply. */
enum pronet_err pronet_model_predict_flow(const struct pronet_model *model,
                                          struct pronet_workspace *workspace,
                                          const struct pronet_packet_record *inputs, size_t n,
                                          float *probabilities, size_t *best);
/* The same with a chosen combination; mean_logits[num_classes] (may be NULL)
 * receives the combined logits before the temperature (calibration fits
 * the temperature on them). */
enum pronet_err pronet_model_predict_flow_with(const struct pronet_model *model,
                                               struct pronet_workspace *workspace,
                                               const struct pronet_packet_record *inputs, size_t n,
                                               enum pronet_flow_combine combine,
                                               float *probabilities, float *mean_logits,
                                               size_t *best);

/* The reject class: a model class of this name (compared ignoring case)
 * means "none of the classes" (outlier exposure: `pronet train --reject-rare`
 * teaches it the flows of protocols too rare to be classes). It never names a
 * flow: when it wins, the flow abstains ("rejected"). */
#define PRONET_REJECT_CLASS "Unknown"
int pronet_model_is_reject_class(const struct pronet_model *model, size_t class_index);
/* The most probable class that names something (not the reject class): the
 * closed-set verdict, "best class always". num_classes if there is none. */
size_t pronet_model_best_named(const struct pronet_model *model, const float *probabilities);

/* "Looks like uniform random bytes": a Pearson chi-square of the flow's
 * recorded payload bytes (inputs[i].bytes[0 .. length), at most
 * PRONET_FLOW_MAX_PACKETS inputs) against uniform ones: their high and low
 * nibbles in 16 bins each and their 8 bits as fair coins, 38 degrees of
 * freedom (random bytes: median 37, 99.9th percentile 82, whatever the
 * count). Taken over all the bytes and over the leading ones (each
 * direction's first packet), the larger of the two. NaN when fewer than
 * PRONET_RANDOM_MIN_BYTES bytes were recorded (no evidence either way). */
#define PRONET_RANDOM_MIN_BYTES 16
double pronet_flow_uniformity_chi2(const struct pronet_packet_record *inputs, size_t n);
/* 1 if that statistic is below PRONET_RANDOM_CHI2_MAX: the bytes cannot be
 * told from uniform random ones (ciphertext or random identifiers), which
 * carry no evidence of one protocol over another. Random bytes stay below
 * 82 999 times in 1,000 (simulated, 16 to 128 bytes). */
#define PRONET_RANDOM_CHI2_MAX 82.0
int pronet_flow_looks_random(const struct pronet_packet_record *inputs, size_t n);

/* The probability a random-looking flow's best class needs to be named
 * anyway (above its class threshold): the lowest floor at which such
 * verdicts were 99 % right in cross-validation by capture family, the
 * precision the thresholds aim at (docs/evaluation.md, "Random-looking
 * bytes"). Used by the plugin and, by default, by `pronet eval`. */
#define PRONET_RANDOM_FLOOR 0.9f

/* Why a flow's verdict stands or not: the one decision eval and the plugin
 * share. */
enum pronet_flow_decision {
	PRONET_FLOW_NAMED = 0,
	PRONET_FLOW_BELOW_THRESHOLD = 1, /* best probability under its class's threshold */
	PRONET_FLOW_REJECTED = 2,        /* the reject class won */
	PRONET_FLOW_RANDOM = 3,          /* random-looking bytes (when gated) */
};
/* Decides the flow whose probabilities (from pronet_model_predict_flow*)
 * have their best class `best`: rejected if that is the reject class;
 * random-looking if pronet_flow_looks_random(inputs, n) and
 * probabilities[best] < random_floor (0: no gate; above 1: random-looking
 * flows always abstain); below threshold if probabilities[best] <
 * threshold; else named. */
enum pronet_flow_decision pronet_flow_decide(const struct pronet_model *model,
                                             const struct pronet_packet_record *inputs, size_t n,
                                             const float *probabilities, size_t best,
                                             float threshold, float random_floor);

/* 1 if the flow's verdict should stand: its best probability reaches that
 * class's calibrated threshold (pronet_model_threshold) and the class is not
 * the reject class; 0: abstain. */
int pronet_model_flow_accepts(const struct pronet_model *model, const float *probabilities,
                              size_t best);

#endif
