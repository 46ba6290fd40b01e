/* `make bench`: how fast pronet is, printed as a table and written as JSON.
 *
 *   bench [-s SECONDS] [-o JSON] [-c CORPUS] [-w WORKDIR] [-n NDPIREADER] [-p PRONET]
 *         [-m DEFAULT_MODEL] [-f FILTER[,FILTER...]]
 *
 * Every figure is measured in a child process of its own (fork), so its peak
 * resident set (wait4's ru_maxrss) is its own; the first row is the child
 * that only inherits the inputs, for scale. Figures:
 *   - predictions/s on one core of the paper's model (m=50, t=30, 4096
 *     buckets): the reference path (layer by layer) and the fast path
 *     (tables), one call per packet and batched, on the payload prefixes of
 *     nDPI's captures and on random bytes (the table's worst case); the fast
 *     path also for a small model (m=50, t=16, 1024 buckets) and for the
 *     shipped model (-m, rules/default.pronet: what users run), and on one
 *     prefix repeated (every table row in L1: the arithmetic alone);
 *   - training samples/s (pronet_train, batch 128, dropout 0.5) with 1 and 2
 *     threads on those prefixes, and with 1 thread from the same samples
 *     saved to a dataset file and streamed (pronet_dataset_load_streamed)
 *     through a cache of 1 MiB (smaller than the file: shuffled reads miss)
 *     and of 64 MiB (the file fits);
 *   - for deep-packet-cnn, deep-packet-sae and image-cnn (tools/bench_arch.c):
 *     predictions/s one at a time and batched, and training samples/s on 2
 *     threads, over 1500-byte layer-3 records of the first 32 payload
 *     packets of each capture (`make bench-torch` sets them beside PyTorch);
 *   - packets/s and Mbit/s (CPU time) on one capture, the corpus's Ethernet
 *     captures merged, replayed from the page cache: Debian's ndpiReader with
 *     its -l loops, `pronet flows` (the same nDPI engine, no model) and
 *     `pronet classify -m` (the model where nDPI gives up), the capture given
 *     N times (each read with a fresh nDPI module); and `pronet classify
 *     --threads 1` and `--threads 2` per wall second in one run, with their
 *     ratio and the load average beside it; a command missing from
 *     the build is reported as pending, never as a made-up number.
 * This file reads the inputs and the options and prints the table; the
 * rows live in tools/bench_model.c (prediction, training, the whole-packet
 * families) and tools/bench_host.c (programs timed on the merged capture).
 * Benchmarks print numbers; nothing here is a pass/fail test. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/rng.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/flow_table.h"
#include "tools/bench.h"
#include "tools/bench_host.h"
#include "tools/bench_model.h"
#include "tools/bench_report.h"

#define MAX_INPUTS 200000
/* Whole-packet records for the other families: the first L3_PER_CAPTURE
 * payload packets of each capture, PRONET_RECORD_MAX_BYTES each at most. */
#define L3_PER_CAPTURE 32
#define MAX_L3_INPUTS 20000

struct result *bench_add_result(struct bench *b, const char *name, const char *unit)
{
	struct result *r = b->num_results < MAX_RESULTS ? &b->results[b->num_results++] : NULL;

	if (r == NULL) {
		r = &b->overflow;
		b->num_dropped++;
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->value = NAN;
	return r;
}

int bench_wanted(const struct bench *b, const char *name)
{
	const char *word = b->filter;

	if (word == NULL)
		return 1;
	while (*word != '\0') {
		size_t length = strcspn(word, ",");
		char one[128];

		snprintf(one, sizeof(one), "%.*s", (int)length, word);
		if (length > 0 && strstr(name, one) != NULL)
			return 1;
		word += length + (word[length] == ',');
	}
	return 0;
}

int bench_wanted_any(const struct bench *b, const char *const *names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (bench_wanted(b, names[i]))
			return 1;
	return 0;
}

/* Payload prefixes of every decodable packet with payload, in file order. */
static size_t read_corpus_file(const char *path, uint32_t capture, struct bench *b)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture *cap;
	struct pronet_raw_packet raw;
	struct pronet_packet packet;
	enum pronet_capture_status status;
	enum pronet_packet_skip skip;
	size_t before = b->num_inputs, l3_taken = 0;
	struct pronet_input_spec spec, l3 = {PRONET_RECORD_MAX_BYTES, PRONET_LAYER_L3, 0, 0};

	pronet_input_spec_default(&spec);
	if (pronet_capture_open_file(path, &cap, errbuf) != PRONET_OK)
		return 0;
	while (b->num_inputs < MAX_INPUTS &&
	       pronet_capture_next(cap, &raw, &status, errbuf) == PRONET_OK &&
	       status == PRONET_CAPTURE_PACKET) {
		struct pronet_packet_record *in = &b->inputs[b->num_inputs];

		if (pronet_decode_packet(pronet_capture_datalink(cap), raw.data, raw.caplen,
		                         raw.wire_length, raw.timestamp_us, &packet,
		                         &skip) != PRONET_OK ||
		    skip != PRONET_SKIP_NONE || packet.payload_length == 0)
			continue;
		/* As the flow table records it; every packet counts as a first
		 * client packet (the context features' values do not change speed). */
		pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &spec,
		                          b->input_bytes[b->num_inputs], in);
		b->captures[b->num_inputs++] = capture;
		if (l3_taken < L3_PER_CAPTURE && b->num_l3 < MAX_L3_INPUTS) {
			pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &l3,
			                          b->l3_bytes[b->num_l3], &b->l3_inputs[b->num_l3]);
			b->l3_captures[b->num_l3++] = capture;
			l3_taken++;
		}
	}
	pronet_capture_close(cap);
	return b->num_inputs - before;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus's captures in name order (a stable input set run to run). */
static void read_corpus(const char *dir, struct bench *b)
{
	char path[4096], list_path[4096], line[1024];
	char *names[4096];
	size_t count = 0;
	FILE *list;

	snprintf(list_path, sizeof(list_path), "%s/MANIFEST.tsv", dir);
	list = fopen(list_path, "r");
	while (list != NULL && count < 4096 && fgets(line, sizeof(line), list) != NULL) {
		char *tab = strchr(line, '\t');

		if (tab == NULL || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab = '\0';
		if ((names[count] = strdup(line)) != NULL)
			count++;
	}
	if (list != NULL)
		fclose(list);
	qsort(names, count, sizeof(char *), compare_strings);
	for (size_t i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		read_corpus_file(path, (uint32_t)i, b);
		free(names[i]);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: bench [-s SECONDS] [-o JSON] [-c CORPUS] [-w WORKDIR] "
	                "[-n NDPIREADER] [-p PRONET] [-m DEFAULT_MODEL] [-f FILTER]\n");
}

int main(int argc, char **argv)
{
	static struct bench b;
	const char *json = "bench.json", *corpus = getenv("PRONET_CORPUS"), *workdir = ".";
	struct host h = {NULL, {0, 0, 0}, "/usr/bin/ndpiReader", "./pronet"};
	char *end, errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;
	int opt;

	b.seconds = 2.0;
	while ((opt = getopt(argc, argv, "s:o:c:w:n:p:m:f:h")) != -1) {
		switch (opt) {
		case 's':
			b.seconds = strtod(optarg, &end);
			if (*end != '\0' || !(b.seconds > 0.0 && b.seconds < 3600.0)) {
				fprintf(stderr, "bench: -s %s: not a number of seconds\n", optarg);
				return 2;
			}
			break;
		case 'o':
			json = optarg;
			break;
		case 'c':
			corpus = optarg;
			break;
		case 'w':
			workdir = optarg;
			break;
		case 'n':
			h.ndpireader = optarg;
			break;
		case 'p':
			h.pronet = optarg;
			break;
		case 'm':
			b.default_model = optarg;
			break;
		case 'f':
			b.filter = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	b.workdir = workdir;
	b.inputs = calloc(MAX_INPUTS, sizeof(*b.inputs));
	b.random_inputs = calloc(MAX_INPUTS, sizeof(*b.random_inputs));
	b.input_bytes = calloc(MAX_INPUTS, sizeof(*b.input_bytes));
	b.random_bytes = calloc(MAX_INPUTS, sizeof(*b.random_bytes));
	b.captures = calloc(MAX_INPUTS, sizeof(*b.captures));
	b.l3_inputs = calloc(MAX_L3_INPUTS, sizeof(*b.l3_inputs));
	b.l3_bytes = calloc(MAX_L3_INPUTS, sizeof(*b.l3_bytes));
	b.l3_captures = calloc(MAX_L3_INPUTS, sizeof(*b.l3_captures));
	if (b.inputs == NULL || b.random_inputs == NULL || b.captures == NULL ||
	    b.input_bytes == NULL || b.random_bytes == NULL || b.l3_inputs == NULL ||
	    b.l3_bytes == NULL || b.l3_captures == NULL) {
		fprintf(stderr, "bench: no memory for the inputs\n");
		return 1;
	}
	if (corpus == NULL || corpus[0] == '\0') {
		fprintf(stderr, "bench: no corpus: set PRONET_CORPUS or pass -c DIR\n");
		return 1;
	}
	b.corpus = corpus;
	read_corpus(corpus, &b);
	if (b.num_inputs == 0) {
		fprintf(stderr, "bench: %s: no payload packets read (is it nDPI's corpus?)\n",
		        corpus);
		return 1;
	}
	for (size_t i = 0; i < b.num_inputs; i++)
		if (b.inputs[i].length == PRONET_PAYLOAD_BYTES) { /* the first full prefix */
			for (size_t k = 0; k < BATCH; k++)
				b.repeated[k] = b.inputs[i];
			break;
		}
	pronet_rng_seed(&rng, 42);
	for (size_t i = 0; i < b.num_inputs; i++) {
		b.random_inputs[i].length = PRONET_PAYLOAD_BYTES;
		b.random_inputs[i].bytes = b.random_bytes[i];
		for (size_t k = 0; k < PRONET_PAYLOAD_BYTES; k++)
			b.random_bytes[i][k] = (uint8_t)pronet_rng_below(&rng, 256);
	}
	if (getloadavg(b.load, 3) != 3)
		b.load[0] = b.load[1] = b.load[2] = NAN;
	printf("bench: %zu payload prefixes from %s, %.1f s per figure, load average %.2f "
	       "(rates are per CPU second of the child, except training: wall clock)\n",
	       b.num_inputs, corpus, b.seconds, b.load[0]);
	bench_model_rows(&b);
	if (bench_host_wanted(&b))
		bench_host_rows(&b, &h, workdir);
	bench_print_table(b.results, b.num_results);
	if (b.num_dropped != 0)
		fprintf(stderr, "bench: %zu figures dropped: more than MAX_RESULTS (%d) rows\n",
		        b.num_dropped, MAX_RESULTS);
	if (bench_write_json(json, b.seconds, b.num_inputs, b.load, b.results, b.num_results,
	                     errbuf) != PRONET_OK) {
		fprintf(stderr, "bench: %s\n", errbuf);
		return 1;
	}
	printf("bench: wrote %s\n", json);
	return b.num_dropped != 0; /* the table is not whole */
}
