/* Tests of core/arch/pronet_cnn/explain.c: on a model whose weights make the
 * answer known (explain_fixture.h) the evidence map is +1 for 0x16 at
 * positions 0-13 towards "tls" (0 at 14-15, which no width-3 window starts
 * at), -1 at position 0 only towards "other", 0 for every other byte; one
 * input's attribution puts the whole centred logit on the position of its
 * first 0x16; and on random models with batch norm, context features and
 * 3-grams (with and without a 3-gram table) the parts of an attribution add
 * up to the centred logit that predict gives (log p_c - mean log p, times
 * the temperature). */
#include "core/arch/pronet_cnn/explain.h"
#include "core/arch/pronet_cnn/fast.h"
#include "core/util/rng.h"
#include "tests/core/arch/pronet_cnn/explain_fixture.h"
#include "tests/unit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float evidence[PRONET_PAYLOAD_BYTES * PRONET_BYTE_VOCABULARY];

static void test_evidence_of_a_known_model(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = explain_fixture_model(errbuf);
	struct pronet_cnn_explainer *e = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL_FATAL(pronet_cnn_explainer_new(model, &e, errbuf), PRONET_OK);
	pronet_cnn_explain_evidence(e, 0, evidence);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		for (size_t b = 0; b < PRONET_BYTE_VOCABULARY; b++) {
			float want = b == EXPLAIN_FIXTURE_BYTE && i <= 13 ? 1.0f : 0.0f;

			CU_ASSERT_DOUBLE_EQUAL(evidence[i * PRONET_BYTE_VOCABULARY + b], want,
			                       1e-6);
		}
	pronet_cnn_explain_evidence(e, 1, evidence);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		for (size_t b = 0; b < PRONET_BYTE_VOCABULARY; b++) {
			/* Position 0 is only ever a window's first byte; elsewhere an
			 * offset where the filter ignores the byte is reachable. */
			float want = b == EXPLAIN_FIXTURE_BYTE && i == 0 ? -1.0f : 0.0f;

			CU_ASSERT_DOUBLE_EQUAL(evidence[i * PRONET_BYTE_VOCABULARY + b], want,
			                       1e-6);
		}
	pronet_cnn_explainer_free(e);
	pronet_model_free(model);
}

static struct pronet_packet_record record_with(const uint8_t *bytes, uint16_t length)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.bytes = bytes;
	r.length = length;
	r.payload_length = length;
	r.l4_protocol = 6;
	return r;
}

static void test_attribution_of_a_known_model(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = explain_fixture_model(errbuf);
	struct pronet_cnn_explainer *e = NULL;
	struct pronet_cnn_attribution a;
	uint8_t bytes[16];
	struct pronet_packet_record r = record_with(bytes, 16);

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL_FATAL(pronet_cnn_explainer_new(model, &e, errbuf), PRONET_OK);
	for (size_t at = 0; at < 16; at++) {
		memset(bytes, 'x', sizeof(bytes));
		bytes[at] = EXPLAIN_FIXTURE_BYTE;
		pronet_cnn_explain_input(e, &r, 0, &a);
		for (size_t i = 0; i < 16; i++) {
			float want = i == at && at <= 13 ? 1.0f : 0.0f;

			CU_ASSERT_DOUBLE_EQUAL(a.byte_view[i], want, 1e-6);
			CU_ASSERT_DOUBLE_EQUAL(a.ngram_view[i], 0.0, 1e-6);
		}
		CU_ASSERT_DOUBLE_EQUAL(a.total, at <= 13 ? 1.0 : 0.0, 1e-6);
		CU_ASSERT_DOUBLE_EQUAL(a.constant, 0.0, 1e-6);
		pronet_cnn_explain_input(e, &r, 1, &a);
		CU_ASSERT_DOUBLE_EQUAL(a.byte_view[at], at <= 13 ? -1.0 : 0.0, 1e-6);
		CU_ASSERT_DOUBLE_EQUAL(a.total, at <= 13 ? -1.0 : 0.0, 1e-6);
	}
	/* A 4-byte payload: 0x16 at 2 still starts a window (padding fills it). */
	memset(bytes, 'x', sizeof(bytes));
	bytes[2] = EXPLAIN_FIXTURE_BYTE;
	r.length = 4;
	pronet_cnn_explain_input(e, &r, 0, &a);
	CU_ASSERT_DOUBLE_EQUAL(a.byte_view[2], 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(a.total, 1.0, 1e-6);
	pronet_cnn_explainer_free(e);
	pronet_model_free(model);
}

/* Weights N(0, 0.5), running statistics away from (0, 1), temperature 1.7. */
static struct pronet_model *random_model(uint32_t filters, uint32_t buckets, uint32_t batch_norm,
                                         uint32_t context, uint64_t seed)
{
	static const char *const names[5] = {"a", "b", "c", "d", "e"};
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	struct pronet_rng rng;

	pronet_cnn_config_default(&config);
	config.embed_dim = 5;
	config.filters = filters;
	config.ngram_buckets = buckets;
	config.batch_norm = batch_norm;
	config.context_features = context;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, names, 5, seed, &model, errbuf),
	                      PRONET_OK);
	pronet_rng_seed(&rng, seed * 31 + 7);
	for (size_t i = 0; i < model->num_trainable; i++)
		model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	if (batch_norm) {
		const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;

		for (size_t j = 0; j < PRONET_CNN_FEATURE_GROUPS * config.filters; j++) {
			w->bn_running_mean[j] = pronet_rng_normal(&rng, 0.5f, 0.5f);
			w->bn_running_var[j] = 0.1f + pronet_rng_uniform(&rng) * 3.0f;
		}
	}
	pronet_model_weights_changed(model);
	CU_ASSERT_EQUAL_FATAL(pronet_model_set_calibration(model, 1.7f, NULL, errbuf), PRONET_OK);
	return model;
}

static void check_parts_add_up(uint32_t filters, uint32_t buckets, uint32_t batch_norm,
                               uint32_t context, uint64_t seed)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = random_model(filters, buckets, batch_norm, context, seed);
	struct pronet_cnn_explainer *e = NULL;
	struct pronet_rng rng;

	CU_ASSERT_EQUAL_FATAL(pronet_cnn_explainer_new(model, &e, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_cnn_fast_has_ngram_table(pronet_cnn_state(model)->fast),
	                buckets < 65536);
	pronet_rng_seed(&rng, seed);
	for (size_t n = 0; n < 50; n++) {
		uint8_t bytes[16];
		struct pronet_packet_record r = record_with(bytes, (uint16_t)(n % 17));
		float p[5];
		double mean_log = 0.0;

		for (size_t i = 0; i < 16; i++)
			bytes[i] = (uint8_t)(pronet_rng_next(&rng) >> 56);
		r.direction = (uint8_t)(n % 2);
		r.payload_index = (uint16_t)(n % 6);
		CU_ASSERT_EQUAL_FATAL(pronet_model_predict(model, NULL, &r, p, NULL), PRONET_OK);
		for (size_t c = 0; c < 5; c++)
			mean_log += log((double)p[c]) / 5.0;
		for (size_t c = 0; c < 5; c++) {
			struct pronet_cnn_attribution a;
			double ngrams = 0.0, thirds = 0.0;

			pronet_cnn_explain_input(e, &r, c, &a);
			CU_ASSERT_DOUBLE_EQUAL(a.total, (log((double)p[c]) - mean_log) * 1.7, 2e-3);
			for (size_t q = 0; q < PRONET_NGRAM_POSITIONS; q++)
				ngrams += a.ngram_positions[q];
			for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
				thirds += a.ngram_view[i];
			CU_ASSERT_DOUBLE_EQUAL(ngrams, thirds, 1e-4);
			if (context == 0)
				CU_ASSERT_EQUAL(a.context, 0.0f);
		}
	}
	pronet_cnn_explainer_free(e);
	pronet_model_free(model);
}

static void test_parts_add_up_to_the_centred_logit(void)
{
	check_parts_add_up(7, 64, 0, 0, 3);
	check_parts_add_up(7, 64, 1, 1, 4);
	/* A 3-gram table too large to build (65536 buckets, 17 filters padded
	 * to 32: 100 MB): its entries are computed. */
	check_parts_add_up(17, 65536, 1, 0, 5);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"evidence of a known model", test_evidence_of_a_known_model},
	    {"attribution of a known model", test_attribution_of_a_known_model},
	    {"parts add up to the centred logit", test_parts_add_up_to_the_centred_logit},
	    CU_TEST_INFO_NULL,
	};

	return pronet_unit_run("explain", tests);
}
