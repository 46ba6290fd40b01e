/* Deep Packet's stacked autoencoder as a classifier (seed 001, Sec. 3.3,
 * Fig. 5a): x [1500] -> dense 400-300-200-100-50 (ReLU, dropout 0.25 after
 * each while training) -> dense C -> softmax. This file is the network and
 * its fine-tuning gradient (the generic loop of core/train/train.c runs it);
 * the greedy layer-wise pretraining that comes first is
 * deep_packet_sae_pretrain.c. */
#include "core/arch/deep_packet/deep_packet.h"

#include <stdlib.h>
#include <string.h>

#include "core/nn/softmax_xent.h"
#include "core/train/grad_workers.h"

static const size_t sae_hidden[DEEP_PACKET_SAE_HIDDEN] = {400, 300, 200, 100, 50};

static enum pronet_err sae_create(struct pronet_model *model, const void *config, const char *name,
                                  char *errbuf)
{
	const struct deep_packet_sae_config *c = config;
	struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	size_t hidden[DEEP_PACKET_SAE_HIDDEN];
	enum pronet_err err;

	if (c->width_divisor < 1 || c->width_divisor > 100)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: width divisor %u is outside 1..100", name,
		                    c->width_divisor);
	if (!(c->dropout >= 0.0f && c->dropout < 1.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: dropout %g is outside [0, 1)",
		                    name, (double)c->dropout);
	if (c->pretrain_epochs > 1000)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: %u pretraining epochs, past 1000", name,
		                    c->pretrain_epochs);
	s->config = *c;
	for (size_t i = 0; i < DEEP_PACKET_SAE_HIDDEN; i++)
		hidden[i] =
		    sae_hidden[i] / c->width_divisor > 0 ? sae_hidden[i] / c->width_divisor : 1;
	model->num_tensors = 0;
	model->num_weights = 0;
	err = dense_stack_create(model, &s->layout, DEEP_PACKET_INPUT_BYTES, hidden,
	                         DEEP_PACKET_SAE_HIDDEN, model->num_classes, errbuf);
	model->num_trainable = model->num_weights;
	return err;
}

static void sae_bind(struct pronet_model *model)
{
	struct deep_packet_sae_state *s = deep_packet_sae_state(model);

	dense_stack_bind(model, &s->layout, model->weights, &s->weights);
}

static void sae_init(struct pronet_model *model, struct pronet_rng *rng)
{
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);

	dense_stack_init(&s->layout, &s->weights, rng);
}

/* Packets a batched prediction takes at once: each layer's weights (2.4 MB
 * for the first) are then read once per this many packets. */
#define SAE_BATCH_ROWS 32

/* One packet's x [1500] and two rows of activations, or a group's x
 * [rows][1500] and every layer's outputs [rows][activations]. */
static size_t sae_workspace_size(const struct pronet_model *model)
{
	const struct dense_stack_layout *layout = &deep_packet_sae_state(model)->layout;
	size_t one = DEEP_PACKET_INPUT_BYTES + 2 * layout->widest;
	size_t group = SAE_BATCH_ROWS * (DEEP_PACKET_INPUT_BYTES + layout->activations);

	return (one > group ? one : group) * sizeof(float);
}

static void sae_logits(const struct pronet_model *model, const struct pronet_packet_record *input,
                       void *workspace, float *logits)
{
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	float *x = workspace;

	deep_packet_input(input, x);
	dense_stack_forward(&s->layout, &s->weights, x, x + DEEP_PACKET_INPUT_BYTES, logits);
}

/* The forward pass of training without dropout over n rows: the same
 * products as sae_logits, so the same bits. */
static void sae_batch_logits(const struct pronet_model *model,
                             const struct pronet_packet_record *inputs, size_t n, void *workspace,
                             float *logits)
{
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	const struct dense_stack_layout *layout = &s->layout;
	size_t acts = layout->activations, classes = model->num_classes;
	float *x = workspace, *h = x + n * DEEP_PACKET_INPUT_BYTES;

	for (size_t r = 0; r < n; r++)
		deep_packet_input(&inputs[r], x + r * DEEP_PACKET_INPUT_BYTES);
	dense_stack_train_forward(layout, &s->weights, n, x, DEEP_PACKET_INPUT_BYTES, 0.0f, NULL, h,
	                          NULL);
	for (size_t r = 0; r < n; r++)
		memcpy(logits + r * classes, h + r * acts + layout->offsets[layout->num_layers - 1],
		       classes * sizeof(float));
}

/* ---- fine-tuning: one worker's share of a batch, forward and back ---- */

/* One worker's rows: up to `rows` samples of its share at a time, so that
 * each layer is one matrix product per chunk (weights read once per chunk,
 * not once per sample). The chunk size depends on the batch size and the
 * thread count only, so the sums do too. */
struct scratch {
	size_t rows;
	float *memory; /* x [rows][1500], h, dh, mask [rows][activations], dlogits [rows][C] */
	struct pronet_rng *rngs; /* [rows] */
	float probabilities[PRONET_MAX_CLASSES];
	struct dense_stack_weights grad;
};

static void scratch_free(void *opaque)
{
	struct scratch *sc = opaque;

	if (sc == NULL)
		return;
	free(sc->memory);
	free(sc->rngs);
	free(sc);
}

static enum pronet_err scratch_new(const struct pronet_model *model, size_t rows, void **out)
{
	size_t floats = DEEP_PACKET_INPUT_BYTES +
	                3 * deep_packet_sae_state(model)->layout.activations + PRONET_MAX_CLASSES;
	struct scratch *sc = calloc(1, sizeof(*sc));

	*out = sc;
	if (sc == NULL)
		return PRONET_ERR_NOMEM;
	sc->rows = rows;
	sc->memory = malloc(rows * floats * sizeof(float));
	sc->rngs = malloc(rows * sizeof(struct pronet_rng));
	return sc->memory == NULL || sc->rngs == NULL ? PRONET_ERR_NOMEM : PRONET_OK;
}

/* Samples [begin, begin + rows) of the batch, forward and back. */
static void train_rows(const struct pronet_model *model, const struct pronet_train_batch *batch,
                       size_t begin, size_t rows, void *scratch)
{
	struct scratch *sc = scratch;
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	const struct dense_stack_layout *layout = &s->layout;
	size_t classes = model->num_classes, acts = layout->activations;
	float *x = sc->memory, *h = x + sc->rows * DEEP_PACKET_INPUT_BYTES;
	float *dh = h + sc->rows * acts, *mask = dh + sc->rows * acts;
	float *dlogits = mask + sc->rows * acts, p = s->config.dropout;

	for (size_t r = 0; r < rows; r++) {
		size_t b = begin + r;

		pronet_rng_seed(&sc->rngs[r], batch->seed + 0x9e3779b97f4a7c15ull * (b + 1));
		deep_packet_input(batch->inputs[b], x + r * DEEP_PACKET_INPUT_BYTES);
	}
	dense_stack_train_forward(layout, &s->weights, rows, x, DEEP_PACKET_INPUT_BYTES, p,
	                          sc->rngs, h, mask);
	for (size_t r = 0; r < rows; r++) {
		size_t b = begin + r;
		const float *logits = h + r * acts + layout->offsets[layout->num_layers - 1];

		batch->losses[b] = pronet_softmax_xent_forward(logits, classes, batch->labels[b],
		                                               sc->probabilities);
		batch->correct[b] = pronet_argmax(logits, classes) == batch->labels[b];
		pronet_softmax_xent_backward(sc->probabilities, classes, batch->labels[b],
		                             1.0f / (float)batch->size, dlogits + r * classes);
	}
	dense_stack_backward(layout, &s->weights, rows, x, DEEP_PACKET_INPUT_BYTES, h,
	                     p > 0.0f ? mask : NULL, dlogits, dh, NULL, &sc->grad);
}

static void bind(const struct pronet_model *model, float *grad, void *scratch)
{
	dense_stack_bind(model, &deep_packet_sae_state(model)->layout, grad,
	                 &((struct scratch *)scratch)->grad);
}

/* Chunks of a worker's whole share: the dense layers are all there is. */
const struct pronet_grad_family deep_packet_sae_grad = {scratch_new, scratch_free, bind, train_rows,
                                                        0};

static void sae_config_get(const struct pronet_model *model, void *config)
{
	*(struct deep_packet_sae_config *)config = deep_packet_sae_state(model)->config;
}

static void sae_config_default(void *config)
{
	deep_packet_sae_config_default(config);
}

const struct pronet_arch_ops pronet_arch_deep_packet_sae = {
    .tag = PRONET_ARCH_TAG_DEEP_PACKET_SAE,
    .name = "deep-packet-sae",
    .summary = "Deep Packet's stacked autoencoder over 1500 bytes from the IP header: dense "
               "400..50, layer-wise pretraining",
    .config_size = sizeof(struct deep_packet_sae_config),
    .state_size = sizeof(struct deep_packet_sae_state),
    .config_default = sae_config_default,
    .options = deep_packet_sae_options,
    .num_options = DEEP_PACKET_SAE_NUM_OPTIONS,
    .create = sae_create,
    .config_get = sae_config_get,
    .bind = sae_bind,
    .init = sae_init,
    .input_spec = deep_packet_input_spec,
    .workspace_size = sae_workspace_size,
    .logits = sae_logits,
    .batch_rows = SAE_BATCH_ROWS,
    .batch_logits = sae_batch_logits,
    .train_begin = pronet_grad_workers_begin,
    .train_end = pronet_grad_workers_end,
    .train_batch = pronet_grad_workers_batch,
    .grad = &deep_packet_sae_grad,
    .pretrain = deep_packet_sae_pretrain,
    .write_hyper = deep_packet_sae_write_hyper,
    .read_hyper = deep_packet_sae_read_hyper,
    .describe = deep_packet_sae_describe,
};
