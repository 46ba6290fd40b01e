/* pronet explain --flow (tools/explain_flow.h). */
#include "config.h"

#include "tools/explain_flow.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "core/model/flow_predict.h"
#include "tools/classify_event.h"
#include "tools/engine_args.h"

struct explain_flow_run {
	const struct pronet_model *model;
	const struct pronet_cnn_explainer *explainer;
	const char *capture, *only_class;
	int64_t flow_id;
	FILE *out;
	int found;  /* the flow was reported */
	int failed; /* ...and could not be explained (message printed) */
};

static const char *const decision_names[] = {
    [PRONET_FLOW_NAMED] = "named",
    [PRONET_FLOW_BELOW_THRESHOLD] = "abstained: below the class's threshold",
    [PRONET_FLOW_REJECTED] = "abstained: the reject class won",
    [PRONET_FLOW_RANDOM] = "abstained: random-looking bytes below the random floor",
};

static void print_endpoint(FILE *out, const struct pronet_flow_key *key, int side)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(key->ip_version == 6 ? AF_INET6 : AF_INET, key->addr[side], text,
	              sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	fprintf(out, key->ip_version == 6 ? "[%s]:%u" : "%s:%u", text, (unsigned)key->port[side]);
}

/* The record's window: hex, then printable bytes as text. */
static void print_bytes(FILE *out, const struct pronet_packet_record *r)
{
	fputs("      bytes ", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		if (i < r->length)
			fprintf(out, "%02x ", r->bytes[i]);
		else
			fputs("-- ", out);
	fputs(" |", out);
	for (size_t i = 0; i < r->length && i < PRONET_PAYLOAD_BYTES; i++)
		fputc(isprint(r->bytes[i]) ? r->bytes[i] : '.', out);
	fputs("|\n", out);
}

static void print_attribution(FILE *out, const struct pronet_packet_record *r, size_t number,
                              const struct pronet_cnn_attribution *a, double bytes, double ngrams)
{
	fprintf(out,
	        "    packet %zu: %s, payload %u bytes, packet index %u; centred logit %+.3f "
	        "= constant %+.3f + context %+.3f + bytes %+.3f + 3-grams %+.3f\n",
	        number,
	        r->direction == PRONET_DIR_CLIENT_TO_SERVER ? "client to server"
	                                                    : "server to client",
	        (unsigned)r->payload_length, (unsigned)r->packet_index, (double)a->total,
	        (double)a->constant, (double)a->context, bytes, ngrams);
	print_bytes(out, r);
	fputs("      byte  ", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		fprintf(out, "%+6.2f", (double)a->byte_view[i]);
	fputs("\n      3-gram", out);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		fprintf(out, "%+6.2f", (double)a->ngram_view[i]);
	fputc('\n', out);
}

static void explain_report(void *user, const struct pronet_flow_report *report)
{
	struct explain_flow_run *run = user;
	const struct pronet_flow *flow = report->flow;
	size_t classes = pronet_model_num_classes(run->model), best = 0, target;
	float probabilities[PRONET_MAX_CLASSES];
	struct pronet_workspace *workspace = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	enum pronet_flow_decision decision;
	double bytes_sum = 0.0, ngram_sum = 0.0, total_sum = 0.0;
	float threshold;

	if (run->found || classify_flow_id(flow) != run->flow_id)
		return;
	run->found = 1;
	fprintf(run->out, "pronet explain: flow %lld of %s\n  %s ", (long long)run->flow_id,
	        run->capture,
	        flow->key.l4_protocol == 6    ? "TCP"
	        : flow->key.l4_protocol == 17 ? "UDP"
	                                      : "IP");
	print_endpoint(run->out, &flow->key, flow->client_side);
	fputs(" -> ", run->out);
	print_endpoint(run->out, &flow->key, 1 - flow->client_side);
	fprintf(run->out, "; nDPI: %s (confidence %s)\n", report->name, report->confidence_name);
	if (flow->num_inputs == 0) {
		fprintf(run->out, "  no payload packet recorded: the model is not asked\n");
		return;
	}
	if (pronet_workspace_new(run->model, &workspace, errbuf) != PRONET_OK ||
	    pronet_model_predict_flow(run->model, workspace, flow->inputs, flow->num_inputs,
	                              probabilities, &best) != PRONET_OK) {
		fprintf(stderr, "pronet explain: %s\n", errbuf);
		pronet_workspace_free(workspace);
		run->failed = 1;
		return;
	}
	pronet_workspace_free(workspace);
	threshold = pronet_model_decision_threshold(run->model, best, PRONET_THRESHOLD_DEFAULT);
	decision = pronet_flow_decide(run->model, flow->inputs, flow->num_inputs, probabilities,
	                              best, threshold, PRONET_RANDOM_FLOOR);
	fprintf(run->out, "  model: %s %.4f (threshold %.4f): %s\n  top:",
	        pronet_model_class_name(run->model, best), (double)probabilities[best],
	        (double)threshold, decision_names[decision]);
	for (int k = 0; k < 3 && (size_t)k < classes; k++) {
		size_t top = 0;
		for (size_t c = 1; c < classes; c++)
			if (probabilities[c] > probabilities[top])
				top = c;
		fprintf(run->out, " %s %.4f", pronet_model_class_name(run->model, top),
		        (double)probabilities[top]);
		probabilities[top] = -1.0f; /* printed */
	}
	fputc('\n', run->out);
	target = best;
	if (run->only_class != NULL) {
		int found = pronet_model_find_class(run->model, run->only_class);
		if (found < 0) {
			fprintf(stderr, "pronet explain: --class: %s is not a class of the model\n",
			        run->only_class);
			run->failed = 1;
			return;
		}
		target = (size_t)found;
	}
	fprintf(run->out,
	        "  towards %s, per recorded packet (the flow's centred logit is their mean);\n"
	        "  per position: what its byte and the 3-grams over it give (3-grams split in "
	        "thirds)\n",
	        pronet_model_class_name(run->model, target));
	for (size_t i = 0; i < flow->num_inputs; i++) {
		struct pronet_cnn_attribution a;
		double bytes = 0.0, ngrams = 0.0;

		pronet_cnn_explain_input(run->explainer, &flow->inputs[i], target, &a);
		for (size_t p = 0; p < PRONET_PAYLOAD_BYTES; p++) {
			bytes += a.byte_view[p];
			ngrams += a.ngram_view[p];
		}
		print_attribution(run->out, &flow->inputs[i], i + 1, &a, bytes, ngrams);
		bytes_sum += bytes;
		ngram_sum += ngrams;
		total_sum += a.total;
	}
	fprintf(run->out,
	        "  flow: centred logit %+.3f towards %s (bytes %+.3f, 3-grams %+.3f, the rest "
	        "constant and context), over %u packets\n",
	        total_sum / flow->num_inputs, pronet_model_class_name(run->model, target),
	        bytes_sum / flow->num_inputs, ngram_sum / flow->num_inputs,
	        (unsigned)flow->num_inputs);
}

int pronet_explain_flow(const struct pronet_model *model,
                        const struct pronet_cnn_explainer *explainer, const char *capture,
                        int64_t flow_id, const char *only_class, FILE *out)
{
	struct explain_flow_run run = {.model = model,
	                               .explainer = explainer,
	                               .capture = capture,
	                               .only_class = only_class,
	                               .flow_id = flow_id,
	                               .out = out};
	struct pronet_ndpi_engine_options options;
	int status;

	pronet_ndpi_engine_options_default(&options);
	if (!pronet_cli_engine_seed_hash("explain", &options))
		return 1;
	options.report = explain_report;
	options.report_user = &run;
	status = pronet_cli_engine_run_file("explain", &options, capture, NULL);
	if (status == PRONET_CLI_NO_ENGINE)
		return 1;
	if (!run.found) {
		fprintf(stderr,
		        "pronet explain: %s: no flow with flow_id %lld%s (take it from `pronet "
		        "classify` of the same file, without -t or timeouts)\n",
		        capture, (long long)flow_id,
		        status == PRONET_CLI_READ_FAILED ? " in the part that could be read" : "");
		return 1;
	}
	return run.failed;
}
