/* Tests of core/arch/flow_cnn/flow_cnn_train.c: the z-score fit by hand,
 * the gradient of every layer's weights against central finite
 * differences, the same batch over several threads, training's forward
 * pass against a prediction, a tiny run that learns a separable set of
 * flows, and training bit for bit reproducible for a seed and thread
 * count. */
#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/data/dataset.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "core/util/rng.h"
#include "tests/core/arch/flow_cnn/flow_cnn_synthetic.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 3

/* The z-score fit by hand: two flows of one 1-byte packet each (values
 * 10 then gap 0, and 30 then gap 0): position 0 has mean 20, deviation 10;
 * every other position never varies and gets deviation 1. */
static void test_zscore_fit_by_hand(void)
{
	struct flow_cnn_config config = small_config();
	struct pronet_model *model = new_model(&config, 1);
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_train_options options;
	const struct flow_cnn_state *s = flow_cnn_state(model);
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	uint32_t capture;
	uint16_t label;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	flow_cnn_spec(&config, &data->spec);
	pronet_dataset_intern_capture(data, "hand", &capture);
	pronet_dataset_intern_class(data, classes[0], &label);
	for (size_t f = 0; f < 2; f++) {
		struct pronet_sample sample;

		memset(&sample, 0, sizeof(sample));
		sample.input = record_at(1, 5, TCP, 0);
		PRONET_UNIT_BYTES(sample.input)[0] = (uint8_t)(10 + 20 * f);
		sample.label = label;
		sample.capture = capture;
		sample.flow = f;
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
	}
	pronet_train_options_default(&options);
	CU_ASSERT_EQUAL(flow_cnn_fit_zscore(model, data, &options, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(s->mean[0], 20.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(s->deviation[0], 10.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(s->inverse[0], 0.1, 1e-7);
	for (size_t i = 1; i < config.input_values; i++) {
		CU_ASSERT_EQUAL(s->mean[i], 0.0f);
		CU_ASSERT_EQUAL(s->deviation[i], 1.0f);
	}
	pronet_dataset_free(data);
	pronet_model_free(model);
}

/* A model with weights spread wide (N(0, 0.5)) and a z-score that is not
 * the identity, so that max-pool winners and ReLU signs are far apart
 * compared with the step. */
struct fixture {
	struct pronet_model *model;
	struct pronet_packet_record records[BATCH][FLOW_PACKETS];
	const struct pronet_packet_record *pointers[BATCH];
	size_t lengths[BATCH];
	uint32_t labels[BATCH];
	float losses[BATCH];
	uint8_t correct[BATCH];
	void *workspace;
};

static void fixture_init(struct fixture *f, size_t threads, float dropout)
{
	struct flow_cnn_config config = small_config();
	float mean[64], deviation[64];
	struct pronet_rng rng;

	memset(f, 0, sizeof(*f));
	config.dropout = dropout;
	f->model = new_model(&config, 1);
	pronet_rng_seed(&rng, 5);
	for (size_t i = 0; i < f->model->num_trainable; i++)
		f->model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	for (size_t i = 0; i < 64; i++) {
		mean[i] = 100.0f;
		deviation[i] = 80.0f;
	}
	flow_cnn_set_zscore(f->model, mean, deviation);
	pronet_model_weights_changed(f->model);
	for (size_t b = 0; b < BATCH; b++) {
		synthetic_flow(f->records[b], b, &rng);
		f->pointers[b] = f->records[b];
		f->lengths[b] = FLOW_PACKETS;
		f->labels[b] = (uint32_t)b;
	}
	CU_ASSERT_EQUAL_FATAL(f->model->ops->train_begin(f->model, BATCH, threads, &f->workspace),
	                      PRONET_OK);
}

static void fixture_free(struct fixture *f)
{
	f->model->ops->train_end(f->workspace);
	pronet_model_free(f->model);
}

static double batch_loss(struct fixture *f, size_t threads, float *gradient)
{
	struct pronet_train_batch batch = {f->pointers, f->labels, BATCH,      7,
	                                   threads,     f->losses, f->correct, f->lengths};
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

/* Every weight of every tensor, with dropout on (the masks are the same
 * for the same batch seed); each tensor has gradients that are not zero.
 * A weight whose step moves a ReLU or a max-pool's winner across a kink
 * has one-sided differences that disagree: it is counted, not compared,
 * and such weights must stay rare. */
static void test_gradient_matches_finite_differences(void)
{
	struct fixture f;
	float *gradient;
	const float h = 1e-3f;
	size_t bad = 0, kinks = 0, checked = 0;
	double base;

	fixture_init(&f, 1, 0.2f);
	gradient = malloc(f.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(gradient);
	base = batch_loss(&f, 1, gradient);
	for (size_t t = 0; t < f.model->num_tensors; t++) {
		const struct pronet_tensor *tensor = &f.model->tensors[t];
		size_t nonzero = 0;

		for (size_t k = tensor->offset; k < tensor->offset + tensor->count; k++) {
			float *w = &f.model->weights[k];
			float saved = *w, analytic = gradient[k];
			double plus, minus, numeric, left, right;

			*w = saved + h;
			plus = batch_loss(&f, 1, NULL);
			*w = saved - h;
			minus = batch_loss(&f, 1, NULL);
			*w = saved;
			numeric = (plus - minus) / (2 * h);
			left = (base - minus) / h;
			right = (plus - base) / h;
			checked++;
			if (fabs(left - right) > 2e-3 + 0.02 * fabs(numeric)) {
				kinks++;
				continue;
			}
			if (fabs(analytic - numeric) > 2e-3 + 0.02 * fabs(numeric)) {
				printf("%s[%zu]: analytic %g numeric %g (%g %g)\n", tensor->name,
				       k - tensor->offset, (double)analytic, numeric, left, right);
				bad++;
			}
			nonzero += fabs(numeric) > 1e-4;
		}
		if (nonzero == 0)
			printf("%s: no gradient\n", tensor->name);
		CU_ASSERT_TRUE(nonzero > 0); /* not vacuous for any layer */
	}
	printf("\n  %zu weights, %zu at a kink\n", checked, kinks);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(kinks * 50 < checked);
	free(gradient);
	fixture_free(&f);
}

static void test_threads_agree(void)
{
	struct fixture one, three;
	float *g1, *g3;

	fixture_init(&one, 1, 0.2f);
	fixture_init(&three, 3, 0.2f);
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

/* Without dropout, training's forward pass and a flow prediction agree. */
static void test_prediction_matches_training_forward(void)
{
	struct fixture f;
	struct pronet_workspace *ws;
	float p[CLASSES];

	fixture_init(&f, 1, 0.0f);
	ws = workspace_for(f.model);
	batch_loss(&f, 1, NULL);
	for (size_t b = 0; b < BATCH; b++) {
		CU_ASSERT_EQUAL(
		    pronet_model_predict_flow(f.model, ws, f.records[b], FLOW_PACKETS, p, NULL),
		    PRONET_OK);
		CU_ASSERT_DOUBLE_EQUAL(f.losses[b], -log(p[f.labels[b]]), 1e-4);
	}
	pronet_workspace_free(ws);
	fixture_free(&f);
}

static struct pronet_model *trained(const struct pronet_dataset *data, uint64_t seed,
                                    uint32_t threads, uint32_t epochs)
{
	struct flow_cnn_config config = small_config();
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_model *model;

	config.input_values = 128;
	config.filters[0] = 4;
	config.filters[1] = 4;
	config.filters[2] = 8;
	config.filters[3] = 8;
	config.hidden[0] = 16;
	config.hidden[1] = 8;
	model = new_model(&config, seed);
	pronet_train_options_default(&options);
	options.batch_size = 16;
	options.epochs = epochs;
	options.learning_rate = 3e-3f;
	options.seed = seed;
	options.threads = threads;
	options.progress_every = 0;
	CU_ASSERT_EQUAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
	if (errbuf[0] != '\0')
		printf("train: %s\n", errbuf);
	return model;
}

/* Trained by pronet_train (the z-score fit, then flows as samples), scored
 * per flow on held-out flows. */
static void test_learns_a_separable_set(void)
{
	struct pronet_dataset *train = synthetic_dataset(60, 1), *test = synthetic_dataset(30, 2);
	struct pronet_model *model = trained(train, 1, 2, 40);
	struct pronet_workspace *ws = workspace_for(model);
	struct pronet_packet_record r[FLOW_PACKETS];
	float p[CLASSES];
	size_t right = 0, flows = test->num_samples / FLOW_PACKETS, best;

	for (size_t f = 0; f < flows; f++) {
		for (size_t k = 0; k < FLOW_PACKETS; k++)
			r[k] = test->samples[f * FLOW_PACKETS + k].input;
		CU_ASSERT_EQUAL(pronet_model_predict_flow(model, ws, r, FLOW_PACKETS, p, &best),
		                PRONET_OK);
		right += pronet_model_find_class(
		             model, classes[test->samples[f * FLOW_PACKETS].label]) == (int)best;
	}
	printf("\n  held-out flows right %zu/%zu\n", right, flows);
	CU_ASSERT_TRUE(right >= flows * 95 / 100);
	pronet_workspace_free(ws);
	pronet_model_free(model);
	pronet_dataset_free(train);
	pronet_dataset_free(test);
}

static void test_training_is_reproducible(void)
{
	struct pronet_dataset *data = synthetic_dataset(10, 3);
	struct pronet_model *a = trained(data, 7, 2, 2), *b = trained(data, 7, 2, 2),
	                    *c = trained(data, 8, 2, 2);

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
	    {"the z-score fit by hand", test_zscore_fit_by_hand},
	    {"gradient of every layer matches finite differences",
	     test_gradient_matches_finite_differences},
	    {"the same batch over 1 and 3 threads", test_threads_agree},
	    {"prediction matches training's forward pass",
	     test_prediction_matches_training_forward},
	    {"a tiny run learns a separable set of flows", test_learns_a_separable_set},
	    {"training is bit for bit reproducible", test_training_is_reproducible},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("flow_cnn_train", tests);
}
