/* Greedy layer-wise pretraining of Deep Packet's stacked autoencoder (seed
 * 001, Sec. 2.3 and Sec. 4: "first each layer was trained in greedy
 * layer-wise fashion ... using Adam optimizer and mean squared error as the
 * loss function"). Phase k trains hidden layer k as an autoencoder: its
 * encoder h_k = ReLU(W_k h_{k-1} + b_k), the model's own weights, and a
 * linear decoder r = D_k h_k + c_k of its own (dropped after the phase), to
 * reconstruct h_{k-1} under MSE; layers 0..k-1 are frozen and run in
 * inference mode (no dropout) to give h_{k-1}. The fine-tuning that follows
 * is the generic loop (core/train/train.c) with cross-entropy.
 *
 * Same samples, batch size, learning rate, seed and class undersampling as
 * the loop; config.pretrain_epochs epochs per layer (the paper's 200 is a
 * cap no 2-core machine meets; docs/deep-packet.md). Each worker takes a
 * fixed share of a batch into its own gradient buffer, added in worker
 * order: bit for bit per seed and thread count. */
#include "core/arch/deep_packet/deep_packet.h"

#include <stdlib.h>
#include <string.h>

#include "core/data/dataset.h"
#include "core/nn/adam.h"
#include "core/nn/dense.h"
#include "core/nn/mse.h"
#include "core/nn/relu.h"
#include "core/train/train.h"
#include "core/util/parallel.h"

/* One autoencoder phase: the parameters it trains, laid out as one vector
 * [W_k | b_k | D_k | c_k] for the optimiser (W_k, b_k copied in and out of
 * the model). */
struct phase {
	size_t layer, in, out, count;
	float *params, *moment1, *moment2;
	float **grads; /* [threads][count] */
};

struct job {
	const struct pronet_model *model;
	const struct pronet_dataset *data;
	const size_t *batch;
	size_t batch_size;
	struct phase *phase;
	float **scratch; /* [threads]: x, the frozen layers' rows, h_k, r, dr, dh_k */
	double *loss;    /* [threads] */
	/* [threads]: a streamed record's bytes (pronet_dataset_record), and a
	 * failed read's error */
	uint8_t (*bytes)[PRONET_RECORD_MAX_BYTES];
	enum pronet_err *err;
	char (*errbuf)[PRONET_ERRBUF_SIZE];
};

static size_t scratch_floats(const struct dense_stack_layout *layout)
{
	return DEEP_PACKET_INPUT_BYTES + 2 * layout->widest + 4 * (DEEP_PACKET_INPUT_BYTES + 1);
}

/* h_{k-1} of one sample through the frozen layers 0..k-1 (inference mode). */
static const float *layer_input(const struct pronet_model *model, size_t layer,
                                const struct pronet_packet_record *record, float *scratch)
{
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	const float *in = scratch;
	float *rows = scratch + DEEP_PACKET_INPUT_BYTES;

	deep_packet_input(record, scratch);
	for (size_t i = 0; i < layer; i++) {
		float *y = rows + (i % 2) * s->layout.widest;

		pronet_dense_forward(in, s->layout.widths[i], s->weights.w[i], s->weights.b[i],
		                     s->layout.widths[i + 1], y);
		pronet_relu_forward(y, s->layout.widths[i + 1], y);
		in = y;
	}
	return in;
}

static void phase_worker(void *context, size_t worker, size_t workers)
{
	struct job *job = context;
	struct phase *ph = job->phase;
	float *scratch = job->scratch[worker], *g = ph->grads[worker];
	float *h = scratch + DEEP_PACKET_INPUT_BYTES +
	           2 * deep_packet_sae_state(job->model)->layout.widest;
	float *r = h + DEEP_PACKET_INPUT_BYTES + 1, *dr = r + DEEP_PACKET_INPUT_BYTES + 1;
	float *dh = dr + DEEP_PACKET_INPUT_BYTES + 1;
	const float *w = ph->params, *b = w + ph->out * ph->in, *d = b + ph->out,
	            *c = d + ph->in * ph->out;
	float *gw = g, *gb = gw + ph->out * ph->in, *gd = gb + ph->out, *gc = gd + ph->in * ph->out;
	size_t begin, end;
	double loss = 0.0;

	pronet_parallel_range(job->batch_size, worker, workers, &begin, &end);
	job->err[worker] = PRONET_OK;
	for (size_t i = begin; i < end; i++) {
		struct pronet_packet_record record;
		const float *target;

		job->err[worker] = pronet_dataset_record(
		    job->data, job->batch[i], job->bytes[worker], &record, job->errbuf[worker]);
		if (job->err[worker] != PRONET_OK)
			break;
		target = layer_input(job->model, ph->layer, &record, scratch);

		pronet_dense_forward(target, ph->in, w, b, ph->out, h);
		pronet_relu_forward(h, ph->out, h);
		pronet_dense_forward(h, ph->out, d, c, ph->in, r);
		loss += pronet_mse_forward(r, target, ph->in);
		pronet_mse_backward(r, target, ph->in, 1.0f / (float)job->batch_size, dr);
		pronet_dense_backward(h, ph->out, d, ph->in, dr, dh, gd, gc);
		pronet_relu_backward(h, dh, ph->out, dh);
		pronet_dense_backward(target, ph->in, w, ph->out, dh, NULL, gw, gb);
	}
	job->loss[worker] = loss;
}

/* The epoch's samples: all of the pool, or at most max_per_class of each
 * class drawn afresh, then shuffled (Fisher-Yates on our seeded generator). */
static size_t draw_epoch(const struct pronet_dataset *data, const size_t *pool, size_t n,
                         uint32_t max_per_class, struct pronet_rng *rng, size_t *order,
                         size_t *taken)
{
	size_t count = 0;

	memcpy(order, pool, n * sizeof(size_t));
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)pronet_rng_below(rng, i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	if (max_per_class == 0)
		return n;
	memset(taken, 0, data->num_classes * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		uint16_t label = data->samples[order[i]].label;

		if (taken[label] < max_per_class) {
			taken[label]++;
			order[count++] = order[i];
		}
	}
	return count;
}

static enum pronet_err run_phase(struct pronet_model *model, const struct pronet_dataset *data,
                                 const struct pronet_train_options *o, const size_t *pool, size_t n,
                                 struct phase *ph, struct job *job, size_t threads, size_t *order,
                                 size_t *taken, struct pronet_rng *rng, char *errbuf)
{
	struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	size_t batch = o->batch_size > 0 ? o->batch_size : 128;
	struct pronet_adam adam;

	pronet_adam_init(&adam, o->learning_rate);
	memcpy(ph->params, s->weights.w[ph->layer], ph->out * ph->in * sizeof(float));
	memcpy(ph->params + ph->out * ph->in, s->weights.b[ph->layer], ph->out * sizeof(float));
	deep_packet_fill_glorot(ph->params + ph->out * ph->in + ph->out, ph->in * ph->out, ph->out,
	                        ph->in, rng);
	memset(ph->params + ph->count - ph->in, 0, ph->in * sizeof(float));
	memset(ph->moment1, 0, ph->count * sizeof(float));
	memset(ph->moment2, 0, ph->count * sizeof(float));
	for (uint32_t epoch = 0; epoch < s->config.pretrain_epochs; epoch++) {
		size_t epoch_size = draw_epoch(data, pool, n, o->max_per_class, rng, order, taken);

		for (size_t at = 0; at < epoch_size; at += batch) {
			job->batch = order + at;
			job->batch_size = epoch_size - at < batch ? epoch_size - at : batch;
			for (size_t t = 0; t < threads; t++)
				memset(ph->grads[t], 0, ph->count * sizeof(float));
			pronet_parallel_run(threads, phase_worker, job);
			for (size_t t = 0; t < threads; t++)
				if (job->err[t] != PRONET_OK)
					return pronet_error(errbuf, job->err[t], "%s",
					                    job->errbuf[t]);
			for (size_t t = 1; t < threads; t++)
				for (size_t k = 0; k < ph->count; k++)
					ph->grads[0][k] += ph->grads[t][k];
			pronet_adam_update(&adam, ph->params, ph->grads[0], ph->moment1,
			                   ph->moment2, ph->count);
			/* The frozen layers are read from the model: write layer k back
			 * only after its phase, never mid-batch. */
		}
	}
	memcpy(s->weights.w[ph->layer], ph->params, ph->out * ph->in * sizeof(float));
	memcpy(s->weights.b[ph->layer], ph->params + ph->out * ph->in, ph->out * sizeof(float));
	return PRONET_OK;
}

enum pronet_err deep_packet_sae_pretrain(struct pronet_model *model,
                                         const struct pronet_dataset *data,
                                         const struct pronet_train_options *o, char *errbuf)
{
	const struct deep_packet_sae_state *s = deep_packet_sae_state(model);
	size_t threads = o->threads > 0 ? o->threads : 1;
	size_t n = o->train_indices != NULL ? o->num_train : data->num_samples;
	size_t largest = DEEP_PACKET_INPUT_BYTES * s->layout.widths[1] * 2 +
	                 DEEP_PACKET_INPUT_BYTES + s->layout.widths[1];
	size_t *pool = malloc((n > 0 ? n : 1) * sizeof(size_t));
	size_t *order = malloc((n > 0 ? n : 1) * sizeof(size_t));
	size_t *taken = calloc(data->num_classes + 1, sizeof(size_t));
	struct phase ph = {0};
	struct job job = {.model = model, .data = data, .phase = &ph};
	enum pronet_err err = PRONET_OK;
	struct pronet_rng rng;

	if (s->config.pretrain_epochs == 0 || n == 0) {
		free(pool), free(order), free(taken);
		return PRONET_OK;
	}
	ph.params = malloc(largest * sizeof(float));
	ph.moment1 = malloc(largest * sizeof(float));
	ph.moment2 = malloc(largest * sizeof(float));
	ph.grads = calloc(threads, sizeof(float *));
	job.scratch = calloc(threads, sizeof(float *));
	job.loss = calloc(threads, sizeof(double));
	job.bytes = malloc(threads * sizeof(*job.bytes));
	job.err = calloc(threads, sizeof(*job.err));
	job.errbuf = calloc(threads, sizeof(*job.errbuf));
	if (!pool || !order || !taken || !ph.params || !ph.moment1 || !ph.moment2 || !ph.grads ||
	    !job.scratch || !job.loss || !job.bytes || !job.err || !job.errbuf)
		err = PRONET_ERR_NOMEM;
	for (size_t t = 0; err == PRONET_OK && t < threads; t++) {
		ph.grads[t] = malloc(largest * sizeof(float));
		job.scratch[t] = malloc(scratch_floats(&s->layout) * sizeof(float));
		if (ph.grads[t] == NULL || job.scratch[t] == NULL)
			err = PRONET_ERR_NOMEM;
	}
	if (err != PRONET_OK)
		pronet_error(errbuf, err, "deep-packet-sae: no memory for pretraining");
	for (size_t i = 0; err == PRONET_OK && i < n; i++)
		pool[i] = o->train_indices != NULL ? o->train_indices[i] : i;
	pronet_rng_seed(&rng, o->seed ^ 0x5ae5ae5ae5ae5ae5ull);
	for (size_t k = 0; err == PRONET_OK && k + 1 < s->layout.num_layers; k++) {
		ph.layer = k;
		ph.in = s->layout.widths[k];
		ph.out = s->layout.widths[k + 1];
		ph.count = 2 * ph.in * ph.out + ph.out + ph.in;
		err = run_phase(model, data, o, pool, n, &ph, &job, threads, order, taken, &rng,
		                errbuf);
	}
	for (size_t t = 0; t < threads; t++) {
		if (ph.grads != NULL)
			free(ph.grads[t]);
		if (job.scratch != NULL)
			free(job.scratch[t]);
	}
	free(ph.grads), free(job.scratch), free(job.loss);
	free(job.bytes), free(job.err), free(job.errbuf);
	free(ph.params), free(ph.moment1), free(ph.moment2);
	free(pool), free(order), free(taken);
	if (err == PRONET_OK)
		pronet_model_weights_changed(model);
	return err;
}
