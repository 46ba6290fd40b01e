/* Per-flow decisions (core/flow_predict.h). */
#include "core/flow_predict.h"

#include <math.h>
#include <string.h>

#include "core/model_internal.h"
#include "core/softmax_xent.h"

/* How much a packet's logits count in its flow's verdict. The weights of
 * PRONET_COMBINE_WEIGHT_* come from the packet's own uncalibrated softmax, so
 * that calibration, which fits the temperature on the combined logits, does
 * not change which packet counts how much. A confident packet (a TLS Client
 * Hello) then outweighs the unsure encrypted records after it, while packets
 * that are all alike (RTP) still average. */
static float packet_weight(enum pronet_flow_combine combine, const float *logits, size_t classes)
{
	float p[PRONET_MAX_CLASSES], top = 0.0f, entropy = 0.0f;

	if (combine != PRONET_COMBINE_WEIGHT_MAX && combine != PRONET_COMBINE_WEIGHT_ENTROPY)
		return 1.0f;
	pronet_softmax(logits, classes, 1.0f, p);
	for (size_t c = 0; c < classes; c++) {
		if (p[c] > top)
			top = p[c];
		if (p[c] > 0.0f)
			entropy -= p[c] * logf(p[c]);
	}
	if (combine == PRONET_COMBINE_WEIGHT_MAX)
		return top;
	if (classes < 2)
		return 1.0f;
	/* A small floor keeps a flow of uniform packets a plain mean. */
	return fmaxf(1.0f - entropy / logf((float)classes), 1e-3f);
}

enum pronet_err pronet_model_predict_flow_with(const struct pronet_model *model,
                                               const struct pronet_input *inputs, size_t n,
                                               enum pronet_flow_combine combine,
                                               float *probabilities, float *mean_logits,
                                               size_t *best)
{
	float logits[PRONET_MAX_CLASSES], sum[PRONET_MAX_CLASSES];
	float packet[PRONET_MAX_CLASSES], total = 0.0f;
	size_t classes, top;

	if (model == NULL || inputs == NULL || probabilities == NULL || n == 0 ||
	    combine > PRONET_COMBINE_LAST)
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
			total += 1.0f;
		} else {
			float w = packet_weight(combine, logits, classes);

			for (size_t c = 0; c < classes; c++)
				sum[c] += w * logits[c];
			total += w;
		}
	}
	for (size_t c = 0; c < classes; c++)
		sum[c] /= total;
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
