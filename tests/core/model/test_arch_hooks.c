/* Tests of the registry's optional hooks as core/model and core/train call
 * them (core/arch/arch.h): the input spec, the prediction workspace, per-flow
 * logits, the fit path and pretraining. Two families made for the test show
 * each hook is called, with what, and what happens without it. */
#include "core/model/flow_predict.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "tests/unit.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define TEST_WORKSPACE_BYTES 200

static const char *const two_classes[] = {"a", "b"};

/* Both families: one trainable weight w, no config. */
static enum pronet_err one_weight_create(struct pronet_model *model, const void *config,
                                         const char *name, char *errbuf)
{
	(void)config, (void)name, (void)errbuf;
	memset(&model->tensors[0], 0, sizeof(model->tensors[0]));
	memcpy(model->tensors[0].name, "w", 2);
	model->tensors[0].num_dims = 1;
	model->tensors[0].dims[0] = 1;
	model->tensors[0].count = 1;
	model->num_tensors = 1;
	model->num_weights = model->num_trainable = 1;
	return PRONET_OK;
}

static void no_config(void *config)
{
	(void)config;
}

static void nothing_to_bind(struct pronet_model *model)
{
	(void)model;
}

static size_t test_workspace_size(const struct pronet_model *model)
{
	(void)model;
	return TEST_WORKSPACE_BYTES;
}

/* The flow family: logits (n, total bytes), computed through the workspace,
 * which must be there, aligned and as large as asked. */
static void flow_logits(const struct pronet_model *model,
                        const struct pronet_packet_record *records, size_t n, void *workspace,
                        float *logits)
{
	float *scratch = workspace;
	(void)model;

	if (workspace == NULL || (uintptr_t)workspace % 64 != 0) {
		logits[0] = logits[1] = NAN;
		return;
	}
	memset(workspace, 0xff, TEST_WORKSPACE_BYTES); /* all of it is ours */
	scratch[0] = (float)n;
	scratch[1] = 0.0f;
	for (size_t i = 0; i < n; i++)
		scratch[1] += (float)records[i].length;
	logits[0] = scratch[0];
	logits[1] = scratch[1];
}

static void flow_spec(const struct pronet_model *model, struct pronet_input_spec *spec)
{
	(void)model;
	spec->window_bytes = 0;
	spec->flags = PRONET_SPEC_ALL_PACKETS;
	spec->packets_per_direction = 0;
}

/* Fits w = the sum of the training samples' model labels, so that the test
 * sees the indices and the label mapping the fit path handed over. */
static enum pronet_err count_fit(struct pronet_model *model, const struct pronet_dataset *data,
                                 const uint32_t *labels, const struct pronet_train_options *o,
                                 char *errbuf)
{
	float sum = 0.0f;
	(void)data, (void)errbuf;

	for (size_t i = 0; i < o->num_train; i++)
		sum += (float)labels[o->train_indices[i]];
	model->weights[0] = sum;
	return PRONET_OK;
}

static const struct pronet_arch_ops flow_family = {
    .tag = 0x54535446u, /* "FTST": never written */
    .name = "test-flow",
    .summary = "a per-flow family for tests",
    .config_default = no_config,
    .create = one_weight_create,
    .bind = nothing_to_bind,
    .input_spec = flow_spec,
    .workspace_size = test_workspace_size,
    .flow_logits = flow_logits,
    .fit = count_fit,
};

/* The packet family: logits (w, first byte); pretraining sets w to 42 and
 * the gradient loop then leaves it (a zero gradient moves Adam nowhere). */
static void packet_logits(const struct pronet_model *model,
                          const struct pronet_packet_record *input, void *workspace, float *logits)
{
	logits[0] = model->weights[0];
	logits[1] = workspace != NULL && input->length > 0 ? (float)input->bytes[0] : NAN;
}

static enum pronet_err set_42(struct pronet_model *model, const struct pronet_dataset *data,
                              const struct pronet_train_options *o, char *errbuf)
{
	(void)data, (void)o, (void)errbuf;
	model->weights[0] = 42.0f;
	return PRONET_OK;
}

static enum pronet_err begin(const struct pronet_model *model, size_t max_batch, size_t threads,
                             void **workspace)
{
	static int token;
	(void)model, (void)max_batch, (void)threads;
	*workspace = &token;
	return PRONET_OK;
}

static void end(void *workspace)
{
	(void)workspace;
}

static void zero_gradient(struct pronet_model *model, void *workspace,
                          const struct pronet_train_batch *batch, float *const *grads)
{
	(void)model, (void)workspace, (void)grads;
	for (size_t i = 0; i < batch->size; i++) {
		batch->losses[i] = 0.0f;
		batch->correct[i] = 1;
	}
}

static const struct pronet_arch_ops packet_family = {
    .tag = 0x54535450u,
    .name = "test-packet",
    .summary = "a per-packet family with pretraining, for tests",
    .config_default = no_config,
    .create = one_weight_create,
    .bind = nothing_to_bind,
    .workspace_size = test_workspace_size,
    .logits = packet_logits,
    .pretrain = set_42,
    .train_begin = begin,
    .train_end = end,
    .train_batch = zero_gradient,
};

static struct pronet_model *make(const struct pronet_arch_ops *ops)
{
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL(
	    pronet_model_create(ops, NULL, two_classes, 2, SIZE_MAX, "test", &model, errbuf),
	    PRONET_OK);
	return model;
}

static struct pronet_packet_record record(const uint8_t *bytes, uint16_t length)
{
	struct pronet_packet_record r;

	memset(&r, 0, sizeof(r));
	r.bytes = bytes;
	r.length = length;
	return r;
}

static void test_input_spec_is_the_familys_or_the_default(void)
{
	struct pronet_model *flow = make(&flow_family), *packet = make(&packet_family);
	struct pronet_input_spec spec, standard;

	CU_ASSERT_PTR_NOT_NULL_FATAL(flow);
	CU_ASSERT_PTR_NOT_NULL_FATAL(packet);
	pronet_input_spec_default(&standard);
	pronet_model_input_spec(flow, &spec);
	CU_ASSERT_EQUAL(spec.window_bytes, 0);
	CU_ASSERT_EQUAL(spec.flags, PRONET_SPEC_ALL_PACKETS);
	CU_ASSERT_EQUAL(spec.packets_per_direction, 0);
	pronet_model_input_spec(packet, &spec);
	CU_ASSERT_EQUAL(memcmp(&spec, &standard, sizeof(spec)), 0);
	CU_ASSERT(pronet_model_is_per_flow(flow));
	CU_ASSERT(!pronet_model_is_per_flow(packet));
	pronet_model_free(flow);
	pronet_model_free(packet);
}

static void test_a_flow_family_decides_the_whole_flow(void)
{
	struct pronet_model *model = make(&flow_family);
	struct pronet_workspace *workspace = NULL;
	static const uint8_t bytes[3] = {1, 2, 3};
	struct pronet_packet_record flow[100];
	float p[2], logits[2];
	size_t best = 9;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (size_t i = 0; i < 100; i++)
		flow[i] = record(bytes, 3);
	CU_ASSERT_EQUAL(pronet_model_workspace_size(model), TEST_WORKSPACE_BYTES);
	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &workspace, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(workspace);
	/* All 100 records reach the family: the 64-packet cap of combining
	 * per-packet logits does not apply to a flow family. */
	CU_ASSERT_EQUAL(pronet_model_predict_flow_with(model, workspace, flow, 100,
	                                               PRONET_COMBINE_MEAN_LOGITS, p, logits,
	                                               &best),
	                PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(logits[0], 100.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(logits[1], 300.0, 1e-6);
	CU_ASSERT_EQUAL(best, 1);
	/* The temperature is the generic calibration's. */
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 400.0f, NULL, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_predict_flow(model, workspace, flow, 100, p, NULL), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(p[1], 1.0 / (1.0 + exp(-0.5)), 1e-5);
	/* No per-packet answer, and no workspace is no prediction. */
	CU_ASSERT_EQUAL(pronet_model_predict(model, workspace, &flow[0], p, NULL), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_model_predict_flow(model, NULL, flow, 100, p, NULL), PRONET_ERR_ARG);
	pronet_workspace_free(workspace);
	pronet_model_free(model);
}

static void test_a_small_workspace_is_refused(void)
{
	struct pronet_model *model = make(&packet_family);
	struct pronet_workspace small = {.size = TEST_WORKSPACE_BYTES - 1, .memory = NULL};
	struct pronet_workspace *workspace = NULL;
	static const uint8_t bytes[1] = {7};
	struct pronet_packet_record input = record(bytes, 1);
	float p[2];
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_model_predict(model, &small, &input, p, NULL), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_model_predict_batch(model, NULL, &input, 1, p, NULL),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL_FATAL(pronet_workspace_new(model, &workspace, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_predict(model, workspace, &input, p, NULL), PRONET_OK);
	CU_ASSERT(p[1] > p[0]); /* logits (0, 7): the family saw its workspace */
	pronet_workspace_free(workspace);
	pronet_workspace_free(NULL);
	pronet_model_free(model);
}

static struct pronet_dataset *four_samples(void)
{
	struct pronet_dataset *data = pronet_dataset_new();
	static const uint8_t bytes[1] = {1};
	const char *names[4] = {"b", "a", "b", "b"};

	uint32_t capture = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	data->spec.flags |= PRONET_SPEC_ALL_PACKETS; /* what the flow family reads */
	CU_ASSERT_EQUAL(pronet_dataset_intern_capture(data, "test.pcap", &capture), PRONET_OK);
	for (size_t i = 0; i < 4; i++) {
		struct pronet_sample sample;

		memset(&sample, 0, sizeof(sample));
		sample.capture = capture;
		sample.input = record(bytes, 1);
		sample.flow = i;
		CU_ASSERT_EQUAL(pronet_dataset_intern_class(data, names[i], &sample.label),
		                PRONET_OK);
		CU_ASSERT_EQUAL(pronet_dataset_append(data, &sample), PRONET_OK);
	}
	return data;
}

static void test_fit_replaces_the_gradient_loop(void)
{
	struct pronet_model *model = make(&flow_family);
	struct pronet_dataset *data = four_samples();
	struct pronet_train_options o;
	size_t chosen[3] = {0, 1, 3};
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	pronet_train_options_default(&o);
	o.train_indices = chosen;
	o.num_train = 3;
	CU_ASSERT_EQUAL(pronet_train(model, data, &o, NULL, NULL, errbuf), PRONET_OK);
	/* Samples 0, 1 and 3 are b, a, b: model classes 1 + 0 + 1. */
	CU_ASSERT_DOUBLE_EQUAL(model->weights[0], 2.0, 1e-9);
	pronet_dataset_free(data);
	pronet_model_free(model);
}

/* A dataset that holds less than the model reads is refused before any
 * fitting: the flow family reads every packet. */
static void test_a_dataset_holding_less_is_refused(void)
{
	struct pronet_model *model = make(&flow_family);
	struct pronet_dataset *data = four_samples();
	struct pronet_train_options o;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data->spec.flags = 0;
	pronet_train_options_default(&o);
	model->weights[0] = -1.0f;
	CU_ASSERT_EQUAL(pronet_train(model, data, &o, NULL, NULL, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "--all-packets"));
	CU_ASSERT_DOUBLE_EQUAL(model->weights[0], -1.0, 1e-9);
	pronet_dataset_free(data);
	pronet_model_free(model);
}

static void test_pretraining_comes_before_the_loop(void)
{
	struct pronet_model *model = make(&packet_family);
	struct pronet_dataset *data = four_samples();
	struct pronet_train_options o;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	pronet_train_options_default(&o);
	o.epochs = 2;
	o.batch_size = 2;
	CU_ASSERT_EQUAL(pronet_train(model, data, &o, NULL, NULL, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(model->weights[0], 42.0, 1e-6);
	pronet_dataset_free(data);
	pronet_model_free(model);
}

/* A warm start continues from the weights: the pretrain hook, which would
 * overwrite them (SAE pretraining, flow-cnn's z-score fit), does not run. */
static void test_a_warm_start_skips_pretraining(void)
{
	struct pronet_model *model = make(&packet_family);
	struct pronet_dataset *data = four_samples();
	struct pronet_train_options o;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_TRUE(pronet_train_can_warm_start(model));
	pronet_train_options_default(&o);
	o.epochs = 2;
	o.batch_size = 2;
	o.warm_start = 1;
	model->weights[0] = -3.0f;
	CU_ASSERT_EQUAL(pronet_train(model, data, &o, NULL, NULL, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(model->weights[0], -3.0, 1e-6);
	pronet_dataset_free(data);
	pronet_model_free(model);
}

/* A fitted family starts from nothing each time: a warm start is refused,
 * its weights untouched. */
static void test_a_fitted_family_cannot_warm_start(void)
{
	struct pronet_model *model = make(&flow_family);
	struct pronet_dataset *data = four_samples();
	struct pronet_train_options o;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_FALSE(pronet_train_can_warm_start(model));
	pronet_train_options_default(&o);
	o.warm_start = 1;
	model->weights[0] = -1.0f;
	CU_ASSERT_EQUAL(pronet_train(model, data, &o, NULL, NULL, errbuf), PRONET_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "test-flow"));
	CU_ASSERT_DOUBLE_EQUAL(model->weights[0], -1.0, 1e-9);
	pronet_dataset_free(data);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"the input spec is the family's, else the default",
     test_input_spec_is_the_familys_or_the_default},
    {"a flow family decides the whole flow, calibrated", test_a_flow_family_decides_the_whole_flow},
    {"a missing or small workspace is refused", test_a_small_workspace_is_refused},
    {"fit replaces the gradient loop, with mapped labels", test_fit_replaces_the_gradient_loop},
    {"a dataset holding less than the model reads is refused",
     test_a_dataset_holding_less_is_refused},
    {"pretraining runs before the gradient loop", test_pretraining_comes_before_the_loop},
    {"a warm start skips pretraining", test_a_warm_start_skips_pretraining},
    {"a fitted family cannot warm start", test_a_fitted_family_cannot_warm_start},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/model/arch_hooks", tests);
}
