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

#include "core/error.h"
#include "core/input.h"
#include "core/model.h"

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

/* At most this many inputs of a flow are used (the first ones given). */
#define PRONET_FLOW_MAX_PACKETS 64

/* Class probabilities of a flow from its inputs[n] (n >= 1), in flow order:
 * probabilities[num_classes], *best the most probable class (may be NULL).
 * No allocation; thread-safe like pronet_model_predict. */
enum pronet_err pronet_model_predict_flow(const struct pronet_model *model,
                                          const struct pronet_input *inputs, size_t n,
                                          float *probabilities, size_t *best);
/* The same with a chosen combination; mean_logits[num_classes] (may be NULL)
 * receives the combined logits before the temperature (calibration fits
 * the temperature on them). */
enum pronet_err pronet_model_predict_flow_with(const struct pronet_model *model,
                                               const struct pronet_input *inputs, size_t n,
                                               enum pronet_flow_combine combine,
                                               float *probabilities, float *mean_logits,
                                               size_t *best);

/* 1 if the flow's verdict should stand: its best probability reaches that
 * class's calibrated threshold (pronet_model_threshold); 0: abstain. */
int pronet_model_flow_accepts(const struct pronet_model *model, const float *probabilities,
                              size_t best);

#endif
