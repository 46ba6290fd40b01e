/* Per-flow verdicts counted into a result (core/eval/verdicts.h). */
#include "core/eval/verdicts.h"

#include <stdlib.h>

#include "core/eval/calibrate_model.h"

enum pronet_err pronet_eval_count_verdicts(const struct pronet_model *model,
                                           const struct pronet_eval_verdict_scope *scope,
                                           uint32_t repeat, struct pronet_eval_result *r,
                                           char *errbuf)
{
	const struct pronet_flows *flows = scope->flows;
	size_t classes = r->num_classes, cells = classes * (classes + 1);
	uint64_t *confusion = r->confusion + repeat * cells;
	uint64_t *thresholded = r->confusion_thresholded + repeat * cells;
	size_t capacity = pronet_flow_input_capacity(model, flows);
	struct pronet_packet_record *inputs = malloc(capacity * sizeof(*inputs));
	uint8_t *bytes = malloc(capacity * pronet_flows_bytes_per_input(scope->data) + 1);
	float probabilities[PRONET_MAX_CLASSES];
	struct pronet_workspace *workspace = NULL;
	enum pronet_err err = pronet_workspace_new(model, &workspace, errbuf); /* once per call */

	if (err == PRONET_OK && (inputs == NULL || bytes == NULL))
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for flows of %zu packets",
		                   capacity);
	if (err != PRONET_OK) {
		free(inputs);
		free(bytes);
		pronet_workspace_free(workspace);
		return err;
	}

	for (size_t f = 0; err == PRONET_OK && f < flows->num_flows; f++) {
		int truth = scope->model_class[flows->label[f]];
		int unknown = truth == PRONET_EVAL_UNKNOWN_TO_MODEL;
		size_t count, best = 0, named;
		enum pronet_flow_decision decision;
		float threshold;
		int accepted;

		if ((scope->fold != NULL && scope->fold[f] != scope->test_fold) ||
		    truth == PRONET_EVAL_NOT_COUNTED)
			continue;
		err = pronet_flows_gather_inputs(scope->data, flows, f, scope->flow_packets,
		                                 capacity, inputs, bytes, &count, errbuf);
		if (err != PRONET_OK)
			break;
		if (pronet_model_predict_flow_with(model, workspace, inputs, count, scope->combine,
		                                   probabilities, NULL, &best) != PRONET_OK)
			continue;
		/* As the plugin decides (plugin/attach.c), for a host without a
		 * thresholds file of its own. */
		threshold = pronet_model_decision_threshold(model, best, PRONET_THRESHOLD_DEFAULT);
		decision = pronet_flow_decide(model, inputs, count, probabilities, best, threshold,
		                              scope->random_floor);
		accepted = decision == PRONET_FLOW_NAMED;
		r->decisions[decision]++;
		if (pronet_flow_looks_random(inputs, count)) {
			r->random_flows++;
			if (pronet_flow_decide(model, inputs, count, probabilities, best, threshold,
			                       0.0f) == PRONET_FLOW_NAMED) {
				r->random_named++;
				r->random_right += !unknown && (size_t)truth == best;
			}
			if (accepted) {
				r->random_gated_named++;
				r->random_gated_right += !unknown && (size_t)truth == best;
			}
		}
		/* Best class always: the best class that names something. */
		named = pronet_model_best_named(model, probabilities);
		if (named >= classes)
			named = classes;
		if (unknown) {
			r->held_out_flows++;
			if (accepted)
				r->held_out_named[best]++;
			else
				r->held_out_abstained++;
			if (r->unknown_flows != NULL) {
				r->unknown_flows[flows->label[f]]++;
				r->unknown_abstained[flows->label[f]] += !accepted;
			}
			continue;
		}
		/* The reject class's flows have no closed-set answer: only the
		 * table with abstention counts them (named, they are mistakes). */
		if (!pronet_model_is_reject_class(model, (size_t)truth))
			confusion[(size_t)truth * (classes + 1) + named]++;
		thresholded[(size_t)truth * (classes + 1) + (accepted ? best : classes)]++;
	}
	pronet_workspace_free(workspace);
	free(inputs);
	free(bytes);
	return err;
}
