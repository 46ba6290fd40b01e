/* Tests of core/arch/pronet_cnn/pronet_cnn.c and pronet_cnn_train.c: the whole
 * network's gradient (embeddings, convolutions, ReLU, max-pool, batch norm,
 * dense, softmax cross-entropy) against central finite differences of the
 * batch's mean loss, with and without batch norm; and the same batch split
 * over several threads gives the same loss and gradient; the layout refuses
 * a tensor past PRONET_MAX_TENSORS. */
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 6

static const char *const classes[] = {"a", "b", "c"};

struct fixture {
	struct pronet_model *model;
	struct pronet_packet_record inputs[BATCH];
	const struct pronet_packet_record *pointers[BATCH];
	uint32_t labels[BATCH];
	float losses[BATCH];
	uint8_t correct[BATCH];
	void *workspace;
};

/* A tiny model whose weights are spread wide (N(0, 0.5)) so that max-pool
 * winners and ReLU signs are far apart compared with the step h = 1e-3: the
 * finite differences then do not cross a kink (with h = 1e-2, two of 300
 * checks here did: a max-pool winner changed). Dropout 0 makes the loss a
 * function of the weights. */
static void fixture_init(struct fixture *f, uint32_t batch_norm, size_t threads)
{
	struct pronet_cnn_config config = {4, 3, 32, batch_norm, 0.0f, 0};
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;

	memset(f, 0, sizeof(*f));
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, classes, 3, 1, &f->model, errbuf),
	                      PRONET_OK);
	pronet_rng_seed(&rng, 99);
	for (size_t i = 0; i < f->model->num_trainable; i++)
		f->model->weights[i] = pronet_rng_normal(&rng, 0.0f, 0.5f);
	pronet_model_weights_changed(f->model); /* predict's tables */
	for (int b = 0; b < BATCH; b++) {
		f->inputs[b].length = (uint8_t)(4 + 2 * b); /* 4..14 bytes: some padding */
		f->inputs[b].bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
		for (int i = 0; i < f->inputs[b].length; i++)
			PRONET_UNIT_BYTES(f->inputs[b])[i] = (uint8_t)pronet_rng_below(&rng, 256);
		f->pointers[b] = &f->inputs[b];
		f->labels[b] = (uint32_t)(b % 3);
	}
	CU_ASSERT_EQUAL_FATAL(f->model->ops->train_begin(f->model, BATCH, threads, &f->workspace),
	                      PRONET_OK);
}

static void fixture_free(struct fixture *f)
{
	f->model->ops->train_end(f->workspace);
	pronet_model_free(f->model);
}

/* Mean loss of the batch, and (if grads) its gradient summed over threads. */
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
	for (int b = 0; b < BATCH; b++)
		sum += f->losses[b];
	return sum / BATCH;
}

static void gradient_check(uint32_t batch_norm)
{
	struct fixture f;
	float *gradient;
	const float h = 1e-3f;
	size_t checked = 0, nonzero = 0;

	fixture_init(&f, batch_norm, 1);
	gradient = malloc(f.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(gradient);
	batch_loss(&f, 1, gradient);
	for (size_t t = 0; t < f.model->num_tensors; t++) {
		const struct pronet_tensor *tensor = &f.model->tensors[t];

		if (tensor->offset >= f.model->num_trainable)
			continue; /* running statistics: not trained */
		/* Up to 40 entries of each tensor, spread over it; embedding rows
		 * that no input used have a zero gradient and are checked too. */
		for (size_t k = 0; k < tensor->count; k += 1 + tensor->count / 40) {
			float *w = &f.model->weights[tensor->offset + k];
			float saved = *w, analytic = gradient[tensor->offset + k];
			double plus, minus, numeric;

			*w = saved + h;
			plus = batch_loss(&f, 1, NULL);
			*w = saved - h;
			minus = batch_loss(&f, 1, NULL);
			*w = saved;
			numeric = (plus - minus) / (2 * h);
			CU_ASSERT_DOUBLE_EQUAL(analytic, numeric, 2e-3 + 0.02 * fabs(numeric));
			if (fabs(analytic - numeric) > 2e-3 + 0.02 * fabs(numeric))
				printf("%s[%zu]: analytic %g numeric %g\n", tensor->name, k,
				       (double)analytic, numeric);
			checked++;
			nonzero += fabs(numeric) > 1e-3;
		}
	}
	CU_ASSERT_TRUE(checked >= 250);
	CU_ASSERT_TRUE(nonzero > checked / 4); /* the check is not vacuous */
	free(gradient);
	fixture_free(&f);
}

static void test_gradient_without_batch_norm(void)
{
	gradient_check(0);
}

static void test_gradient_with_batch_norm(void)
{
	gradient_check(1);
}

static void test_threads_agree(void)
{
	struct fixture one, three;
	float *g1, *g3;
	double l1, l3;

	fixture_init(&one, 1, 1);
	fixture_init(&three, 1, 3);
	g1 = malloc(one.model->num_trainable * sizeof(float));
	g3 = malloc(one.model->num_trainable * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g3);
	l1 = batch_loss(&one, 1, g1);
	l3 = batch_loss(&three, 3, g3);
	CU_ASSERT_EQUAL(l1, l3); /* per-sample work does not depend on the split */
	for (size_t k = 0; k < one.model->num_trainable; k++)
		CU_ASSERT_DOUBLE_EQUAL(g1[k], g3[k], 1e-5 + 1e-4 * fabs(g1[k]));
	free(g1);
	free(g3);
	fixture_free(&one);
	fixture_free(&three);
}

static void test_prediction_matches_training_forward(void)
{
	/* Without dropout and batch norm, training's forward pass and
	 * prediction compute the same logits: losses agree with -log p. On the
	 * float path: the 16-bit one (quant.h) is held to its own contract. */
	struct fixture f;
	float p[3];

	fixture_init(&f, 0, 1);
	pronet_model_set_quantised(f.model, 0);
	batch_loss(&f, 1, NULL);
	for (int b = 0; b < BATCH; b++) {
		CU_ASSERT_EQUAL(pronet_model_predict(f.model, NULL, &f.inputs[b], p, NULL),
		                PRONET_OK);
		CU_ASSERT_DOUBLE_EQUAL(f.losses[b], -log(p[f.labels[b]]), 1e-4);
	}
	fixture_free(&f);
}

/* A full tensor table refuses one more, naming it, and is left as it was
 * (add_tensor used to write tensors[PRONET_MAX_TENSORS], past the array);
 * so is a tensor of more dimensions than the layout has. */
static void test_layout_refuses_a_tensor_past_the_limit(void)
{
	struct pronet_cnn_config config = {4, 3, 32, 0, 0.0f, 0};
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_model *model = NULL;
	CU_ASSERT_EQUAL_FATAL(pronet_model_new_cnn(&config, classes, 3, 1, &model, errbuf),
	                      PRONET_OK);
	size_t weights = model->num_weights, tensors = model->num_tensors;
	CU_ASSERT(tensors < PRONET_MAX_TENSORS);
	CU_ASSERT_EQUAL(pronet_cnn_add_tensor(model, "extra", 4, 1, 1, 1, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_EQUAL(model->num_tensors, tensors);
	while (model->num_tensors < PRONET_MAX_TENSORS)
		CU_ASSERT_EQUAL_FATAL(pronet_cnn_add_tensor(model, "extra", 1, 2, 0, 0, errbuf),
		                      PRONET_OK);
	CU_ASSERT_EQUAL(model->num_weights, weights + 2 * (PRONET_MAX_TENSORS - tensors));
	CU_ASSERT_EQUAL(pronet_cnn_add_tensor(model, "one.too.many", 1, 2, 0, 0, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_EQUAL(model->num_tensors, PRONET_MAX_TENSORS);
	CU_ASSERT_EQUAL(model->num_weights, weights + 2 * (PRONET_MAX_TENSORS - tensors));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "one.too.many"));
	model->num_tensors = tensors; /* the model's own layout, for free */
	model->num_weights = weights;
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"network gradient matches finite differences", test_gradient_without_batch_norm},
    {"... with batch norm", test_gradient_with_batch_norm},
    {"one or three threads: same loss and gradient", test_threads_agree},
    {"prediction matches the training forward pass", test_prediction_matches_training_forward},
    {"the layout refuses a tensor past the limit", test_layout_refuses_a_tensor_past_the_limit},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/arch/pronet_cnn/pronet_cnn", tests);
}
