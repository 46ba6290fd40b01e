/* Tests of core/arch/flow_cnn/flow_cnn_hyper.c, the model file's HYPR and
 * ZSCR blocks: a save -> load round trip predicting bit for bit the same,
 * and damaged blocks refused. */
#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/data/dataset.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "core/util/crc32.h"
#include "core/util/rng.h"
#include "tests/core/arch/flow_cnn/flow_cnn_synthetic.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *saved_bytes(const struct pronet_model *model, size_t *size)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data;
	FILE *file;
	long length;

	snprintf(path, sizeof(path), "%s/pronet-test-flow-cnn-%ld.pnm", pronet_unit_tmpdir(),
	         (long)getpid());
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	file = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fseek(file, 0, SEEK_END);
	length = ftell(file);
	rewind(file);
	data = malloc((size_t)length);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(fread(data, 1, (size_t)length, file), (size_t)length);
	fclose(file);
	remove(path);
	*size = (size_t)length;
	return data;
}

static void assert_same_predictions(const struct pronet_model *a, const struct pronet_model *b)
{
	struct pronet_workspace *wa = workspace_for(a), *wb = workspace_for(b);
	struct pronet_packet_record r[FLOW_PACKETS];
	float pa[CLASSES], pb[CLASSES];
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 5);
	for (size_t k = 0; k < 12; k++) {
		synthetic_flow(r, k % CLASSES, &rng);
		CU_ASSERT_EQUAL(pronet_model_predict_flow(a, wa, r, FLOW_PACKETS, pa, NULL),
		                PRONET_OK);
		CU_ASSERT_EQUAL(pronet_model_predict_flow(b, wb, r, FLOW_PACKETS, pb, NULL),
		                PRONET_OK);
		CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof(pa)), 0);
	}
	pronet_workspace_free(wa);
	pronet_workspace_free(wb);
}

/* A small model whose z-score was fitted on synthetic flows. */
static struct pronet_model *fitted_model(struct flow_cnn_config *config)
{
	struct pronet_model *model = new_model(config, 3);
	struct pronet_dataset *data = synthetic_dataset(4, 9);
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	pronet_train_options_default(&options);
	CU_ASSERT_EQUAL(flow_cnn_fit_zscore(model, data, &options, errbuf), PRONET_OK);
	pronet_dataset_free(data);
	return model;
}

static void test_save_load_predicts_the_same(void)
{
	struct flow_cnn_config config = small_config(), loaded_config;
	struct pronet_model *model, *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	uint8_t *data;
	size_t size;

	config.dropout = 0.3f;
	config.record_packets = 5;
	config.keep_tls_headers = 1;
	model = fitted_model(&config);
	CU_ASSERT_NOT_EQUAL(flow_cnn_state(model)->deviation[0], 1.0f); /* fitted */
	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load_buffer(data, size, "round.pnm", &loaded, errbuf),
	                      PRONET_OK);
	CU_ASSERT_PTR_EQUAL(pronet_model_arch(loaded), &pronet_arch_flow_cnn);
	CU_ASSERT_EQUAL(pronet_model_config(loaded, &loaded_config, sizeof(loaded_config)),
	                PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(&config, &loaded_config, sizeof(config)), 0);
	CU_ASSERT_EQUAL(memcmp(model->weights, loaded->weights, model->num_weights * sizeof(float)),
	                0);
	CU_ASSERT_EQUAL(memcmp(flow_cnn_state(model)->mean, flow_cnn_state(loaded)->mean,
	                       config.input_values * sizeof(float)),
	                0);
	CU_ASSERT_EQUAL(memcmp(flow_cnn_state(model)->inverse, flow_cnn_state(loaded)->inverse,
	                       config.input_values * sizeof(float)),
	                0);
	assert_same_predictions(model, loaded);
	free(data);
	pronet_model_free(model);
	pronet_model_free(loaded);
}

static void put_u32(uint8_t *at, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

/* Loads the model's bytes with u32 `field` of block `tag`'s data set to
 * value (the CRC resealed); the error, and its message in errbuf. */
static enum pronet_err load_with(const uint8_t *data, size_t size, const char *tag, size_t field,
                                 uint32_t value, char *errbuf)
{
	uint8_t *copy = malloc(size), *block = NULL;
	struct pronet_model *loaded = NULL;
	enum pronet_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, data, size);
	for (size_t i = 0; block == NULL && i + 8 < size; i++)
		if (memcmp(copy + i, tag, 4) == 0)
			block = copy + i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(block);
	put_u32(block + 8 + 4 * field, value);
	put_u32(copy + size - 4, pronet_crc32(0, copy, size - 4));
	errbuf[0] = '\0';
	err = pronet_model_load_buffer(copy, size, "damaged.pnm", &loaded, errbuf);
	CU_ASSERT_EQUAL(err != PRONET_OK, loaded == NULL);
	pronet_model_free(loaded);
	free(copy);
	return err;
}

static uint32_t float_bits(float value)
{
	uint32_t bits;

	memcpy(&bits, &value, sizeof(bits));
	return bits;
}

static void test_damaged_blocks_are_refused(void)
{
	struct flow_cnn_config config = small_config();
	struct pronet_model *model = fitted_model(&config);
	char errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data;
	size_t size;
	struct {
		const char *tag;
		size_t field;
		uint32_t value;
		enum pronet_err err;
		const char *says;
	} cases[] = {
	    {"HYPR", 0, 5, PRONET_ERR_UNSUPPORTED, "kernel width"},
	    {"HYPR", 1, 3, PRONET_ERR_UNSUPPORTED, "pool size"},
	    {"HYPR", 2, 8, PRONET_ERR_UNSUPPORTED, "inter-arrival bytes"},
	    {"HYPR", 3, 5, PRONET_ERR_LIMIT, "5 input values"},
	    {"HYPR", 4, 0, PRONET_ERR_LIMIT, "conv 1 has 0 filters"},
	    {"HYPR", 9, 100000, PRONET_ERR_LIMIT, "dense 2 has 100000 units"},
	    {"HYPR", 10, float_bits(NAN), PRONET_ERR_FORMAT, "dropout"},
	    {"HYPR", 10, float_bits(1.5f), PRONET_ERR_ARG, "dropout 1.5"},
	    {"HYPR", 11, 0, PRONET_ERR_ARG, "0 packets per direction"},
	    {"HYPR", 12, 2, PRONET_ERR_FORMAT, "keep-tls-headers is 2"},
	    {"ZSCR", 0, 1, PRONET_ERR_UNSUPPORTED, "z-score mode"},
	    {"ZSCR", 1, 63, PRONET_ERR_FORMAT, "63 z-score positions"},
	    {"ZSCR", 2, float_bits(INFINITY), PRONET_ERR_FORMAT, "z-score mean"},
	    {"ZSCR", 2 + 64 + 7, float_bits(0.0f), PRONET_ERR_FORMAT,
	     "z-score deviation 0 of position 7"},
	    {"ZSCR", 2 + 64, float_bits(-2.0f), PRONET_ERR_FORMAT, "is not positive"},
	    {"ZSCR", 2 + 64 + 3, float_bits(NAN), PRONET_ERR_FORMAT, "z-score deviation"},
	};

	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL(load_with(data, size, "HYPR", 3, 64, errbuf), PRONET_OK); /* as saved */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(
		    load_with(data, size, cases[i].tag, cases[i].field, cases[i].value, errbuf),
		    cases[i].err);
		if (strstr(errbuf, cases[i].says) == NULL || strstr(errbuf, "damaged.pnm") == NULL)
			printf("case %zu: %s\n", i, errbuf);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, cases[i].says));
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "damaged.pnm"));
	}
	free(data);
	pronet_model_free(model);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"save -> load predicts bit for bit the same", test_save_load_predicts_the_same},
	    {"damaged HYPR and ZSCR blocks are refused", test_damaged_blocks_are_refused},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("flow_cnn_hyper", tests);
}
