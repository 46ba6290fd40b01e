/* ProNet's CNN, inference side: hyperparameter limits, the layout of the
 * weight block, initialisation and the forward pass (ProNet paper Sec. 3.2).
 * The training side is pronet_cnn_train.c. */
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/fast.h"
#include "core/arch/pronet_cnn/quant.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/nn/batchnorm.h"
#include "core/nn/conv1d.h"
#include "core/nn/dense.h"
#include "core/nn/embedding.h"
#include "core/nn/maxpool.h"
#include "core/model/model_internal.h"
#include "core/arch/pronet_cnn/packet_context.h"
#include "core/nn/relu.h"
#include "core/arch/pronet_cnn/tokens.h"

_Static_assert(PRONET_CNN_MAX_HEAD_INPUTS == PRONET_CNN_MAX_FEATURES + PRONET_CONTEXT_FEATURES,
               "the head's buffers hold the context features");

const size_t pronet_cnn_widths[PRONET_CNN_WIDTHS] = {3, 4, 5};
static const char *const view_names[PRONET_CNN_VIEWS] = {"bytes", "ngrams"};

/* Standard deviation of the initial weights (N(0, 0.05), as pronet's
 * specification asks). */
#define INIT_STDDEV 0.05f

size_t pronet_cnn_view_length(size_t view)
{
	return view == 0 ? PRONET_PAYLOAD_BYTES : PRONET_NGRAM_POSITIONS;
}

static enum pronet_err check_config(const struct pronet_cnn_config *c, const char *name,
                                    char *errbuf)
{

	if (c->embed_dim < 1 || c->embed_dim > PRONET_MAX_EMBED_DIM)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: embedding dimension %u is outside 1..%u", name,
		                    c->embed_dim, PRONET_MAX_EMBED_DIM);
	if (c->filters < 1 || c->filters > PRONET_MAX_FILTERS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: filters %u is outside 1..%u",
		                    name, c->filters, PRONET_MAX_FILTERS);
	if (c->ngram_buckets < PRONET_MIN_NGRAM_BUCKETS ||
	    c->ngram_buckets > PRONET_MAX_NGRAM_BUCKETS)
		return pronet_error(
		    errbuf, PRONET_ERR_LIMIT, "%s: 3-gram buckets %u is outside %u..%u", name,
		    c->ngram_buckets, PRONET_MIN_NGRAM_BUCKETS, PRONET_MAX_NGRAM_BUCKETS);
	if (c->context_features > 1)
		return pronet_error(errbuf, PRONET_ERR_FORMAT,
		                    "%s: context_features is %u, not 0 or 1", name,
		                    c->context_features);
	if (c->batch_norm > 1)
		return pronet_error(errbuf, PRONET_ERR_FORMAT, "%s: batch_norm is %u, not 0 or 1",
		                    name, c->batch_norm);
	if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: dropout %g is outside [0, 1)",
		                    name, (double)c->dropout);
	return PRONET_OK;
}

enum pronet_err pronet_cnn_add_tensor(struct pronet_model *model, const char *name,
                                      uint32_t num_dims, uint32_t d0, uint32_t d1, uint32_t d2,
                                      char *errbuf)
{
	if (model->num_tensors >= PRONET_MAX_TENSORS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "model layout: tensor %s would be number %zu, past the %d a "
		                    "model holds",
		                    name, model->num_tensors + 1, PRONET_MAX_TENSORS);
	if (num_dims < 1 || num_dims > 3)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "model layout: tensor %s has %u dimensions, not 1..3", name,
		                    num_dims);
	struct pronet_tensor *tensor = &model->tensors[model->num_tensors++];
	uint32_t dims[3] = {d0, d1, d2};

	snprintf(tensor->name, sizeof(tensor->name), "%s", name);
	tensor->num_dims = num_dims;
	tensor->count = 1;
	for (uint32_t i = 0; i < num_dims; i++) {
		tensor->dims[i] = dims[i];
		tensor->count *= dims[i];
	}
	tensor->offset = model->num_weights;
	model->num_weights += tensor->count;
	return PRONET_OK;
}

/* Checks and keeps the config, then lays out the tensors. Tensor order is the
 * block order; pronet_cnn_bind walks the same order. */
static enum pronet_err cnn_create(struct pronet_model *model, const void *config, const char *name,
                                  char *errbuf)
{
	enum pronet_err err = check_config(config, name, errbuf);

	if (err != PRONET_OK)
		return err;
	pronet_cnn_state(model)->config = *(const struct pronet_cnn_config *)config;

	uint32_t m = pronet_cnn_state(model)->config.embed_dim;
	uint32_t t = pronet_cnn_state(model)->config.filters;
	uint32_t features = PRONET_CNN_FEATURE_GROUPS * t, classes = (uint32_t)model->num_classes;
	char tensor_name[PRONET_TENSOR_NAME_MAX];

	model->num_tensors = 0;
	model->num_weights = 0;
	if (err == PRONET_OK)
		err = pronet_cnn_add_tensor(model, "byte_embedding", 2, PRONET_BYTE_VOCABULARY, m,
		                            0, errbuf);
	if (err == PRONET_OK)
		err = pronet_cnn_add_tensor(model, "ngram_embedding", 2,
		                            pronet_cnn_state(model)->config.ngram_buckets, m, 0,
		                            errbuf);
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
			uint32_t width = (uint32_t)pronet_cnn_widths[k];

			snprintf(tensor_name, sizeof(tensor_name), "conv.%s.w%u", view_names[v],
			         width);
			if (err == PRONET_OK)
				err = pronet_cnn_add_tensor(model, tensor_name, 3, t, width, m,
				                            errbuf);
			snprintf(tensor_name, sizeof(tensor_name), "conv.%s.b%u", view_names[v],
			         width);
			if (err == PRONET_OK)
				err = pronet_cnn_add_tensor(model, tensor_name, 1, t, 0, 0, errbuf);
		}
	}
	if (pronet_cnn_state(model)->config.batch_norm) {
		if (err == PRONET_OK)
			err = pronet_cnn_add_tensor(model, "batchnorm.gamma", 1, features, 0, 0,
			                            errbuf);
		if (err == PRONET_OK)
			err = pronet_cnn_add_tensor(model, "batchnorm.beta", 1, features, 0, 0,
			                            errbuf);
	}
	if (err == PRONET_OK)
		err = pronet_cnn_add_tensor(model, "dense.w", 2, classes,
		                            (uint32_t)pronet_cnn_head_inputs(model), 0, errbuf);
	if (err == PRONET_OK)
		err = pronet_cnn_add_tensor(model, "dense.b", 1, classes, 0, 0, errbuf);
	model->num_trainable = model->num_weights;
	if (pronet_cnn_state(model)->config.batch_norm) {
		if (err == PRONET_OK)
			err = pronet_cnn_add_tensor(model, "batchnorm.running_mean", 1, features, 0,
			                            0, errbuf);
		if (err == PRONET_OK)
			err = pronet_cnn_add_tensor(model, "batchnorm.running_var", 1, features, 0,
			                            0, errbuf);
	}
	return err;
}

void pronet_cnn_bind(const struct pronet_model *model, float *block, int with_running,
                     struct pronet_cnn_weights *weights)
{
	const struct pronet_tensor *tensor = model->tensors;

	memset(weights, 0, sizeof(*weights));
	weights->byte_embedding = block + (tensor++)->offset;
	weights->ngram_embedding = block + (tensor++)->offset;
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
			weights->conv_w[v][k] = block + (tensor++)->offset;
			weights->conv_b[v][k] = block + (tensor++)->offset;
		}
	}
	if (pronet_cnn_state(model)->config.batch_norm) {
		weights->bn_gamma = block + (tensor++)->offset;
		weights->bn_beta = block + (tensor++)->offset;
	}
	weights->dense_w = block + (tensor++)->offset;
	weights->dense_b = block + (tensor++)->offset;
	if (pronet_cnn_state(model)->config.batch_norm && with_running) {
		weights->bn_running_mean = block + (tensor++)->offset;
		weights->bn_running_var = block + (tensor++)->offset;
	}
}

static void cnn_bind_model(struct pronet_model *model)
{
	pronet_cnn_bind(model, model->weights, 1, &pronet_cnn_state(model)->weights);
}

static void fill_normal(float *x, size_t n, struct pronet_rng *rng)
{
	for (size_t i = 0; i < n; i++)
		x[i] = pronet_rng_normal(rng, 0.0f, INIT_STDDEV);
}

static void fill_constant(float *x, size_t n, float value)
{
	for (size_t i = 0; i < n; i++)
		x[i] = value;
}

/* Embeddings, kernels and the dense matrix from N(0, 0.05); biases 0;
 * batch-norm scale 1, shift 0, running mean 0, running variance 1. */
static void cnn_init(struct pronet_model *model, struct pronet_rng *rng)
{
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t m = pronet_cnn_state(model)->config.embed_dim,
	       t = pronet_cnn_state(model)->config.filters;
	size_t features = PRONET_CNN_FEATURE_GROUPS * t;

	fill_normal(w->byte_embedding, PRONET_BYTE_VOCABULARY * m, rng);
	fill_normal(w->ngram_embedding, (size_t)pronet_cnn_state(model)->config.ngram_buckets * m,
	            rng);
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
			fill_normal(w->conv_w[v][k], t * pronet_cnn_widths[k] * m, rng);
			fill_constant(w->conv_b[v][k], t, 0.0f);
		}
	}
	if (pronet_cnn_state(model)->config.batch_norm) {
		fill_constant(w->bn_gamma, features, 1.0f);
		fill_constant(w->bn_beta, features, 0.0f);
		fill_constant(w->bn_running_mean, features, 0.0f);
		fill_constant(w->bn_running_var, features, 1.0f);
	}
	fill_normal(w->dense_w, model->num_classes * pronet_cnn_head_inputs(model), rng);
	fill_constant(w->dense_b, model->num_classes, 0.0f);
}

void pronet_cnn_embed(const struct pronet_model *model, const struct pronet_packet_record *input,
                      uint32_t byte_ids[PRONET_PAYLOAD_BYTES], uint32_t *ngram_ids,
                      float *embedded_bytes, float *embedded_ngrams)
{
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t m = pronet_cnn_state(model)->config.embed_dim;

	pronet_tokens_bytes(input, byte_ids);
	pronet_tokens_ngrams(input, pronet_cnn_state(model)->config.ngram_buckets, ngram_ids);
	pronet_embedding_forward(w->byte_embedding, m, byte_ids, PRONET_PAYLOAD_BYTES,
	                         embedded_bytes);
	pronet_embedding_forward(w->ngram_embedding, m, ngram_ids, PRONET_NGRAM_POSITIONS,
	                         embedded_ngrams);
}

void pronet_cnn_pool_view(const struct pronet_model *model, size_t view, const float *embedded,
                          float *conv, float *pooled, uint16_t *argmax)
{
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t t = pronet_cnn_state(model)->config.filters;

	for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
		struct pronet_conv1d_shape shape = {.length = pronet_cnn_view_length(view),
		                                    .channels =
		                                        pronet_cnn_state(model)->config.embed_dim,
		                                    .width = pronet_cnn_widths[k],
		                                    .filters = t,
		                                    .stride = 1,
		                                    .pad = 0};
		size_t positions = pronet_conv1d_positions(&shape);

		pronet_conv1d_forward(&shape, embedded, w->conv_w[view][k], w->conv_b[view][k],
		                      conv);
		pronet_relu_forward(conv, positions * t, conv);
		pronet_maxpool_forward(conv, positions, t, pooled + k * t,
		                       argmax != NULL ? argmax + k * t : NULL);
	}
}

void pronet_cnn_pool(const struct pronet_model *model, const float *embedded_bytes,
                     const float *embedded_ngrams, float *conv, float *pooled, uint16_t *argmax)
{
	const float *embedded[PRONET_CNN_VIEWS] = {embedded_bytes, embedded_ngrams};
	size_t group_size = PRONET_CNN_WIDTHS * pronet_cnn_state(model)->config.filters;

	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++)
		pronet_cnn_pool_view(model, v, embedded[v], conv, pooled + v * group_size,
		                     argmax != NULL ? argmax + v * group_size : NULL);
}

size_t pronet_cnn_head_inputs(const struct pronet_model *model)
{
	return PRONET_CNN_FEATURE_GROUPS * pronet_cnn_state(model)->config.filters +
	       (pronet_cnn_state(model)->config.context_features ? PRONET_CONTEXT_FEATURES : 0);
}

void pronet_cnn_head(const struct pronet_model *model, const float *pooled,
                     const struct pronet_packet_record *input, float *logits)
{
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t features = PRONET_CNN_FEATURE_GROUPS * pronet_cnn_state(model)->config.filters;
	float z[PRONET_CNN_MAX_HEAD_INPUTS];

	if (pronet_cnn_state(model)->config.batch_norm)
		pronet_batchnorm_forward_infer(pooled, features, w->bn_gamma, w->bn_beta,
		                               w->bn_running_mean, w->bn_running_var, z);
	else
		memcpy(z, pooled, features * sizeof(float));
	if (pronet_cnn_state(model)->config.context_features)
		pronet_packet_context(input, z + features);
	pronet_dense_forward(z, pronet_cnn_head_inputs(model), w->dense_w, w->dense_b,
	                     model->num_classes, logits);
}

/* ProNet Sec. 3.2 forward pass, inference mode (dropout is the identity and
 * batch norm uses its running statistics), computed layer by layer. Stack
 * buffers only: the limits checked in cnn_layout bound every size. */
void pronet_cnn_logits_reference(const struct pronet_model *model,
                                 const struct pronet_packet_record *input, float *logits)
{
	uint32_t byte_ids[PRONET_PAYLOAD_BYTES], ngram_ids[PRONET_NGRAM_POSITIONS];
	float embedded_bytes[PRONET_PAYLOAD_BYTES * PRONET_MAX_EMBED_DIM];
	float embedded_ngrams[PRONET_NGRAM_POSITIONS * PRONET_MAX_EMBED_DIM];
	float conv[PRONET_PAYLOAD_BYTES * PRONET_MAX_FILTERS];
	float pooled[PRONET_CNN_MAX_FEATURES];

	pronet_cnn_embed(model, input, byte_ids, ngram_ids, embedded_bytes, embedded_ngrams);
	pronet_cnn_pool(model, embedded_bytes, embedded_ngrams, conv, pooled, NULL);
	pronet_cnn_head(model, pooled, input, logits);
}

/* The 16-bit tables while their error estimate, as a probability at the
 * model's temperature now (calibration may change it after they are
 * built), is within PRONET_CNN_QUANT_MAX_DP_SD (quant.h). */
int pronet_cnn_predicts_quantised(const struct pronet_model *model)
{
	const struct pronet_cnn_quant *quant = pronet_cnn_state(model)->quant;

	return quant != NULL && pronet_cnn_quant_error_sd(quant) <=
	                            2.0 * PRONET_CNN_QUANT_MAX_DP_SD * model->temperature;
}

/* Prediction: from the 16-bit tables when the model predicts with them
 * (quant.c), else from the float tables (fast.c), else layer by layer. */
static void cnn_logits(const struct pronet_model *model, const struct pronet_packet_record *input,
                       void *workspace, float *logits)
{
	(void)workspace; /* ProNet's activations fit on the stack */
	if (pronet_cnn_predicts_quantised(model)) {
		pronet_cnn_quant_logits(pronet_cnn_state(model)->quant, input, logits);
		return;
	}
	if (pronet_cnn_state(model)->fast == NULL) {
		pronet_cnn_logits_reference(model, input, logits);
		return;
	}
	pronet_cnn_fast_logits(pronet_cnn_state(model)->fast, model, input, logits);
}

static void cnn_release(struct pronet_model *model)
{
	pronet_cnn_quant_free(pronet_cnn_state(model)->quant);
	pronet_cnn_state(model)->quant = NULL;
	pronet_cnn_fast_free(pronet_cnn_state(model)->fast);
	pronet_cnn_state(model)->fast = NULL;
}

/* Both tables from the current weights; without memory for the 16-bit
 * ones the model predicts from the float ones. */
static void cnn_prepare(struct pronet_model *model)
{
	struct pronet_cnn_state *state = pronet_cnn_state(model);

	cnn_release(model);
	state->fast = pronet_cnn_fast_new(model);
	if (state->fast != NULL && !state->float_only)
		state->quant = pronet_cnn_quant_new(model, state->fast, model->isa);
}

/* pronet_model_set_quantised: off, predict from the float tables (the
 * reference the 16-bit path is held to) through later prepares too; on, from
 * the 16-bit tables (quant.h) where the model has them. */
static void cnn_set_quantised(struct pronet_model *model, int on)
{
	struct pronet_cnn_state *state = pronet_cnn_state(model);

	state->float_only = !on;
	pronet_cnn_quant_free(state->quant);
	state->quant = NULL;
	if (on && state->fast != NULL)
		state->quant = pronet_cnn_quant_new(model, state->fast, model->isa);
}

static void cnn_config_get(const struct pronet_model *model, void *config)
{
	*(struct pronet_cnn_config *)config = pronet_cnn_state(model)->config;
}

static void cnn_config_default(void *config)
{
	pronet_cnn_config_default(config);
}

const struct pronet_arch_ops pronet_arch_pronet_cnn = {
    .tag = PRONET_ARCH_TAG_PRONET_CNN,
    .name = "pronet-cnn",
    .summary = "byte + 3-gram embeddings, convolutions of widths 3/4/5, max-pool, dense softmax",
    .config_size = sizeof(struct pronet_cnn_config),
    .state_size = sizeof(struct pronet_cnn_state),
    .config_default = cnn_config_default,
    .options = pronet_cnn_options,
    .num_options = PRONET_CNN_NUM_OPTIONS,
    .create = cnn_create,
    .config_get = cnn_config_get,
    .bind = cnn_bind_model,
    .init = cnn_init,
    .logits = cnn_logits,
    .prepare = cnn_prepare,
    .release = cnn_release,
    .set_quantised = cnn_set_quantised,
    .train_begin = pronet_cnn_train_begin,
    .train_end = pronet_cnn_train_end,
    .train_batch = pronet_cnn_train_batch,
    .write_hyper = pronet_cnn_write_hyper,
    .read_hyper = pronet_cnn_read_hyper,
    .describe = pronet_cnn_describe,
};
