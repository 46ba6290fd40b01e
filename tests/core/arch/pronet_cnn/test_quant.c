/* Tests of core/arch/pronet_cnn/quant.c, the 16-bit prediction path, on
 * small random models: predict runs it by default and stays within the
 * contract of quant.h (every probability within 1e-3 of the float
 * reference, the same class wherever the reference's top two are further
 * apart than the probabilities can move) for several shapes, with and
 * without context features and batch norm, on random payloads of every
 * length; models whose error estimate is too large keep the float path, at
 * their temperature; on the extremes (every sum at its largest reachable value,
 * where a step chosen too fine would overflow int16); every kernel this CPU
 * has gives the same answer; every set-up kernel looks up tokens.h's ids
 * (the AVX2 one checked on every 3-gram); pronet_model_set_quantised(model, 0) predicts
 * from the float tables exactly, through weight changes; a model without a
 * 3-gram table keeps the float path. */
#include "core/arch/pronet_cnn/fast.h"
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/quant.h"
#include "core/arch/pronet_cnn/tokens.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/nn/softmax_fast.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_DP 1e-3
#define INPUTS_PER_LENGTH 30

static const char *const class_names[] = {"c0",  "c1",  "c2",  "c3",  "c4",  "c5",  "c6",  "c7",
                                          "c8",  "c9",  "c10", "c11", "c12", "c13", "c14", "c15",
                                          "c16", "c17", "c18", "c19", "c20", "c21", "c22", "c23",
                                          "c24", "c25", "c26", "c27", "c28", "c29", "c30", "c31",
                                          "c32", "c33", "c34", "c35", "c36", "c37", "c38", "c39"};

/* Weights N(0, sd), batch norm statistics away from (0, 1). */
static struct pronet_model *random_model(uint32_t t, uint32_t buckets, uint32_t batch_norm,
                                         uint32_t context, size_t classes, float sd, uint64_t seed)
{
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;

	pronet_cnn_config_default(&config);
	config.embed_dim = 8;
	config.filters = t;
	config.ngram_buckets = buckets;
	config.batch_norm = batch_norm;
	config.context_features = context;
	CU_ASSERT_EQUAL_FATAL(
	    pronet_model_new_cnn(&config, class_names, classes, seed, &model, errbuf), PRONET_OK);
	pronet_rng_seed(&rng, seed * 31 + 7);
	for (size_t i = 0; i < model->num_trainable; i++)
		model->weights[i] = pronet_rng_normal(&rng, 0.0f, sd);
	if (batch_norm)
		for (size_t j = 0; j < PRONET_CNN_FEATURE_GROUPS * t; j++) {
			pronet_cnn_state(model)->weights.bn_running_mean[j] =
			    pronet_rng_normal(&rng, 0.5f, 0.5f);
			pronet_cnn_state(model)->weights.bn_running_var[j] =
			    0.1f + pronet_rng_uniform(&rng) * 3.0f;
		}
	pronet_model_weights_changed(model);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(model)->quant);
	return model;
}

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
	double max_dp;
};

/* predict (the 16-bit path) against the reference on one input. */
static void check_input(const struct pronet_model *model, const struct pronet_packet_record *input,
                        struct tally *tally)
{
	float p[PRONET_MAX_CLASSES];
	double q[PRONET_MAX_CLASSES], second = -1.0, dp = 0.0;
	size_t best, reference_best = 0, c = pronet_model_num_classes(model);
	int ok;

	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, input, p, &best), PRONET_OK);
	reference_probabilities(model, input, q);
	for (size_t i = 0; i < c; i++) {
		dp = fmax(dp, fabs(p[i] - q[i]));
		if (q[i] > q[reference_best])
			reference_best = i;
	}
	for (size_t i = 0; i < c; i++)
		if (i != reference_best)
			second = fmax(second, q[i]);
	/* Probabilities that move by dp at most cannot swap two classes more
	 * than 2 dp apart. */
	ok = dp <= MAX_DP && (best == reference_best || q[reference_best] - second <= 2 * dp);
	tally->max_dp = fmax(tally->max_dp, dp);
	tally->inputs++;
	if (!ok && tally->failures++ < 5)
		printf("\n  length %u: class %zu vs %zu, |dp| %.3g", input->length, best,
		       reference_best, dp);
}

static void random_input(struct pronet_rng *rng, uint8_t length, struct pronet_packet_record *input)
{
	memset(input, 0, sizeof(*input));
	input->bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	input->length = length;
	for (uint8_t i = 0; i < length; i++)
		PRONET_UNIT_BYTES(*input)[i] = (uint8_t)pronet_rng_below(rng, 256);
	/* Every context: directions, packet indexes past 5, TCP, UDP and
	 * neither, payload lengths in every bucket. */
	input->direction = (uint8_t)pronet_rng_below(rng, 2);
	input->payload_index = (uint16_t)pronet_rng_below(rng, 9);
	input->payload_length =
	    (uint16_t)(length + (length == 16 ? pronet_rng_below(rng, 3000) : 0));
	input->l4_protocol = (uint8_t)(pronet_rng_below(rng, 3) == 0 ? 1
	                               : pronet_rng_below(rng, 2)    ? 6
	                                                             : 17);
}

static void check_model(const struct pronet_model *model, uint64_t seed)
{
	struct tally tally = {0, 0, 0.0};
	struct pronet_packet_record input;
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed);
	for (uint8_t length = 0; length <= PRONET_PAYLOAD_BYTES; length++)
		for (int k = 0; k < INPUTS_PER_LENGTH; k++) {
			random_input(&rng, length, &input);
			check_input(model, &input, &tally);
		}
	CU_ASSERT_EQUAL(tally.failures, 0);
	CU_ASSERT_EQUAL(tally.inputs, 17 * INPUTS_PER_LENGTH);
}

/* {t, buckets, batch norm, context, classes}: filters of one int16 vector
 * (16), part of one (1, 9), two (17, 30, 32), several (33, 100) and the most a
 * model may have; classes in one block of 8, several and a partial one. */
static const uint32_t shapes[][5] = {
    {16, 1024, 0, 1, 25}, {16, 64, 1, 0, 8},
    {1, 2, 0, 1, 2},      {9, 30, 1, 1, 3},
    {17, 500, 0, 1, 9},   {30, 4096, 1, 1, 16},
    {32, 100, 0, 0, 40},  {33, 7, 1, 1, 5},
    {100, 40, 0, 1, 17},  {PRONET_MAX_FILTERS, 20, 1, 0, 3},
};

/* Weights as training leaves them (sd 0.1): predict takes the 16-bit path
 * and keeps the contract. */
static void test_contract_on_random_models(void)
{
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct pronet_model *model =
		    random_model(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
		                 shapes[s][4], 0.1f, 100 + s);

		CU_ASSERT(pronet_cnn_predicts_quantised(model));
		check_model(model, 1000 + s);
		pronet_model_free(model);
	}
}

/* Weights spread wide (N(0, 0.5): logits far apart, large errors): the
 * estimate keeps some models on the float path, and whichever path predict
 * takes keeps the contract; at temperature 10 the probabilities move ten
 * times less, and the first such model takes the 16-bit path. */
static void test_wide_weights_keep_the_contract(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t quantised = 0;

	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct pronet_model *model =
		    random_model(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
		                 shapes[s][4], 0.5f, 100 + s);

		quantised += (size_t)pronet_cnn_predicts_quantised(model);
		if (s == 0)
			CU_ASSERT_FALSE(pronet_cnn_predicts_quantised(model));
		check_model(model, 1000 + s);
		if (s == 0) {
			CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 10.0f, NULL, errbuf),
			                PRONET_OK);
			CU_ASSERT(pronet_cnn_predicts_quantised(model));
			check_model(model, 1100);
		}
		pronet_model_free(model);
	}
	CU_ASSERT(quantised < sizeof(shapes) / sizeof(shapes[0]));
}

/* Every embedding entry 1 and every kernel weight +w (or -w): every
 * token's row holds the same entry, so every position's sum is the largest
 * (or smallest) any input can reach, the bound the steps are chosen from:
 * one step too fine and the int16 sums would wrap. */
static void test_sums_at_their_bounds(void)
{
	for (int sign = -1; sign <= 1; sign += 2) {
		struct pronet_model *model = random_model(16, 1024, 0, 1, 25, 0.1f, 7);
		const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
		size_t m = pronet_cnn_state(model)->config.embed_dim;
		struct pronet_rng rng;
		struct tally tally = {0, 0, 0.0};

		for (size_t i = 0; i < PRONET_BYTE_VOCABULARY * m; i++)
			w->byte_embedding[i] = 1.0f;
		for (size_t i = 0; i < 1024 * m; i++)
			w->ngram_embedding[i] = 1.0f;
		for (size_t v = 0; v < PRONET_CNN_VIEWS; v++)
			for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++)
				for (size_t i = 0; i < 16 * pronet_cnn_widths[k] * m; i++)
					w->conv_w[v][k][i] =
					    (float)sign * 0.25f * (float)(1 + i % 3);
		pronet_model_weights_changed(model);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(model)->quant);
		pronet_rng_seed(&rng, 8);
		for (int k = 0; k < 50; k++) {
			struct pronet_packet_record input;

			random_input(&rng, 16, &input);
			check_input(model, &input, &tally);
		}
		CU_ASSERT_EQUAL(tally.failures, 0);
		pronet_model_free(model);
	}
}

/* The AVX2 kernels (where the CPU has them) and the 16-byte ones give the
 * same logits: the same integers, then the same float steps up to their
 * order. */
static void test_every_kernel_agrees(void)
{
	if (!pronet_unit_isa_runs(PRONET_ISA_AVX2, "AVX2 and 16-byte kernels agree"))
		return;
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct pronet_model *model =
		    random_model(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3],
		                 shapes[s][4], 0.3f, 300 + s);
		struct pronet_cnn_fast *fast = pronet_cnn_state(model)->fast;
		struct pronet_cnn_quant *generic =
		    pronet_cnn_quant_new(model, fast, PRONET_ISA_GENERIC);
		struct pronet_cnn_quant *avx2 = pronet_cnn_quant_new(model, fast, PRONET_ISA_AVX2);
		struct pronet_rng rng;
		unsigned long differing = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(generic);
		CU_ASSERT_PTR_NOT_NULL_FATAL(avx2);
		pronet_rng_seed(&rng, 400 + s);
		for (int k = 0; k < 200; k++) {
			struct pronet_packet_record input;
			float a[PRONET_MAX_CLASSES], b[PRONET_MAX_CLASSES];

			random_input(&rng, (uint8_t)(k % 17), &input);
			pronet_cnn_quant_logits(generic, &input, a);
			pronet_cnn_quant_logits(avx2, &input, b);
			for (size_t c = 0; c < shapes[s][4]; c++)
				differing += fabsf(a[c] - b[c]) > 1e-5f * (1.0f + fabsf(a[c]));
		}
		CU_ASSERT_EQUAL(differing, 0);
		pronet_cnn_quant_free(generic);
		pronet_cnn_quant_free(avx2);
		pronet_model_free(model);
	}
}

static void check_tokens(const struct pronet_cnn_quant *quant, uint32_t buckets,
                         const struct pronet_packet_record *input, unsigned long *wrong,
                         unsigned long *checked)
{
	uint32_t bytes[PRONET_PAYLOAD_BYTES], ngrams[PRONET_NGRAM_POSITIONS];
	uint32_t want_bytes[PRONET_PAYLOAD_BYTES], want_ngrams[PRONET_NGRAM_POSITIONS];

	pronet_cnn_quant_tokens(quant, input, bytes, ngrams);
	pronet_tokens_bytes(input, want_bytes);
	pronet_tokens_ngrams(input, buckets, want_ngrams);
	*wrong += memcmp(bytes, want_bytes, sizeof(bytes)) != 0;
	*wrong += memcmp(ngrams, want_ngrams, sizeof(ngrams)) != 0;
	(*checked)++;
}

/* Every kernel's set-up looks up tokens.h's ids: every length (and one
 * past the prefix) with random bytes, all zeros and all 0xff, for bucket
 * counts from the least to the most a model may have. */
static void test_setup_finds_the_tokens(void)
{
	static const uint32_t buckets[] = {2, 3, 4, 257, 1024, 4099, 32768, 65535, 65536};
	int avx2 = pronet_unit_isa_runs(PRONET_ISA_AVX2, "AVX2 set-up: tokens.h's ids");

	for (size_t b = 0; b < sizeof(buckets) / sizeof(buckets[0]); b++) {
		struct pronet_model *model = random_model(1, buckets[b], 0, 0, 2, 0.1f, 500 + b);
		struct pronet_cnn_fast *fast = pronet_cnn_state(model)->fast;
		struct pronet_cnn_quant *kernels[2] = {
		    pronet_cnn_quant_new(model, fast, PRONET_ISA_GENERIC),
		    avx2 ? pronet_cnn_quant_new(model, fast, PRONET_ISA_AVX2) : NULL};
		unsigned long wrong = 0, checked = 0;
		struct pronet_packet_record input;
		struct pronet_rng rng;

		CU_ASSERT_PTR_NOT_NULL_FATAL(kernels[0]);
		pronet_rng_seed(&rng, 600 + b);
		for (size_t k = 0; k < 2 && kernels[k] != NULL; k++)
			for (uint32_t length = 0; length <= PRONET_PAYLOAD_BYTES + 1; length++) {
				random_input(&rng,
				             (uint8_t)(length < PRONET_PAYLOAD_BYTES
				                           ? length
				                           : PRONET_PAYLOAD_BYTES),
				             &input);
				input.length = length;
				check_tokens(kernels[k], buckets[b], &input, &wrong, &checked);
				memset(PRONET_UNIT_BYTES(input), 0x00, PRONET_PAYLOAD_BYTES);
				check_tokens(kernels[k], buckets[b], &input, &wrong, &checked);
				memset(PRONET_UNIT_BYTES(input), 0xff, PRONET_PAYLOAD_BYTES);
				check_tokens(kernels[k], buckets[b], &input, &wrong, &checked);
			}
		CU_ASSERT_EQUAL(wrong, 0);
		CU_ASSERT_EQUAL(checked, (avx2 ? 2u : 1u) * 18u * 3u);
		pronet_cnn_quant_free(kernels[0]);
		pronet_cnn_quant_free(kernels[1]);
		pronet_model_free(model);
	}
}

/* The AVX2 set-up's remainder (through doubles) against tokens.h's on
 * every 3-gram there is, for the least bucket count, the shipped model's,
 * the most, and 50: divisor 49 is the least where the quotient's floor lands
 * one low for some 3-gram (159,526 of them; a search of every divisor
 * below 2000 found 0 where it lands high). Prefixes "a b c1 a b c2 ... a b c5 a" put (a, b, c) at
 * positions 0, 3, 6, 9 and 12, and 3.4 M of them cover all 2^24. A
 * remainder that is one divisor too large (the quotient's floor one low
 * where the divisor divides the hash) names a row past the table. */
static void test_avx2_setup_on_every_ngram(void)
{
	static const uint32_t buckets[] = {2, 50, 1024, 65536};

	if (!pronet_unit_isa_runs(PRONET_ISA_AVX2, "AVX2 set-up on every 3-gram"))
		return;
	for (size_t b = 0; b < sizeof(buckets) / sizeof(buckets[0]); b++) {
		struct pronet_model *model = random_model(1, buckets[b], 0, 0, 2, 0.1f, 700 + b);
		struct pronet_cnn_quant *quant =
		    pronet_cnn_quant_new(model, pronet_cnn_state(model)->fast, PRONET_ISA_AVX2);
		struct pronet_packet_record input;
		unsigned long wrong = 0, grams = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(quant);
		memset(&input, 0, sizeof(input));
		input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
		input.length = PRONET_PAYLOAD_BYTES;
		for (uint32_t ab = 0; ab < 65536; ab++)
			for (uint32_t c = 0; c < 256; c += 5) {
				uint8_t *bytes = PRONET_UNIT_BYTES(input);
				uint32_t byte_ids[PRONET_PAYLOAD_BYTES],
				    ids[PRONET_NGRAM_POSITIONS];

				for (uint32_t k = 0; k < 5; k++) {
					bytes[3 * k] = (uint8_t)ab;
					bytes[3 * k + 1] = (uint8_t)(ab >> 8);
					bytes[3 * k + 2] = (uint8_t)(c + k < 256 ? c + k : c);
				}
				bytes[15] = (uint8_t)ab;
				pronet_cnn_quant_tokens(quant, &input, byte_ids, ids);
				for (uint32_t k = 0; k < 5 && c + k < 256; k++) {
					uint32_t want = 1 + pronet_ngram_hash_fnv1a32(
					                        bytes + 3 * k, PRONET_NGRAM_SIZE) %
					                        (buckets[b] - 1);

					wrong += ids[3 * k] != want;
					grams++;
				}
			}
		CU_ASSERT_EQUAL(wrong, 0);
		CU_ASSERT_EQUAL(grams, 1u << 24);
		pronet_cnn_quant_free(quant);
		pronet_model_free(model);
	}
}

/* Off: predict's probabilities are the float tables' bits, also after the
 * weights change; on again: the 16-bit path, which differs somewhere. */
static void test_float_tables_on_request(void)
{
	struct pronet_model *model = random_model(16, 1024, 0, 1, 25, 0.3f, 21);
	struct pronet_rng rng;
	int quantised_differs = 0;

	pronet_model_set_quantised(model, 0);
	CU_ASSERT_PTR_NULL(pronet_cnn_state(model)->quant);
	pronet_model_weights_changed(model);
	CU_ASSERT_PTR_NULL(pronet_cnn_state(model)->quant);
	pronet_rng_seed(&rng, 22);
	for (int k = 0; k < 100; k++) {
		struct pronet_packet_record input;
		float logits[PRONET_MAX_CLASSES], expected[PRONET_MAX_CLASSES],
		    p[PRONET_MAX_CLASSES];

		random_input(&rng, 16, &input);
		pronet_cnn_fast_logits(pronet_cnn_state(model)->fast, model, &input, logits);
		pronet_softmax_fast(logits, 25, pronet_model_temperature(model), expected,
		                    model->isa);
		CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &input, p, NULL), PRONET_OK);
		CU_ASSERT_EQUAL(memcmp(p, expected, 25 * sizeof(float)), 0);
	}
	pronet_model_set_quantised(model, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pronet_cnn_state(model)->quant);
	for (int k = 0; k < 100; k++) {
		struct pronet_packet_record input;
		float logits[PRONET_MAX_CLASSES], p[PRONET_MAX_CLASSES];

		random_input(&rng, 16, &input);
		pronet_cnn_fast_logits(pronet_cnn_state(model)->fast, model, &input, logits);
		pronet_cnn_quant_logits(pronet_cnn_state(model)->quant, &input, p);
		quantised_differs |= memcmp(p, logits, 25 * sizeof(float)) != 0;
	}
	CU_ASSERT(quantised_differs);
	check_model(model, 23);
	pronet_model_free(model);
}

/* 65536 buckets: the float path computes the 3-gram view layer by layer, and
 * there is nothing to quantise; predict still answers. */
static void test_no_ngram_table_keeps_float(void)
{
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_packet_record input;
	struct pronet_rng rng;
	float p[3];

	pronet_cnn_config_default(&config);
	config.embed_dim = 4;
	config.filters = 30;
	config.ngram_buckets = 65536;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, class_names, 3, 5, &model, errbuf),
	                      PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(pronet_cnn_state(model)->fast);
	CU_ASSERT_PTR_NULL(pronet_cnn_state(model)->quant);
	pronet_rng_seed(&rng, 6);
	random_input(&rng, 16, &input);
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &input, p, NULL), PRONET_OK);
	CU_ASSERT(fabsf(p[0] + p[1] + p[2] - 1.0f) < 1e-5f);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"predict's 16-bit path keeps the contract on random models", test_contract_on_random_models},
    {"wide weights: the estimate picks the path, the contract holds",
     test_wide_weights_keep_the_contract},
    {"sums at the largest reachable values do not overflow", test_sums_at_their_bounds},
    {"AVX2 and 16-byte kernels agree", test_every_kernel_agrees},
    {"every set-up looks up tokens.h's ids", test_setup_finds_the_tokens},
    {"the AVX2 set-up's remainder on every 3-gram", test_avx2_setup_on_every_ngram},
    {"the float tables on request, through weight changes", test_float_tables_on_request},
    {"no 3-gram table: the float path", test_no_ngram_table_keeps_float},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/arch/pronet_cnn/quant", tests);
}
