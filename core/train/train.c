/* The training loop (ProNet paper Sec. 3.3): mini-batches drawn from a
 * per-epoch shuffle, the mean softmax cross-entropy's gradient from the
 * architecture, Adam. Everything random flows from options->seed, and
 * per-worker gradients are summed in worker order, so the same data, seed
 * and thread count give bit-identical weights. */
#include "core/train/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/nn/adam.h"
#include "core/model/model_internal.h"
#include "core/util/parallel.h"
#include "core/util/rng.h"
#include "core/nn/softmax_xent.h"
#include "core/train/augment.h"
#include "core/train/epochs.h"
#include "core/train/train_flows.h"
#include "core/train/train_run.h"

void pronet_train_options_default(struct pronet_train_options *options)
{
	options->batch_size = 128;
	options->steps = 0;
	options->epochs = 10;
	options->learning_rate = 1e-3f;
	options->seed = 1;
	options->threads = 1;
	options->progress_every = 100;
	options->train_indices = NULL;
	options->num_train = 0;
	options->validation_indices = NULL;
	options->num_validation = 0;
	options->validate_every = 0;
	options->patience = 0;
	options->max_per_class = 0;
	options->augment_bytes = 0.0f;
	options->warm_start = 0;
}

int pronet_train_can_warm_start(const struct pronet_model *model)
{
	return model != NULL && model->ops->fit == NULL && model->ops->train_batch != NULL &&
	       (model->ops->logits != NULL || model->ops->flow_logits != NULL);
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
	if (!(o->augment_bytes >= 0.0f && o->augment_bytes <= 0.5f))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "byte augmentation %g is outside [0, 0.5]",
		                    (double)o->augment_bytes);
	if (o->steps == 0 && o->epochs == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "neither steps nor epochs is set");
	if (data->num_samples == 0 || (o->train_indices != NULL && o->num_train == 0))
		return pronet_error(errbuf, PRONET_ERR_ARG, "the dataset has no samples");
	for (size_t i = 0; o->train_indices != NULL && i < o->num_train; i++)
		if (o->train_indices[i] >= data->num_samples)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "training sample index %zu is out of range",
			                    o->train_indices[i]);
	for (size_t i = 0; o->validation_indices != NULL && i < o->num_validation; i++)
		if (o->validation_indices[i] >= data->num_samples)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "validation sample index %zu is out of range",
			                    o->validation_indices[i]);
	if (o->steps == 0 &&
	    (data->num_samples + o->batch_size - 1) / o->batch_size * o->epochs > UINT32_MAX)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%u epochs is too many steps",
		                    o->epochs);
	return PRONET_OK;
}

/* Dataset labels are matched to the model's classes by name, for the
 * samples trained or validated on (others may be of classes the model
 * lacks: eval's held-out class). */
static enum pronet_err map_label(const struct pronet_model *model,
                                 const struct pronet_dataset *data, size_t i, uint32_t *labels,
                                 char *errbuf)
{
	uint16_t label = data->samples[i].label;
	int index;

	if (label >= data->num_classes)
		return pronet_error(errbuf, PRONET_ERR_FORMAT,
		                    "sample %zu has label %u but the dataset has %zu classes", i,
		                    label, data->num_classes);
	index = pronet_model_find_class(model, data->class_names[label]);
	if (index < 0)
		return pronet_error(errbuf, PRONET_ERR_NOT_FOUND,
		                    "dataset class '%s' is not a class of the model",
		                    data->class_names[label]);
	labels[i] = (uint32_t)index;
	return PRONET_OK;
}

static enum pronet_err map_labels(const struct pronet_model *model,
                                  const struct pronet_dataset *data,
                                  const struct pronet_train_options *o,
                                  const struct pronet_train_run *run, uint32_t *labels,
                                  char *errbuf)
{
	enum pronet_err err = PRONET_OK;

	for (size_t i = 0; err == PRONET_OK && i < run->epochs.pool_size; i++)
		err = map_label(model, data, run->epochs.pool[i], labels, errbuf);
	for (size_t i = 0; err == PRONET_OK && i < run->num_validation; i++)
		err = map_label(model, data, run->validation[i], labels, errbuf);
	(void)o;
	return err;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) * 1e-9;
}

struct update_job {
	struct pronet_model *model;
	struct pronet_train_run *run;
	struct pronet_adam_step step;
};

/* A worker's share of the parameters: the workers' gradients summed in
 * worker order, Adam, and the gradients zeroed for the next step. Each
 * parameter sees the same operations in the same order whatever the
 * split, so the weights do not depend on how it is shared out; done by
 * the workers rather than the calling thread because a pass over every
 * parameter (embedding rows no sample touched included) is about a sixth
 * of a step. */
static void update_worker(void *context, size_t worker, size_t workers)
{
	struct update_job *job = context;
	struct pronet_train_run *run = job->run;
	size_t begin, end;

	pronet_parallel_range(job->model->num_trainable, worker, workers, &begin, &end);
	for (size_t i = 1; i < run->threads; i++)
		for (size_t k = begin; k < end; k++)
			run->grads[0][k] += run->grads[i][k];
	pronet_adam_apply(&job->step, job->model->weights, run->grads[0], run->moment1,
	                  run->moment2, begin, end);
	for (size_t i = 0; i < run->threads; i++)
		memset(run->grads[i] + begin, 0, (end - begin) * sizeof(float));
}

/* One step: gradient (workers into their own buffers, zero on entry), then
 * the update above. */
static void train_step(struct pronet_model *model, struct pronet_train_run *run,
                       struct pronet_adam *adam, struct pronet_train_batch *batch)
{
	struct update_job job = {.model = model, .run = run};

	model->ops->train_batch(model, run->workspace, batch, run->grads);
	pronet_adam_begin(adam, &job.step);
	pronet_parallel_run(run->threads, update_worker, &job);
}

struct validation_job {
	const struct pronet_model *model;
	const struct pronet_dataset *data;
	struct pronet_train_run *run; /* also worker_bytes, worker_err, worker_errbuf */
	const uint32_t *labels;
	double *worker_loss;
	struct pronet_workspace *const *workspaces; /* [workers] */
};

/* Inference-mode cross-entropy (temperature 1) over a worker's share of the
 * validation samples; shares are fixed, sums are added in worker order. */
static void validation_worker(void *context, size_t worker, size_t workers)
{
	const struct validation_job *job = context;
	float logits[PRONET_MAX_CLASSES], probabilities[PRONET_MAX_CLASSES];
	uint8_t *bytes = job->run->worker_bytes + worker * job->run->record_bytes;
	enum pronet_err err = PRONET_OK;
	size_t begin, end;
	double sum = 0.0;
	void *memory;

	/* pronet_train_run_allocate made each worker's workspace for this model. */
	pronet_workspace_check(job->model, job->workspaces[worker], &memory);
	pronet_parallel_range(job->run->num_validation, worker, workers, &begin, &end);
	for (size_t i = begin; err == PRONET_OK && i < end; i++) {
		size_t sample = job->run->validation[i];
		const struct pronet_train_flows *flows = &job->run->flows;
		struct pronet_packet_record record;

		if (job->run->per_flow) {
			struct pronet_flow_records *room = &job->run->worker_flows[worker];

			err = pronet_train_flows_gather(job->data, flows, sample, room,
			                                job->run->worker_errbuf[worker]);
			if (err != PRONET_OK)
				break;
			job->model->ops->flow_logits(job->model, room->records,
			                             flows->length[sample], memory, logits);
		} else {
			err = pronet_dataset_record(job->data, sample, bytes, &record,
			                            job->run->worker_errbuf[worker]);
			if (err != PRONET_OK)
				break;
			job->model->ops->logits(job->model, &record, memory, logits);
		}
		sum += pronet_softmax_xent_forward(logits, job->model->num_classes,
		                                   job->labels[sample], probabilities);
	}
	job->worker_loss[worker] = sum;
	job->run->worker_err[worker] = err;
}

static enum pronet_err validation_loss(const struct pronet_model *model,
                                       const struct pronet_dataset *data,
                                       struct pronet_train_run *run, float *loss, char *errbuf)
{
	struct validation_job job = {
	    model, data, run, run->labels, run->worker_loss, run->predict_workspaces};
	double total = 0.0;

	pronet_parallel_run(run->threads, validation_worker, &job);
	for (size_t i = 0; i < run->threads; i++) {
		if (run->worker_err[i] != PRONET_OK)
			return pronet_error(errbuf, run->worker_err[i], "%s",
			                    run->worker_errbuf[i]);
		total += run->worker_loss[i];
	}
	*loss = (float)(total / (double)run->num_validation);
	return PRONET_OK;
}

/* Early-stopping bookkeeping between measurements. */
struct stopping {
	float best_loss;
	uint32_t best_step, since_best;
};

/* Measures the validation loss at `step`; *stopped 1 when patience ran out. */
static enum pronet_err validate(struct pronet_model *model, const struct pronet_dataset *data,
                                const struct pronet_train_options *o, struct pronet_train_run *run,
                                uint32_t step, struct stopping *stop, float *loss, int *stopped,
                                char *errbuf)
{
	enum pronet_err err = validation_loss(model, data, run, loss, errbuf);

	*stopped = 0;
	if (err != PRONET_OK)
		return err;
	if (!(*loss >= stop->best_loss)) { /* lower, or the first finite one */
		stop->best_loss = *loss;
		stop->best_step = step;
		stop->since_best = 0;
		memcpy(run->best_weights, model->weights, model->num_weights * sizeof(float));
		return PRONET_OK;
	}
	stop->since_best++;
	*stopped = o->patience != 0 && stop->since_best >= o->patience;
	return PRONET_OK;
}

static enum pronet_err train_loop(struct pronet_model *model, const struct pronet_dataset *data,
                                  const struct pronet_train_options *o,
                                  struct pronet_train_run *run, pronet_train_progress_fn progress,
                                  void *user, char *errbuf)
{
	size_t cursor = run->epochs.epoch_size, batches_per_epoch;
	struct pronet_train_progress report;
	double loss_sum = 0.0, correct_sum = 0.0, seen = 0.0;
	struct stopping stop = {INFINITY, 0, 0};
	int validating = run->num_validation > 0 && o->validate_every > 0;
	struct pronet_adam adam;
	struct pronet_rng shuffle_rng, augment_rng;
	struct timespec start;

	memset(&report, 0, sizeof(report));
	batches_per_epoch = (run->epochs.epoch_size + o->batch_size - 1) / o->batch_size;
	report.total_steps = o->steps ? o->steps : (uint32_t)(o->epochs * batches_per_epoch);
	pronet_adam_init(&adam, o->learning_rate);
	pronet_rng_seed(&shuffle_rng, o->seed);
	pronet_rng_seed(&augment_rng, o->seed ^ 0x6a09e667f3bcc908ull);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (uint32_t step = 1; step <= report.total_steps; step++) {
		uint64_t mix = o->seed ^ ((uint64_t)step << 32);
		struct pronet_train_batch batch = {run->batch_inputs,
		                                   run->batch_labels,
		                                   0,
		                                   pronet_splitmix64(&mix),
		                                   run->threads,
		                                   run->losses,
		                                   run->correct,
		                                   NULL};
		int measure =
		    validating && (step % o->validate_every == 0 || step == report.total_steps);
		int last = step == report.total_steps, stopped = 0;

		if (cursor == run->epochs.epoch_size) { /* a new epoch: a new order */
			pronet_epochs_draw(&run->epochs, model->num_classes, o->max_per_class,
			                   &shuffle_rng);
			cursor = 0;
		}
		/* A batch never spans epochs: the last one of an epoch may be short. */
		if (run->per_flow)
			batch.lengths = run->batch_lengths;
		while (batch.size < o->batch_size && cursor < run->epochs.epoch_size) {
			size_t unit = run->epochs.order[cursor];

			if (run->per_flow) {
				struct pronet_flow_records *room = &run->batch_flows[batch.size];
				enum pronet_err err = pronet_train_flows_gather(data, &run->flows,
				                                                unit, room, errbuf);

				if (err != PRONET_OK)
					return err;
				run->batch_inputs[batch.size] = room->records;
				run->batch_lengths[batch.size] = run->flows.length[unit];
			} else {
				struct pronet_packet_record *record =
				    &run->batch_records[batch.size];
				enum pronet_err err = pronet_dataset_record(
				    data, unit, run->batch_bytes + batch.size * run->record_bytes,
				    record, errbuf);

				if (err != PRONET_OK)
					return err;
				run->batch_inputs[batch.size] = pronet_augment_record(
				    o->augment_bytes, record, &run->augmented[batch.size],
				    run->augmented_bytes[batch.size], &augment_rng);
			}
			run->batch_labels[batch.size++] = run->labels[run->epochs.order[cursor++]];
		}
		train_step(model, run, &adam, &batch);
		for (size_t b = 0; b < batch.size; b++) {
			loss_sum += run->losses[b];
			correct_sum += run->correct[b];
		}
		seen += (double)batch.size;
		report.samples_seen += batch.size;
		if (!isfinite(loss_sum))
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "training diverged: the loss is not finite at step %u "
			                    "(try a smaller learning rate)",
			                    step);
		report.validation_loss = NAN;
		if (measure) {
			enum pronet_err err = validate(model, data, o, run, step, &stop,
			                               &report.validation_loss, &stopped, errbuf);

			if (err != PRONET_OK)
				return err;
		}
		report.best_step = stop.best_step;
		report.stopped_early = stopped && !last;
		if (progress != NULL &&
		    ((o->progress_every != 0 && step % o->progress_every == 0) || last ||
		     measure)) {
			report.step = step;
			report.loss = (float)(loss_sum / seen);
			report.accuracy = (float)(correct_sum / seen);
			report.seconds = seconds_since(&start);
			progress(&report, user);
			loss_sum = correct_sum = seen = 0.0;
		}
		if (stopped)
			break;
	}
	if (validating && stop.best_step != 0) /* keep the best weights seen */
		memcpy(model->weights, run->best_weights, model->num_weights * sizeof(float));
	return PRONET_OK;
}

/* The fit path: the family fits itself (no gradients, no loop) on the
 * samples' labels mapped to its classes, as the gradient loop maps them. */
static enum pronet_err fit_model(struct pronet_model *model, const struct pronet_dataset *data,
                                 const struct pronet_train_options *o, char *errbuf)
{
	size_t pool = o->train_indices != NULL ? o->num_train : data->num_samples;
	uint32_t *labels = malloc(data->num_samples * sizeof(*labels));
	enum pronet_err err = PRONET_OK;

	if (labels == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to fit %zu samples", pool);
	for (size_t i = 0; err == PRONET_OK && i < pool; i++)
		err = map_label(model, data, o->train_indices != NULL ? o->train_indices[i] : i,
		                labels, errbuf);
	for (size_t i = 0;
	     err == PRONET_OK && o->validation_indices != NULL && i < o->num_validation; i++)
		err = map_label(model, data, o->validation_indices[i], labels, errbuf);
	if (err == PRONET_OK)
		err = model->ops->fit(model, data, labels, o, errbuf);
	free(labels);
	pronet_model_weights_changed(model);
	return err;
}

enum pronet_err pronet_train(struct pronet_model *model, const struct pronet_dataset *data,
                             const struct pronet_train_options *options,
                             pronet_train_progress_fn progress, void *user, char *errbuf)
{
	struct pronet_train_run run;
	enum pronet_err err;
	size_t batch, pool;
	const size_t *units;

	if (model == NULL || data == NULL || options == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_train: NULL argument");
	err = check_options(options, data, errbuf);
	if (err == PRONET_OK) {
		struct pronet_input_spec need;

		pronet_model_input_spec(model, &need);
		err = pronet_input_spec_covers(&data->spec, &need, "the dataset", errbuf);
	}
	if (err != PRONET_OK)
		return err;
	if (options->warm_start && model->ops->fit != NULL)
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "architecture %s is fitted in one go, not trained by "
		                    "gradient steps: it cannot continue from its weights",
		                    model->ops->name);
	if (model->ops->fit != NULL)
		return fit_model(model, data, options, errbuf);
	if (model->ops->train_batch == NULL ||
	    (model->ops->logits == NULL && model->ops->flow_logits == NULL))
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "architecture %s cannot be trained by this build",
		                    model->ops->name);
	if (model->ops->pretrain != NULL && !options->warm_start) {
		err = model->ops->pretrain(model, data, options, errbuf);
		pronet_model_weights_changed(model);
		if (err != PRONET_OK)
			return err;
	}
	memset(&run, 0, sizeof(run));
	pool = options->train_indices != NULL ? options->num_train : data->num_samples;
	units = options->train_indices;
	run.validation = options->validation_indices;
	run.num_validation = run.validation != NULL ? options->num_validation : 0;
	run.per_flow = model->ops->flow_logits != NULL;
	if (run.per_flow && options->augment_bytes > 0.0f)
		err = pronet_error(errbuf, PRONET_ERR_ARG,
		                   "byte augmentation is for per-packet architectures, not %s",
		                   model->ops->name);
	else if (run.per_flow)
		err = pronet_train_flows_build(data, options, &run.flows, errbuf);
	if (err != PRONET_OK) {
		pronet_train_run_free(&run, model);
		return err;
	}
	if (run.per_flow) { /* the units are flows */
		units = run.flows.train;
		pool = run.flows.num_train;
		run.validation = run.flows.validation;
		run.num_validation = run.flows.num_validation;
	}
	if (pool == 0) { /* every training sample's flow is a validation one */
		pronet_train_run_free(&run, model);
		return pronet_error(errbuf, PRONET_ERR_ARG, "no training flows");
	}
	batch = options->batch_size < pool ? options->batch_size : pool;
	err = pronet_train_run_allocate(&run, model, data, options, units, pool, batch);
	if (err == PRONET_ERR_NOMEM)
		err = pronet_error(errbuf, err, "no memory to train on %zu samples", pool);
	else if (err != PRONET_OK)
		err = pronet_error(errbuf, err, "cannot prepare training of architecture %s: %s",
		                   model->ops->name, pronet_strerror(err));
	if (err == PRONET_OK)
		err = map_labels(model, data, options, &run, run.labels, errbuf);
	if (err == PRONET_OK) {
		pronet_epochs_plan(&run.epochs, run.labels, model->num_classes,
		                   options->max_per_class);
		if (options->steps == 0 && (run.epochs.epoch_size + options->batch_size - 1) /
		                                   options->batch_size * options->epochs >
		                               UINT32_MAX)
			err = pronet_error(errbuf, PRONET_ERR_ARG, "%u epochs is too many steps",
			                   options->epochs);
	}
	/* The weights move from here on: predict's precomputed tables go now
	 * (validation then computes layer by layer) and are rebuilt from the
	 * final weights, even after a failed loop. */
	if (model->ops->release != NULL)
		model->ops->release(model);
	if (err == PRONET_OK)
		err = train_loop(model, data, options, &run, progress, user, errbuf);
	pronet_train_run_free(&run, model);
	pronet_model_weights_changed(model);
	return err;
}
