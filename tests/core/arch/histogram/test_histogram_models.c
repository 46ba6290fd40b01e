/* Tests of the histogram families (core/arch/histogram/): each of
 * histogram-nb, -lr and -rf, fitted through pronet_train (its `fit`), names
 * the held-out flows of a separable synthetic set; a saved model loads with
 * identical predictions; a damaged file is refused; a fit is the same for a
 * seed and thread count.
 *
 * The set: 3 classes of 24-packet flows told apart by sizes and timing, with
 * jitter - "chat": small packets (80-120 bytes) every 10-30 us, both ways;
 * "bulk": large server packets (1300-1500 bytes) 20-60 ms apart, each ACKed;
 * "voice": 600-700 byte packets every 1.5-2.5 ms, alternating. It shows that
 * fitting works, not how well the models do on real traffic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arch/histogram/histogram_config.h"
#include "core/arch/registry.h"
#include "core/data/dataset.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/train/train.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#define CLASSES 3
#define FLOWS_PER_CLASS 30
#define PACKETS 24

static const char *const class_names[CLASSES] = {"chat", "bulk", "voice"};

static struct pronet_packet_record synthetic_packet(size_t label, size_t i, uint64_t *clock,
                                                    struct pronet_rng *rng)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.l4_protocol = 6;
	r.packet_index = (uint32_t)i;
	if (label == 0) {
		*clock += 10 + pronet_rng_below(rng, 20);
		r.direction = (uint8_t)pronet_rng_below(rng, 2);
		r.wire_length = (uint16_t)(80 + pronet_rng_below(rng, 40));
	} else if (label == 1) {
		int ack = i % 2 == 1;

		*clock +=
		    ack ? 50 + pronet_rng_below(rng, 100) : 20000 + pronet_rng_below(rng, 40000);
		r.direction = ack ? 0 : 1;
		r.wire_length = (uint16_t)(ack ? 40 : 1300 + pronet_rng_below(rng, 200));
	} else {
		*clock += 1500 + pronet_rng_below(rng, 1000);
		r.direction = (uint8_t)(i % 2);
		r.wire_length = (uint16_t)(600 + pronet_rng_below(rng, 100));
	}
	r.timestamp_us = *clock;
	r.payload_length = r.wire_length > 40 ? (uint16_t)(r.wire_length - 40) : 0;
	return r;
}

/* Flows of every class, interleaved: flow f has class f % CLASSES. */
static struct pronet_dataset *synthetic_dataset(uint64_t seed)
{
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_rng rng;
	uint16_t labels[CLASSES];
	uint32_t capture;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	for (size_t c = 0; c < CLASSES; c++)
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_class(data, class_names[c], &labels[c]),
		                      PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_capture(data, "synthetic", &capture),
	                      PRONET_OK);
	data->spec.window_bytes = 0;
	data->spec.layer = PRONET_LAYER_PAYLOAD;
	data->spec.flags = PRONET_SPEC_ALL_PACKETS;
	data->spec.packets_per_direction = 0;
	pronet_rng_seed(&rng, seed);
	for (size_t f = 0; f < FLOWS_PER_CLASS * CLASSES; f++) {
		uint64_t clock = 1000000;

		for (size_t i = 0; i < PACKETS; i++) {
			struct pronet_sample sample;

			memset(&sample, 0, sizeof(sample));
			sample.input = synthetic_packet(f % CLASSES, i, &clock, &rng);
			sample.label = labels[f % CLASSES];
			sample.capture = capture;
			sample.flow = f;
			CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
		}
	}
	return data;
}

static struct pronet_model *new_model(const char *arch_name, uint64_t seed)
{
	const struct pronet_arch_ops *arch = pronet_arch_find(arch_name);
	unsigned char config[PRONET_ARCH_CONFIG_MAX];
	struct pronet_histogram_config *c = (struct pronet_histogram_config *)(void *)config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(arch);
	CU_ASSERT_EQUAL_FATAL(pronet_arch_config_size(arch), sizeof(*c));
	pronet_arch_config_default(arch, config);
	c->window = 12; /* two windows per flow */
	c->trees = 25;
	CU_ASSERT_EQUAL_FATAL(
	    pronet_model_new(arch, config, sizeof(*c), class_names, CLASSES, seed, &model, errbuf),
	    PRONET_OK);
	return model;
}

/* Trains on flows 0 .. 2/3 of the set (all classes), with `threads`. */
static void fit(struct pronet_model *model, const struct pronet_dataset *data, size_t threads)
{
	struct pronet_train_options options;
	size_t train = FLOWS_PER_CLASS * CLASSES * 2 / 3 * PACKETS;
	size_t *indices = malloc(train * sizeof(*indices));
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(indices);
	for (size_t i = 0; i < train; i++)
		indices[i] = i;
	pronet_train_options_default(&options);
	options.train_indices = indices;
	options.num_train = train;
	options.threads = (uint32_t)threads;
	options.seed = 5;
	options.progress_every = 0;
	CU_ASSERT_EQUAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
	free(indices);
}

/* The flows after the training ones: probabilities[flow][class]; returns
 * how many were named right. */
static size_t predict_held_out(const struct pronet_model *model, const struct pronet_dataset *data,
                               float *probabilities)
{
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t first = FLOWS_PER_CLASS * CLASSES * 2 / 3, right = 0;

	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	for (size_t f = first; f < FLOWS_PER_CLASS * CLASSES; f++) {
		struct pronet_packet_record records[PACKETS];
		size_t best = CLASSES;

		for (size_t i = 0; i < PACKETS; i++)
			records[i] = data->samples[f * PACKETS + i].input;
		CU_ASSERT_EQUAL(pronet_model_predict_flow(model, ws, records, PACKETS,
		                                          probabilities + (f - first) * CLASSES,
		                                          &best),
		                PRONET_OK);
		right += best == f % CLASSES;
	}
	pronet_workspace_free(ws);
	return right;
}

#define HELD_OUT (FLOWS_PER_CLASS * CLASSES - FLOWS_PER_CLASS * CLASSES * 2 / 3)

static void temp_path(char *path, size_t size, const char *what)
{
	snprintf(path, size, "%s/pronet-test-histogram-%ld-%s", pronet_unit_tmpdir(),
	         (long)getpid(), what);
}

static uint8_t *read_all(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data = malloc(1 << 22);

	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	*size = fread(data, 1, 1 << 22, file);
	fclose(file);
	return data;
}

static void check_family(const char *arch_name)
{
	struct pronet_dataset *data = synthetic_dataset(1);
	struct pronet_model *model = new_model(arch_name, 3), *loaded = NULL;
	float before[HELD_OUT * CLASSES], after[HELD_OUT * CLASSES];
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *bytes;
	size_t size, refused = 0, tried = 0;

	fit(model, data, 2);
	CU_ASSERT(predict_held_out(model, data, before) >= HELD_OUT - 1);
	temp_path(path, sizeof(path), arch_name);
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load(path, &loaded, errbuf), PRONET_OK);
	predict_held_out(loaded, data, after);
	CU_ASSERT_EQUAL(memcmp(before, after, sizeof(before)), 0);
	pronet_model_free(loaded);
	/* Damage: every truncation and a flipped bit every 7 bytes are refused. */
	bytes = read_all(path, &size);
	for (size_t cut = 0; cut < size; cut += 1 + cut / 50, tried++)
		refused += pronet_model_load_buffer(bytes, cut, path, &loaded, errbuf) != PRONET_OK;
	for (size_t at = 0; at < size; at += 7, tried++) {
		bytes[at] ^= 0x10;
		refused +=
		    pronet_model_load_buffer(bytes, size, path, &loaded, errbuf) != PRONET_OK;
		bytes[at] ^= 0x10;
	}
	CU_ASSERT_EQUAL(refused, tried);
	free(bytes);
	unlink(path);
	pronet_model_free(model);
	pronet_dataset_free(data);
}

static void test_naive_bayes(void)
{
	check_family("histogram-nb");
}

static void test_logistic_regression(void)
{
	check_family("histogram-lr");
}

static void test_random_forest(void)
{
	check_family("histogram-rf");
}

/* The same seed and thread count give the same file, byte for byte; for the
 * forest, any thread count does. */
static void test_fits_are_reproducible(void)
{
	static const char *const archs[] = {"histogram-nb", "histogram-lr", "histogram-rf"};
	struct pronet_dataset *data = synthetic_dataset(2);

	for (size_t a = 0; a < 3; a++) {
		char path[3][512], errbuf[PRONET_ERRBUF_SIZE];
		uint8_t *bytes[3];
		size_t size[3];

		for (size_t run = 0; run < 3; run++) {
			struct pronet_model *model = new_model(archs[a], 3);

			fit(model, data, run == 2 && a == 2 ? 3 : 2);
			temp_path(path[run], sizeof(path[run]),
			          run == 0   ? "a"
			          : run == 1 ? "b"
			                     : "c");
			CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path[run], errbuf),
			                      PRONET_OK);
			bytes[run] = read_all(path[run], &size[run]);
			pronet_model_free(model);
		}
		CU_ASSERT_EQUAL(size[0], size[1]);
		CU_ASSERT_EQUAL(memcmp(bytes[0], bytes[1], size[0]), 0);
		if (a == 2) {
			CU_ASSERT_EQUAL(size[0], size[2]);
			CU_ASSERT_EQUAL(memcmp(bytes[0], bytes[2], size[0]), 0);
		}
		for (size_t run = 0; run < 3; run++) {
			free(bytes[run]);
			unlink(path[run]);
		}
	}
	pronet_dataset_free(data);
}

static void test_flow_model_refuses_per_packet_predict(void)
{
	struct pronet_model *model = new_model("histogram-rf", 3);
	struct pronet_packet_record record;
	float probabilities[CLASSES];
	size_t best;

	memset(&record, 0, sizeof(record));
	CU_ASSERT_EQUAL(pronet_model_predict(model, NULL, &record, probabilities, &best),
	                PRONET_ERR_ARG);
	pronet_model_free(model);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"naive Bayes learns, round-trips, refuses damage", test_naive_bayes},
	    {"logistic regression learns, round-trips, refuses damage", test_logistic_regression},
	    {"random forest learns, round-trips, refuses damage", test_random_forest},
	    {"fits are reproducible", test_fits_are_reproducible},
	    {"a flow model refuses per-packet predict", test_flow_model_refuses_per_packet_predict},
	    CU_TEST_INFO_NULL,
	};

	return pronet_unit_run("histogram models", tests);
}
