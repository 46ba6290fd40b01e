/* Tests of core/model/model.c: creation within limits, class names, prediction,
 * calibration. */
#include "core/model/model.h"
#include "tests/unit.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

static const char *const four_classes[] = {"http", "dns", "tls", "ssh"};

static struct pronet_packet_record http_input(void)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	memcpy(PRONET_UNIT_BYTES(input), "GET / HTTP/1.1\r\n", 16); /* an HTTP request line */
	input.length = 16;
	input.l4_protocol = 6;
	return input;
}

static struct pronet_model *new_model(uint32_t batch_norm, uint64_t seed)
{
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_cnn_config_default(&config);
	config.batch_norm = batch_norm;
	CU_ASSERT_EQUAL(pronet_model_new_cnn(&config, four_classes, 4, seed, &model, errbuf),
	                PRONET_OK);
	return model;
}

static void test_defaults_follow_the_paper(void)
{
	struct pronet_cnn_config config;

	pronet_cnn_config_default(&config);
	CU_ASSERT_EQUAL(config.embed_dim, 50);
	CU_ASSERT_EQUAL(config.filters, 30);
	CU_ASSERT_EQUAL(config.ngram_buckets, 4096);
	CU_ASSERT_EQUAL(config.batch_norm, 0);
	CU_ASSERT_DOUBLE_EQUAL(config.dropout, 0.5, 1e-9);
}

static void test_predict_gives_a_distribution(void)
{
	struct pronet_model *model = new_model(0, 1);
	struct pronet_packet_record input = http_input();
	float p[PRONET_MAX_CLASSES], sum = 0.0f;
	size_t best = 99;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_model_arch(model), pronet_arch_find("pronet-cnn"));
	CU_ASSERT_EQUAL(pronet_arch_tag(pronet_model_arch(model)), PRONET_ARCH_TAG_PRONET_CNN);
	CU_ASSERT_EQUAL(pronet_model_num_classes(model), 4);
	/* docs/model-format.md: 253,830 + 181 C floats with the defaults. */
	CU_ASSERT_EQUAL(pronet_model_num_weights(model), 253830 + 181 * 4);
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &input, p, &best), PRONET_OK);
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_TRUE(p[i] > 0.0f && p[i] < 1.0f);
		CU_ASSERT_TRUE(p[i] <= p[best]);
		sum += p[i];
	}
	CU_ASSERT_DOUBLE_EQUAL(sum, 1.0, 1e-5);
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, NULL, p, &best), PRONET_ERR_ARG);
	pronet_model_free(model);
	pronet_model_free(NULL);
}

static void test_seed_determines_weights(void)
{
	struct pronet_model *a = new_model(1, 5), *b = new_model(1, 5), *c = new_model(1, 6);
	struct pronet_packet_record input = http_input();
	float pa[4], pb[4], pc[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pronet_model_predict(a, NULL, &input, pa, NULL);
	pronet_model_predict(b, NULL, &input, pb, NULL);
	pronet_model_predict(c, NULL, &input, pc, NULL);
	CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof(pa)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(pa, pc, sizeof(pa)), 0);
	pronet_model_free(a);
	pronet_model_free(b);
	pronet_model_free(c);
}

static void test_bytes_past_length_are_ignored(void)
{
	struct pronet_model *model = new_model(0, 2);
	struct pronet_packet_record input = http_input(), other;
	float p1[4], p2[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	input.length = 5;
	other = input;
	memset(PRONET_UNIT_BYTES(other) + 5, 0xaa, 11);
	pronet_model_predict(model, NULL, &input, p1, NULL);
	pronet_model_predict(model, NULL, &other, p2, NULL);
	CU_ASSERT_EQUAL(memcmp(p1, p2, sizeof(p1)), 0);
	other.length = 16;
	pronet_model_predict(model, NULL, &other, p2, NULL);
	CU_ASSERT_NOT_EQUAL(memcmp(p1, p2, sizeof(p1)), 0);
	pronet_model_free(model);
}

static enum pronet_err try_config(struct pronet_cnn_config config, const char *const *names,
                                  size_t count, char *errbuf)
{
	struct pronet_model *model = (struct pronet_model *)1;
	enum pronet_err err = pronet_model_new_cnn(&config, names, count, 1, &model, errbuf);

	if (err == PRONET_OK)
		pronet_model_free(model);
	else
		CU_ASSERT_PTR_NULL(model);
	return err;
}

static void test_limits_are_enforced(void)
{
	struct pronet_cnn_config base, c;
	char errbuf[PRONET_ERRBUF_SIZE];
	char long_name[80];
	const char *duplicate[] = {"a", "b", "a"};
	const char *too_long[] = {long_name};

	pronet_cnn_config_default(&base);
	c = base, c.filters = 1000000000;
	CU_ASSERT_EQUAL(try_config(c, four_classes, 4, errbuf), PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "filters 1000000000"));
	c = base, c.embed_dim = 0;
	CU_ASSERT_EQUAL(try_config(c, four_classes, 4, errbuf), PRONET_ERR_LIMIT);
	c = base, c.ngram_buckets = 1;
	CU_ASSERT_EQUAL(try_config(c, four_classes, 4, errbuf), PRONET_ERR_LIMIT);
	c = base, c.dropout = 1.0f;
	CU_ASSERT_EQUAL(try_config(c, four_classes, 4, errbuf), PRONET_ERR_ARG);
	c = base, c.dropout = NAN;
	CU_ASSERT_EQUAL(try_config(c, four_classes, 4, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(try_config(base, four_classes, 0, errbuf), PRONET_ERR_LIMIT);
	CU_ASSERT_EQUAL(try_config(base, four_classes, PRONET_MAX_CLASSES + 1, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_EQUAL(try_config(base, duplicate, 3, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "'a'"));
	memset(long_name, 'x', 64);
	long_name[64] = '\0';
	CU_ASSERT_EQUAL(try_config(base, too_long, 1, errbuf), PRONET_ERR_ARG);
	long_name[63] = '\0';
	CU_ASSERT_EQUAL(try_config(base, too_long, 1, errbuf), PRONET_OK);
	c = base, c.embed_dim = PRONET_MAX_EMBED_DIM, c.filters = PRONET_MAX_FILTERS;
	CU_ASSERT_EQUAL(try_config(c, four_classes, 4, errbuf), PRONET_OK);
}

static void test_class_names_are_found(void)
{
	struct pronet_model *model = new_model(0, 3);

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_model_find_class(model, "tls"), 2);
	CU_ASSERT_EQUAL(pronet_model_find_class(model, "quic"), -1);
	CU_ASSERT_STRING_EQUAL(pronet_model_class_name(model, 3), "ssh");
	CU_ASSERT_PTR_NULL(pronet_model_class_name(model, 4));
	pronet_model_free(model);
}

static void test_temperature_flattens_probabilities(void)
{
	struct pronet_model *model = new_model(0, 4);
	struct pronet_packet_record input = http_input();
	float p1[4], p2[4], thresholds[4] = {0.5f, 0.5f, 0.9f, 0.1f}, bad[4] = {0, 0, 2, 0};
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t best1, best2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_temperature(model), 1.0, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_threshold(model, 2), 0.0, 0.0);
	pronet_model_predict(model, NULL, &input, p1, &best1);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 3.0f, thresholds, errbuf), PRONET_OK);
	pronet_model_predict(model, NULL, &input, p2, &best2);
	CU_ASSERT_EQUAL(best1, best2);
	CU_ASSERT_TRUE(p2[best2] < p1[best1]);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_threshold(model, 2), 0.9, 1e-6);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 0.0f, NULL, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 1.0f, bad, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_temperature(model), 3.0, 0.0);
	pronet_model_free(model);
}

#define CONCURRENT_INPUTS 64

struct concurrent_run {
	const struct pronet_model *model;
	float probabilities[CONCURRENT_INPUTS][4];
};

static struct pronet_packet_record numbered_input(int k)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	input.length = (uint8_t)(k % 17);
	for (int i = 0; i < input.length; i++)
		PRONET_UNIT_BYTES(input)[i] = (uint8_t)(k * 13 + i * 29);
	return input;
}

static void *predict_all(void *argument)
{
	struct concurrent_run *run = argument;

	for (int round = 0; round < 20; round++) {
		for (int k = 0; k < CONCURRENT_INPUTS; k++) {
			struct pronet_packet_record input = numbered_input(k);

			pronet_model_predict(run->model, NULL, &input, run->probabilities[k], NULL);
		}
	}
	return NULL;
}

static void test_predict_is_thread_safe(void)
{
	static struct concurrent_run serial, runs[4];
	struct pronet_model *model = new_model(1, 8);
	pthread_t threads[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	serial.model = model;
	predict_all(&serial);
	for (int t = 0; t < 4; t++) {
		runs[t].model = model;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[t], NULL, predict_all, &runs[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		pthread_join(threads[t], NULL);
		CU_ASSERT_EQUAL(memcmp(runs[t].probabilities, serial.probabilities,
		                       sizeof(serial.probabilities)),
		                0);
	}
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"defaults: m=50, t=30, 4096 buckets, dropout 0.5", test_defaults_follow_the_paper},
    {"predict gives a probability distribution", test_predict_gives_a_distribution},
    {"the seed determines the weights", test_seed_determines_weights},
    {"bytes past the payload length are ignored", test_bytes_past_length_are_ignored},
    {"hyperparameter and class limits are enforced", test_limits_are_enforced},
    {"class names are found by name and index", test_class_names_are_found},
    {"temperature flattens, calibration is checked", test_temperature_flattens_probabilities},
    {"predict from four threads at once agrees with serial", test_predict_is_thread_safe},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/model/model", tests);
}
