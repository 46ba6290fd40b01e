/* flow-cnn, inference side: the config's checks and shapes, the weight
 * block's layout, initialisation and the forward pass of seed 003's 1D-CNN
 * (Sec. III-B, IV-B1) over a workspace the caller owns; a flow's logits
 * from its records (the flow_logits hook). Training is flow_cnn_train.c,
 * the hyperparameters as data flow_cnn_hyper.c. */
#include "core/arch/flow_cnn/flow_cnn.h"

#include <stdio.h>
#include <string.h>

#include "core/arch/deep_packet/deep_packet.h"
#include "core/nn/dropout.h"
#include "core/nn/relu.h"
#include "core/train/grad_workers.h"
#include "core/util/rng.h"

/* Floats per 64 bytes: every activation slice starts on a cache line. */
#define SLICE_ALIGN 16

static enum pronet_err check_config(const struct flow_cnn_config *c, const char *name, char *errbuf)
{
	if (c->input_values < 16 || c->input_values > FLOW_CNN_MAX_VALUES)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: %u input values, outside 16..%d",
		                    name, c->input_values, FLOW_CNN_MAX_VALUES);
	for (size_t i = 0; i < FLOW_CNN_CONVS; i++)
		if (c->filters[i] < 1 || c->filters[i] > FLOW_CNN_MAX_FILTERS)
			return pronet_error(errbuf, PRONET_ERR_LIMIT,
			                    "%s: conv %zu has %u filters, outside 1..%d", name,
			                    i + 1, c->filters[i], FLOW_CNN_MAX_FILTERS);
	for (size_t i = 0; i < FLOW_CNN_HIDDEN; i++)
		if (c->hidden[i] < 1 || c->hidden[i] > FLOW_CNN_MAX_HIDDEN)
			return pronet_error(errbuf, PRONET_ERR_LIMIT,
			                    "%s: dense %zu has %u units, outside 1..%d", name,
			                    i + 1, c->hidden[i], FLOW_CNN_MAX_HIDDEN);
	if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: dropout %g is outside [0, 1)",
		                    name, (double)c->dropout);
	if (c->record_packets < 1 || c->record_packets > FLOW_CNN_MAX_RECORD_PACKETS)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: %u packets per direction, outside 1..%d", name,
		                    c->record_packets, FLOW_CNN_MAX_RECORD_PACKETS);
	if (c->keep_tls_headers > 1)
		return pronet_error(errbuf, PRONET_ERR_FORMAT,
		                    "%s: keep-tls-headers is %u, not 0 or 1", name,
		                    c->keep_tls_headers);
	return PRONET_OK;
}

/* Sec. IV-B1: convs of width 3 (stride 1, valid padding), a max-pool of 2
 * (stride 2) after convs 2 and 4. */
enum pronet_err flow_cnn_shapes(const struct flow_cnn_config *config, struct flow_cnn_shapes *s,
                                const char *name, char *errbuf)
{
	size_t length = config->input_values, channels = 1;
	char why[PRONET_ERRBUF_SIZE];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < FLOW_CNN_CONVS; i++) {
		s->conv[i] = (struct pronet_conv1d_shape){.length = length,
		                                          .channels = channels,
		                                          .width = FLOW_CNN_KERNEL,
		                                          .filters = config->filters[i],
		                                          .stride = 1,
		                                          .pad = 0};
		if (pronet_conv1d_check(&s->conv[i], why) != PRONET_OK)
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: conv %zu: %s", name,
			                    i + 1, why);
		length = pronet_conv1d_positions(&s->conv[i]);
		channels = config->filters[i];
		s->conv_size[i] = length * channels;
		s->multiply_adds +=
		    (uint64_t)s->conv_size[i] * FLOW_CNN_KERNEL * s->conv[i].channels;
		if (i % 2 == 0)
			continue;
		s->pool[i / 2] = (struct pronet_pool1d_shape){.length = length,
		                                              .channels = channels,
		                                              .window = FLOW_CNN_POOL,
		                                              .stride = FLOW_CNN_POOL,
		                                              .regions = 0};
		if (pronet_pool1d_check(&s->pool[i / 2], why) != PRONET_OK)
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: pool %zu: %s", name,
			                    i / 2 + 1, why);
		length = pronet_pool1d_positions(&s->pool[i / 2]);
		s->pool_size[i / 2] = length * channels;
	}
	s->features = s->pool_size[FLOW_CNN_POOLS - 1];
	if (s->features > FLOW_CNN_MAX_FLATTEN)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: %zu features to flatten, past %d", name, s->features,
		                    FLOW_CNN_MAX_FLATTEN);
	return PRONET_OK;
}

/* Tensor order is the block order: conv1.w, conv1.b .. conv4.b, then the
 * dense stack's dense1, dense2, output; all trainable. */
static enum pronet_err flow_create(struct pronet_model *model, const void *config, const char *name,
                                   char *errbuf)
{
	struct flow_cnn_state *s = flow_cnn_state(model);
	enum pronet_err err = check_config(config, name, errbuf);
	size_t hidden[FLOW_CNN_HIDDEN];
	char tensor[PRONET_TENSOR_NAME_MAX];

	if (err != PRONET_OK)
		return err;
	s->config = *(const struct flow_cnn_config *)config;
	err = flow_cnn_shapes(&s->config, &s->shapes, name, errbuf);
	model->num_tensors = 0;
	model->num_weights = 0;
	for (size_t i = 0; err == PRONET_OK && i < FLOW_CNN_CONVS; i++) {
		const struct pronet_conv1d_shape *c = &s->shapes.conv[i];

		snprintf(tensor, sizeof(tensor), "conv%zu.w", i + 1);
		err = deep_packet_add_tensor(model, tensor, (uint32_t)c->filters, FLOW_CNN_KERNEL,
		                             (uint32_t)c->channels, errbuf);
		snprintf(tensor, sizeof(tensor), "conv%zu.b", i + 1);
		if (err == PRONET_OK)
			err = deep_packet_add_tensor(model, tensor, (uint32_t)c->filters, 0, 0,
			                             errbuf);
	}
	for (size_t i = 0; i < FLOW_CNN_HIDDEN; i++)
		hidden[i] = s->config.hidden[i];
	if (err == PRONET_OK)
		err = dense_stack_create(model, &s->layout, s->shapes.features, hidden,
		                         FLOW_CNN_HIDDEN, model->num_classes, errbuf);
	s->shapes.multiply_adds += (uint64_t)s->shapes.features * s->config.hidden[0] +
	                           (uint64_t)s->config.hidden[0] * s->config.hidden[1] +
	                           (uint64_t)s->config.hidden[1] * model->num_classes;
	model->num_trainable = model->num_weights;
	for (size_t i = 0; i < s->config.input_values; i++) { /* identity until fitted */
		s->mean[i] = 0.0f;
		s->deviation[i] = 1.0f;
		s->inverse[i] = 1.0f;
	}
	return err;
}

void flow_cnn_bind(const struct pronet_model *model, float *block, struct flow_cnn_weights *w)
{
	const struct flow_cnn_state *s = flow_cnn_state(model);

	for (size_t i = 0; i < FLOW_CNN_CONVS; i++) {
		w->conv_w[i] = block + model->tensors[2 * i].offset;
		w->conv_b[i] = block + model->tensors[2 * i + 1].offset;
	}
	dense_stack_bind(model, &s->layout, block, &w->dense);
}

static void flow_bind(struct pronet_model *model)
{
	flow_cnn_bind(model, model->weights, &flow_cnn_state(model)->weights);
}

/* Keras's defaults (the paper names no initialiser): Glorot-uniform kernels
 * (fans: width x channels in, width x filters out), zero biases. */
static void flow_init(struct pronet_model *model, struct pronet_rng *rng)
{
	const struct flow_cnn_state *s = flow_cnn_state(model);

	for (size_t i = 0; i < FLOW_CNN_CONVS; i++) {
		const struct pronet_conv1d_shape *c = &s->shapes.conv[i];

		deep_packet_fill_glorot(
		    s->weights.conv_w[i], c->filters * FLOW_CNN_KERNEL * c->channels,
		    FLOW_CNN_KERNEL * c->channels, FLOW_CNN_KERNEL * c->filters, rng);
		memset(s->weights.conv_b[i], 0, c->filters * sizeof(float));
	}
	dense_stack_init(&s->layout, &s->weights.dense, rng);
}

static size_t round_slice(size_t floats)
{
	return (floats + SLICE_ALIGN - 1) / SLICE_ALIGN * SLICE_ALIGN;
}

_Static_assert(sizeof(uint32_t) == sizeof(float), "argmax slices are counted in floats");

size_t flow_cnn_activation_floats(const struct flow_cnn_state *state, int training)
{
	const struct flow_cnn_shapes *s = &state->shapes;
	size_t total = round_slice(state->config.input_values);

	for (size_t i = 0; i < FLOW_CNN_CONVS; i++)
		total += round_slice(s->conv_size[i]);
	for (size_t i = 0; i < FLOW_CNN_POOLS; i++)
		total += round_slice(s->pool_size[i]) * (training ? 4 : 1);
	return total + 2 * round_slice(state->layout.widest); /* the dense layers' rows */
}

void flow_cnn_activations_at(const struct flow_cnn_state *state, float *buffer, int training,
                             struct flow_cnn_activations *a)
{
	const struct flow_cnn_shapes *s = &state->shapes;
	float *at = buffer;

	memset(a, 0, sizeof(*a));
	a->x = at;
	at += round_slice(state->config.input_values);
	for (size_t i = 0; i < FLOW_CNN_CONVS; i++) {
		a->conv[i] = at;
		at += round_slice(s->conv_size[i]);
	}
	for (size_t i = 0; i < FLOW_CNN_POOLS; i++) {
		size_t slice = round_slice(s->pool_size[i]);

		a->pool[i] = at;
		at += slice;
		if (!training)
			continue;
		a->argmax[i] = (uint32_t *)(void *)at;
		a->dropped[i] = at + slice;
		a->mask[i] = at + 2 * slice;
		at += 3 * slice;
	}
}

const float *flow_cnn_features(const struct pronet_model *model,
                               const struct flow_cnn_activations *a, struct pronet_rng *rng)
{
	const struct flow_cnn_state *state = flow_cnn_state(model);
	const struct flow_cnn_shapes *s = &state->shapes;
	const float *x = a->x;

	for (size_t i = 0; i < FLOW_CNN_CONVS; i++) {
		size_t p = i / 2;

		pronet_conv1d_forward(&s->conv[i], x, state->weights.conv_w[i],
		                      state->weights.conv_b[i], a->conv[i]);
		pronet_relu_forward(a->conv[i], s->conv_size[i], a->conv[i]);
		x = a->conv[i];
		if (i % 2 == 0)
			continue;
		pronet_pool1d_forward(PRONET_POOL_MAX, &s->pool[p], x, a->pool[p], a->argmax[p]);
		x = a->pool[p];
		if (rng != NULL && a->mask[p] != NULL && state->config.dropout > 0.0f) {
			pronet_dropout_forward(x, s->pool_size[p], state->config.dropout, rng,
			                       a->mask[p], a->dropped[p]);
			x = a->dropped[p];
		}
	}
	return x;
}

static size_t flow_workspace_size(const struct pronet_model *model)
{
	return flow_cnn_activation_floats(flow_cnn_state(model), 0) * sizeof(float);
}

/* A flow's logits: the input step, the convs and pools, the dense layers
 * (softmax is the model API's). */
static void flow_logits(const struct pronet_model *model,
                        const struct pronet_packet_record *records, size_t n, void *workspace,
                        float *logits)
{
	const struct flow_cnn_state *state = flow_cnn_state(model);
	struct flow_cnn_activations a;
	const float *features;

	flow_cnn_activations_at(state, workspace, 0, &a);
	flow_cnn_input(model, records, n, a.x);
	features = flow_cnn_features(model, &a, NULL);
	dense_stack_forward(&state->layout, &state->weights.dense, features,
	                    (float *)workspace + flow_cnn_activation_floats(state, 0) -
	                        2 * round_slice(state->layout.widest),
	                    logits);
}

static void flow_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec)
{
	flow_cnn_spec(&flow_cnn_state(model)->config, spec);
}

static void flow_config_get(const struct pronet_model *model, void *config)
{
	*(struct flow_cnn_config *)config = flow_cnn_state(model)->config;
}

static void flow_config_default(void *config)
{
	flow_cnn_config_default(config);
}

const struct pronet_arch_ops pronet_arch_flow_cnn = {
    .tag = PRONET_ARCH_TAG_FLOW_CNN,
    .name = "flow-cnn",
    .summary = "E2E-EACF's 1D-CNN over a flow's first 3000 payload and gap values (seed 003)",
    .config_size = sizeof(struct flow_cnn_config),
    .state_size = sizeof(struct flow_cnn_state),
    .batch_size = 64,         /* Sec. IV-B1 */
    .learning_rate = 0.0005f, /* Sec. IV-B1 */
    .config_default = flow_config_default,
    .options = flow_cnn_options,
    .num_options = FLOW_CNN_NUM_OPTIONS,
    .create = flow_create,
    .config_get = flow_config_get,
    .bind = flow_bind,
    .init = flow_init,
    .input_spec = flow_input_spec,
    .workspace_size = flow_workspace_size,
    .flow_logits = flow_logits,
    .train_begin = pronet_grad_workers_begin,
    .train_end = pronet_grad_workers_end,
    .train_batch = pronet_grad_workers_batch,
    .grad = &flow_cnn_grad,
    .pretrain = flow_cnn_fit_zscore,
    .write_hyper = flow_cnn_write_hyper,
    .read_hyper = flow_cnn_read_hyper,
    .block_tag = "ZSCR",
    .write_block = flow_cnn_write_zscore,
    .read_block = flow_cnn_read_zscore,
    .describe = flow_cnn_describe,
};
