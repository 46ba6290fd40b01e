/* ProNet's CNN, training side: the gradient of a mini-batch's mean
 * cross-entropy (ProNet Sec. 3.3) by backpropagation through the layers of
 * Sec. 3.2, split over worker threads.
 *
 * Batch normalisation couples the samples of a batch, so a batch runs in
 * five phases; the parallel ones give each worker a fixed contiguous share
 * of the samples and its own gradient buffer:
 *   A (parallel) embeddings -> conv -> ReLU -> max-pool: pooled features
 *   B (serial)   batch norm over the whole batch, running statistics
 *   C (parallel) dropout -> dense -> softmax cross-entropy, and back to the
 *                normalised features
 *   D (serial)   batch norm backward
 *   E (parallel) max-pool -> ReLU -> conv -> embedding backward
 * Dropout masks come from a generator seeded by (batch seed, sample index),
 * so they do not depend on the thread count either. */
#include "core/arch/pronet_cnn/pronet_cnn.h"

#include <stdlib.h>
#include <string.h>

#include "core/nn/batchnorm.h"
#include "core/nn/conv1d.h"
#include "core/nn/dense.h"
#include "core/nn/dropout.h"
#include "core/nn/embedding.h"
#include "core/nn/maxpool.h"
#include "core/model/model_internal.h"
#include "core/arch/pronet_cnn/packet_context.h"
#include "core/util/parallel.h"
#include "core/nn/relu.h"
#include "core/nn/softmax_xent.h"
#include "core/arch/pronet_cnn/tokens.h"

/* Per-worker scratch, sized by the limits so it needs no arithmetic. */
struct scratch {
	uint32_t byte_ids[PRONET_PAYLOAD_BYTES], ngram_ids[PRONET_NGRAM_POSITIONS];
	float embedded[PRONET_CNN_VIEWS][PRONET_PAYLOAD_BYTES * PRONET_MAX_EMBED_DIM];
	float dembedded[PRONET_CNN_VIEWS][PRONET_PAYLOAD_BYTES * PRONET_MAX_EMBED_DIM];
	float conv[PRONET_PAYLOAD_BYTES * PRONET_MAX_FILTERS];
	float dconv[PRONET_PAYLOAD_BYTES * PRONET_MAX_FILTERS];
	float dpool[PRONET_MAX_FILTERS];
	float mask[PRONET_CNN_MAX_FEATURES];
	/* The dense layer's input: dropped-out features, then the context. */
	float dropped[PRONET_CNN_MAX_HEAD_INPUTS], ddropped[PRONET_CNN_MAX_HEAD_INPUTS];
	float logits[PRONET_MAX_CLASSES], probabilities[PRONET_MAX_CLASSES];
	float dlogits[PRONET_MAX_CLASSES];
	struct pronet_cnn_weights grad; /* views into this worker's gradient buffer */
};

struct workspace {
	size_t max_batch, threads, features;
	struct scratch *scratch;                                   /* [threads] */
	float *pooled, *normalized, *xhat, *dnormalized, *dpooled; /* [max_batch][features] */
	uint16_t *argmax;                                          /* [max_batch][features] */
	float *batch_mean, *batch_var, *inv_std;                   /* [features] */
	/* The batch being processed. */
	struct pronet_model *model;
	const struct pronet_train_batch *batch;
	const float *z;  /* the head's input: normalized or pooled */
	float *dz;       /* its gradient: dnormalized */
	const float *dp; /* gradient of the pooled features: dpooled or dnormalized */
};

void pronet_cnn_train_end(void *opaque)
{
	struct workspace *ws = opaque;

	if (ws == NULL)
		return;
	free(ws->scratch);
	free(ws->pooled);
	free(ws->normalized);
	free(ws->xhat);
	free(ws->dnormalized);
	free(ws->dpooled);
	free(ws->argmax);
	free(ws->batch_mean);
	free(ws->batch_var);
	free(ws->inv_std);
	free(ws);
}

enum pronet_err pronet_cnn_train_begin(const struct pronet_model *model, size_t max_batch,
                                       size_t threads, void **workspace)
{
	struct workspace *ws = calloc(1, sizeof(*ws));
	size_t features = PRONET_CNN_FEATURE_GROUPS * pronet_cnn_state(model)->config.filters;
	size_t cells = max_batch * features;

	*workspace = NULL;
	if (ws == NULL)
		return PRONET_ERR_NOMEM;
	ws->max_batch = max_batch;
	ws->threads = threads;
	ws->features = features;
	ws->scratch = calloc(threads, sizeof(*ws->scratch));
	ws->pooled = malloc(cells * sizeof(float));
	ws->normalized = malloc(cells * sizeof(float));
	ws->xhat = malloc(cells * sizeof(float));
	ws->dnormalized = malloc(cells * sizeof(float));
	ws->dpooled = malloc(cells * sizeof(float));
	ws->argmax = malloc(cells * sizeof(uint16_t));
	ws->batch_mean = malloc(features * sizeof(float));
	ws->batch_var = malloc(features * sizeof(float));
	ws->inv_std = malloc(features * sizeof(float));
	if (ws->scratch == NULL || ws->pooled == NULL || ws->normalized == NULL ||
	    ws->xhat == NULL || ws->dnormalized == NULL || ws->dpooled == NULL ||
	    ws->argmax == NULL || ws->batch_mean == NULL || ws->batch_var == NULL ||
	    ws->inv_std == NULL) {
		pronet_cnn_train_end(ws);
		return PRONET_ERR_NOMEM;
	}
	*workspace = ws;
	return PRONET_OK;
}

/* Phase A: ProNet Sec. 3.2 (E1)-(E4) for each sample of this worker's share. */
static void forward_features(void *context, size_t worker, size_t workers)
{
	struct workspace *ws = context;
	struct scratch *s = &ws->scratch[worker];
	size_t begin, end;

	pronet_parallel_range(ws->batch->size, worker, workers, &begin, &end);
	for (size_t b = begin; b < end; b++) {
		pronet_cnn_embed(ws->model, ws->batch->inputs[b], s->byte_ids, s->ngram_ids,
		                 s->embedded[0], s->embedded[1]);
		pronet_cnn_pool(ws->model, s->embedded[0], s->embedded[1], s->conv,
		                ws->pooled + b * ws->features, ws->argmax + b * ws->features);
	}
}

/* Phase C: dropout, dense, softmax cross-entropy (Sec. 3.2 (E5)-(E6), Sec. 3.3
 * (E7)) forward and backward, down to the gradient of the head's input. */
static void head_forward_backward(void *context, size_t worker, size_t workers)
{
	struct workspace *ws = context;
	struct scratch *s = &ws->scratch[worker];
	const struct pronet_cnn_weights *w = &pronet_cnn_state(ws->model)->weights;
	const struct pronet_train_batch *batch = ws->batch;
	size_t features = ws->features, classes = ws->model->num_classes, begin, end;
	size_t inputs = pronet_cnn_head_inputs(ws->model);
	float scale = 1.0f / (float)batch->size;

	pronet_parallel_range(batch->size, worker, workers, &begin, &end);
	for (size_t b = begin; b < end; b++) {
		struct pronet_rng rng;

		pronet_rng_seed(&rng, batch->seed + 0x9e3779b97f4a7c15ull * (b + 1));
		pronet_dropout_forward(ws->z + b * features, features,
		                       pronet_cnn_state(ws->model)->config.dropout, &rng, s->mask,
		                       s->dropped);
		if (pronet_cnn_state(ws->model)->config.context_features)
			pronet_packet_context(batch->inputs[b], s->dropped + features);
		pronet_dense_forward(s->dropped, inputs, w->dense_w, w->dense_b, classes,
		                     s->logits);
		batch->losses[b] = pronet_softmax_xent_forward(s->logits, classes, batch->labels[b],
		                                               s->probabilities);
		batch->correct[b] = pronet_argmax(s->logits, classes) == batch->labels[b];
		pronet_softmax_xent_backward(s->probabilities, classes, batch->labels[b], scale,
		                             s->dlogits);
		pronet_dense_backward(s->dropped, inputs, w->dense_w, classes, s->dlogits,
		                      s->ddropped, s->grad.dense_w, s->grad.dense_b);
		pronet_dropout_backward(s->ddropped, s->mask, features, ws->dz + b * features);
	}
}

/* Phase E: back through max-pool, ReLU, the convolutions and the embeddings. */
static void backward_features(void *context, size_t worker, size_t workers)
{
	struct workspace *ws = context;
	struct scratch *s = &ws->scratch[worker];
	const struct pronet_model *model = ws->model;
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t m = pronet_cnn_state(model)->config.embed_dim,
	       t = pronet_cnn_state(model)->config.filters, begin, end;

	pronet_parallel_range(ws->batch->size, worker, workers, &begin, &end);
	for (size_t b = begin; b < end; b++) {
		size_t row = b * ws->features;

		pronet_cnn_embed(model, ws->batch->inputs[b], s->byte_ids, s->ngram_ids,
		                 s->embedded[0], s->embedded[1]);
		for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
			memset(s->dembedded[v], 0, pronet_cnn_view_length(v) * m * sizeof(float));
			for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
				struct pronet_conv1d_shape shape = {.length =
				                                        pronet_cnn_view_length(v),
				                                    .channels = m,
				                                    .width = pronet_cnn_widths[k],
				                                    .filters = t,
				                                    .stride = 1,
				                                    .pad = 0};
				size_t group = row + (v * PRONET_CNN_WIDTHS + k) * t;

				/* max_p relu(c) = relu(max_p c): the pooled value
				 * decides whether the ReLU passed the gradient. */
				pronet_relu_backward(ws->pooled + group, ws->dp + group, t,
				                     s->dpool);
				pronet_maxpool_backward(ws->argmax + group,
				                        pronet_conv1d_positions(&shape), t,
				                        s->dpool, s->dconv);
				pronet_conv1d_backward(&shape, s->embedded[v], w->conv_w[v][k],
				                       s->dconv, s->dembedded[v],
				                       s->grad.conv_w[v][k], s->grad.conv_b[v][k]);
			}
		}
		pronet_embedding_backward(s->grad.byte_embedding, m, s->byte_ids,
		                          PRONET_PAYLOAD_BYTES, s->dembedded[0]);
		pronet_embedding_backward(s->grad.ngram_embedding, m, s->ngram_ids,
		                          PRONET_NGRAM_POSITIONS, s->dembedded[1]);
	}
}

void pronet_cnn_train_batch(struct pronet_model *model, void *opaque,
                            const struct pronet_train_batch *batch, float *const *grads)
{
	struct workspace *ws = opaque;
	struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t n = batch->size, features = ws->features;
	size_t threads = batch->threads < ws->threads ? batch->threads : ws->threads;

	ws->model = model;
	ws->batch = batch;
	for (size_t i = 0; i < threads; i++)
		pronet_cnn_bind(model, grads[i], 0, &ws->scratch[i].grad);
	pronet_parallel_run(threads, forward_features, ws);
	ws->z = ws->pooled;
	if (pronet_cnn_state(model)->config.batch_norm) { /* phase B */
		pronet_batchnorm_forward_train(ws->pooled, n, features, w->bn_gamma, w->bn_beta,
		                               ws->normalized, ws->xhat, ws->batch_mean,
		                               ws->batch_var, ws->inv_std);
		pronet_batchnorm_update_running(w->bn_running_mean, w->bn_running_var,
		                                ws->batch_mean, ws->batch_var, features);
		ws->z = ws->normalized;
	}
	ws->dz = ws->dnormalized;
	pronet_parallel_run(threads, head_forward_backward, ws);
	ws->dp = ws->dnormalized;
	if (pronet_cnn_state(model)->config.batch_norm) { /* phase D */
		pronet_batchnorm_backward(ws->dnormalized, ws->xhat, ws->inv_std, n, features,
		                          w->bn_gamma, ws->dpooled, ws->scratch[0].grad.bn_gamma,
		                          ws->scratch[0].grad.bn_beta);
		ws->dp = ws->dpooled;
	}
	pronet_parallel_run(threads, backward_features, ws);
}
