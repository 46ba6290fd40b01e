/* Calibration of a trained model on held-back flows
 * (core/eval/calibrate_model.h). */
#include "core/eval/calibrate_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval/calibrate.h"
#include "core/nn/softmax_xent.h"

size_t pronet_flow_input_capacity(const struct pronet_model *model,
                                  const struct pronet_flows *flows)
{
	size_t longest = pronet_flows_longest(flows);

	if (!pronet_model_is_per_flow(model))
		return PRONET_FLOW_MAX_PACKETS;
	return longest > 0 ? longest : 1;
}

enum pronet_err pronet_eval_calibrate(struct pronet_model *model, const struct pronet_dataset *data,
                                      const struct pronet_flows *flows, const size_t *members,
                                      size_t n, enum pronet_flow_combine combine,
                                      uint32_t flow_packets, double precision, float min_threshold,
                                      char *errbuf)
{
	size_t classes = pronet_model_num_classes(model), used = 0;
	float *logits = malloc((n > 0 ? n : 1) * classes * sizeof(float));
	float *probabilities = malloc((n > 0 ? n : 1) * classes * sizeof(float));
	uint32_t *labels = malloc((n > 0 ? n : 1) * sizeof(uint32_t));
	float thresholds[PRONET_MAX_CLASSES], temperature = 1.0f;
	size_t capacity = pronet_flow_input_capacity(model, flows);
	struct pronet_packet_record *inputs = malloc(capacity * sizeof(*inputs));
	uint8_t *bytes = malloc(capacity * pronet_flows_bytes_per_input(data) + 1);
	struct pronet_workspace *workspace = NULL;
	enum pronet_err err = pronet_workspace_new(model, &workspace, errbuf);

	if (err != PRONET_OK)
		goto out;
	if (logits == NULL || probabilities == NULL || labels == NULL || inputs == NULL ||
	    bytes == NULL) {
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to calibrate");
		goto out;
	}
	err = pronet_model_set_calibration(model, 1.0f, NULL, errbuf);
	for (size_t i = 0; err == PRONET_OK && i < n; i++) {
		size_t flow = members[i], count;
		int label = pronet_model_find_class(model, data->class_names[flows->label[flow]]);

		if (label < 0)
			continue;
		err = pronet_flows_gather_inputs(data, flows, flow, flow_packets, capacity, inputs,
		                                 bytes, &count, errbuf);
		if (err != PRONET_OK)
			break;
		err = pronet_model_predict_flow_with(model, workspace, inputs, count, combine,
		                                     probabilities + used * classes,
		                                     logits + used * classes, NULL);
		labels[used++] = (uint32_t)label;
	}
	if (err == PRONET_OK && used == 0)
		err = pronet_error(errbuf, PRONET_ERR_ARG,
		                   "no validation flow of the model's classes");
	if (err == PRONET_OK)
		err = pronet_calibrate_temperature(
		    logits, labels, used, classes, PRONET_CALIBRATION_MIN_TEMPERATURE,
		    PRONET_CALIBRATION_MAX_TEMPERATURE, &temperature, NULL, errbuf);
	if (err == PRONET_OK)
		err = pronet_model_set_calibration(model, temperature, NULL, errbuf);
	/* Probabilities at the new temperature, then the thresholds on them. */
	for (size_t i = 0; err == PRONET_OK && i < used; i++)
		pronet_softmax(logits + i * classes, classes, temperature,
		               probabilities + i * classes);
	if (err == PRONET_OK)
		err = pronet_calibrate_thresholds(probabilities, labels, used, classes, precision,
		                                  min_threshold, thresholds, errbuf);
	for (size_t c = 0; err == PRONET_OK && c < classes; c++)
		if (thresholds[c] < min_threshold)
			thresholds[c] = min_threshold;
	if (err == PRONET_OK)
		err = pronet_model_set_calibration(model, temperature, thresholds, errbuf);
out:
	free(logits);
	free(probabilities);
	free(labels);
	free(inputs);
	free(bytes);
	pronet_workspace_free(workspace);
	return err;
}
