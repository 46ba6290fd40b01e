/* Tests of core/arch/pronet_cnn/fast.c: the table path gives the reference
 * path's pooled features, predicted class and probabilities (within 1e-4)
 * for random models of several shapes (filters that do and do not fill a
 * SIMD block, batch norm, 2..65536 3-gram buckets) on random payloads of
 * every length 0..16 and on crafted ones; the tables follow the weights
 * (new, load, weights_changed); a table too large is left out and that view
 * still agrees. */
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/fast.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/util/rng.h"
#include "core/arch/pronet_cnn/tokens.h"
#include "core/train/train.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TOLERANCE 1e-4
#define RANDOM_INPUTS_PER_LENGTH 40

static const char *const class_names[] = {"c0",  "c1",  "c2",  "c3",  "c4",  "c5",  "c6",  "c7",
                                          "c8",  "c9",  "c10", "c11", "c12", "c13", "c14", "c15",
                                          "c16", "c17", "c18", "c19", "c20", "c21", "c22", "c23",
                                          "c24", "c25", "c26", "c27", "c28", "c29", "c30", "c31",
                                          "c32", "c33", "c34", "c35", "c36", "c37", "c38", "c39"};

/* A model whose weights are spread wide (N(0, 0.5)): pre-activations far
 * from 0 and max-pool winners far apart, so both paths meet every branch,
 * and logits far apart, so that the predicted class is well defined. With
 * batch norm, running statistics away from (0, 1). It predicts from the
 * float tables, which these tests hold to 1e-4 (the 16-bit path, held to its
 * own contract, is tests/core/arch/pronet_cnn/test_quant). */
static struct pronet_model *random_model_with(uint32_t m, uint32_t t, uint32_t buckets,
                                              uint32_t batch_norm, uint32_t context, size_t classes,
                                              uint64_t seed)
{
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;

	pronet_cnn_config_default(&config);
	config.embed_dim = m;
	config.filters = t;
	config.ngram_buckets = buckets;
	config.batch_norm = batch_norm;
	config.context_features = context;
	CU_ASSERT_EQUAL_FATAL(
	    pronet_model_new_cnn(&config, class_names, classes, seed, &model, errbuf), PRONET_OK);
	pronet_rng_seed(&rng, seed * 31 + 7);
	for (size_t i = 0; i < model->num_trainable; i++)
		model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	if (batch_norm) {
		const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;

		for (size_t j = 0; j < PRONET_CNN_FEATURE_GROUPS * t; j++) {
			w->bn_running_mean[j] = pronet_rng_normal(&rng, 0.5f, 0.5f);
			w->bn_running_var[j] = 0.1f + pronet_rng_uniform(&rng) * 3.0f;
		}
	}
	pronet_model_set_quantised(model, 0);
	pronet_model_weights_changed(model);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(model)->fast);
	return model;
}

static struct pronet_model *random_model(uint32_t m, uint32_t t, uint32_t buckets,
                                         uint32_t batch_norm, size_t classes, uint64_t seed)
{
	return random_model_with(m, t, buckets, batch_norm, 0, classes, seed);
}

/* Softmax of the reference logits in double precision, with the model's
 * temperature: what predict's probabilities must be near. */
static void reference_probabilities(const struct pronet_model *model,
                                    const struct pronet_packet_record *input, double *p)
{
	float logits[PRONET_MAX_CLASSES];
	double top = -INFINITY, sum = 0.0;
	size_t c = pronet_model_num_classes(model);

	pronet_cnn_logits_reference(model, input, logits);
	for (size_t i = 0; i < c; i++)
		top = fmax(top, logits[i] / pronet_model_temperature(model));
	for (size_t i = 0; i < c; i++)
		sum += p[i] = exp(logits[i] / pronet_model_temperature(model) - top);
	for (size_t i = 0; i < c; i++)
		p[i] /= sum;
}

struct tally {
	unsigned long inputs, failures;
};

/* NaN over the stack where predict's frames will be: whatever the fast path
 * reads of its own frame must be what it wrote there (a padding lane left
 * unwritten, times the head's 0 row, would make every logit NaN). */
static __attribute__((noinline)) void poison_stack(void)
{
	volatile float junk[16384];

	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		junk[i] = NAN;
}

/* Both paths on one input: pooled features, class and probabilities. */
static void check_input(const struct pronet_model *model, const struct pronet_packet_record *input,
                        struct tally *tally)
{
	float fast_pooled[PRONET_CNN_MAX_FEATURES], slow_pooled[PRONET_CNN_MAX_FEATURES];
	float conv[PRONET_PAYLOAD_BYTES * PRONET_MAX_FILTERS];
	float embedded_bytes[PRONET_PAYLOAD_BYTES * PRONET_MAX_EMBED_DIM];
	float embedded_ngrams[PRONET_NGRAM_POSITIONS * PRONET_MAX_EMBED_DIM];
	uint32_t byte_ids[PRONET_PAYLOAD_BYTES], ngram_ids[PRONET_NGRAM_POSITIONS];
	float p[PRONET_MAX_CLASSES];
	double q[PRONET_MAX_CLASSES];
	size_t best, reference_best = 0, c = pronet_model_num_classes(model);
	size_t features = PRONET_CNN_FEATURE_GROUPS * pronet_cnn_state(model)->config.filters;
	int ok = 1;

	pronet_cnn_embed(model, input, byte_ids, ngram_ids, embedded_bytes, embedded_ngrams);
	pronet_cnn_pool(model, embedded_bytes, embedded_ngrams, conv, slow_pooled, NULL);
	pronet_cnn_fast_pool(pronet_cnn_state(model)->fast, model, input, fast_pooled);
	for (size_t j = 0; j < features; j++)
		ok &= fabs(fast_pooled[j] - slow_pooled[j]) <= 1e-5 * (1.0 + fabs(slow_pooled[j]));
	poison_stack();
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, input, p, &best), PRONET_OK);
	reference_probabilities(model, input, q);
	for (size_t i = 0; i < c; i++) {
		ok &= fabs(p[i] - q[i]) <= TOLERANCE;
		if (q[i] > q[reference_best])
			reference_best = i;
	}
	ok &= best == reference_best;
	tally->inputs++;
	if (!ok && tally->failures++ < 5)
		printf("\n  mismatch: length %u, first byte %u, class %zu vs %zu", input->length,
		       input->bytes[0], best, reference_best);
}

static void random_input(struct pronet_rng *rng, uint8_t length, struct pronet_packet_record *input)
{
	memset(input, 0, sizeof(*input));
	input->bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	input->length = length;
	for (uint8_t i = 0; i < length && i < PRONET_PAYLOAD_BYTES; i++)
		PRONET_UNIT_BYTES(*input)[i] = (uint8_t)pronet_rng_below(rng, 256);
	/* Context: either direction, the first packets and later ones, a
	 * payload that may be longer than its prefix, TCP or UDP. */
	input->direction = (uint8_t)pronet_rng_below(rng, 2);
	input->payload_index = (uint8_t)pronet_rng_below(rng, 8);
	input->payload_length =
	    (uint16_t)(length + (length == 16 ? pronet_rng_below(rng, 3000) : 0));
	input->l4_protocol = pronet_rng_below(rng, 2) ? 6 : 17;
}

/* Payloads a protocol would send, and edge cases of the token rules. */
static void check_crafted(const struct pronet_model *model, struct tally *tally)
{
	static const char *const texts[] = {
	    "GET / HTTP/1.1\r\n",                                      /* HTTP request line */
	    "SSH-2.0-OpenSSH_9",                                       /* SSH banner */
	    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",            /* TLS ClientHello */
	    "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www", /* DNS query */
	};
	struct pronet_packet_record input;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		memset(&input, 0, sizeof(input));
		input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
		input.length = (uint8_t)(strlen(texts[i]) < 16 ? strlen(texts[i]) : 16);
		memcpy(PRONET_UNIT_BYTES(input), texts[i], input.length);
		check_input(model, &input, tally);
	}
	for (int value = 0; value < 256; value += 255) { /* all 0x00, all 0xff */
		memset(&input, 0, sizeof(input));
		input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
		memset(PRONET_UNIT_BYTES(input), value, PRONET_PAYLOAD_BYTES);
		input.length = 16;
		check_input(model, &input, tally);
	}
	/* A length past 16 counts as 16 (the full payload was longer). */
	memset(&input, 0, sizeof(input));
	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	memcpy(PRONET_UNIT_BYTES(input), "0123456789abcdef", 16);
	input.length = 200;
	check_input(model, &input, tally);
	/* An empty payload: all padding. */
	memset(&input, 0, sizeof(input));
	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	check_input(model, &input, tally);
}

static void check_model(const struct pronet_model *model, uint64_t seed)
{
	struct tally tally = {0, 0};
	struct pronet_packet_record input;
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed);
	for (uint8_t length = 0; length <= PRONET_PAYLOAD_BYTES; length++)
		for (int k = 0; k < RANDOM_INPUTS_PER_LENGTH; k++) {
			random_input(&rng, length, &input);
			check_input(model, &input, &tally);
		}
	check_crafted(model, &tally);
	CU_ASSERT_EQUAL(tally.failures, 0);
	CU_ASSERT(tally.inputs > 17 * RANDOM_INPUTS_PER_LENGTH);
}

static void test_shapes_agree(void)
{
	/* {m, t, buckets, batch norm, classes}: t = 1, a partial SIMD block
	 * (17, 30), exactly one (16) and more (33); 2 buckets is a divisor of 1. */
	static const uint32_t shapes[][5] = {
	    {4, 1, 2, 0, 2},      {8, 16, 32, 0, 3},    {5, 17, 1000, 1, 8},
	    {50, 30, 4096, 0, 5}, {50, 30, 4096, 1, 8}, {12, 33, 7, 1, 4},
	};

	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct pronet_model *model = random_model(shapes[s][0], shapes[s][1], shapes[s][2],
		                                          shapes[s][3], shapes[s][4], 100 + s);

		check_model(model, 1000 + s);
		pronet_model_free(model);
	}
}

/* Rows padded to one vector (t <= 16), to two (17..32), to three (33: two
 * vectors and one), to seven (100) and to the most filters a model may
 * have; classes in one vector of 16 and across several (24, 40), with
 * context features. */
static const uint32_t kernel_shapes[][6] = {
    /* m, t, buckets, batch norm, context features, classes */
    {8, 16, 64, 0, 1, 16},  {8, 16, 1024, 1, 1, 24},
    {6, 9, 30, 0, 0, 3},    {10, 30, 500, 1, 1, 40},
    {7, 33, 100, 0, 1, 17}, {5, 1, 2, 0, 1, 2},
    {3, 100, 40, 1, 1, 5},  {2, PRONET_MAX_FILTERS, 20, 0, 1, 3},
};

/* Every kernel this CPU runs (16-byte vectors always; AVX2 and AVX-512 where
 * the CPU has them), not only the widest one predict picks. */
static void test_every_kernel_agrees(void)
{
	static const enum pronet_vector_isa isas[] = {PRONET_ISA_GENERIC, PRONET_ISA_AVX2,
	                                              PRONET_ISA_AVX512};

	int run[sizeof(isas) / sizeof(isas[0])];

	for (size_t k = 0; k < sizeof(isas) / sizeof(isas[0]); k++)
		run[k] = pronet_unit_isa_runs(isas[k], "every vector kernel agrees");
	for (size_t s = 0; s < sizeof(kernel_shapes) / sizeof(kernel_shapes[0]); s++) {
		const uint32_t *shape = kernel_shapes[s];
		struct pronet_model *model = random_model_with(
		    shape[0], shape[1], shape[2], shape[3], shape[4], shape[5], 200 + s);

		for (size_t k = 0; k < sizeof(isas) / sizeof(isas[0]); k++) {
			if (!run[k])
				continue; /* reported as skipped above */
			pronet_cnn_fast_free(pronet_cnn_state(model)->fast);
			pronet_cnn_state(model)->fast = pronet_cnn_fast_new_isa(model, isas[k]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(model)->fast);
			check_model(model, 2000 + s);
		}
		pronet_model_free(model);
	}
}

/* pronet_model_predict_batch (two packets at a time, stage by stage) gives
 * pronet_model_predict's bits, for an odd count, with and without best. */
static void test_batch_matches_one_at_a_time(void)
{
	struct pronet_model *model = random_model_with(8, 16, 1024, 0, 1, 24, 31);
	struct pronet_packet_record inputs[7];
	float batch[7 * 24], one[24];
	size_t best[7], one_best;
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 32);
	for (size_t i = 0; i < 7; i++)
		random_input(&rng, (uint8_t)(3 + 2 * i), &inputs[i]);
	CU_ASSERT_EQUAL(pronet_model_predict_batch(model, NULL, inputs, 7, batch, best), PRONET_OK);
	for (size_t i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &inputs[i], one, &one_best),
		                PRONET_OK);
		CU_ASSERT_EQUAL(memcmp(one, batch + i * 24, sizeof(one)), 0);
		CU_ASSERT_EQUAL(one_best, best[i]);
	}
	memset(batch, 0, sizeof(batch));
	CU_ASSERT_EQUAL(pronet_model_predict_batch(model, NULL, inputs, 7, batch, NULL), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &inputs[6], one, NULL), PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(one, batch + 6 * 24, sizeof(one)), 0);
	pronet_model_free(model);
}

static void test_temperature_is_applied(void)
{
	struct pronet_model *model = random_model(16, 8, 64, 0, 4, 5);
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 3.5f, NULL, errbuf), PRONET_OK);
	check_model(model, 6);
	pronet_model_free(model);
}

/* 65536 buckets * 12 offsets * 32 lanes * 4 bytes = 96 MiB: over the cap,
 * so the 3-gram view is computed layer by layer beside the byte table. */
static void test_large_vocabulary_without_ngram_table(void)
{
	struct pronet_model *model = random_model(6, 30, 65536, 1, 3, 9);

	CU_ASSERT_FALSE(pronet_cnn_fast_has_ngram_table(pronet_cnn_state(model)->fast));
	check_model(model, 10);
	pronet_model_free(model);
}

static void test_tables_follow_the_weights(void)
{
	struct pronet_model *model = random_model(8, 5, 50, 0, 3, 11);
	struct pronet_packet_record input;
	struct pronet_rng rng;
	float before[8], after[8];

	CU_ASSERT(pronet_cnn_fast_has_ngram_table(pronet_cnn_state(model)->fast));
	CU_ASSERT(pronet_cnn_fast_bytes(pronet_cnn_state(model)->fast) >=
	          (257 + 50) * 12 * 5 * sizeof(float));
	pronet_rng_seed(&rng, 12);
	random_input(&rng, 16, &input);
	pronet_model_predict(model, NULL, &input, before, NULL);
	/* Change an embedding row the input uses, then tell the model. */
	for (size_t c = 0; c < 8; c++)
		pronet_cnn_state(model)->weights.byte_embedding[input.bytes[0] * 8 + c] += 1.0f;
	pronet_model_weights_changed(model);
	pronet_model_predict(model, NULL, &input, after, NULL);
	CU_ASSERT(fabs(before[0] - after[0]) + fabs(before[1] - after[1]) > 1e-6);
	check_model(model, 13);
	pronet_model_free(model);
}

/* pronet_train moves the weights: predict must follow them (the tables are
 * rebuilt at its end), not the weights the model was created with. */
static void test_training_rebuilds_the_tables(void)
{
	struct pronet_model *model = random_model(8, 6, 64, 0, 3, 21);
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;
	uint32_t capture;
	uint16_t label;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	for (size_t c = 0; c < 3; c++)
		CU_ASSERT_EQUAL(pronet_dataset_intern_class(data, class_names[c], &label),
		                PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_intern_capture(data, "random", &capture), PRONET_OK);
	pronet_rng_seed(&rng, 22);
	for (int i = 0; i < 64; i++) {
		struct pronet_sample sample;

		memset(&sample, 0, sizeof(sample));
		random_input(&rng, 16, &sample.input);
		sample.label = (uint16_t)(i % 3);
		CU_ASSERT_EQUAL(pronet_dataset_append(data, &sample), PRONET_OK);
	}
	pronet_train_options_default(&options);
	options.steps = 20;
	options.batch_size = 16;
	options.learning_rate = 0.05f; /* large steps: the weights move far */
	options.progress_every = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(model)->fast);
	check_model(model, 23);
	pronet_dataset_free(data);
	pronet_model_free(model);
}

static void test_loaded_model_has_tables(void)
{
	struct pronet_model *model = random_model(10, 20, 300, 1, 6, 14), *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE], path[512];

	snprintf(path, sizeof(path), "%s/fast-%ld.model", pronet_unit_tmpdir(), (long)getpid());
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load(path, &loaded, errbuf), PRONET_OK);
	unlink(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(loaded)->fast);
	pronet_model_set_quantised(loaded, 0);
	check_model(loaded, 15);
	pronet_model_free(model);
	pronet_model_free(loaded);
}

static CU_TestInfo tests[] = {
    {"fast and reference paths agree for several shapes", test_shapes_agree},
    {"every vector kernel agrees (row and class padding)", test_every_kernel_agrees},
    {"predict_batch gives predict's results", test_batch_matches_one_at_a_time},
    {"the temperature applies on the fast path", test_temperature_is_applied},
    {"65536 buckets: no 3-gram table, still agrees", test_large_vocabulary_without_ngram_table},
    {"the tables follow the weights", test_tables_follow_the_weights},
    {"a loaded model predicts from tables", test_loaded_model_has_tables},
    {"after training, predict follows the trained weights", test_training_rebuilds_the_tables},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/arch/pronet_cnn/fast", tests);
}
