/* The v1 fixtures' predictions (tests/data/v1/README.md): a model and a
 * dataset loaded through the public API, and every prediction printed so
 * that a later build can be held to them.
 *
 *   v1_predictions MODEL DATASET                 prints them
 *   v1_predictions --compare FILE MODEL DATASET  compares them with FILE
 *
 * Output, one line each ('#' lines are comments):
 *   classes C NAME...
 *   sample I CAPTURE FLOW PACKET_INDEX BEST P0 ... P(C-1)
 *   flow CAPTURE FLOW INPUTS BEST PROBABILITY DECISION
 * Sample lines come in dataset order; flow lines in (capture, flow) order,
 * each flow's inputs in packet-index order, grouped and gathered by
 * core/data/flows.c as `pronet eval` does.
 * The flow's probabilities come from pronet_model_predict_flow (the mean of
 * the logits, what the plugin's fallback uses) and its decision from
 * pronet_flow_decide with the plugin's thresholds: the model's calibrated
 * one for the class, else PRONET_THRESHOLD_DEFAULT, and PRONET_RANDOM_FLOOR.
 * Probabilities are printed with %a, exactly. --compare requires every
 * token to be equal except those probabilities, which may differ by up to
 * 1e-6 (absolute): the fast path's vector kernels (core/util/vector_isa.h)
 * sum in a different order on AVX2, AVX-512 and 16-byte vectors. The
 * model predicts with its float path (pronet_model_set_quantised(model,
 * 0)): the fixtures were made by it, and what they hold is that a v1 file
 * loads to the same weights; the 16-bit path derived from them has its own
 * contract (tests/core/arch/pronet_cnn/quant_contract.sh). Exit status: 0
 * equal, 1 different, 2 usage or load error. */
#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBABILITY_TOLERANCE 1e-6
/* A sample line: a few numbers, then up to PRONET_MAX_CLASSES %a floats
 * (at most "-0x1.fffffep+127", 16 characters) and class names. */
#define LINE_MAX_BYTES (PRONET_MAX_CLASSES * (PRONET_CLASS_NAME_MAX + 2) + 256)

static const char *const decision_names[] = {
    [PRONET_FLOW_NAMED] = "named",
    [PRONET_FLOW_BELOW_THRESHOLD] = "below-threshold",
    [PRONET_FLOW_REJECTED] = "rejected",
    [PRONET_FLOW_RANDOM] = "random",
};

/* Where lines go: standard output, or the comparison with a stored file. */
struct line_sink {
	FILE *stored; /* NULL: print */
	const char *stored_name;
	unsigned long line_number;
	unsigned long differences;
	char line[LINE_MAX_BYTES];
	size_t used;
};

static void line_append(struct line_sink *sink, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void line_append(struct line_sink *sink, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(sink->line + sink->used, sizeof(sink->line) - sink->used, fmt, args);
	va_end(args);
	if (n > 0)
		sink->used += (size_t)n < sizeof(sink->line) - sink->used
		                  ? (size_t)n
		                  : sizeof(sink->line) - 1 - sink->used;
}

/* The next line of the stored file that is not a comment, without its
 * newline; 0 at the end. */
static int read_stored_line(struct line_sink *sink, char *buf, size_t size)
{
	while (fgets(buf, (int)size, sink->stored) != NULL) {
		sink->line_number++;
		buf[strcspn(buf, "\n")] = '\0';
		if (buf[0] != '#')
			return 1;
	}
	return 0;
}

/* Equal tokens, or two hex floats within the tolerance. */
static int tokens_match(const char *stored, const char *computed)
{
	char *end_stored, *end_computed;
	double a, b;

	if (strcmp(stored, computed) == 0)
		return 1;
	if (strstr(stored, "0x") == NULL || strstr(computed, "0x") == NULL)
		return 0;
	a = strtod(stored, &end_stored);
	b = strtod(computed, &end_computed);
	return *end_stored == '\0' && *end_computed == '\0' && fabs(a - b) <= PROBABILITY_TOLERANCE;
}

static void compare_line(struct line_sink *sink)
{
	static char stored[LINE_MAX_BYTES];
	char computed[LINE_MAX_BYTES];
	char *save_stored, *save_computed, *s, *c;
	unsigned token = 0;

	if (!read_stored_line(sink, stored, sizeof(stored))) {
		if (sink->differences++ < 10)
			fprintf(stderr, "%s: ends before the computed line '%.80s'\n",
			        sink->stored_name, sink->line);
		return;
	}
	memcpy(computed, sink->line, sink->used + 1);
	s = strtok_r(stored, " ", &save_stored);
	c = strtok_r(computed, " ", &save_computed);
	for (; s != NULL || c != NULL; token++) {
		if (s == NULL || c == NULL || !tokens_match(s, c)) {
			if (sink->differences++ < 10)
				fprintf(stderr, "%s:%lu: field %u: stored %s, computed %s\n",
				        sink->stored_name, sink->line_number, token + 1,
				        s != NULL ? s : "(none)", c != NULL ? c : "(none)");
			return;
		}
		s = strtok_r(NULL, " ", &save_stored);
		c = strtok_r(NULL, " ", &save_computed);
	}
}

static void line_end(struct line_sink *sink)
{
	if (sink->stored == NULL)
		printf("%s\n", sink->line);
	else
		compare_line(sink);
	sink->used = 0;
	sink->line[0] = '\0';
}

static int print_samples(const struct pronet_model *model, const struct pronet_dataset *data,
                         struct line_sink *sink)
{
	size_t num_classes = pronet_model_num_classes(model);
	float probabilities[PRONET_MAX_CLASSES];

	for (size_t i = 0; i < data->num_samples; i++) {
		const struct pronet_sample *s = &data->samples[i];
		size_t best;

		if (pronet_model_predict(model, NULL, &s->input, probabilities, &best) !=
		    PRONET_OK) {
			fprintf(stderr, "v1_predictions: sample %zu: predict failed\n", i);
			return 2;
		}
		line_append(sink, "sample %zu %s %llu %u %s", i, data->capture_names[s->capture],
		            (unsigned long long)s->flow, s->input.payload_index,
		            pronet_model_class_name(model, best));
		for (size_t c = 0; c < num_classes; c++)
			line_append(sink, " %a", (double)probabilities[c]);
		line_end(sink);
	}
	return 0;
}

/* Flow `f` as `pronet eval` decides it: its first PRONET_FLOW_MAX_PACKETS
 * inputs gathered by core/data/flows.c, the one grouping. */
static int print_flow(const struct pronet_model *model, const struct pronet_dataset *data,
                      const struct pronet_flows *flows, size_t f, struct line_sink *sink)
{
	struct pronet_packet_record inputs[PRONET_FLOW_MAX_PACKETS];
	float probabilities[PRONET_MAX_CLASSES];
	const struct pronet_sample *first = &data->samples[flows->samples[flows->start[f]]];
	enum pronet_flow_decision decision;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t best, n;

	if (pronet_flows_gather_inputs(data, flows, f, 0, PRONET_FLOW_MAX_PACKETS, inputs, NULL, &n,
	                               errbuf) != PRONET_OK ||
	    pronet_model_predict_flow(model, NULL, inputs, n, probabilities, &best) != PRONET_OK) {
		fprintf(stderr, "v1_predictions: flow %llu: predict failed\n",
		        (unsigned long long)first->flow);
		return 2;
	}
	decision = pronet_flow_decide(
	    model, inputs, n, probabilities, best,
	    pronet_model_decision_threshold(model, best, PRONET_THRESHOLD_DEFAULT),
	    PRONET_RANDOM_FLOOR);
	line_append(sink, "flow %s %llu %zu %s %a %s", data->capture_names[flows->capture[f]],
	            (unsigned long long)first->flow, n, pronet_model_class_name(model, best),
	            (double)probabilities[best], decision_names[decision]);
	line_end(sink);
	return 0;
}

static int print_flows(const struct pronet_model *model, const struct pronet_dataset *data,
                       struct line_sink *sink)
{
	struct pronet_flows *flows = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	int status = 0;

	if (pronet_flows_index(data, &flows, errbuf) != PRONET_OK) {
		fprintf(stderr, "v1_predictions: %s\n", errbuf);
		return 2;
	}
	for (size_t f = 0; status == 0 && f < flows->num_flows; f++)
		status = print_flow(model, data, flows, f, sink);
	pronet_flows_free(flows);
	return status;
}

static int run(const char *model_path, const char *dataset_path, struct line_sink *sink)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = NULL;
	struct pronet_dataset *data = NULL;
	int status;

	if (pronet_model_load(model_path, &model, errbuf) != PRONET_OK ||
	    pronet_dataset_load(dataset_path, &data, errbuf) != PRONET_OK) {
		fprintf(stderr, "v1_predictions: %s\n", errbuf);
		pronet_model_free(model);
		return 2;
	}
	pronet_model_set_quantised(model, 0);
	if (sink->stored == NULL) {
		printf("# v1_predictions (tests/core/model/v1_predictions.c); lines:\n"
		       "#   classes C NAME...\n"
		       "#   sample I CAPTURE FLOW PACKET_INDEX BEST P0 ... P(C-1)\n"
		       "#   flow CAPTURE FLOW INPUTS BEST PROBABILITY DECISION\n");
	}
	line_append(sink, "classes %zu", pronet_model_num_classes(model));
	for (size_t c = 0; c < pronet_model_num_classes(model); c++)
		line_append(sink, " %s", pronet_model_class_name(model, c));
	line_end(sink);
	status = print_samples(model, data, sink);
	if (status == 0)
		status = print_flows(model, data, sink);
	pronet_dataset_free(data);
	pronet_model_free(model);
	return status;
}

int main(int argc, char **argv)
{
	static struct line_sink sink;
	char rest[LINE_MAX_BYTES];
	int status;

	if (argc == 5 && strcmp(argv[1], "--compare") == 0) {
		sink.stored_name = argv[2];
		sink.stored = fopen(argv[2], "r");
		if (sink.stored == NULL) {
			perror(argv[2]);
			return 2;
		}
		argv += 2;
	} else if (argc != 3) {
		fprintf(stderr, "usage: v1_predictions [--compare FILE] MODEL DATASET\n");
		return 2;
	}
	status = run(argv[1], argv[2], &sink);
	if (sink.stored == NULL)
		return status;
	if (status == 0 && read_stored_line(&sink, rest, sizeof(rest))) {
		fprintf(stderr, "%s:%lu: a line more than computed: '%.80s'\n", sink.stored_name,
		        sink.line_number, rest);
		sink.differences++;
	}
	fclose(sink.stored);
	if (status == 0 && sink.differences > 0) {
		fprintf(stderr, "%s: %lu lines differ from %s on %s\n", sink.stored_name,
		        sink.differences, argv[1], argv[2]);
		status = 1;
	}
	return status;
}
