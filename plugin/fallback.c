/* The give-up fallback: the one place where pronet names a flow that nDPI
 * leaves Unknown, from two sources in turn: endpoint evidence (what nDPI's
 * DPI named on other flows of the flow's endpoints, plugin/
 * endpoint_evidence.h), then the model. Called after the host's
 * ndpi_detection_giveup, never earlier: labelling while nDPI's dissectors
 * can still succeed would override flows nDPI names a few packets later (an
 * HTTP response seen before its request, TLS before the certificate). */
#include "plugin/attachment.h"
#include "plugin/pronet_plugin.h"

#include <string.h>

#include "core/model/flow_predict.h"

static void keep_top(const float *mean, size_t num_classes, struct pronet_flow_verdict *verdict)
{
	verdict->num_top = 0;
	for (size_t c = 0; c < num_classes; c++) {
		size_t at = verdict->num_top;

		while (at > 0 && mean[c] > verdict->top_probability[at - 1])
			at--;
		if (at >= PRONET_PLUGIN_TOP)
			continue;
		if (verdict->num_top < PRONET_PLUGIN_TOP)
			verdict->num_top++;
		for (size_t k = verdict->num_top - 1; k > at; k--) {
			verdict->top_class[k] = verdict->top_class[k - 1];
			verdict->top_probability[k] = verdict->top_probability[k - 1];
		}
		verdict->top_class[at] = (uint16_t)c;
		verdict->top_probability[at] = mean[c];
	}
}

/* Runs the model on the flow's recorded packets and decides. */
static void decide(const struct pronet_attachment *a, struct pronet_flow_store *store,
                   const struct ndpi_flow_struct *flow, struct pronet_flow_verdict *verdict)
{
	struct pronet_flow_record record;
	float mean[PRONET_MAX_CLASSES];
	size_t best;

	memset(verdict, 0, sizeof(*verdict));
	verdict->decided = 1;
	verdict->abstained = 1;
	/* A per-flow family's verdict is scored apart from a packet model's. */
	verdict->source = pronet_model_is_per_flow(a->model) ? PRONET_PLUGIN_SOURCE_FLOW_MODEL
	                                                     : PRONET_PLUGIN_SOURCE_MODEL;
	verdict->decision = PRONET_FLOW_BELOW_THRESHOLD;
	verdict->model_generation = a->model_generation;
	if (!pronet_flow_store_snapshot(store, flow, &record) || record.num_inputs == 0)
		return;
	/* The flow's class probabilities from its recorded packets (each one
	 * model input, ProNet Sec. 3.1), combined the one way core decides a
	 * flow (core/model/flow_predict.h), as `pronet eval` measures it. */
	if (pronet_model_predict_flow(a->model, a->workspace, record.inputs, record.num_inputs,
	                              mean, NULL) != PRONET_OK)
		return;
	verdict->packets_used = record.num_inputs;
	keep_top(mean, a->num_classes, verdict);
	for (size_t k = 0; k < verdict->num_top; k++)
		verdict->top_name[k] = a->class_name[verdict->top_class[k]];
	if (verdict->num_top == 0)
		return;
	best = verdict->top_class[0];
	verdict->score = mean[best];
	/* The one decision eval measures (core/model/flow_predict.h); a class that
	 * maps to no protocol never names either: it means "none of them". */
	verdict->decision = pronet_flow_decide(a->model, record.inputs, record.num_inputs, mean,
	                                       best, a->class_threshold[best], PRONET_RANDOM_FLOOR);
	if (verdict->decision == PRONET_FLOW_NAMED &&
	    a->class_protocol[best] == NDPI_PROTOCOL_UNKNOWN)
		verdict->decision = PRONET_FLOW_REJECTED;
	if (verdict->decision == PRONET_FLOW_NAMED) {
		verdict->abstained = 0;
		verdict->ndpi_protocol = a->class_protocol[best];
	}
}

/* Endpoint evidence, asked before the model: returns 1 and fills the
 * verdict if what nDPI's DPI named on the flow's endpoints names it. */
static int decide_by_endpoint(const struct pronet_attachment *a, struct pronet_flow_store *store,
                              const struct ndpi_flow_struct *flow,
                              struct pronet_flow_verdict *verdict)
{
	struct pronet_flow_endpoints endpoints;
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal proposal;
	unsigned marks;

	if (a->evidence == NULL ||
	    !pronet_flow_store_evidence_view(store, flow, &endpoints, &marks))
		return 0;
	pronet_endpoint_ends_of_flow(&endpoints, ends);
	pronet_endpoint_evidence_propose(a->evidence, ends, &proposal);
	if (proposal.hop == PRONET_ENDPOINT_HOP_NONE)
		return 0;
	memset(verdict, 0, sizeof(*verdict));
	verdict->decided = 1;
	verdict->source = PRONET_PLUGIN_SOURCE_ENDPOINT;
	verdict->decision = PRONET_FLOW_NAMED;
	/* nDPI's (master, app) pair as DPI named it: app first, as
	 * ndpi_set_detected_protocol takes them. */
	verdict->ndpi_protocol = proposal.protocol.app != NDPI_PROTOCOL_UNKNOWN
	                             ? proposal.protocol.app
	                             : proposal.protocol.master;
	verdict->ndpi_master = proposal.protocol.app != NDPI_PROTOCOL_UNKNOWN
	                           ? proposal.protocol.master
	                           : NDPI_PROTOCOL_UNKNOWN;
	verdict->score =
	    (float)proposal.agreeing / (float)(proposal.agreeing + proposal.conflicting);
	verdict->endpoint_hop = (uint8_t)proposal.hop;
	verdict->endpoint_agreeing = proposal.agreeing;
	verdict->endpoint_conflicting = proposal.conflicting;
	return 1;
}

void pronet_plugin_fallback(struct ndpi_detection_module_struct *ndpi,
                            struct ndpi_flow_struct *flow, ndpi_protocol *result)
{
	const struct pronet_attachment *a;
	struct pronet_flow_store *store = pronet_attachment_store();
	struct pronet_flow_verdict verdict;

	if (ndpi == NULL || flow == NULL || result == NULL || store == NULL)
		return;
	if (result->app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    result->master_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    flow->detected_protocol_stack[0] != NDPI_PROTOCOL_UNKNOWN)
		return; /* nDPI named it: its verdict stands */
	a = pronet_attachment_find(ndpi);
	if (a == NULL)
		return;
	if (pronet_flow_store_get_verdict(store, flow, &verdict) && verdict.decided)
		return; /* decided before (and abstained, or the flow would be named) */
	if (!decide_by_endpoint(a, store, flow, &verdict))
		decide(a, store, flow, &verdict);
	pronet_flow_store_set_verdict(store, flow, &verdict);
	if (verdict.abstained) {
		ndpi_exclude_protocol(ndpi, flow, a->dissector_protocol, __FILE__, __func__,
		                      __LINE__);
		return;
	}
	ndpi_set_detected_protocol(ndpi, flow, verdict.ndpi_protocol, verdict.ndpi_master,
	                           verdict.source == PRONET_PLUGIN_SOURCE_ENDPOINT
	                               ? PRONET_PLUGIN_ENDPOINT_CONFIDENCE
	                               : PRONET_PLUGIN_CONFIDENCE);
	result->master_protocol = verdict.ndpi_master;
	result->app_protocol = verdict.ndpi_protocol;
	result->category = ndpi_get_proto_category(ndpi, *result);
}

ndpi_protocol pronet_plugin_detection_giveup(struct ndpi_detection_module_struct *ndpi,
                                             struct ndpi_flow_struct *flow, u_int8_t enable_guess,
                                             u_int8_t *protocol_was_guessed)
{
	ndpi_protocol result =
	    ndpi_detection_giveup(ndpi, flow, enable_guess, protocol_was_guessed);

	pronet_plugin_fallback(ndpi, flow, &result);
	return result;
}

enum pronet_err pronet_plugin_flow_result(const struct ndpi_flow_struct *flow,
                                          struct pronet_plugin_result *out)
{
	struct pronet_flow_store *store = pronet_attachment_store();
	struct pronet_flow_verdict verdict;

	memset(out, 0, sizeof(*out));
	if (flow == NULL || store == NULL || !pronet_flow_store_get_verdict(store, flow, &verdict))
		return PRONET_ERR_NOT_FOUND;
	out->decided = verdict.decided;
	out->abstained = verdict.abstained;
	out->ndpi_protocol = verdict.ndpi_protocol;
	out->packets_used = verdict.packets_used;
	out->source = (enum pronet_plugin_source)verdict.source;
	out->decision = (enum pronet_flow_decision)verdict.decision;
	out->score = verdict.score;
	out->ndpi_master = verdict.ndpi_master;
	out->endpoint.hop = verdict.endpoint_hop;
	out->endpoint.agreeing = verdict.endpoint_agreeing;
	out->endpoint.conflicting = verdict.endpoint_conflicting;
	out->model_generation = verdict.model_generation;
	out->num_top = verdict.num_top;
	for (size_t k = 0; k < verdict.num_top; k++) {
		out->top[k].label = pronet_attachment_class_name(verdict.top_name[k]);
		out->top[k].probability = verdict.top_probability[k];
	}
	if (verdict.num_top > 0) {
		out->label = out->top[0].label;
		out->probability = out->top[0].probability;
	}
	return PRONET_OK;
}

void pronet_plugin_flow_forget(const struct ndpi_flow_struct *flow)
{
	struct pronet_flow_store *store = pronet_attachment_store();

	if (flow != NULL && store != NULL)
		pronet_flow_store_forget(store, flow);
}

size_t pronet_plugin_flows_in_use(void)
{
	struct pronet_flow_store *store = pronet_attachment_store();

	return store != NULL ? pronet_flow_store_in_use(store) : 0;
}

size_t pronet_plugin_flow_misses(void)
{
	struct pronet_flow_store *store = pronet_attachment_store();

	return store != NULL ? pronet_flow_store_misses(store) : 0;
}
