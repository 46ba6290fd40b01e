/* Deep Packet's CNN, training side: the gradient of a mini-batch's mean
 * cross-entropy (seed 001, Sec. 4: Adam, categorical cross-entropy; the
 * loop, batches and early stopping are core/train/train.c's) by
 * backpropagation through the layers of deep_packet_cnn.c.
 *
 * Nothing couples the samples of a batch (no batch norm), so each worker
 * (core/train/grad_workers.c) takes a fixed contiguous share of the samples and runs each one
 * forward and back into its own gradient buffer; the loop adds the buffers in worker order. Dropout
 * masks come from a generator seeded by (batch seed, sample index): the result depends on the seed
 * and the thread count only. */
#include "core/arch/deep_packet/deep_packet.h"

#include <stdlib.h>
#include <string.h>

#include "core/nn/conv1d.h"
#include "core/nn/dropout.h"
#include "core/nn/pool1d.h"
#include "core/nn/relu.h"
#include "core/nn/softmax_xent.h"
#include "core/train/grad_workers.h"

/* One worker's rows: up to `rows` samples of its share at a time. Each
 * sample's convolutions run alone (their activations kept per row for the
 * way back); the dense layers run over the rows as matrix products, so
 * their weights are read once per chunk. The chunk size depends on the
 * batch size and the thread count only, so the sums do too. */
struct scratch {
	size_t rows;
	float *memory;
	struct deep_packet_cnn_activations *act; /* [rows], into memory */
	uint32_t *argmax;                        /* [rows][flatten] */
	float *da1, *da2, *dpooled;              /* one sample's */
	float *dropped, *ddropped, *mask;        /* [rows][flatten] */
	float *h, *dh;                           /* [rows][activations] */
	float *dlogits;                          /* [rows][classes] */
	float probabilities[PRONET_MAX_CLASSES];
	struct deep_packet_cnn_weights grad; /* views into this worker's gradient buffer */
};

/* At most this many samples' convolution activations per worker (~0.3 MB
 * each at the defaults). */
#define MAX_ROWS 64

static void scratch_free(void *opaque)
{
	struct scratch *sc = opaque;

	if (sc == NULL)
		return;
	free(sc->memory);
	free(sc->argmax);
	free(sc->act);
	free(sc);
}

static enum pronet_err scratch_new(const struct pronet_model *model, size_t rows, void **out)
{
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	struct scratch *sc = calloc(1, sizeof(*sc));
	size_t a1 = s->shape.positions1 * s->shape.filters1;
	size_t a2 = s->shape.positions2 * s->shape.filters2;
	size_t flat = s->shape.flatten, acts = s->layout.activations;
	size_t per_row =
	    DEEP_PACKET_INPUT_BYTES + a1 + a2 + 4 * flat + 2 * acts + PRONET_MAX_CLASSES;
	float *f;

	*out = sc;
	if (sc == NULL)
		return PRONET_ERR_NOMEM;
	sc->rows = rows;
	sc->memory = malloc((rows * per_row + a1 + a2 + flat) * sizeof(float));
	sc->argmax = malloc(rows * flat * sizeof(uint32_t));
	sc->act = malloc(rows * sizeof(*sc->act));
	if (sc->memory == NULL || sc->argmax == NULL || sc->act == NULL)
		return PRONET_ERR_NOMEM;
	f = sc->memory;
	for (size_t r = 0; r < rows; r++) {
		sc->act[r].x = f, f += DEEP_PACKET_INPUT_BYTES;
		sc->act[r].a1 = f, f += a1;
		sc->act[r].a2 = f, f += a2;
		sc->act[r].pooled = f, f += flat;
		sc->act[r].argmax = sc->argmax + r * flat;
	}
	sc->da1 = f, f += a1;
	sc->da2 = f, f += a2;
	sc->dpooled = f, f += flat;
	sc->dropped = f, f += rows * flat;
	sc->ddropped = f, f += rows * flat;
	sc->mask = f, f += rows * flat;
	sc->h = f, f += rows * acts;
	sc->dh = f, f += rows * acts;
	sc->dlogits = f;
	return PRONET_OK;
}

/* Back from the gradient of the pooled features to the weights of both
 * convolutions (the input needs no gradient). */
static void convolutions_backward(const struct deep_packet_cnn_state *s, struct scratch *sc,
                                  const struct deep_packet_cnn_activations *act)
{
	const struct deep_packet_cnn_weights *w = &s->weights;
	size_t a1 = s->shape.positions1 * s->shape.filters1;
	size_t a2 = s->shape.positions2 * s->shape.filters2;
	struct pronet_conv1d_shape c1 = {DEEP_PACKET_INPUT_BYTES, 1,
	                                 DEEP_PACKET_CONV1_WIDTH, s->shape.filters1,
	                                 s->config.conv1_stride,  0};
	struct pronet_conv1d_shape c2 = {s->shape.positions1,     s->shape.filters1,
	                                 DEEP_PACKET_CONV2_WIDTH, s->shape.filters2,
	                                 s->config.conv2_stride,  0};
	struct pronet_pool1d_shape p = {s->shape.positions2, s->shape.filters2,
	                                s->config.pool_window, s->config.pool_window,
	                                s->config.pool_regions};

	pronet_pool1d_backward(s->config.max_pool ? PRONET_POOL_MAX : PRONET_POOL_AVG, &p,
	                       act->argmax, sc->dpooled, sc->da2);
	pronet_relu_backward(act->a2, sc->da2, a2, sc->da2);
	memset(sc->da1, 0, a1 * sizeof(float));
	pronet_conv1d_backward(&c2, act->a1, w->conv2_w, sc->da2, sc->da1, sc->grad.conv2_w,
	                       sc->grad.conv2_b);
	pronet_relu_backward(act->a1, sc->da1, a1, sc->da1);
	pronet_conv1d_backward(&c1, act->x, w->conv1_w, sc->da1, NULL, sc->grad.conv1_w,
	                       sc->grad.conv1_b);
}

/* Samples [begin, begin + rows) of the batch: convolutions one by one,
 * the dense layers over the rows, the convolutions back one by one. */
static void train_rows(const struct pronet_model *model, const struct pronet_train_batch *batch,
                       size_t begin, size_t rows, void *scratch)
{
	struct scratch *sc = scratch;
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	const struct dense_stack_layout *layout = &s->layout;
	size_t classes = model->num_classes, flat = s->shape.flatten;
	size_t acts = layout->activations, logits_at = layout->offsets[layout->num_layers - 1];

	for (size_t r = 0; r < rows; r++) {
		size_t b = begin + r;
		struct pronet_rng rng;

		pronet_rng_seed(&rng, batch->seed + 0x9e3779b97f4a7c15ull * (b + 1));
		deep_packet_input(batch->inputs[b], sc->act[r].x);
		deep_packet_cnn_features(model, sc->act[r].x, &sc->act[r]);
		pronet_dropout_forward(sc->act[r].pooled, flat, s->config.dropout, &rng,
		                       sc->mask + r * flat, sc->dropped + r * flat);
	}
	dense_stack_train_forward(layout, &s->weights.dense, rows, sc->dropped, flat, 0.0f, NULL,
	                          sc->h, NULL);
	for (size_t r = 0; r < rows; r++) {
		size_t b = begin + r;
		const float *logits = sc->h + r * acts + logits_at;

		batch->losses[b] = pronet_softmax_xent_forward(logits, classes, batch->labels[b],
		                                               sc->probabilities);
		batch->correct[b] = pronet_argmax(logits, classes) == batch->labels[b];
		pronet_softmax_xent_backward(sc->probabilities, classes, batch->labels[b],
		                             1.0f / (float)batch->size, sc->dlogits + r * classes);
	}
	dense_stack_backward(layout, &s->weights.dense, rows, sc->dropped, flat, sc->h, NULL,
	                     sc->dlogits, sc->dh, sc->ddropped, &sc->grad.dense);
	for (size_t r = 0; r < rows; r++) {
		pronet_dropout_backward(sc->ddropped + r * flat, sc->mask + r * flat, flat,
		                        sc->dpooled);
		convolutions_backward(s, sc, &sc->act[r]);
	}
}

static void bind(const struct pronet_model *model, float *grad, void *scratch)
{
	deep_packet_cnn_bind(model, grad, &((struct scratch *)scratch)->grad);
}

const struct pronet_grad_family deep_packet_cnn_grad = {scratch_new, scratch_free, bind, train_rows,
                                                        MAX_ROWS};
