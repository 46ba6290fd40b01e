/* Per-flow decisions (core/flow_predict.h). */
#include "core/flow_predict.h"

#include <math.h>
#include <string.h>

#include "core/model_internal.h"
#include "core/softmax_xent.h"

enum pronet_err pronet_model_predict_flow_with(const struct pronet_model *model,
                                               const struct pronet_input *inputs, size_t n,
                                               enum pronet_flow_combine combine,
                                               float *probabilities, float *mean_logits,
                                               size_t *best)
{
	float logits[PRONET_MAX_CLASSES], sum[PRONET_MAX_CLASSES];
	float packet[PRONET_MAX_CLASSES];
	size_t classes, top;

	if (model == NULL || inputs == NULL || probabilities == NULL || n == 0 ||
	    combine > PRONET_COMBINE_FIRST_PACKET)
		return PRONET_ERR_ARG;
	classes = model->num_classes;
	if (n > PRONET_FLOW_MAX_PACKETS)
		n = PRONET_FLOW_MAX_PACKETS;
	if (combine == PRONET_COMBINE_FIRST_PACKET)
		n = 1;
	memset(sum, 0, classes * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		model->ops->logits(model, &inputs[i], logits);
		if (combine == PRONET_COMBINE_MEAN_PROBABILITIES) {
			pronet_softmax(logits, classes, model->temperature, packet);
			for (size_t c = 0; c < classes; c++)
				sum[c] += packet[c];
		} else {
			for (size_t c = 0; c < classes; c++)
				sum[c] += logits[c];
		}
	}
	for (size_t c = 0; c < classes; c++)
		sum[c] /= (float)n;
	if (combine == PRONET_COMBINE_MEAN_PROBABILITIES)
		memcpy(probabilities, sum, classes * sizeof(float));
	else
		pronet_softmax(sum, classes, model->temperature, probabilities);
	if (mean_logits != NULL) {
		/* For the arithmetic mean, log-probabilities stand in for logits
		 * (softmax(log p / T) is the same tempering). */
		for (size_t c = 0; c < classes; c++)
			mean_logits[c] = combine == PRONET_COMBINE_MEAN_PROBABILITIES
			                     ? model->temperature * logf(sum[c] + 1e-30f)
			                     : sum[c];
	}
	top = pronet_argmax(probabilities, classes);
	if (best != NULL)
		*best = top;
	return PRONET_OK;
}

enum pronet_err pronet_model_predict_flow(const struct pronet_model *model,
                                          const struct pronet_input *inputs, size_t n,
                                          float *probabilities, size_t *best)
{
	return pronet_model_predict_flow_with(model, inputs, n, PRONET_COMBINE_MEAN_LOGITS,
	                                      probabilities, NULL, best);
}

int pronet_model_flow_accepts(const struct pronet_model *model, const float *probabilities,
                              size_t best)
{
	return best < model->num_classes && probabilities[best] >= model->thresholds[best];
}
