/* image-cnn, training side: the gradient of a mini-batch's mean
 * cross-entropy by backpropagation through Table I's layers, split over
 * worker threads. The network couples no samples (no batch norm), so each
 * worker (core/train/grad_workers.c) takes a fixed contiguous share of the
 * batch and runs forward and backward on each of its samples into its own
 * gradient buffer; the loop sums the buffers in worker order. Dropout masks come
 * from a generator seeded by (batch seed, sample index): the result depends
 * on the batch, its seed and the thread count only. */
#include <stdlib.h>
#include <string.h>

#include "core/arch/image_cnn/image_cnn.h"
#include "core/nn/dense.h"
#include "core/nn/dropout.h"
#include "core/nn/relu.h"
#include "core/nn/softmax_xent.h"
#include "core/train/grad_workers.h"

/* One worker's buffers: a forward pass's activations (with the pools'
 * winners) and the gradients flowing back through them. */
struct scratch {
	float *block; /* everything below points into it */
	struct pronet_image_cnn_activations a;
	float *dconv[PRONET_IMAGE_CONVS];     /* conv_size[i] */
	float *dpool[PRONET_IMAGE_CONVS - 1]; /* pool_size[i] */
	float *mask, *dropped, *ddropped;     /* [features] */
	float logits[PRONET_MAX_CLASSES], probabilities[PRONET_MAX_CLASSES];
	float dlogits[PRONET_MAX_CLASSES];
	struct pronet_image_cnn_weights grad; /* views into this worker's gradient buffer */
};

static void scratch_free(void *opaque)
{
	struct scratch *s = opaque;

	if (s == NULL)
		return;
	free(s->block);
	free(s);
}

static size_t round_up(size_t floats)
{
	return (floats + 15) / 16 * 16;
}

/* Lays one worker's scratch out in one 64-byte aligned allocation. */
static enum pronet_err scratch_new(const struct pronet_model *model, size_t rows, void **out)
{
	const struct pronet_image_cnn_shapes *sh = &pronet_image_cnn_state(model)->shapes;
	struct scratch *s = calloc(1, sizeof(*s));
	size_t activations = pronet_image_cnn_activation_floats(sh, 1);
	size_t floats = activations + 3 * round_up(sh->features);
	float *at;

	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++)
		floats += round_up(sh->conv_size[i]);
	for (size_t i = 0; i + 1 < PRONET_IMAGE_CONVS; i++)
		floats += round_up(sh->pool_size[i]);
	(void)rows; /* one image at a time */
	*out = s;
	if (s == NULL)
		return PRONET_ERR_NOMEM;
	s->block = aligned_alloc(64, floats * sizeof(float));
	if (s->block == NULL)
		return PRONET_ERR_NOMEM;
	pronet_image_cnn_activations_at(sh, s->block, 1, &s->a);
	at = s->block + activations;
	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		s->dconv[i] = at;
		at += round_up(sh->conv_size[i]);
	}
	for (size_t i = 0; i + 1 < PRONET_IMAGE_CONVS; i++) {
		s->dpool[i] = at;
		at += round_up(sh->pool_size[i]);
	}
	s->mask = at;
	s->dropped = at + round_up(sh->features);
	s->ddropped = at + 2 * round_up(sh->features);
	return PRONET_OK;
}

/* Layer 7 (dense) with dropout before it and the softmax cross-entropy
 * after, forward and backward: leaves d(loss)/d(features) in ddropped. */
static void head(const struct pronet_model *model, const struct pronet_train_batch *batch,
                 struct scratch *s, size_t b)
{
	const struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	size_t features = state->shapes.features, classes = model->num_classes;
	const float *z = s->a.conv[PRONET_IMAGE_CONVS - 1];
	struct pronet_rng rng;

	pronet_rng_seed(&rng, batch->seed + 0x9e3779b97f4a7c15ull * (b + 1));
	if (state->config.dropout > 0.0f) {
		pronet_dropout_forward(z, features, state->config.dropout, &rng, s->mask,
		                       s->dropped);
		z = s->dropped;
	}
	pronet_dense_forward(z, features, state->weights.dense_w, state->weights.dense_b, classes,
	                     s->logits);
	batch->losses[b] =
	    pronet_softmax_xent_forward(s->logits, classes, batch->labels[b], s->probabilities);
	batch->correct[b] = pronet_argmax(s->logits, classes) == batch->labels[b];
	pronet_softmax_xent_backward(s->probabilities, classes, batch->labels[b],
	                             1.0f / (float)batch->size, s->dlogits);
	pronet_dense_backward(z, features, state->weights.dense_w, classes, s->dlogits, s->ddropped,
	                      s->grad.dense_w, s->grad.dense_b);
	if (state->config.dropout > 0.0f)
		pronet_dropout_backward(s->ddropped, s->mask, features, s->ddropped);
}

/* Layers 5 down to 1: through each ReLU (its output decides), each conv
 * (into its weights' gradient and, but for conv 1, its input's) and each
 * max-pool (to its winners). */
static void backward(const struct pronet_model *model, struct scratch *s)
{
	const struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	const struct pronet_image_cnn_shapes *sh = &state->shapes;
	const float *dy = s->ddropped;

	for (size_t i = PRONET_IMAGE_CONVS; i-- > 0;) {
		const float *x = i == 0 ? s->a.image : s->a.pool[i - 1];
		float *dx = i == 0 ? NULL : s->dpool[i - 1];

		pronet_relu_backward(s->a.conv[i], dy, sh->conv_size[i], s->dconv[i]);
		if (dx != NULL)
			memset(dx, 0, sh->pool_size[i - 1] * sizeof(float));
		pronet_conv2d_backward_columns(&sh->conv[i], x, state->weights.conv_w[i],
		                               s->dconv[i], dx, s->grad.conv_w[i],
		                               s->grad.conv_b[i], s->a.columns);
		if (i == 0)
			break;
		pronet_pool2d_backward(PRONET_POOL_MAX, &sh->pool[i - 1], s->a.argmax[i - 1],
		                       s->dpool[i - 1], s->dconv[i - 1]);
		dy = s->dconv[i - 1];
	}
}

static void train_rows(const struct pronet_model *model, const struct pronet_train_batch *batch,
                       size_t begin, size_t rows, void *scratch)
{
	struct scratch *s = scratch;

	for (size_t b = begin; b < begin + rows; b++) {
		pronet_image_cnn_pixels(model, batch->inputs[b], s->a.image);
		pronet_image_cnn_features(model, &s->a);
		head(model, batch, s, b);
		backward(model, s);
	}
}

static void bind(const struct pronet_model *model, float *grad, void *scratch)
{
	pronet_image_cnn_bind(model, grad, &((struct scratch *)scratch)->grad);
}

const struct pronet_grad_family pronet_image_cnn_grad = {scratch_new, scratch_free, bind,
                                                         train_rows, 1};
