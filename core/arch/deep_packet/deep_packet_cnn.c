/* Deep Packet's one-dimensional CNN (seed 001, Sec. 3.3 and the appendix,
 * Fig. 8), inference side: limits, the weight layout, initialisation and the
 * forward pass
 *   x [1500] -> conv 200 x 5 (stride s1) -> ReLU -> conv 80 x 4 (stride s2)
 *   -> ReLU -> average pool (2 regions) -> [dropout 0.25 while training]
 *   -> flatten -> dense 600-500-400-300-200-100-50 (ReLU) -> dense C -> softmax.
 * The paper gives no strides; stride 1 cannot give its "2 x 80" before the
 * flatten without a pool over regions, and costs ~98 M multiply-adds per
 * packet; strides 5 and 4 cost ~5.9 M (docs/deep-packet.md has the sums).
 * Activations live in the caller's workspace. Training is
 * deep_packet_cnn_train.c. */
#include "core/arch/deep_packet/deep_packet.h"

#include <string.h>

#include "core/nn/conv1d.h"
#include "core/nn/pool1d.h"
#include "core/nn/relu.h"
#include "core/train/grad_workers.h"

static const size_t cnn_hidden[DEEP_PACKET_CNN_HIDDEN] = {600, 500, 400, 300, 200, 100, 50};

static size_t divided(size_t width, uint32_t divisor)
{
	return width / divisor > 0 ? width / divisor : 1;
}

static struct pronet_conv1d_shape conv1_shape(const struct deep_packet_cnn_state *s)
{
	return (struct pronet_conv1d_shape){.length = DEEP_PACKET_INPUT_BYTES,
	                                    .channels = 1,
	                                    .width = DEEP_PACKET_CONV1_WIDTH,
	                                    .filters = s->shape.filters1,
	                                    .stride = s->config.conv1_stride,
	                                    .pad = 0};
}

static struct pronet_conv1d_shape conv2_shape(const struct deep_packet_cnn_state *s)
{
	return (struct pronet_conv1d_shape){.length = s->shape.positions1,
	                                    .channels = s->shape.filters1,
	                                    .width = DEEP_PACKET_CONV2_WIDTH,
	                                    .filters = s->shape.filters2,
	                                    .stride = s->config.conv2_stride,
	                                    .pad = 0};
}

static struct pronet_pool1d_shape pool_shape(const struct deep_packet_cnn_state *s)
{
	return (struct pronet_pool1d_shape){.length = s->shape.positions2,
	                                    .channels = s->shape.filters2,
	                                    .window = s->config.pool_window,
	                                    .stride = s->config.pool_window,
	                                    .regions = s->config.pool_regions};
}

static enum pronet_err check_config(const struct deep_packet_cnn_config *c, const char *name,
                                    char *errbuf)
{
	if (c->conv1_stride < 1 || c->conv1_stride > 64 || c->conv2_stride < 1 ||
	    c->conv2_stride > 64)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: convolution strides %u and %u are outside 1..64", name,
		                    c->conv1_stride, c->conv2_stride);
	if (c->pool_regions == 0 && (c->pool_window < 1 || c->pool_window > 64))
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: pool window %u is outside 1..64",
		                    name, c->pool_window);
	if (c->max_pool > 1)
		return pronet_error(errbuf, PRONET_ERR_FORMAT, "%s: max_pool is %u, not 0 or 1",
		                    name, c->max_pool);
	if (c->width_divisor < 1 || c->width_divisor > 100)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: width divisor %u is outside 1..100", name,
		                    c->width_divisor);
	if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: dropout %g is outside [0, 1)",
		                    name, (double)c->dropout);
	return PRONET_OK;
}

/* The sizes each layer gives, checked by the layers' own shape checks. */
static enum pronet_err derive_shape(struct deep_packet_cnn_state *s, const char *name, char *errbuf)
{
	char why[PRONET_ERRBUF_SIZE];
	struct pronet_conv1d_shape c1, c2;
	struct pronet_pool1d_shape p;

	s->shape.filters1 = divided(DEEP_PACKET_CONV1_FILTERS, s->config.width_divisor);
	s->shape.filters2 = divided(DEEP_PACKET_CONV2_FILTERS, s->config.width_divisor);
	c1 = conv1_shape(s);
	if (pronet_conv1d_check(&c1, why) != PRONET_OK)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: first convolution: %s", name,
		                    why);
	s->shape.positions1 = pronet_conv1d_positions(&c1);
	c2 = conv2_shape(s);
	if (pronet_conv1d_check(&c2, why) != PRONET_OK)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: second convolution: %s", name,
		                    why);
	s->shape.positions2 = pronet_conv1d_positions(&c2);
	p = pool_shape(s);
	if (pronet_pool1d_check(&p, why) != PRONET_OK)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: pooling: %s", name, why);
	s->shape.pooled_positions = pronet_pool1d_positions(&p);
	s->shape.flatten = s->shape.pooled_positions * s->shape.filters2;
	if (s->shape.flatten > DEEP_PACKET_CNN_MAX_FLATTEN)
		return pronet_error(
		    errbuf, PRONET_ERR_LIMIT,
		    "%s: %zu features after pooling, past %d (a first dense layer "
		    "that large is not shippable; pool to regions or raise strides)",
		    name, s->shape.flatten, DEEP_PACKET_CNN_MAX_FLATTEN);
	return PRONET_OK;
}

static enum pronet_err cnn_create(struct pronet_model *model, const void *config, const char *name,
                                  char *errbuf)
{
	struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	size_t hidden[DEEP_PACKET_CNN_HIDDEN];
	enum pronet_err err = check_config(config, name, errbuf);

	if (err != PRONET_OK)
		return err;
	s->config = *(const struct deep_packet_cnn_config *)config;
	err = derive_shape(s, name, errbuf);
	if (err != PRONET_OK)
		return err;
	for (size_t i = 0; i < DEEP_PACKET_CNN_HIDDEN; i++)
		hidden[i] = divided(cnn_hidden[i], s->config.width_divisor);
	model->num_tensors = 0;
	model->num_weights = 0;
	err = deep_packet_add_tensor(model, "conv1.w", (uint32_t)s->shape.filters1,
	                             DEEP_PACKET_CONV1_WIDTH, 1, errbuf);
	if (err == PRONET_OK)
		err = deep_packet_add_tensor(model, "conv1.b", (uint32_t)s->shape.filters1, 0, 0,
		                             errbuf);
	if (err == PRONET_OK)
		err = deep_packet_add_tensor(model, "conv2.w", (uint32_t)s->shape.filters2,
		                             DEEP_PACKET_CONV2_WIDTH, (uint32_t)s->shape.filters1,
		                             errbuf);
	if (err == PRONET_OK)
		err = deep_packet_add_tensor(model, "conv2.b", (uint32_t)s->shape.filters2, 0, 0,
		                             errbuf);
	if (err == PRONET_OK)
		err = dense_stack_create(model, &s->layout, s->shape.flatten, hidden,
		                         DEEP_PACKET_CNN_HIDDEN, model->num_classes, errbuf);
	model->num_trainable = model->num_weights;
	return err;
}

void deep_packet_cnn_bind(const struct pronet_model *model, float *block,
                          struct deep_packet_cnn_weights *weights)
{
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);

	weights->conv1_w = block + model->tensors[0].offset;
	weights->conv1_b = block + model->tensors[1].offset;
	weights->conv2_w = block + model->tensors[2].offset;
	weights->conv2_b = block + model->tensors[3].offset;
	dense_stack_bind(model, &s->layout, block, &weights->dense);
}

static void cnn_bind_model(struct pronet_model *model)
{
	deep_packet_cnn_bind(model, model->weights, &deep_packet_cnn_state(model)->weights);
}

/* Keras's defaults, which the paper used: Glorot-uniform kernels (fan in
 * width x channels, fan out width x filters), zero biases. */
static void cnn_init(struct pronet_model *model, struct pronet_rng *rng)
{
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	const struct deep_packet_cnn_weights *w = &s->weights;
	size_t f1 = s->shape.filters1, f2 = s->shape.filters2;

	deep_packet_fill_glorot(w->conv1_w, f1 * DEEP_PACKET_CONV1_WIDTH, DEEP_PACKET_CONV1_WIDTH,
	                        DEEP_PACKET_CONV1_WIDTH * f1, rng);
	memset(w->conv1_b, 0, f1 * sizeof(float));
	deep_packet_fill_glorot(w->conv2_w, f2 * DEEP_PACKET_CONV2_WIDTH * f1,
	                        DEEP_PACKET_CONV2_WIDTH * f1, DEEP_PACKET_CONV2_WIDTH * f2, rng);
	memset(w->conv2_b, 0, f2 * sizeof(float));
	dense_stack_init(&s->layout, &w->dense, rng);
}

void deep_packet_cnn_features(const struct pronet_model *model, const float *x,
                              struct deep_packet_cnn_activations *act)
{
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	const struct deep_packet_cnn_weights *w = &s->weights;
	struct pronet_conv1d_shape c1 = conv1_shape(s), c2 = conv2_shape(s);
	struct pronet_pool1d_shape p = pool_shape(s);

	pronet_conv1d_forward(&c1, x, w->conv1_w, w->conv1_b, act->a1);
	pronet_relu_forward(act->a1, s->shape.positions1 * s->shape.filters1, act->a1);
	pronet_conv1d_forward(&c2, act->a1, w->conv2_w, w->conv2_b, act->a2);
	pronet_relu_forward(act->a2, s->shape.positions2 * s->shape.filters2, act->a2);
	pronet_pool1d_forward(s->config.max_pool ? PRONET_POOL_MAX : PRONET_POOL_AVG, &p, act->a2,
	                      act->pooled, act->argmax);
}

/* The workspace of one prediction, in floats: x, a1, a2, pooled, then the
 * dense layers' two ping-pong rows. */
static size_t workspace_floats(const struct deep_packet_cnn_state *s)
{
	return DEEP_PACKET_INPUT_BYTES + s->shape.positions1 * s->shape.filters1 +
	       s->shape.positions2 * s->shape.filters2 + s->shape.flatten + 2 * s->layout.widest;
}

static size_t cnn_workspace_size(const struct pronet_model *model)
{
	return workspace_floats(deep_packet_cnn_state(model)) * sizeof(float);
}

static void cnn_logits(const struct pronet_model *model, const struct pronet_packet_record *input,
                       void *workspace, float *logits)
{
	const struct deep_packet_cnn_state *s = deep_packet_cnn_state(model);
	struct deep_packet_cnn_activations act;
	float *f = workspace;

	act.x = f;
	act.a1 = act.x + DEEP_PACKET_INPUT_BYTES;
	act.a2 = act.a1 + s->shape.positions1 * s->shape.filters1;
	act.pooled = act.a2 + s->shape.positions2 * s->shape.filters2;
	act.argmax = NULL;
	deep_packet_input(input, act.x);
	deep_packet_cnn_features(model, act.x, &act);
	dense_stack_forward(&s->layout, &s->weights.dense, act.pooled,
	                    act.pooled + s->shape.flatten, logits);
}

static void cnn_config_get(const struct pronet_model *model, void *config)
{
	*(struct deep_packet_cnn_config *)config = deep_packet_cnn_state(model)->config;
}

static void cnn_config_default(void *config)
{
	deep_packet_cnn_config_default(config);
}

const struct pronet_arch_ops pronet_arch_deep_packet_cnn = {
    .tag = PRONET_ARCH_TAG_DEEP_PACKET_CNN,
    .name = "deep-packet-cnn",
    .summary = "Deep Packet's 1D-CNN over 1500 bytes from the IP header: conv 200x5, conv "
               "80x4, pool, dense 600..50",
    .config_size = sizeof(struct deep_packet_cnn_config),
    .state_size = sizeof(struct deep_packet_cnn_state),
    .config_default = cnn_config_default,
    .options = deep_packet_cnn_options,
    .num_options = DEEP_PACKET_CNN_NUM_OPTIONS,
    .create = cnn_create,
    .config_get = cnn_config_get,
    .bind = cnn_bind_model,
    .init = cnn_init,
    .input_spec = deep_packet_input_spec,
    .workspace_size = cnn_workspace_size,
    .logits = cnn_logits,
    .train_begin = pronet_grad_workers_begin,
    .train_end = pronet_grad_workers_end,
    .train_batch = pronet_grad_workers_batch,
    .grad = &deep_packet_cnn_grad,
    .write_hyper = deep_packet_cnn_write_hyper,
    .read_hyper = deep_packet_cnn_read_hyper,
    .describe = deep_packet_cnn_describe,
};
