/* Integration test of the fast path (core/arch/pronet_cnn/fast.c) on real
 * traffic: every distinct payload prefix (first 16 bytes) of every packet of
 * nDPI's captures in $PRONET_CORPUS goes through prediction (tables) and the
 * reference path (layer by layer), for a model trained briefly on those
 * prefixes (labels: the capture's family for the 15 largest families, else
 * "other") and for a random model with batch norm. Both must give the same
 * class and probabilities within 1e-4. The models predict from their float
 * tables (the 16-bit path's contract on the corpus is
 * tests/core/arch/pronet_cnn/quant_contract.sh). Fails with a message if the corpus is
 * missing or yields no packets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/util/rng.h"
#include "core/train/train.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/flow_table.h"

#define MAX_FILES 4096
#define TABLE_BITS 20 /* 1M slots: room for every distinct prefix */
#define FAMILIES 15

struct prefixes {
	struct pronet_packet_record *inputs;
	uint8_t (*bytes)[PRONET_PAYLOAD_BYTES]; /* [slots]: the inputs' bytes */
	uint32_t *files;                        /* file index of each input's first packet */
	size_t count;
	uint32_t *slots; /* open addressing: input index + 1, or 0 */
};

static uint32_t hash_input(const struct pronet_packet_record *in)
{
	uint32_t h = 2166136261u ^ in->length;

	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		h = (h ^ (i < in->length ? in->bytes[i] : 0)) * 16777619u;
	return h;
}

/* Adds the input unless an equal one (same bytes and length) is there. */
static void add_prefix(struct prefixes *p, const struct pronet_packet_record *in, uint32_t file)
{
	uint32_t mask = (1u << TABLE_BITS) - 1, slot = hash_input(in) & mask;

	while (p->slots[slot] != 0) {
		const struct pronet_packet_record *old = &p->inputs[p->slots[slot] - 1];

		if (old->length == in->length && memcmp(old->bytes, in->bytes, in->length) == 0)
			return;
		slot = (slot + 1) & mask;
	}
	if (p->count + 1 >= (size_t)mask / 2)
		return; /* full enough: the test still covers what it has */
	p->inputs[p->count] = *in;
	memcpy(p->bytes[p->count], in->bytes, in->length);
	p->inputs[p->count].bytes = p->bytes[p->count];
	p->files[p->count++] = file;
	p->slots[slot] = (uint32_t)p->count;
}

static int read_capture(const char *path, uint32_t file, struct prefixes *p)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture *capture;
	struct pronet_raw_packet raw;
	struct pronet_packet packet;
	enum pronet_capture_status status;
	enum pronet_packet_skip skip;

	if (pronet_capture_open_file(path, &capture, errbuf) != PRONET_OK)
		return 0;
	/* A damaged file ends early (the corpus has a few): keep what was read. */
	while (pronet_capture_next(capture, &raw, &status, errbuf) == PRONET_OK &&
	       status == PRONET_CAPTURE_PACKET) {
		struct pronet_packet_record in;
		uint8_t window[PRONET_PAYLOAD_BYTES];
		struct pronet_input_spec spec;

		if (pronet_decode_packet(pronet_capture_datalink(capture), raw.data, raw.caplen,
		                         raw.wire_length, raw.timestamp_us, &packet,
		                         &skip) != PRONET_OK ||
		    skip != PRONET_SKIP_NONE || packet.payload_length == 0)
			continue;
		pronet_input_spec_default(&spec);
		pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &spec, window,
		                          &in);
		add_prefix(p, &in, file);
	}
	pronet_capture_close(capture);
	return 1;
}

/* FAMILIES.tsv: capture file -> family; family_of[file] is an index into
 * families (the order of first appearance). */
static size_t read_families(const char *corpus, char names[][256], size_t *family_of,
                            char families[][256], size_t *num_families)
{
	char path[4096], line[256];
	size_t count = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/FAMILIES.tsv", corpus);
	f = fopen(path, "r");
	*num_families = 0;
	while (f != NULL && count < MAX_FILES && fgets(line, sizeof(line), f) != NULL) {
		char *tab = strchr(line, '\t'), *end;
		size_t k = 0;

		if (tab == NULL || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab = '\0';
		if ((end = strpbrk(tab + 1, "\r\n")) != NULL)
			*end = '\0';
		while (k < *num_families && strcmp(families[k], tab + 1) != 0)
			k++;
		if (k == *num_families && *num_families < MAX_FILES)
			snprintf(families[(*num_families)++], 256, "%s", tab + 1);
		memcpy(names[count], line, strlen(line) + 1); /* line is shorter than 256 */
		family_of[count++] = k;
	}
	if (f != NULL)
		fclose(f);
	return count;
}

struct corpus {
	struct prefixes prefixes;
	size_t files, num_families;
	char (*names)[256], (*families)[256];
	size_t *family_of;
	uint32_t *labels; /* per input: 0..FAMILIES-1, FAMILIES = other */
};

/* Classes: the FAMILIES families with the most distinct prefixes, then
 * "other". */
static void choose_labels(struct corpus *c)
{
	size_t *counts = calloc(c->num_families, sizeof(size_t));
	size_t top[FAMILIES];

	for (size_t i = 0; i < c->prefixes.count; i++)
		counts[c->family_of[c->prefixes.files[i]]]++;
	for (size_t k = 0; k < FAMILIES; k++) {
		top[k] = 0;
		for (size_t f = 1; f < c->num_families; f++)
			if (counts[f] > counts[top[k]])
				top[k] = f;
		counts[top[k]] = 0;
	}
	for (size_t i = 0; i < c->prefixes.count; i++) {
		size_t family = c->family_of[c->prefixes.files[i]], label = FAMILIES;

		for (size_t k = 0; k < FAMILIES; k++)
			if (top[k] == family)
				label = k;
		c->labels[i] = (uint32_t)label;
	}
	free(counts);
}

static struct pronet_model *trained_model(const struct corpus *c, char *errbuf)
{
	static const char *const classes[FAMILIES + 1] = {"f00", "f01", "f02", "f03",  "f04", "f05",
	                                                  "f06", "f07", "f08", "f09",  "f10", "f11",
	                                                  "f12", "f13", "f14", "other"};
	struct pronet_cnn_config config;
	struct pronet_train_options options;
	struct pronet_model *model = NULL;
	struct pronet_dataset *data = pronet_dataset_new();
	enum pronet_err err = data != NULL ? PRONET_OK : PRONET_ERR_NOMEM;
	uint32_t capture;

	pronet_cnn_config_default(&config);
	if (err == PRONET_OK)
		err = pronet_model_new_cnn(&config, classes, FAMILIES + 1, 7, &model, errbuf);
	for (size_t k = 0; err == PRONET_OK && k <= FAMILIES; k++) {
		uint16_t index;

		err = pronet_dataset_intern_class(data, classes[k], &index);
	}
	if (err == PRONET_OK)
		err = pronet_dataset_intern_capture(data, "corpus", &capture);
	for (size_t i = 0; err == PRONET_OK && i < c->prefixes.count; i++) {
		struct pronet_sample s = {c->prefixes.inputs[i], (uint16_t)c->labels[i], 0, 0};

		err = pronet_dataset_append(data, &s);
	}
	pronet_train_options_default(&options);
	options.steps = 150;
	options.threads = 2;
	options.progress_every = 0;
	if (err == PRONET_OK)
		err = pronet_train(model, data, &options, NULL, NULL, errbuf);
	pronet_dataset_free(data);
	if (err != PRONET_OK) {
		pronet_model_free(model);
		return NULL;
	}
	return model;
}

static struct pronet_model *random_batch_norm_model(char *errbuf)
{
	static const char *const classes[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	struct pronet_rng rng;

	pronet_cnn_config_default(&config);
	config.batch_norm = 1;
	if (pronet_model_new_cnn(&config, classes, 8, 11, &model, errbuf) != PRONET_OK)
		return NULL;
	pronet_rng_seed(&rng, 12);
	for (size_t i = 0; i < model->num_trainable; i++)
		model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.3f);
	for (size_t j = 0; j < PRONET_CNN_FEATURE_GROUPS * config.filters; j++) {
		pronet_cnn_state(model)->weights.bn_running_mean[j] =
		    pronet_rng_normal(&rng, 0.3f, 0.3f);
		pronet_cnn_state(model)->weights.bn_running_var[j] =
		    0.2f + (float)pronet_rng_uniform(&rng);
	}
	pronet_model_weights_changed(model);
	return model;
}

/* Both paths over every prefix; returns the number of disagreements. */
static size_t compare_paths(const char *what, const struct pronet_model *model,
                            const struct prefixes *p)
{
	size_t c = pronet_model_num_classes(model), mismatches = 0;
	double worst = 0.0, closest = INFINITY;
	float temperature = pronet_model_temperature(model);

	if (pronet_cnn_state(model)->fast == NULL) {
		fprintf(stderr, "fast_corpus: %s: the model has no tables\n", what);
		return 1;
	}
	for (size_t i = 0; i < p->count; i++) {
		float probabilities[PRONET_MAX_CLASSES], logits[PRONET_MAX_CLASSES];
		double q[PRONET_MAX_CLASSES] = {0}, top = -INFINITY, second = -INFINITY, sum = 0.0;
		size_t best, reference_best = 0;
		int bad = 0;

		pronet_model_predict(model, NULL, &p->inputs[i], probabilities, &best);
		pronet_cnn_logits_reference(model, &p->inputs[i], logits);
		for (size_t k = 0; k < c; k++)
			top = fmax(top, logits[k] / temperature);
		for (size_t k = 0; k < c; k++)
			sum += q[k] = exp(logits[k] / temperature - top);
		for (size_t k = 0; k < c; k++) {
			q[k] /= sum;
			worst = fmax(worst, fabs(q[k] - probabilities[k]));
			bad |= fabs(q[k] - probabilities[k]) > 1e-4;
			if (q[k] > q[reference_best])
				reference_best = k;
		}
		for (size_t k = 0; k < c; k++)
			if (k != reference_best)
				second = fmax(second, q[k]);
		closest = fmin(closest, q[reference_best] - second);
		if (bad || best != reference_best) {
			if (mismatches < 5)
				fprintf(
				    stderr,
				    "fast_corpus: %s: prefix %zu (length %u): class %zu vs %zu\n",
				    what, i, p->inputs[i].length, best, reference_best);
			mismatches++;
		}
	}
	printf("fast_corpus: %s: %zu prefixes, %zu disagreements, largest probability "
	       "difference %.2g, closest top-2 margin %.2g\n",
	       what, p->count, mismatches, worst, closest);
	return mismatches;
}

int main(void)
{
	const char *corpus = getenv("PRONET_CORPUS");
	static struct corpus c;
	char path[4096], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *trained, *random;
	size_t failures = 0, listed;

	if (corpus == NULL || corpus[0] == '\0') {
		fprintf(stderr, "fast_corpus: PRONET_CORPUS is not set (nDPI's captures)\n");
		return 1;
	}
	c.names = calloc(MAX_FILES, sizeof(*c.names));
	c.families = calloc(MAX_FILES, sizeof(*c.families));
	c.family_of = calloc(MAX_FILES, sizeof(size_t));
	c.prefixes.inputs = calloc((size_t)1 << TABLE_BITS, sizeof(struct pronet_packet_record));
	c.prefixes.bytes = calloc((size_t)1 << TABLE_BITS, sizeof(*c.prefixes.bytes));
	c.prefixes.files = calloc((size_t)1 << TABLE_BITS, sizeof(uint32_t));
	c.prefixes.slots = calloc((size_t)1 << TABLE_BITS, sizeof(uint32_t));
	c.labels = calloc((size_t)1 << TABLE_BITS, sizeof(uint32_t));
	if (!c.names || !c.families || !c.family_of || !c.prefixes.inputs || !c.prefixes.files ||
	    !c.prefixes.slots || !c.labels) {
		fprintf(stderr, "fast_corpus: no memory\n");
		return 1;
	}
	listed = read_families(corpus, c.names, c.family_of, c.families, &c.num_families);
	for (size_t i = 0; i < listed; i++) {
		snprintf(path, sizeof(path), "%s/%s", corpus, c.names[i]);
		c.files += (size_t)read_capture(path, (uint32_t)i, &c.prefixes);
	}
	if (c.files == 0 || c.prefixes.count == 0) {
		fprintf(stderr,
		        "fast_corpus: %s: no readable captures with payload (%zu listed in "
		        "FAMILIES.tsv)\n",
		        corpus, listed);
		return 1;
	}
	printf("fast_corpus: %zu distinct payload prefixes from %zu captures\n", c.prefixes.count,
	       c.files);
	choose_labels(&c);
	trained = trained_model(&c, errbuf);
	random = random_batch_norm_model(errbuf);
	if (trained == NULL || random == NULL) {
		fprintf(stderr, "fast_corpus: cannot make the models: %s\n", errbuf);
		return 1;
	}
	pronet_model_set_quantised(trained, 0);
	pronet_model_set_quantised(random, 0);
	failures += compare_paths("trained model", trained, &c.prefixes);
	failures += compare_paths("random model with batch norm", random, &c.prefixes);
	pronet_model_free(trained);
	pronet_model_free(random);
	return failures == 0 ? 0 : 1;
}
