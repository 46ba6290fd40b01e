/* Tests of the fallback's decision (core/model/flow_predict.c): the reject class
 * never names a flow and "best class always" skips it; the uniformity
 * statistic calls seeded random bytes random and structured ones not, needs
 * PRONET_RANDOM_MIN_BYTES, and judges a flow's leading bytes on their own so
 * that a structured first packet is not diluted by ciphertext after it; the
 * random floor lets a random-looking flow be named only at or above it. */
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <string.h>

static struct pronet_packet_record random_input(struct pronet_rng *rng, uint8_t direction,
                                                uint8_t index)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	for (size_t b = 0; b < PRONET_PAYLOAD_BYTES; b++)
		PRONET_UNIT_BYTES(input)[b] = (uint8_t)pronet_rng_below(rng, 256);
	input.length = PRONET_PAYLOAD_BYTES;
	input.direction = direction;
	input.payload_index = index;
	input.l4_protocol = 6;
	input.payload_length = 100;
	return input;
}

static struct pronet_packet_record text_input(const char *text, uint8_t direction, uint8_t index)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	input.length = (uint8_t)strlen(text);
	memcpy(PRONET_UNIT_BYTES(input), text, input.length);
	input.direction = direction;
	input.payload_index = index;
	input.l4_protocol = 6;
	input.payload_length = 100;
	return input;
}

static void test_random_bytes_look_random(void)
{
	struct pronet_rng rng;
	unsigned looks = 0;

	pronet_rng_seed(&rng, 42);
	for (unsigned flow = 0; flow < 200; flow++) {
		struct pronet_packet_record inputs[4];

		for (uint8_t i = 0; i < 4; i++)
			inputs[i] = random_input(&rng, i % 2, i);
		looks += pronet_flow_looks_random(inputs, 1 + flow % 4);
	}
	/* 1 in 1,000 random flows is above the cut; 200 seeded ones are not. */
	CU_ASSERT(looks >= 198);
}

static void test_structured_bytes_do_not(void)
{
	struct pronet_packet_record text[2] = {text_input("GET /index.html ", 0, 0),
	                                       text_input("HTTP/1.1 200 OK\r", 1, 1)};
	struct pronet_packet_record zeros = text_input("", 0, 0);

	CU_ASSERT_FALSE(pronet_flow_looks_random(text, 2));
	CU_ASSERT(pronet_flow_uniformity_chi2(text, 2) > PRONET_RANDOM_CHI2_MAX);
	zeros.length = PRONET_PAYLOAD_BYTES; /* 16 zero bytes */
	CU_ASSERT_FALSE(pronet_flow_looks_random(&zeros, 1));
}

static void test_too_few_bytes_are_no_evidence(void)
{
	struct pronet_rng rng;
	struct pronet_packet_record input;

	pronet_rng_seed(&rng, 7);
	input = random_input(&rng, 0, 0);
	input.length = PRONET_RANDOM_MIN_BYTES - 1;
	CU_ASSERT(isnan(pronet_flow_uniformity_chi2(&input, 1)));
	CU_ASSERT_FALSE(pronet_flow_looks_random(&input, 1));
	CU_ASSERT(isnan(pronet_flow_uniformity_chi2(NULL, 0)));
}

/* A structured request, then seven packets of ciphertext: pooled, the bytes
 * look random; the leading ones (the first packet of each direction) do
 * not, so the flow is not random-looking. */
static void test_leading_bytes_judged_on_their_own(void)
{
	struct pronet_rng rng;
	struct pronet_packet_record inputs[8];

	pronet_rng_seed(&rng, 3);
	inputs[0] = text_input("GET /index.html ", 0, 0);
	inputs[1] = text_input("HTTP/1.1 200 OK\r", 1, 1);
	for (uint8_t i = 2; i < 8; i++)
		inputs[i] = random_input(&rng, i % 2, i);
	CU_ASSERT_FALSE(pronet_flow_looks_random(inputs, 8));
	/* The ciphertext packets alone do look random. */
	CU_ASSERT_TRUE(pronet_flow_looks_random(inputs + 2, 6));
}

static struct pronet_model *model_with_reject(void)
{
	static const char *names[3] = {"alpha", PRONET_REJECT_CLASS, "gamma"};
	const float thresholds[3] = {0.5f, 0.1f, 0.5f};
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_cnn_config_default(&config);
	config.filters = 2;
	config.ngram_buckets = PRONET_MIN_NGRAM_BUCKETS;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, names, 3, 1, &model, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_set_calibration(model, 1.0f, thresholds, errbuf),
	                      PRONET_OK);
	return model;
}

static void test_reject_class_never_names(void)
{
	struct pronet_model *model = model_with_reject();
	struct pronet_packet_record text =
	    text_input("PRNTDEMO\x01\x02\x03\x04\x05\x06\x07\x08", 0, 0);
	const float rejected[3] = {0.2f, 0.7f, 0.1f}, named[3] = {0.6f, 0.3f, 0.1f};

	CU_ASSERT_TRUE(pronet_model_is_reject_class(model, 1));
	CU_ASSERT_FALSE(pronet_model_is_reject_class(model, 0));
	CU_ASSERT_EQUAL(pronet_flow_decide(model, &text, 1, rejected, 1, 0.1f, 0.0f),
	                PRONET_FLOW_REJECTED);
	CU_ASSERT_FALSE(pronet_model_flow_accepts(model, rejected, 1));
	/* Best class always: the best class that names something. */
	CU_ASSERT_EQUAL(pronet_model_best_named(model, rejected), 0);
	CU_ASSERT_EQUAL(pronet_flow_decide(model, &text, 1, named, 0, 0.5f, 0.0f),
	                PRONET_FLOW_NAMED);
	CU_ASSERT_TRUE(pronet_model_flow_accepts(model, named, 0));
	CU_ASSERT_EQUAL(pronet_flow_decide(model, &text, 1, named, 0, 0.7f, 0.0f),
	                PRONET_FLOW_BELOW_THRESHOLD);
	pronet_model_free(model);
}

static void test_random_floor(void)
{
	struct pronet_model *model = model_with_reject();
	struct pronet_rng rng;
	struct pronet_packet_record inputs[2];
	const float unsure[3] = {0.6f, 0.3f, 0.1f}, sure[3] = {0.95f, 0.04f, 0.01f};

	pronet_rng_seed(&rng, 11);
	inputs[0] = random_input(&rng, 0, 0);
	inputs[1] = random_input(&rng, 1, 1);
	CU_ASSERT_TRUE_FATAL(pronet_flow_looks_random(inputs, 2));
	CU_ASSERT_EQUAL(pronet_flow_decide(model, inputs, 2, unsure, 0, 0.5f, 0.9f),
	                PRONET_FLOW_RANDOM);
	CU_ASSERT_EQUAL(pronet_flow_decide(model, inputs, 2, sure, 0, 0.5f, 0.9f),
	                PRONET_FLOW_NAMED);
	/* A floor above 1: random-looking flows always abstain; 0: no gate. */
	CU_ASSERT_EQUAL(pronet_flow_decide(model, inputs, 2, sure, 0, 0.5f, 2.0f),
	                PRONET_FLOW_RANDOM);
	CU_ASSERT_EQUAL(pronet_flow_decide(model, inputs, 2, unsure, 0, 0.5f, 0.0f),
	                PRONET_FLOW_NAMED);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"random bytes look random", test_random_bytes_look_random},
    {"structured bytes do not", test_structured_bytes_do_not},
    {"too few bytes are no evidence", test_too_few_bytes_are_no_evidence},
    {"leading bytes judged on their own", test_leading_bytes_judged_on_their_own},
    {"the reject class never names", test_reject_class_never_names},
    {"random floor", test_random_floor},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/model/flow_decide", tests);
}
