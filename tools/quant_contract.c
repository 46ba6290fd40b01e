/* `make quant-contract`: how far ProNet's 16-bit prediction path
 * (core/arch/pronet_cnn/quant.h) is from the float reference, on every
 * distinct input the corpus gives a model.
 *
 *   quant_contract -m MODEL -c CORPUS [--check] [--max-dp D]
 *
 * Inputs: every payload packet of every capture in CORPUS/MANIFEST.tsv as
 * the benchmark builds it (a first client packet), and every record the
 * flow table keeps of a flow (the first 8 payload packets of each
 * direction, with their direction, index, transport and length: what
 * classify and the plugin hand the model); kept once each by everything the
 * model reads of a record (its bytes, length and context). For each: the
 * reference's probabilities (pronet_cnn_logits_reference, softmax in
 * double) against the quantised path's (pronet_model_predict) and, for
 * scale, the float tables' (the path quantisation replaced).
 *
 * Prints the count, the share with the same class and the largest |dp| of
 * any class. --check: exit 1 unless the contract holds (same class on
 * >= 99.99 % of the inputs, every |dp| <= 1e-3, or D: the test shows with a
 * bound no path meets that the check can fail); exit 2 when the corpus or
 * the model cannot be read. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/pronet_cnn/fast.h"
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/quant.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/flow_table.h"

#define TABLE_BITS 21 /* 2M slots: room for every distinct input */
#define MAX_CAPTURES 4096
#define AGREEMENT 0.9999
#define MAX_DP 1e-3

struct inputs {
	struct pronet_packet_record *records;
	uint8_t (*bytes)[PRONET_PAYLOAD_BYTES];
	uint32_t *slots; /* open addressing: record index + 1, or 0 */
	size_t count, dropped;
};

/* What the model reads of a record (packet_context.h): the payload index
 * past 5 and a transport other than TCP and UDP read alike. */
static void free_inputs(struct inputs *s)
{
	free(s->records);
	free(s->bytes);
	free(s->slots);
}

static void model_view(const struct pronet_packet_record *in, uint32_t view[5])
{
	view[0] = in->length < PRONET_PAYLOAD_BYTES ? in->length : PRONET_PAYLOAD_BYTES;
	view[1] = in->direction;
	view[2] = in->payload_index < 5 ? in->payload_index : 5;
	view[3] = in->l4_protocol == 6 || in->l4_protocol == 17 ? in->l4_protocol : 0;
	view[4] = in->payload_length;
}

static int same_input(const struct pronet_packet_record *a, const struct pronet_packet_record *b)
{
	uint32_t va[5], vb[5];

	model_view(a, va);
	model_view(b, vb);
	return memcmp(va, vb, sizeof(va)) == 0 && memcmp(a->bytes, b->bytes, va[0]) == 0;
}

static uint32_t hash_input(const struct pronet_packet_record *in)
{
	uint32_t view[5], h = 2166136261u;

	model_view(in, view);
	for (size_t i = 0; i < 5; i++)
		h = (h ^ view[i]) * 16777619u;
	for (size_t i = 0; i < view[0]; i++)
		h = (h ^ in->bytes[i]) * 16777619u;
	return h;
}

static void add_input(struct inputs *s, const struct pronet_packet_record *in)
{
	uint32_t mask = (1u << TABLE_BITS) - 1, slot = hash_input(in) & mask;

	while (s->slots[slot] != 0) {
		if (same_input(&s->records[s->slots[slot] - 1], in))
			return;
		slot = (slot + 1) & mask;
	}
	if (s->count + 1 >= (size_t)mask / 2) {
		s->dropped++;
		return;
	}
	s->records[s->count] = *in;
	memcpy(s->bytes[s->count], in->bytes, in->length < 16 ? in->length : 16);
	s->records[s->count].bytes = s->bytes[s->count];
	s->slots[slot] = (uint32_t)++s->count;
}

static void flow_ended(void *user, struct pronet_flow *flow, enum pronet_flow_end_reason reason)
{
	(void)reason;
	for (size_t i = 0; i < flow->num_inputs; i++)
		add_input(user, &flow->inputs[i]);
}

/* One capture's packets into the set; 0 if it cannot be opened. A damaged
 * file ends early (the corpus has a few): what was read counts. */
static int read_capture(const char *path, struct inputs *s, char *errbuf)
{
	struct pronet_flow_table_options options;
	struct pronet_flow_table *table;
	struct pronet_capture *capture;
	struct pronet_raw_packet raw;
	struct pronet_packet packet;
	enum pronet_capture_status status;
	enum pronet_packet_skip skip;
	struct pronet_input_spec spec;

	pronet_flow_table_options_default(&options);
	options.inputs_per_direction = 8;
	options.max_flows = 4096; /* evicted flows count too: they end through flow_ended */
	if (pronet_capture_open_file(path, &capture, errbuf) != PRONET_OK)
		return 0;
	if (pronet_flow_table_new(&options, flow_ended, s, &table, errbuf) != PRONET_OK) {
		pronet_capture_close(capture);
		return 0;
	}
	pronet_input_spec_default(&spec);
	while (pronet_capture_next(capture, &raw, &status, errbuf) == PRONET_OK &&
	       status == PRONET_CAPTURE_PACKET) {
		struct pronet_flow *flow;
		enum pronet_direction direction;
		int created;

		if (pronet_decode_packet(pronet_capture_datalink(capture), raw.data, raw.caplen,
		                         raw.wire_length, raw.timestamp_us, &packet,
		                         &skip) != PRONET_OK ||
		    skip != PRONET_SKIP_NONE)
			continue;
		if (packet.payload_length > 0) { /* as tools/bench.c builds its inputs */
			struct pronet_packet_record in;
			uint8_t window[PRONET_PAYLOAD_BYTES];

			pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &spec,
			                          window, &in);
			add_input(s, &in);
		}
		pronet_flow_table_update(table, &packet, &flow, &direction, &created);
	}
	pronet_flow_table_flush(table);
	pronet_flow_table_free(table);
	pronet_capture_close(capture);
	return 1;
}

static size_t read_corpus(const char *corpus, struct inputs *s, size_t *listed)
{
	char path[4096], line[1024], errbuf[PRONET_ERRBUF_SIZE];
	size_t read = 0;
	FILE *list;

	snprintf(path, sizeof(path), "%s/MANIFEST.tsv", corpus);
	*listed = 0;
	if ((list = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), list) != NULL && *listed < MAX_CAPTURES) {
		char *tab = strchr(line, '\t');

		if (tab == NULL || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab = '\0';
		(*listed)++;
		snprintf(path, sizeof(path), "%s/%s", corpus, line);
		read += (size_t)read_capture(path, s, errbuf);
	}
	fclose(list);
	return read;
}

struct tally {
	size_t same_class;
	double max_dp;
	size_t worst; /* input with the largest |dp| */
};

static void softmax_double(const float *logits, size_t n, float temperature, double *p)
{
	double top = -INFINITY, sum = 0.0;

	for (size_t k = 0; k < n; k++)
		top = fmax(top, logits[k] / temperature);
	for (size_t k = 0; k < n; k++)
		sum += p[k] = exp(logits[k] / temperature - top);
	for (size_t k = 0; k < n; k++)
		p[k] /= sum;
}

static size_t argmax_double(const double *p, size_t n)
{
	size_t best = 0;

	for (size_t k = 1; k < n; k++)
		if (p[k] > p[best])
			best = k;
	return best;
}

/* One path's probabilities against the reference's, input i. */
static void compare(const double *reference, const float *p, size_t best, size_t n, size_t i,
                    struct tally *t)
{
	t->same_class += best == argmax_double(reference, n);
	for (size_t k = 0; k < n; k++)
		if (fabs(p[k] - reference[k]) > t->max_dp) {
			t->max_dp = fabs(p[k] - reference[k]);
			t->worst = i;
		}
}

static void print_tally(const char *what, const struct tally *t, size_t count)
{
	printf("quant_contract: %s: same class on %zu of %zu (%.4f %%), max |dp| %.3g "
	       "(input %zu)\n",
	       what, t->same_class, count, 100.0 * (double)t->same_class / (double)count, t->max_dp,
	       t->worst);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: quant_contract -m MODEL -c CORPUS [--check] [--max-dp D]\n");
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {{"check", no_argument, NULL, 'k'},
	                                             {"max-dp", required_argument, NULL, 'd'},
	                                             {NULL, 0, NULL, 0}};
	const char *model_path = NULL, *corpus = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = NULL;
	struct inputs s = {0};
	struct tally quant = {0}, fast = {0};
	size_t read, listed, n;
	int held;
	int check = 0, option;
	double max_dp = MAX_DP;
	char *end;

	while ((option = getopt_long(argc, argv, "m:c:h", long_options, NULL)) != -1) {
		if (option == 'm')
			model_path = optarg;
		else if (option == 'c')
			corpus = optarg;
		else if (option == 'k')
			check = 1;
		else if (option == 'd' && (max_dp = strtod(optarg, &end)) > 0.0 && *end == '\0')
			continue;
		else {
			usage(option == 'h' ? stdout : stderr);
			return option == 'h' ? 0 : 2;
		}
	}
	if (model_path == NULL || corpus == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (pronet_model_load(model_path, &model, errbuf) != PRONET_OK) {
		fprintf(stderr, "quant_contract: %s\n", errbuf);
		return 2;
	}
	if (pronet_model_arch(model) != &pronet_arch_pronet_cnn ||
	    !pronet_cnn_predicts_quantised(model)) {
		fprintf(stderr,
		        "quant_contract: %s: not a ProNet CNN that predicts with 16-bit tables "
		        "(core/arch/pronet_cnn/quant.h)\n",
		        model_path);
		pronet_model_free(model);
		return 2;
	}
	s.records = calloc((size_t)1 << TABLE_BITS, sizeof(*s.records));
	s.bytes = calloc((size_t)1 << TABLE_BITS, sizeof(*s.bytes));
	s.slots = calloc((size_t)1 << TABLE_BITS, sizeof(*s.slots));
	if (s.records == NULL || s.bytes == NULL || s.slots == NULL) {
		fprintf(stderr, "quant_contract: no memory for the inputs\n");
		free_inputs(&s);
		pronet_model_free(model);
		return 2;
	}
	read = read_corpus(corpus, &s, &listed);
	if (read == 0 || s.count == 0) {
		fprintf(stderr,
		        "quant_contract: %s: no readable captures with payload (%zu listed in "
		        "%s/MANIFEST.tsv; is the corpus there?)\n",
		        corpus, listed, corpus);
		free_inputs(&s);
		pronet_model_free(model);
		return 2;
	}
	n = pronet_model_num_classes(model);
	for (size_t i = 0; i < s.count; i++) {
		float logits[PRONET_MAX_CLASSES], p[PRONET_MAX_CLASSES];
		double reference[PRONET_MAX_CLASSES];
		size_t best;

		pronet_cnn_logits_reference(model, &s.records[i], logits);
		softmax_double(logits, n, pronet_model_temperature(model), reference);
		pronet_model_predict(model, NULL, &s.records[i], p, &best);
		compare(reference, p, best, n, i, &quant);
		pronet_cnn_fast_logits(pronet_cnn_state(model)->fast, model, &s.records[i], logits);
		for (size_t k = 0; k < n; k++)
			logits[k] /= pronet_model_temperature(model);
		{
			double q[PRONET_MAX_CLASSES];

			softmax_double(logits, n, 1.0f, q);
			for (size_t k = 0; k < n; k++)
				p[k] = (float)q[k];
			compare(reference, p, argmax_double(q, n), n, i, &fast);
		}
	}
	printf("quant_contract: %s: %zu distinct inputs from %zu of %zu captures%s\n", model_path,
	       s.count, read, listed, s.dropped > 0 ? " (the set filled: some left out)" : "");
	print_tally("quantised (16-bit tables and head)", &quant, s.count);
	printf("quant_contract: the error estimate as a probability (quant.h): %.3g, at most "
	       "%.3g\n",
	       pronet_cnn_quant_error_sd(pronet_cnn_state(model)->quant) / 2.0 /
	           pronet_model_temperature(model),
	       PRONET_CNN_QUANT_MAX_DP_SD);
	print_tally("float tables (for scale)", &fast, s.count);
	held = (double)quant.same_class >= AGREEMENT * (double)s.count && quant.max_dp <= max_dp;
	printf("quant_contract: the contract: same class on >= %.2f %%, max |dp| <= %g: %s\n",
	       100.0 * AGREEMENT, max_dp, held ? "held" : "NOT held");
	free_inputs(&s);
	pronet_model_free(model);
	return check && !held ? 1 : 0;
}
