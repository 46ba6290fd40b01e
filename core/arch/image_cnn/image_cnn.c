/* image-cnn, inference side: the config's checks and shapes, the weight
 * block's layout, initialisation and the forward pass of Table I (seed 002,
 * Sec. III-C) over a workspace the caller owns. Training is
 * image_cnn_train.c, the hyperparameters as data image_cnn_hyper.c. */
#include "core/arch/image_cnn/image_cnn.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/nn/dense.h"
#include "core/nn/relu.h"
#include "core/train/grad_workers.h"

/* Floats per 64 bytes: every activation slice starts on a cache line. */
#define SLICE_ALIGN 16

enum pronet_err pronet_image_cnn_check(const struct pronet_image_cnn_config *c, const char *name,
                                       char *errbuf)
{
	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++)
		if (c->filters[i] < 1 || c->filters[i] > PRONET_IMAGE_MAX_FILTERS)
			return pronet_error(errbuf, PRONET_ERR_LIMIT,
			                    "%s: conv %zu has %u filters, outside 1..%d", name,
			                    i + 1, c->filters[i], PRONET_IMAGE_MAX_FILTERS);
	if (c->same_padding > 1)
		return pronet_error(errbuf, PRONET_ERR_FORMAT, "%s: padding is %u, not 0 or 1",
		                    name, c->same_padding);
	if (!(c->input_scale > 0.0f && c->input_scale <= 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: input scale %g is outside (0, 1]",
		                    name, (double)c->input_scale);
	if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: dropout %g is outside [0, 1)",
		                    name, (double)c->dropout);
	if (c->record_packets < 1 || c->record_packets > 64)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: %u packets per direction, outside 1..64", name,
		                    c->record_packets);
	return PRONET_OK;
}

void pronet_image_cnn_spec(const struct pronet_image_cnn_config *config,
                           struct pronet_input_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->window_bytes = PRONET_IMAGE_BYTES;
	spec->layer = PRONET_LAYER_L3;
	spec->packets_per_direction = config->record_packets;
}

/* Table I: three 3x3 convolutions (stride 1, valid or same), a 2x2 max-pool
 * of stride 2 after the first two. With valid padding: 32 -> 30 -> 15 -> 13
 * -> 6 -> 4; with same: 32 -> 32 -> 16 -> 16 -> 8 -> 8. */
void pronet_image_cnn_shapes(const struct pronet_image_cnn_config *config,
                             struct pronet_image_cnn_shapes *s)
{
	size_t side = PRONET_IMAGE_SIDE, channels = 1;
	size_t pad = config->same_padding ? (PRONET_IMAGE_KERNEL - 1) / 2 : 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		size_t out_h, out_w;

		s->conv[i] = (struct pronet_conv2d_shape){.height = side,
		                                          .width = side,
		                                          .channels = channels,
		                                          .kernel_h = PRONET_IMAGE_KERNEL,
		                                          .kernel_w = PRONET_IMAGE_KERNEL,
		                                          .filters = config->filters[i],
		                                          .stride_h = 1,
		                                          .stride_w = 1,
		                                          .pad_h = pad,
		                                          .pad_w = pad};
		pronet_conv2d_output(&s->conv[i], &out_h, &out_w);
		channels = config->filters[i];
		s->conv_size[i] = out_h * out_w * channels;
		if (pronet_conv2d_columns(&s->conv[i]) > s->columns)
			s->columns = pronet_conv2d_columns(&s->conv[i]);
		s->multiply_adds += (uint64_t)s->conv_size[i] * PRONET_IMAGE_KERNEL *
		                    PRONET_IMAGE_KERNEL * s->conv[i].channels;
		side = out_h;
		if (i + 1 == PRONET_IMAGE_CONVS)
			break;
		s->pool[i] = (struct pronet_pool2d_shape){.height = side,
		                                          .width = side,
		                                          .channels = channels,
		                                          .window_h = PRONET_IMAGE_POOL,
		                                          .window_w = PRONET_IMAGE_POOL,
		                                          .stride_h = PRONET_IMAGE_POOL,
		                                          .stride_w = PRONET_IMAGE_POOL};
		pronet_pool2d_output(&s->pool[i], &out_h, &out_w);
		s->pool_size[i] = out_h * out_w * channels;
		side = out_h;
	}
	s->features = s->conv_size[PRONET_IMAGE_CONVS - 1];
}

/* Each shape has an output: true of both paddings at 32 x 32, checked
 * anyway so that a change of the constants cannot slip a zero size past. */
static enum pronet_err check_shapes(const struct pronet_image_cnn_shapes *s, const char *name,
                                    char *errbuf)
{
	char detail[PRONET_ERRBUF_SIZE];

	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		if (pronet_conv2d_check(&s->conv[i], detail) != PRONET_OK || s->conv_size[i] == 0)
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: conv %zu: %s", name,
			                    i + 1, detail);
		if (i + 1 < PRONET_IMAGE_CONVS &&
		    (pronet_pool2d_check(&s->pool[i], detail) != PRONET_OK || s->pool_size[i] == 0))
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: pool %zu: %s", name,
			                    i + 1, detail);
	}
	return PRONET_OK;
}

static enum pronet_err add_tensor(struct pronet_model *model, const char *name, uint32_t num_dims,
                                  const uint32_t *dims, char *errbuf)
{
	struct pronet_tensor *tensor;

	if (model->num_tensors >= PRONET_MAX_TENSORS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "model layout: tensor %s is past the %d a model holds", name,
		                    PRONET_MAX_TENSORS);
	tensor = &model->tensors[model->num_tensors++];
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

/* Tensor order is the block order (bind walks the same): conv1.w, conv1.b,
 * conv2.w, conv2.b, conv3.w, conv3.b, dense.w, dense.b; all trainable. */
static enum pronet_err image_create(struct pronet_model *model, const void *config,
                                    const char *name, char *errbuf)
{
	struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	enum pronet_err err = pronet_image_cnn_check(config, name, errbuf);
	char tensor_name[PRONET_TENSOR_NAME_MAX];

	if (err != PRONET_OK)
		return err;
	state->config = *(const struct pronet_image_cnn_config *)config;
	pronet_image_cnn_shapes(&state->config, &state->shapes);
	err = check_shapes(&state->shapes, name, errbuf);
	model->num_tensors = 0;
	model->num_weights = 0;
	for (size_t i = 0; err == PRONET_OK && i < PRONET_IMAGE_CONVS; i++) {
		const struct pronet_conv2d_shape *c = &state->shapes.conv[i];
		uint32_t w_dims[4] = {(uint32_t)c->filters, PRONET_IMAGE_KERNEL,
		                      PRONET_IMAGE_KERNEL, (uint32_t)c->channels};
		uint32_t b_dims[1] = {(uint32_t)c->filters};

		snprintf(tensor_name, sizeof(tensor_name), "conv%zu.w", i + 1);
		err = add_tensor(model, tensor_name, 4, w_dims, errbuf);
		snprintf(tensor_name, sizeof(tensor_name), "conv%zu.b", i + 1);
		if (err == PRONET_OK)
			err = add_tensor(model, tensor_name, 1, b_dims, errbuf);
	}
	uint32_t dense_dims[2] = {(uint32_t)model->num_classes, (uint32_t)state->shapes.features};

	if (err == PRONET_OK)
		err = add_tensor(model, "dense.w", 2, dense_dims, errbuf);
	if (err == PRONET_OK)
		err = add_tensor(model, "dense.b", 1, dense_dims, errbuf);
	model->num_trainable = model->num_weights;
	return err;
}

void pronet_image_cnn_bind(const struct pronet_model *model, float *block,
                           struct pronet_image_cnn_weights *weights)
{
	const struct pronet_tensor *tensor = model->tensors;

	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		weights->conv_w[i] = block + (tensor++)->offset;
		weights->conv_b[i] = block + (tensor++)->offset;
	}
	weights->dense_w = block + (tensor++)->offset;
	weights->dense_b = block + (tensor++)->offset;
}

static void image_bind(struct pronet_model *model)
{
	pronet_image_cnn_bind(model, model->weights, &pronet_image_cnn_state(model)->weights);
}

/* Glorot uniform, U(-l, l) with l = sqrt(6 / (fan_in + fan_out)): the
 * initialiser of the Keras layers such a model is usually written with (the
 * paper names none); a conv's fans are kernel area times its channels in
 * and out. */
static void fill_glorot(float *x, size_t n, size_t fan_in, size_t fan_out, struct pronet_rng *rng)
{
	double limit = sqrt(6.0 / (double)(fan_in + fan_out));

	for (size_t i = 0; i < n; i++)
		x[i] = (float)((2.0 * pronet_rng_uniform(rng) - 1.0) * limit);
}

static void image_init(struct pronet_model *model, struct pronet_rng *rng)
{
	const struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	const struct pronet_image_cnn_weights *w = &state->weights;
	size_t area = PRONET_IMAGE_KERNEL * PRONET_IMAGE_KERNEL;

	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		const struct pronet_conv2d_shape *c = &state->shapes.conv[i];

		fill_glorot(w->conv_w[i], c->filters * area * c->channels, area * c->channels,
		            area * c->filters, rng);
		memset(w->conv_b[i], 0, c->filters * sizeof(float));
	}
	fill_glorot(w->dense_w, model->num_classes * state->shapes.features, state->shapes.features,
	            model->num_classes, rng);
	memset(w->dense_b, 0, model->num_classes * sizeof(float));
}

static size_t round_slice(size_t floats)
{
	return (floats + SLICE_ALIGN - 1) / SLICE_ALIGN * SLICE_ALIGN;
}

size_t pronet_image_cnn_activation_floats(const struct pronet_image_cnn_shapes *s, int with_argmax)
{
	size_t total = round_slice(PRONET_IMAGE_BYTES);

	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++)
		total += round_slice(s->conv_size[i]);
	for (size_t i = 0; i + 1 < PRONET_IMAGE_CONVS; i++)
		total += round_slice(s->pool_size[i]) * (with_argmax ? 2 : 1);
	return total + round_slice(s->columns);
}

void pronet_image_cnn_activations_at(const struct pronet_image_cnn_shapes *s, float *buffer,
                                     int with_argmax, struct pronet_image_cnn_activations *a)
{
	float *at = buffer;

	a->image = at;
	at += round_slice(PRONET_IMAGE_BYTES);
	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		a->conv[i] = at;
		at += round_slice(s->conv_size[i]);
	}
	for (size_t i = 0; i + 1 < PRONET_IMAGE_CONVS; i++) {
		a->pool[i] = at;
		at += round_slice(s->pool_size[i]);
		a->argmax[i] = NULL;
		if (with_argmax) { /* uint32_t and float have the same size */
			a->argmax[i] = (uint32_t *)(void *)at;
			at += round_slice(s->pool_size[i]);
		}
	}
	a->columns = at;
}

_Static_assert(sizeof(uint32_t) == sizeof(float), "argmax slices are counted in floats");

void pronet_image_cnn_pixels(const struct pronet_model *model,
                             const struct pronet_packet_record *record, float *image)
{
	float scale = pronet_image_cnn_state(model)->config.input_scale;
	size_t n = record->length < PRONET_IMAGE_BYTES ? record->length : PRONET_IMAGE_BYTES;

	for (size_t i = 0; i < n; i++)
		image[i] = (float)record->bytes[i] * scale;
	for (size_t i = n; i < PRONET_IMAGE_BYTES; i++)
		image[i] = 0.0f;
}

void pronet_image_cnn_features(const struct pronet_model *model,
                               const struct pronet_image_cnn_activations *a)
{
	const struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	const struct pronet_image_cnn_shapes *s = &state->shapes;
	const float *x = a->image;

	for (size_t i = 0; i < PRONET_IMAGE_CONVS; i++) {
		pronet_conv2d_forward_columns(&s->conv[i], x, state->weights.conv_w[i],
		                              state->weights.conv_b[i], a->conv[i], a->columns);
		pronet_relu_forward(a->conv[i], s->conv_size[i], a->conv[i]);
		if (i + 1 == PRONET_IMAGE_CONVS)
			break;
		pronet_pool2d_forward(PRONET_POOL_MAX, &s->pool[i], a->conv[i], a->pool[i],
		                      a->argmax[i]);
		x = a->pool[i];
	}
}

static size_t image_workspace_size(const struct pronet_model *model)
{
	return pronet_image_cnn_activation_floats(&pronet_image_cnn_state(model)->shapes, 0) *
	       sizeof(float);
}

/* Table I, inference: the pixels, layers 1-6, the dense layer 7 (softmax,
 * layer 8, is the model API's). */
static void image_logits(const struct pronet_model *model, const struct pronet_packet_record *input,
                         void *workspace, float *logits)
{
	const struct pronet_image_cnn_state *state = pronet_image_cnn_state(model);
	struct pronet_image_cnn_activations a;

	pronet_image_cnn_activations_at(&state->shapes, workspace, 0, &a);
	pronet_image_cnn_pixels(model, input, a.image);
	pronet_image_cnn_features(model, &a);
	pronet_dense_forward(a.conv[PRONET_IMAGE_CONVS - 1], state->shapes.features,
	                     state->weights.dense_w, state->weights.dense_b, model->num_classes,
	                     logits);
}

static void image_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec)
{
	pronet_image_cnn_spec(&pronet_image_cnn_state(model)->config, spec);
}

static void image_config_get(const struct pronet_model *model, void *config)
{
	*(struct pronet_image_cnn_config *)config = pronet_image_cnn_state(model)->config;
}

static void image_config_default(void *config)
{
	pronet_image_cnn_config_default(config);
}

const struct pronet_arch_ops pronet_arch_image_cnn = {
    .tag = PRONET_ARCH_TAG_IMAGE_CNN,
    .name = "image-cnn",
    .summary = "2D-CNN over 1024 bytes from the IP header as a 32x32 image (seed 002)",
    .config_size = sizeof(struct pronet_image_cnn_config),
    .state_size = sizeof(struct pronet_image_cnn_state),
    .config_default = image_config_default,
    .options = pronet_image_cnn_options,
    .num_options = PRONET_IMAGE_CNN_NUM_OPTIONS,
    .create = image_create,
    .config_get = image_config_get,
    .bind = image_bind,
    .init = image_init,
    .input_spec = image_input_spec,
    .workspace_size = image_workspace_size,
    .logits = image_logits,
    .train_begin = pronet_grad_workers_begin,
    .train_end = pronet_grad_workers_end,
    .train_batch = pronet_grad_workers_batch,
    .grad = &pronet_image_cnn_grad,
    .write_hyper = pronet_image_cnn_write_hyper,
    .read_hyper = pronet_image_cnn_read_hyper,
    .describe = pronet_image_cnn_describe,
};
