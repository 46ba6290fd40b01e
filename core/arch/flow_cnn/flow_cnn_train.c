/* flow-cnn, training side: the z-score statistics of the training flows
 * (the pretrain hook, before the gradient loop), and the gradient of a
 * mini-batch of flows' mean cross-entropy (Sec. IV-B1: Adam, cross-entropy;
 * the loop, batches and early stopping are core/train/train.c's, which
 * hands a per-flow family whole flows).
 *
 * Nothing couples the flows of a batch, so each worker
 * (core/train/grad_workers.c) takes a fixed contiguous share and runs each
 * flow forward and back into its own gradient buffer; the loop adds the
 * buffers in worker order.
 * Dropout masks come from a generator seeded by (batch seed, flow index):
 * the result depends on the seed and the thread count only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/nn/dropout.h"
#include "core/nn/relu.h"
#include "core/nn/softmax_xent.h"
#include "core/train/grad_workers.h"
#include "core/train/train_flows.h"
#include "core/util/rng.h"

/* One worker's activations and their gradients, pointers into `memory`. */
struct scratch {
	float *memory;
	struct flow_cnn_activations a;
	float *dconv[FLOW_CNN_CONVS];
	float *dpool[FLOW_CNN_POOLS];
	float *h, *dh; /* the dense stack's outputs and their gradients */
	float probabilities[PRONET_MAX_CLASSES], dlogits[PRONET_MAX_CLASSES];
	struct flow_cnn_weights grad; /* views into this worker's gradient buffer */
};

static void scratch_free(void *opaque)
{
	struct scratch *sc = opaque;

	if (sc == NULL)
		return;
	free(sc->memory);
	free(sc);
}

static size_t round_up(size_t floats)
{
	return (floats + 15) / 16 * 16;
}

static enum pronet_err scratch_new(const struct pronet_model *model, size_t rows, void **out)
{
	const struct flow_cnn_state *s = flow_cnn_state(model);
	struct scratch *sc = calloc(1, sizeof(*sc));
	size_t activations = flow_cnn_activation_floats(s, 1);
	size_t floats = activations + 2 * round_up(s->layout.activations);
	float *at;

	for (size_t i = 0; i < FLOW_CNN_CONVS; i++)
		floats += round_up(s->shapes.conv_size[i]);
	for (size_t i = 0; i < FLOW_CNN_POOLS; i++)
		floats += round_up(s->shapes.pool_size[i]);
	(void)rows; /* one flow at a time */
	*out = sc;
	if (sc == NULL)
		return PRONET_ERR_NOMEM;
	sc->memory = aligned_alloc(64, floats * sizeof(float));
	if (sc->memory == NULL)
		return PRONET_ERR_NOMEM;
	flow_cnn_activations_at(s, sc->memory, 1, &sc->a);
	at = sc->memory + activations;
	for (size_t i = 0; i < FLOW_CNN_CONVS; i++) {
		sc->dconv[i] = at;
		at += round_up(s->shapes.conv_size[i]);
	}
	for (size_t i = 0; i < FLOW_CNN_POOLS; i++) {
		sc->dpool[i] = at;
		at += round_up(s->shapes.pool_size[i]);
	}
	sc->h = at;
	sc->dh = at + round_up(s->layout.activations);
	return PRONET_OK;
}

/* From d(loss)/d(features) in dpool[1] down to conv 1's weights: through
 * each dropout (its mask), max-pool (to its winners), ReLU (its output
 * decides) and conv (its weights and, but for conv 1, its input). */
static void backward(const struct flow_cnn_state *s, struct scratch *sc)
{
	const struct flow_cnn_shapes *sh = &s->shapes;
	int dropout = s->config.dropout > 0.0f;

	for (size_t i = FLOW_CNN_CONVS; i-- > 0;) {
		const float *x;
		float *dx = NULL;

		if (i % 2 == 1) { /* a pool (and dropout) follows this conv */
			size_t p = i / 2;

			if (dropout)
				pronet_dropout_backward(sc->dpool[p], sc->a.mask[p],
				                        sh->pool_size[p], sc->dpool[p]);
			pronet_pool1d_backward(PRONET_POOL_MAX, &sh->pool[p], sc->a.argmax[p],
			                       sc->dpool[p], sc->dconv[i]);
		}
		pronet_relu_backward(sc->a.conv[i], sc->dconv[i], sh->conv_size[i], sc->dconv[i]);
		if (i == 0) {
			x = sc->a.x;
		} else if (i % 2 == 1) { /* conv 2 or 4: its input is the conv before */
			x = sc->a.conv[i - 1];
			dx = sc->dconv[i - 1];
			memset(dx, 0, sh->conv_size[i - 1] * sizeof(float));
		} else { /* conv 3: its input is the first pool's (dropped) output */
			x = dropout ? sc->a.dropped[0] : sc->a.pool[0];
			dx = sc->dpool[0];
			memset(dx, 0, sh->pool_size[0] * sizeof(float));
		}
		pronet_conv1d_backward(&sh->conv[i], x, s->weights.conv_w[i], sc->dconv[i], dx,
		                       sc->grad.conv_w[i], sc->grad.conv_b[i]);
	}
}

static void train_rows(const struct pronet_model *model, const struct pronet_train_batch *batch,
                       size_t begin, size_t rows, void *opaque)
{
	struct scratch *sc = opaque;
	const struct flow_cnn_state *s = flow_cnn_state(model);
	const struct dense_stack_layout *layout = &s->layout;
	size_t classes = model->num_classes;
	float scale = 1.0f / (float)batch->size;
	const float *logits = sc->h + layout->offsets[layout->num_layers - 1];

	for (size_t b = begin; b < begin + rows; b++) {
		struct pronet_rng rng;
		const float *features;

		pronet_rng_seed(&rng, batch->seed + 0x9e3779b97f4a7c15ull * (b + 1));
		flow_cnn_input(model, batch->inputs[b],
		               batch->lengths != NULL ? batch->lengths[b] : 1, sc->a.x);
		features = flow_cnn_features(model, &sc->a, &rng);
		dense_stack_train_forward(layout, &s->weights.dense, 1, features, layout->widths[0],
		                          0.0f, NULL, sc->h, NULL);
		batch->losses[b] = pronet_softmax_xent_forward(logits, classes, batch->labels[b],
		                                               sc->probabilities);
		batch->correct[b] = pronet_argmax(logits, classes) == batch->labels[b];
		pronet_softmax_xent_backward(sc->probabilities, classes, batch->labels[b], scale,
		                             sc->dlogits);
		dense_stack_backward(layout, &s->weights.dense, 1, features, layout->widths[0],
		                     sc->h, NULL, sc->dlogits, sc->dh,
		                     sc->dpool[FLOW_CNN_POOLS - 1], &sc->grad.dense);
		backward(s, sc);
	}
}

static void bind(const struct pronet_model *model, float *grad, void *scratch)
{
	flow_cnn_bind(model, grad, &((struct scratch *)scratch)->grad);
}

const struct pronet_grad_family flow_cnn_grad = {scratch_new, scratch_free, bind, train_rows, 1};

/* Sums over the training flows' raw values: sum[i] of v, or with `mean`
 * set, of (v - mean)^2; in flow order, one thread, so the statistics do not
 * depend on the thread count. */
static enum pronet_err accumulate(const struct pronet_dataset *data,
                                  const struct pronet_train_flows *flows,
                                  struct pronet_flow_records *room, int strip_tls, size_t count,
                                  const double *mean, float *values, double *sum, char *errbuf)
{
	for (size_t u = 0; u < flows->num_train; u++) {
		size_t first = flows->train[u];
		enum pronet_err err = pronet_train_flows_gather(data, flows, first, room, errbuf);

		if (err != PRONET_OK)
			return err;
		flow_cnn_raw_values(room->records, flows->length[first], strip_tls, values, count);
		for (size_t i = 0; i < count; i++) {
			double v = values[i] - (mean != NULL ? mean[i] : 0.0);

			sum[i] += mean != NULL ? v * v : v;
		}
	}
	return PRONET_OK;
}

/* Sec. III-A2's normalisation (NP): z-score per input position, as
 * scikit-learn's StandardScaler (the paper's toolkit) fits it: the mean and
 * the population deviation of each position over the training flows, a
 * deviation of 1 where a position never varies (padding past every flow). */
enum pronet_err flow_cnn_fit_zscore(struct pronet_model *model, const struct pronet_dataset *data,
                                    const struct pronet_train_options *options, char *errbuf)
{
	struct flow_cnn_state *s = flow_cnn_state(model);
	size_t count = s->config.input_values;
	struct pronet_train_flows flows;
	struct pronet_flow_records room;
	int strip = !s->config.keep_tls_headers;
	double *mean = calloc(count, sizeof(double)), *var = calloc(count, sizeof(double));
	float *values = malloc(count * sizeof(float)), *m = malloc(count * sizeof(float));
	float *deviation = malloc(count * sizeof(float));
	enum pronet_err err = PRONET_OK;

	memset(&flows, 0, sizeof(flows));
	memset(&room, 0, sizeof(room));
	if (!mean || !var || !values || !m || !deviation)
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for z-score statistics");
	if (err == PRONET_OK)
		err = pronet_train_flows_build(data, options, &flows, errbuf);
	if (err == PRONET_OK && flows.num_train == 0)
		err = pronet_error(errbuf, PRONET_ERR_ARG, "no training flows");
	if (err == PRONET_OK && pronet_flow_records_init(&room, data, &flows) != PRONET_OK)
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for a flow's records");
	if (err == PRONET_OK)
		err = accumulate(data, &flows, &room, strip, count, NULL, values, mean, errbuf);
	for (size_t i = 0; err == PRONET_OK && i < count; i++)
		mean[i] /= (double)flows.num_train;
	if (err == PRONET_OK)
		err = accumulate(data, &flows, &room, strip, count, mean, values, var, errbuf);
	if (err == PRONET_OK) {
		for (size_t i = 0; i < count; i++) {
			double d = sqrt(var[i] / (double)flows.num_train);

			m[i] = (float)mean[i];
			deviation[i] = d > 1e-6 ? (float)d : 1.0f;
		}
		flow_cnn_set_zscore(model, m, deviation);
	}
	pronet_flow_records_free(&room);
	pronet_train_flows_free(&flows);
	free(mean);
	free(var);
	free(values);
	free(m);
	free(deviation);
	return err;
}
