/* The training loop (ProNet paper Sec. 3.3): mini-batches drawn from a
 * per-epoch shuffle, the mean softmax cross-entropy's gradient from the
 * architecture, Adam. Everything random flows from options->seed, and
 * per-worker gradients are summed in worker order, so the same data, seed
 * and thread count give bit-identical weights. */
#include "core/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/adam.h"
#include "core/model_internal.h"
#include "core/rng.h"

void pronet_train_options_default(struct pronet_train_options *options)
{
	options->batch_size = 128;
	options->steps = 0;
	options->epochs = 10;
	options->learning_rate = 1e-3f;
	options->seed = 1;
	options->threads = 1;
	options->progress_every = 100;
}

/* Everything a run allocates, freed in one place. */
struct run {
	uint32_t *labels; /* [num_samples]: model class of each sample */
	size_t *order;    /* [num_samples]: this epoch's shuffle */
	const struct pronet_input **batch_inputs;
	uint32_t *batch_labels;
	float *losses;
	uint8_t *correct;
	float **grads; /* [threads][num_trainable] */
	float *moment1, *moment2;
	void *workspace;
	size_t threads;
};

static void run_free(struct run *run, const struct pronet_model *model)
{
	free(run->labels);
	free(run->order);
	free(run->batch_inputs);
	free(run->batch_labels);
	free(run->losses);
	free(run->correct);
	for (size_t i = 0; run->grads != NULL && i < run->threads; i++)
		free(run->grads[i]);
	free(run->grads);
	free(run->moment1);
	free(run->moment2);
	if (run->workspace != NULL)
		model->ops->train_end(run->workspace);
}

static enum pronet_err check_options(const struct pronet_train_options *o,
                                     const struct pronet_dataset *data, char *errbuf)
{
	if (o->batch_size < 1 || o->batch_size > PRONET_TRAIN_MAX_BATCH)
		return pronet_error(errbuf, PRONET_ERR_ARG, "batch size %u is outside 1..%d",
		                    o->batch_size, PRONET_TRAIN_MAX_BATCH);
	if (o->threads < 1 || o->threads > PRONET_TRAIN_MAX_THREADS)
		return pronet_error(errbuf, PRONET_ERR_ARG, "threads %u is outside 1..%d",
		                    o->threads, PRONET_TRAIN_MAX_THREADS);
	if (!(isfinite(o->learning_rate) && o->learning_rate > 0.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG, "learning rate %g is not positive",
		                    (double)o->learning_rate);
	if (o->steps == 0 && o->epochs == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "neither steps nor epochs is set");
	if (data->num_samples == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "the dataset has no samples");
	if (o->steps == 0 &&
	    (data->num_samples + o->batch_size - 1) / o->batch_size * o->epochs > UINT32_MAX)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%u epochs is too many steps",
		                    o->epochs);
	return PRONET_OK;
}

/* Dataset labels are matched to the model's classes by name. */
static enum pronet_err map_labels(const struct pronet_model *model,
                                  const struct pronet_dataset *data, uint32_t *labels, char *errbuf)
{
	for (size_t i = 0; i < data->num_samples; i++) {
		uint16_t label = data->samples[i].label;
		int index;

		if (label >= data->num_classes)
			return pronet_error(
			    errbuf, PRONET_ERR_FORMAT,
			    "sample %zu has label %u but the dataset has %zu classes", i, label,
			    data->num_classes);
		index = pronet_model_find_class(model, data->class_names[label]);
		if (index < 0)
			return pronet_error(errbuf, PRONET_ERR_NOT_FOUND,
			                    "dataset class '%s' is not a class of the model",
			                    data->class_names[label]);
		labels[i] = (uint32_t)index;
	}
	return PRONET_OK;
}

static enum pronet_err run_allocate(struct run *run, const struct pronet_model *model,
                                    size_t samples, size_t batch, size_t threads)
{
	size_t n = model->num_trainable;
	int failed;

	run->threads = threads;
	run->labels = malloc(samples * sizeof(*run->labels));
	run->order = malloc(samples * sizeof(*run->order));
	run->batch_inputs = malloc(batch * sizeof(*run->batch_inputs));
	run->batch_labels = malloc(batch * sizeof(*run->batch_labels));
	run->losses = malloc(batch * sizeof(*run->losses));
	run->correct = malloc(batch * sizeof(*run->correct));
	run->grads = calloc(threads, sizeof(*run->grads));
	run->moment1 = calloc(n, sizeof(float));
	run->moment2 = calloc(n, sizeof(float));
	failed = !run->labels || !run->order || !run->batch_inputs || !run->batch_labels ||
	         !run->losses || !run->correct || !run->grads || !run->moment1 || !run->moment2;
	for (size_t i = 0; !failed && i < threads; i++)
		failed = (run->grads[i] = malloc(n * sizeof(float))) == NULL;
	if (failed)
		return PRONET_ERR_NOMEM;
	return model->ops->train_begin(model, batch, threads, &run->workspace);
}

static void shuffle(size_t *order, size_t n, struct pronet_rng *rng)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
		size_t j = (size_t)pronet_rng_below(rng, i);
		size_t swap = order[i - 1];

		order[i - 1] = order[j];
		order[j] = swap;
	}
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) * 1e-9;
}

/* One step: gradient (workers into their own buffers, summed in worker
 * order), then Adam on the trainable part of the weight block. */
static void train_step(struct pronet_model *model, struct run *run, struct pronet_adam *adam,
                       struct pronet_train_batch *batch)
{
	size_t n = model->num_trainable;

	for (size_t i = 0; i < run->threads; i++)
		memset(run->grads[i], 0, n * sizeof(float));
	model->ops->train_batch(model, run->workspace, batch, run->grads);
	for (size_t i = 1; i < run->threads; i++)
		for (size_t k = 0; k < n; k++)
			run->grads[0][k] += run->grads[i][k];
	pronet_adam_update(adam, model->weights, run->grads[0], run->moment1, run->moment2, n);
}

static enum pronet_err train_loop(struct pronet_model *model, const struct pronet_dataset *data,
                                  const struct pronet_train_options *o, struct run *run,
                                  pronet_train_progress_fn progress, void *user, char *errbuf)
{
	size_t samples = data->num_samples, cursor = samples, batches_per_epoch;
	struct pronet_train_progress report = {0, 0, 0.0f, 0.0f, 0.0};
	double loss_sum = 0.0, correct_sum = 0.0, seen = 0.0;
	struct pronet_adam adam;
	struct pronet_rng shuffle_rng;
	struct timespec start;

	batches_per_epoch = (samples + o->batch_size - 1) / o->batch_size;
	report.total_steps = o->steps ? o->steps : (uint32_t)(o->epochs * batches_per_epoch);
	pronet_adam_init(&adam, o->learning_rate);
	pronet_rng_seed(&shuffle_rng, o->seed);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (uint32_t step = 1; step <= report.total_steps; step++) {
		uint64_t mix = o->seed ^ ((uint64_t)step << 32);
		struct pronet_train_batch batch = {
		    run->batch_inputs, run->batch_labels, 0,           pronet_splitmix64(&mix),
		    run->threads,      run->losses,       run->correct};

		if (cursor == samples) { /* a new epoch: a new order */
			shuffle(run->order, samples, &shuffle_rng);
			cursor = 0;
		}
		/* A batch never spans epochs: the last one of an epoch may be short. */
		while (batch.size < o->batch_size && cursor < samples) {
			run->batch_inputs[batch.size] = &data->samples[run->order[cursor]].input;
			run->batch_labels[batch.size++] = run->labels[run->order[cursor++]];
		}
		train_step(model, run, &adam, &batch);
		for (size_t b = 0; b < batch.size; b++) {
			loss_sum += run->losses[b];
			correct_sum += run->correct[b];
		}
		seen += (double)batch.size;
		if (!isfinite(loss_sum))
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "training diverged: the loss is not finite at step %u "
			                    "(try a smaller learning rate)",
			                    step);
		if (progress != NULL && o->progress_every != 0 &&
		    (step % o->progress_every == 0 || step == report.total_steps)) {
			report.step = step;
			report.loss = (float)(loss_sum / seen);
			report.accuracy = (float)(correct_sum / seen);
			report.seconds = seconds_since(&start);
			progress(&report, user);
			loss_sum = correct_sum = seen = 0.0;
		}
	}
	return PRONET_OK;
}

enum pronet_err pronet_train(struct pronet_model *model, const struct pronet_dataset *data,
                             const struct pronet_train_options *options,
                             pronet_train_progress_fn progress, void *user, char *errbuf)
{
	struct run run;
	enum pronet_err err;
	size_t batch;

	if (model == NULL || data == NULL || options == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_train: NULL argument");
	err = check_options(options, data, errbuf);
	if (err != PRONET_OK)
		return err;
	if (model->ops->train_batch == NULL)
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "architecture %s cannot be trained by this build",
		                    model->ops->name);
	memset(&run, 0, sizeof(run));
	batch = options->batch_size < data->num_samples ? options->batch_size : data->num_samples;
	err = run_allocate(&run, model, data->num_samples, batch, options->threads);
	if (err != PRONET_OK)
		err = pronet_error(errbuf, err, "no memory to train on %zu samples",
		                   data->num_samples);
	if (err == PRONET_OK)
		err = map_labels(model, data, run.labels, errbuf);
	if (err == PRONET_OK)
		err = train_loop(model, data, options, &run, progress, user, errbuf);
	run_free(&run, model);
	return err;
}
