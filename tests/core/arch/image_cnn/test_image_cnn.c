/* Tests of core/arch/image_cnn/: Table I's shapes, the whole network's
 * gradient against central finite differences, the same batch over several
 * threads, a save -> load round trip predicting bit for bit the same,
 * damaged HYPR blocks refused, a tiny run that learns a separable set of
 * images, and training bit for bit reproducible for a seed and thread
 * count.
 *
 * The synthetic images: 1024 bytes of low noise (0..63) with one bright
 * 8 x 8 square (255) whose place says the class (top left, centre, bottom
 * right), moved by up to 2 pixels. Easy on purpose: they show that the
 * network learns, not how well it does on traffic. */
#include "core/arch/image_cnn/image_cnn.h"
#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "core/util/crc32.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 4
#define CLASSES 3

static const char *const classes[CLASSES] = {"top-left", "centre", "bottom-right"};

static struct pronet_model *new_model(const struct pronet_image_cnn_config *config, uint64_t seed)
{
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_EQUAL_FATAL(pronet_model_new(&pronet_arch_image_cnn, config, sizeof(*config),
	                                       classes, CLASSES, seed, &model, errbuf),
	                      PRONET_OK);
	return model;
}

static struct pronet_image_cnn_config small_config(void)
{
	struct pronet_image_cnn_config config;

	pronet_image_cnn_config_default(&config);
	config.filters[0] = 2;
	config.filters[1] = 3;
	config.filters[2] = 2;
	return config;
}

static struct pronet_workspace *workspace_for(const struct pronet_model *model)
{
	struct pronet_workspace *ws = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &ws, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ws); /* image-cnn needs one */
	return ws;
}

/* The synthetic image of class `label` into bytes[1024]. */
static void synthetic_image(uint8_t *bytes, size_t label, struct pronet_rng *rng)
{
	static const int corner[CLASSES][2] = {{3, 3}, {12, 12}, {21, 21}};
	int dr = (int)pronet_rng_below(rng, 5) - 2, dc = (int)pronet_rng_below(rng, 5) - 2;

	for (size_t i = 0; i < PRONET_IMAGE_BYTES; i++)
		bytes[i] = (uint8_t)pronet_rng_below(rng, 64);
	for (int r = 0; r < 8; r++)
		for (int c = 0; c < 8; c++)
			bytes[(corner[label][0] + dr + r) * PRONET_IMAGE_SIDE + corner[label][1] +
			      dc + c] = 255;
}

static struct pronet_packet_record random_record(struct pronet_rng *rng, size_t length)
{
	struct pronet_packet_record record;

	memset(&record, 0, sizeof(record));
	record.bytes = pronet_unit_record_bytes(PRONET_IMAGE_BYTES);
	record.length = (uint16_t)length;
	record.layer = PRONET_LAYER_L3;
	for (size_t i = 0; i < length; i++)
		PRONET_UNIT_BYTES(record)[i] = (uint8_t)pronet_rng_below(rng, 256);
	return record;
}

static void test_shapes_follow_table_one(void)
{
	struct pronet_image_cnn_config config;
	struct pronet_image_cnn_shapes s;
	struct pronet_input_spec spec;

	pronet_image_cnn_config_default(&config);
	pronet_image_cnn_shapes(&config, &s);
	CU_ASSERT_EQUAL(s.conv_size[0], 30 * 30 * 32);
	CU_ASSERT_EQUAL(s.pool_size[0], 15 * 15 * 32);
	CU_ASSERT_EQUAL(s.conv_size[1], 13 * 13 * 64);
	CU_ASSERT_EQUAL(s.pool_size[1], 6 * 6 * 64);
	CU_ASSERT_EQUAL(s.conv_size[2], 4 * 4 * 64);
	CU_ASSERT_EQUAL(s.features, 1024); /* Table I, layer 6 */
	/* conv 2's im2col matrix is the largest: 13 x 13 windows of 3 x 3 x 32 */
	CU_ASSERT_EQUAL(s.columns, 13 * 13 * 9 * 32);
	/* image, three convs, two pools, the im2col matrix: 399,360 bytes
	 * (docs/image-cnn.md) */
	CU_ASSERT_EQUAL(pronet_image_cnn_activation_floats(&s, 0),
	                1024 + 28800 + 10816 + 1024 + 7200 + 2304 + 48672);
	CU_ASSERT_EQUAL(s.multiply_adds,
	                30 * 30 * 32 * 9 + 13 * 13 * 64 * 9 * 32 + 4 * 4 * 64 * 9 * 64);
	config.same_padding = 1; /* 32 -> 32 -> 16 -> 16 -> 8 -> 8 */
	pronet_image_cnn_shapes(&config, &s);
	CU_ASSERT_EQUAL(s.conv_size[0], 32 * 32 * 32);
	CU_ASSERT_EQUAL(s.pool_size[1], 8 * 8 * 64);
	CU_ASSERT_EQUAL(s.features, 4096);
	pronet_image_cnn_spec(&config, &spec);
	CU_ASSERT_EQUAL(spec.window_bytes, 1024);
	CU_ASSERT_EQUAL(spec.layer, PRONET_LAYER_L3);
	CU_ASSERT_EQUAL(spec.packets_per_direction, 4);
}

/* A model with weights spread wide (N(0, 0.5)) so that max-pool winners
 * and ReLU signs are far apart compared with the step. */
struct fixture {
	struct pronet_model *model;
	struct pronet_packet_record inputs[BATCH];
	const struct pronet_packet_record *pointers[BATCH];
	uint32_t labels[BATCH];
	float losses[BATCH];
	uint8_t correct[BATCH];
	void *workspace;
};

static void fixture_init(struct fixture *f, size_t threads)
{
	struct pronet_image_cnn_config config = small_config();
	struct pronet_rng rng;

	memset(f, 0, sizeof(*f));
	f->model = new_model(&config, 1);
	pronet_rng_seed(&rng, 99);
	for (size_t i = 0; i < f->model->num_trainable; i++)
		f->model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	pronet_model_weights_changed(f->model);
	for (size_t b = 0; b < BATCH; b++) {
		f->inputs[b] = random_record(&rng, 200 + 250 * b); /* some zero padding */
		f->pointers[b] = &f->inputs[b];
		f->labels[b] = (uint32_t)(b % CLASSES);
	}
	CU_ASSERT_EQUAL_FATAL(f->model->ops->train_begin(f->model, BATCH, threads, &f->workspace),
	                      PRONET_OK);
}

static void fixture_free(struct fixture *f)
{
	f->model->ops->train_end(f->workspace);
	pronet_model_free(f->model);
}

/* Mean loss of the batch, and (if gradient) its gradient summed over threads. */
static double batch_loss(struct fixture *f, size_t threads, float *gradient)
{
	struct pronet_train_batch batch = {f->pointers, f->labels, BATCH,      7,
	                                   threads,     f->losses, f->correct, NULL};
	size_t n = f->model->num_trainable;
	float *grads[4];
	double sum = 0.0;

	for (size_t i = 0; i < threads; i++) {
		grads[i] = calloc(n, sizeof(float));
		CU_ASSERT_PTR_NOT_NULL_FATAL(grads[i]);
	}
	f->model->ops->train_batch(f->model, f->workspace, &batch, grads);
	for (size_t k = 0; gradient != NULL && k < n; k++) {
		gradient[k] = 0.0f;
		for (size_t i = 0; i < threads; i++)
			gradient[k] += grads[i][k];
	}
	for (size_t i = 0; i < threads; i++)
		free(grads[i]);
	for (size_t b = 0; b < BATCH; b++)
		sum += f->losses[b];
	return sum / BATCH;
}

static void test_gradient_matches_finite_differences(void)
{
	struct fixture f;
	float *gradient;
	const float h = 1e-3f;
	size_t checked = 0, nonzero = 0, bad = 0;

	fixture_init(&f, 1);
	gradient = malloc(f.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(gradient);
	batch_loss(&f, 1, gradient);
	for (size_t k = 0; k < f.model->num_trainable; k++) { /* every weight */
		float *w = &f.model->weights[k];
		float saved = *w, analytic = gradient[k];
		double plus, minus, numeric;

		*w = saved + h;
		plus = batch_loss(&f, 1, NULL);
		*w = saved - h;
		minus = batch_loss(&f, 1, NULL);
		*w = saved;
		numeric = (plus - minus) / (2 * h);
		if (fabs(analytic - numeric) > 2e-3 + 0.02 * fabs(numeric)) {
			printf("weight %zu: analytic %g numeric %g\n", k, (double)analytic,
			       numeric);
			bad++;
		}
		checked++;
		nonzero += fabs(numeric) > 1e-3;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(checked > 200);
	CU_ASSERT_TRUE(nonzero > checked / 4); /* the check is not vacuous */
	free(gradient);
	fixture_free(&f);
}

static void test_threads_agree(void)
{
	struct fixture one, three;
	float *g1, *g3;

	fixture_init(&one, 1);
	fixture_init(&three, 3);
	g1 = malloc(one.model->num_trainable * sizeof(float));
	g3 = malloc(one.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g3);
	CU_ASSERT_EQUAL(batch_loss(&one, 1, g1), batch_loss(&three, 3, g3));
	for (size_t k = 0; k < one.model->num_trainable; k++)
		CU_ASSERT_DOUBLE_EQUAL(g1[k], g3[k], 1e-6 + 1e-5 * fabs(g1[k]));
	free(g1);
	free(g3);
	fixture_free(&one);
	fixture_free(&three);
}

/* Without dropout, training's forward pass and prediction agree: the
 * batch's losses are -log softmax of the predicted logits. */
static void test_prediction_matches_training_forward(void)
{
	struct fixture f;
	struct pronet_workspace *ws;
	float p[CLASSES];

	fixture_init(&f, 1);
	ws = workspace_for(f.model);
	batch_loss(&f, 1, NULL);
	for (size_t b = 0; b < BATCH; b++) {
		CU_ASSERT_EQUAL(pronet_model_predict(f.model, ws, &f.inputs[b], p, NULL),
		                PRONET_OK);
		CU_ASSERT_DOUBLE_EQUAL(f.losses[b], -log(p[f.labels[b]]), 1e-4);
	}
	/* The activations need the workspace: none is an error, not a crash. */
	CU_ASSERT_EQUAL(pronet_model_predict(f.model, NULL, &f.inputs[0], p, NULL), PRONET_ERR_ARG);
	pronet_workspace_free(ws);
	fixture_free(&f);
}

/* The bytes of a saved model; the caller frees. */
static uint8_t *saved_bytes(const struct pronet_model *model, size_t *size)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data;
	FILE *file;
	long length;

	snprintf(path, sizeof(path), "%s/pronet-test-image-cnn-%ld.pnm", pronet_unit_tmpdir(),
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
	float pa[CLASSES], pb[CLASSES];
	struct pronet_rng rng;

	pronet_rng_seed(&rng, 5);
	for (size_t k = 0; k < 20; k++) {
		struct pronet_packet_record record = random_record(&rng, 40 + 50 * k);

		CU_ASSERT_EQUAL(pronet_model_predict(a, wa, &record, pa, NULL), PRONET_OK);
		CU_ASSERT_EQUAL(pronet_model_predict(b, wb, &record, pb, NULL), PRONET_OK);
		CU_ASSERT_EQUAL(memcmp(pa, pb, sizeof(pa)), 0);
	}
	pronet_workspace_free(wa);
	pronet_workspace_free(wb);
}

static void test_save_load_predicts_the_same(void)
{
	struct pronet_image_cnn_config config = small_config(), loaded_config;
	struct pronet_model *model, *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_input_spec spec;
	uint8_t *data;
	size_t size;

	config.same_padding = 1;
	config.input_scale = 0.5f;
	config.dropout = 0.25f;
	config.record_packets = 6;
	model = new_model(&config, 3);
	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load_buffer(data, size, "round.pnm", &loaded, errbuf),
	                      PRONET_OK);
	CU_ASSERT_PTR_EQUAL(pronet_model_arch(loaded), &pronet_arch_image_cnn);
	CU_ASSERT_EQUAL(pronet_model_config(loaded, &loaded_config, sizeof(loaded_config)),
	                PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(&config, &loaded_config, sizeof(config)), 0);
	CU_ASSERT_EQUAL(memcmp(model->weights, loaded->weights, model->num_weights * sizeof(float)),
	                0);
	assert_same_predictions(model, loaded);
	pronet_model_input_spec(loaded, &spec);
	CU_ASSERT_EQUAL(spec.window_bytes, 1024);
	CU_ASSERT_EQUAL(spec.layer, PRONET_LAYER_L3);
	CU_ASSERT_EQUAL(spec.packets_per_direction, 6);
	free(data);
	pronet_model_free(model);
	pronet_model_free(loaded);
}

static void put_u32(uint8_t *at, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

/* Loads the model's bytes with u32 field `field` of HYPR's data set to
 * value (the CRC resealed); the error, and its message in errbuf. */
static enum pronet_err load_with_hyper(const uint8_t *data, size_t size, size_t field,
                                       uint32_t value, char *errbuf)
{
	uint8_t *copy = malloc(size), *hypr = NULL;
	struct pronet_model *loaded = NULL;
	enum pronet_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, data, size);
	for (size_t i = 0; hypr == NULL && i + 8 < size; i++)
		if (memcmp(copy + i, "HYPR", 4) == 0)
			hypr = copy + i;
	CU_ASSERT_PTR_NOT_NULL_FATAL(hypr);
	CU_ASSERT_EQUAL(hypr[4], 44); /* the block's length, docs/image-cnn.md */
	put_u32(hypr + 8 + 4 * field, value);
	put_u32(copy + size - 4, pronet_crc32(0, copy, size - 4));
	errbuf[0] = '\0';
	err = pronet_model_load_buffer(copy, size, "damaged.pnm", &loaded, errbuf);
	CU_ASSERT_EQUAL(err != PRONET_OK, loaded == NULL);
	pronet_model_free(loaded);
	free(copy);
	return err;
}

static void test_damaged_hyper_is_refused(void)
{
	struct pronet_image_cnn_config config = small_config();
	struct pronet_model *model = new_model(&config, 3);
	char errbuf[PRONET_ERRBUF_SIZE];
	float nan = NAN, big = 2.0f;
	uint32_t nan_bits, big_bits;
	uint8_t *data;
	size_t size;
	struct {
		size_t field;
		uint32_t value;
		enum pronet_err err;
		const char *says;
	} cases[] = {
	    {0, 31, PRONET_ERR_UNSUPPORTED, "image side"},
	    {1, 5, PRONET_ERR_UNSUPPORTED, "kernel size"},
	    {2, 3, PRONET_ERR_UNSUPPORTED, "pool size"},
	    {3, 0, PRONET_ERR_LIMIT, "conv 1 has 0 filters"},
	    {5, 100000, PRONET_ERR_LIMIT, "conv 3 has 100000 filters"},
	    {6, 2, PRONET_ERR_FORMAT, "padding is 2"},
	    {9, 1, PRONET_ERR_UNSUPPORTED, "unit"},
	    {10, 0, PRONET_ERR_ARG, "0 packets per direction"},
	};

	memcpy(&nan_bits, &nan, 4);
	memcpy(&big_bits, &big, 4);
	data = saved_bytes(model, &size);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(load_with_hyper(data, size, cases[i].field, cases[i].value, errbuf),
		                cases[i].err);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, cases[i].says));
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "damaged.pnm"));
	}
	CU_ASSERT_EQUAL(load_with_hyper(data, size, 7, nan_bits, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "input scale"));
	CU_ASSERT_EQUAL(load_with_hyper(data, size, 7, big_bits, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "input scale 2"));
	CU_ASSERT_EQUAL(load_with_hyper(data, size, 8, big_bits, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "dropout 2"));
	/* The untouched bytes load: the edits above are what was refused. */
	CU_ASSERT_EQUAL(load_with_hyper(data, size, 3, 2, errbuf), PRONET_OK);
	free(data);
	pronet_model_free(model);
}

static void test_bad_config_is_refused(void)
{
	struct pronet_image_cnn_config config = small_config();
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	config.filters[1] = PRONET_IMAGE_MAX_FILTERS + 1;
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_image_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NULL(model);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "conv 2 has 257 filters"));
	config = small_config();
	config.input_scale = 0.0f;
	CU_ASSERT_EQUAL(pronet_model_new(&pronet_arch_image_cnn, &config, sizeof(config), classes,
	                                 CLASSES, 1, &model, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(model);
}

/* count synthetic images per class, in a dataset of the model's spec. */
static struct pronet_dataset *synthetic_dataset(size_t count, uint64_t seed)
{
	struct pronet_dataset *data = pronet_dataset_new();
	uint8_t bytes[PRONET_IMAGE_BYTES];
	struct pronet_rng rng;
	uint32_t capture;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	pronet_image_cnn_spec(&(struct pronet_image_cnn_config){.record_packets = 4}, &data->spec);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_capture(data, "synthetic", &capture),
	                      PRONET_OK);
	pronet_rng_seed(&rng, seed);
	for (size_t i = 0; i < count * CLASSES; i++) {
		struct pronet_sample sample;
		uint16_t label;

		memset(&sample, 0, sizeof(sample));
		CU_ASSERT_EQUAL_FATAL(
		    pronet_dataset_intern_class(data, classes[i % CLASSES], &label), PRONET_OK);
		synthetic_image(bytes, i % CLASSES, &rng);
		sample.input.bytes = bytes;
		sample.input.length = PRONET_IMAGE_BYTES;
		sample.input.layer = PRONET_LAYER_L3;
		sample.label = label;
		sample.capture = capture;
		sample.flow = i;
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
	}
	return data;
}

static struct pronet_model *trained(const struct pronet_dataset *data, uint64_t seed,
                                    uint32_t threads)
{
	struct pronet_image_cnn_config config;
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_model *model;

	pronet_image_cnn_config_default(&config);
	config.filters[0] = 4;
	config.filters[1] = 8;
	config.filters[2] = 8;
	config.dropout = 0.1f;
	model = new_model(&config, seed);
	pronet_train_options_default(&options);
	options.batch_size = 16;
	options.epochs = 4;
	options.learning_rate = 3e-3f;
	options.seed = seed;
	options.threads = threads;
	options.progress_every = 0;
	CU_ASSERT_EQUAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
	if (errbuf[0] != '\0')
		printf("train: %s\n", errbuf);
	return model;
}

static void test_learns_a_separable_set(void)
{
	struct pronet_dataset *train = synthetic_dataset(60, 1), *test = synthetic_dataset(30, 2);
	struct pronet_model *model = trained(train, 1, 2);
	struct pronet_workspace *ws = workspace_for(model);
	float p[CLASSES];
	size_t right = 0, best;

	for (size_t i = 0; i < test->num_samples; i++) {
		CU_ASSERT_EQUAL(pronet_model_predict(model, ws, &test->samples[i].input, p, &best),
		                PRONET_OK);
		right +=
		    pronet_model_find_class(model, classes[test->samples[i].label]) == (int)best;
	}
	printf("\n  held-out accuracy %zu/%zu\n", right, test->num_samples);
	CU_ASSERT_TRUE(right >= test->num_samples * 95 / 100);
	pronet_workspace_free(ws);
	pronet_model_free(model);
	pronet_dataset_free(train);
	pronet_dataset_free(test);
}

static void test_training_is_reproducible(void)
{
	struct pronet_dataset *data = synthetic_dataset(10, 3);
	struct pronet_model *a = trained(data, 7, 2), *b = trained(data, 7, 2),
	                    *c = trained(data, 8, 2);

	CU_ASSERT_EQUAL(memcmp(a->weights, b->weights, a->num_weights * sizeof(float)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(a->weights, c->weights, a->num_weights * sizeof(float)), 0);
	pronet_model_free(a);
	pronet_model_free(b);
	pronet_model_free(c);
	pronet_dataset_free(data);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"shapes follow Table I (valid and same padding)", test_shapes_follow_table_one},
	    {"gradient matches finite differences", test_gradient_matches_finite_differences},
	    {"the same batch over 1 and 3 threads", test_threads_agree},
	    {"prediction matches training's forward pass",
	     test_prediction_matches_training_forward},
	    {"save -> load predicts bit for bit the same", test_save_load_predicts_the_same},
	    {"damaged HYPR blocks are refused", test_damaged_hyper_is_refused},
	    {"bad configs are refused", test_bad_config_is_refused},
	    {"a tiny run learns a separable set", test_learns_a_separable_set},
	    {"training is bit for bit reproducible", test_training_is_reproducible},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("image_cnn", tests);
}
