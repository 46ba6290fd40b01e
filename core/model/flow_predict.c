/* Per-flow decisions (core/model/flow_predict.h). */
#include "core/model/flow_predict.h"

#include <math.h>
#include <string.h>
#include <strings.h>

#include "core/model/model_internal.h"
#include "core/nn/softmax_xent.h"

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
                                               struct pronet_workspace *workspace,
                                               const struct pronet_packet_record *inputs, size_t n,
                                               enum pronet_flow_combine combine,
                                               float *probabilities, float *mean_logits,
                                               size_t *best)
{
	float logits[PRONET_MAX_CLASSES], sum[PRONET_MAX_CLASSES];
	float packet[PRONET_MAX_CLASSES], total = 0.0f;
	size_t classes, top;
	void *memory;

	if (model == NULL || inputs == NULL || probabilities == NULL || n == 0 ||
	    combine > PRONET_COMBINE_LAST ||
	    pronet_workspace_check(model, workspace, &memory) != PRONET_OK)
		return PRONET_ERR_ARG;
	classes = model->num_classes;
	if (model->ops->flow_logits != NULL) {
		/* A flow family decides the flow as a whole: its logits are the
		 * flow's, and only the temperature applies. */
		model->ops->flow_logits(model, inputs, n, memory, sum);
		pronet_softmax(sum, classes, model->temperature, probabilities);
		if (mean_logits != NULL)
			memcpy(mean_logits, sum, classes * sizeof(float));
		if (best != NULL)
			*best = pronet_argmax(probabilities, classes);
		return PRONET_OK;
	}
	if (n > PRONET_FLOW_MAX_PACKETS)
		n = PRONET_FLOW_MAX_PACKETS;
	if (combine == PRONET_COMBINE_FIRST_PACKET)
		n = 1;
	memset(sum, 0, classes * sizeof(float));
	for (size_t i = 0; i < n; i++) {
		model->ops->logits(model, &inputs[i], memory, logits);
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
                                          struct pronet_workspace *workspace,
                                          const struct pronet_packet_record *inputs, size_t n,
                                          float *probabilities, size_t *best)
{
	return pronet_model_predict_flow_with(
	    model, workspace, inputs, n, PRONET_COMBINE_MEAN_LOGITS, probabilities, NULL, best);
}

int pronet_model_is_reject_class(const struct pronet_model *model, size_t class_index)
{
	const char *name = pronet_model_class_name(model, class_index);

	return name != NULL && strcasecmp(name, PRONET_REJECT_CLASS) == 0;
}

size_t pronet_model_best_named(const struct pronet_model *model, const float *probabilities)
{
	size_t best = model->num_classes;

	for (size_t c = 0; c < model->num_classes; c++)
		if (!pronet_model_is_reject_class(model, c) &&
		    (best == model->num_classes || probabilities[c] > probabilities[best]))
			best = c;
	return best;
}

/* The statistic over the bytes of inputs[0..n), or with leading_only over
 * the first input of each direction; NaN below PRONET_RANDOM_MIN_BYTES. */
static double uniformity_chi2(const struct pronet_packet_record *inputs, size_t n, int leading_only)
{
	unsigned high[16] = {0}, low[16] = {0}, ones[8] = {0}, count = 0, seen = 0;
	double expected, chi2 = 0.0;

	for (size_t i = 0; i < n; i++) {
		unsigned direction = inputs[i].direction ? 2u : 1u;
		size_t length = inputs[i].length < PRONET_PAYLOAD_BYTES ? inputs[i].length
		                                                        : PRONET_PAYLOAD_BYTES;

		if (leading_only && (seen & direction))
			continue;
		seen |= direction;
		for (size_t b = 0; b < length; b++) {
			uint8_t v = inputs[i].bytes[b];

			high[v >> 4]++;
			low[v & 15]++;
			for (unsigned k = 0; k < 8; k++)
				ones[k] += (v >> k) & 1u;
		}
		count += (unsigned)length;
	}
	if (count < PRONET_RANDOM_MIN_BYTES)
		return NAN;
	expected = count / 16.0;
	for (size_t k = 0; k < 16; k++)
		chi2 += ((high[k] - expected) * (high[k] - expected) +
		         (low[k] - expected) * (low[k] - expected)) /
		        expected;
	/* Each bit of a uniform byte is a fair coin. */
	for (size_t k = 0; k < 8; k++)
		chi2 += (ones[k] - count / 2.0) * (ones[k] - count / 2.0) / (count / 4.0);
	return chi2;
}

double pronet_flow_uniformity_chi2(const struct pronet_packet_record *inputs, size_t n)
{
	double all, leading;

	if (inputs == NULL || n == 0)
		return NAN;
	if (n > PRONET_FLOW_MAX_PACKETS)
		n = PRONET_FLOW_MAX_PACKETS;
	/* The leading bytes on their own as well: later packets are often
	 * ciphertext or file content behind a structured start (an HTTP body
	 * after its header) and would dilute it. */
	all = uniformity_chi2(inputs, n, 0);
	leading = uniformity_chi2(inputs, n, 1);
	if (isnan(all) || isnan(leading))
		return NAN;
	return all > leading ? all : leading;
}

int pronet_flow_looks_random(const struct pronet_packet_record *inputs, size_t n)
{
	double chi2 = pronet_flow_uniformity_chi2(inputs, n);

	return !isnan(chi2) && chi2 < PRONET_RANDOM_CHI2_MAX;
}

enum pronet_flow_decision pronet_flow_decide(const struct pronet_model *model,
                                             const struct pronet_packet_record *inputs, size_t n,
                                             const float *probabilities, size_t best,
                                             float threshold, float random_floor)
{
	if (best >= model->num_classes)
		return PRONET_FLOW_BELOW_THRESHOLD;
	if (pronet_model_is_reject_class(model, best))
		return PRONET_FLOW_REJECTED;
	if (random_floor > 0.0f && probabilities[best] < random_floor &&
	    pronet_flow_looks_random(inputs, n))
		return PRONET_FLOW_RANDOM;
	return probabilities[best] >= threshold ? PRONET_FLOW_NAMED : PRONET_FLOW_BELOW_THRESHOLD;
}

int pronet_model_flow_accepts(const struct pronet_model *model, const float *probabilities,
                              size_t best)
{
	return best < model->num_classes && !pronet_model_is_reject_class(model, best) &&
	       probabilities[best] >= model->thresholds[best];
}
