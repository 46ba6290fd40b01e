/* Cross-validation per flow and the open-set test (core/eval/eval.h). */
#include "core/eval/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval/calibrate.h"
#include "core/eval/verdicts.h"
#include "core/util/rng.h"
#include "core/nn/softmax_xent.h"

void pronet_eval_options_default(struct pronet_eval_options *o)
{
	memset(o, 0, sizeof(*o));
	o->folds = 5;
	o->repeats = 1;
	o->by = PRONET_FOLD_BY_CAPTURE;
	o->seed = 1;
	o->arch = pronet_arch_find("pronet-cnn");
	o->arch_config = NULL;
	pronet_train_options_default(&o->train);
	o->validation_fraction = 0.1f;
	o->combine = PRONET_COMBINE_MEAN_LOGITS;
	o->flow_packets = 0;
	o->hold_out_class = -1;
	o->untrained_class = -1;
	o->random_floor = PRONET_RANDOM_FLOOR;
	o->threshold_precision = 0.97;
}

void pronet_eval_result_free(struct pronet_eval_result *result)
{
	if (result == NULL)
		return;
	free(result->label_of);
	free(result->class_names);
	free(result->unknown_flows);
	free(result->unknown_abstained);
	free(result->confusion);
	free(result->confusion_thresholded);
	free(result->curve);
	free(result->held_out_named);
	free(result);
}

/* Everything one evaluation shares between its folds. */
struct eval_run {
	const struct pronet_dataset *data;
	const struct pronet_eval_options *o;
	struct pronet_flows *flows;
	struct pronet_eval_result *result;
	const char *class_names[PRONET_MAX_CLASSES];
	int model_class[65536]; /* dataset label -> model class, -1: none */
	size_t *all, *members, *train_flows, *validation_flows, *samples, *validation_samples;
	uint32_t *fold, *inner_fold;
	size_t num_train_samples, num_validation_samples;
	pronet_eval_progress_fn progress;
	void *user;
	uint32_t repeat, current_fold;
	struct pronet_train_progress last;
	size_t curve_capacity;
	int record_curve;
};

static void forward_progress(const struct pronet_train_progress *p, void *user)
{
	struct eval_run *run = user;
	struct pronet_eval_result *r = run->result;

	run->last = *p;
	if (run->record_curve) {
		if (r->curve_points == run->curve_capacity) {
			size_t capacity = run->curve_capacity ? 2 * run->curve_capacity : 64;
			void *grown = realloc(r->curve, capacity * sizeof(*r->curve));

			if (grown == NULL)
				run->record_curve = 0; /* the curve is a picture, not a result */
			else {
				r->curve = grown;
				run->curve_capacity = capacity;
			}
		}
		if (run->record_curve)
			r->curve[r->curve_points++] = (struct pronet_eval_curve_point){
			    p->step, p->loss, p->accuracy, p->validation_loss};
	}
	if (run->progress != NULL)
		run->progress(run->repeat, run->current_fold, p, run->user);
}

/* Samples (the first flow_packets of each flow) of flows[n] whose class the
 * model has. */
static size_t collect_samples(const struct eval_run *run, const size_t *flows, size_t n,
                              size_t *samples)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		size_t f = flows[i], begin = run->flows->start[f], end = run->flows->start[f + 1];

		if (run->model_class[run->flows->label[f]] < 0 ||
		    (int)run->flows->label[f] == run->o->untrained_class)
			continue;
		if (run->o->flow_packets != 0 && end - begin > run->o->flow_packets)
			end = begin + run->o->flow_packets;
		for (size_t s = begin; s < end; s++)
			samples[count++] = run->flows->samples[s];
	}
	return count;
}

/* Training flows of fold `fold` and, held back from them, validation flows
 * (one of round(1 / fraction) inner folds split the same way). */
static enum pronet_err split_fold(struct eval_run *run, uint32_t fold, size_t *num_train,
                                  size_t *num_validation, char *errbuf)
{
	const struct pronet_eval_options *o = run->o;
	size_t n = 0;
	enum pronet_err err;
	uint32_t inner;

	for (size_t f = 0; f < run->flows->num_flows; f++)
		if (run->fold[f] != fold)
			run->members[n++] = f;
	*num_train = n;
	*num_validation = 0;
	if (!(o->validation_fraction > 0.0f)) {
		memcpy(run->train_flows, run->members, n * sizeof(*run->members));
		return PRONET_OK;
	}
	inner = (uint32_t)lroundf(1.0f / o->validation_fraction);
	inner = inner < 2 ? 2 : inner > 256 ? 256 : inner;
	err = pronet_eval_assign_folds(
	    run->flows, run->members, n, o->group_of_capture, o->num_groups, o->by, inner,
	    o->seed * 1000003u + run->repeat * 101u + fold + 7u, run->inner_fold, errbuf);
	if (err != PRONET_OK)
		return err;
	*num_train = 0;
	for (size_t i = 0; i < n; i++) {
		if (run->inner_fold[i] == 0)
			run->validation_flows[(*num_validation)++] = run->members[i];
		else
			run->train_flows[(*num_train)++] = run->members[i];
	}
	return PRONET_OK;
}

static enum pronet_err count_verdicts(struct eval_run *run, const struct pronet_model *model,
                                      uint32_t fold, char *errbuf)
{
	const struct pronet_eval_verdict_scope scope = {
	    .data = run->data,
	    .flows = run->flows,
	    .model_class = run->model_class,
	    .fold = run->fold,
	    .test_fold = fold,
	    .combine = run->o->combine,
	    .flow_packets = run->o->flow_packets,
	    .random_floor = run->o->random_floor,
	};

	return pronet_eval_count_verdicts(model, &scope, run->repeat, run->result, errbuf);
}

static enum pronet_err run_fold(struct eval_run *run, uint32_t fold, char *errbuf)
{
	const struct pronet_eval_options *o = run->o;
	struct pronet_train_options train = o->train;
	struct pronet_model *model = NULL;
	size_t num_train, num_validation;
	uint64_t seed = o->seed + 7919u * run->repeat + 104729u * fold;
	enum pronet_err err = split_fold(run, fold, &num_train, &num_validation, errbuf);

	if (err != PRONET_OK)
		return err;
	run->num_train_samples = collect_samples(run, run->train_flows, num_train, run->samples);
	run->num_validation_samples =
	    collect_samples(run, run->validation_flows, num_validation, run->validation_samples);
	if (run->num_train_samples == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "fold %u of run %u has no training samples", fold + 1,
		                    run->repeat + 1);
	train.seed = seed;
	train.train_indices = run->samples;
	train.num_train = run->num_train_samples;
	train.validation_indices = run->num_validation_samples ? run->validation_samples : NULL;
	train.num_validation = run->num_validation_samples;
	run->current_fold = fold;
	run->record_curve = run->repeat == 0 && fold == 0;
	memset(&run->last, 0, sizeof(run->last));
	err = pronet_model_new(o->arch, o->arch_config, pronet_arch_config_size(o->arch),
	                       run->class_names, run->result->num_classes, seed, &model, errbuf);
	if (err == PRONET_OK)
		err = pronet_train(model, run->data, &train, forward_progress, run, errbuf);
	if (!o->untrained_calibrated && o->untrained_class >= 0) {
		size_t kept = 0;

		for (size_t i = 0; i < num_validation; i++)
			if ((int)run->flows->label[run->validation_flows[i]] != o->untrained_class)
				run->validation_flows[kept++] = run->validation_flows[i];
		num_validation = kept;
	}
	if (err == PRONET_OK && run->num_validation_samples > 0) {
		err = pronet_eval_calibrate(model, run->data, run->flows, run->validation_flows,
		                            num_validation, o->combine, o->flow_packets,
		                            o->threshold_precision, o->min_threshold, errbuf);
		run->result->temperature_sum += pronet_model_temperature(model);
		run->result->calibrated++;
	}
	if (err == PRONET_OK) {
		run->result->train_seconds += run->last.seconds;
		run->result->samples_seen += run->last.samples_seen;
		run->result->steps += run->last.step;
		run->result->trainings++;
		err = count_verdicts(run, model, fold, errbuf);
	}
	pronet_model_free(model);
	return err;
}

static enum pronet_err check_options(const struct pronet_dataset *data,
                                     const struct pronet_eval_options *o, char *errbuf)
{
	if (o->folds < 2 || o->folds > 256)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%u folds is outside 2..256", o->folds);
	if (o->repeats < 1 || o->repeats > 100)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%u repeats is outside 1..100",
		                    o->repeats);
	if (!(o->validation_fraction >= 0.0f && o->validation_fraction <= 0.5f))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "validation fraction %g is outside [0, 0.5]",
		                    (double)o->validation_fraction);
	if (o->untrained_class >= (int)data->num_classes)
		return pronet_error(errbuf, PRONET_ERR_ARG, "untrained class %d of %zu",
		                    o->untrained_class, data->num_classes);
	if (o->hold_out_class >= (int)data->num_classes)
		return pronet_error(errbuf, PRONET_ERR_ARG, "held-out class %d of %zu",
		                    o->hold_out_class, data->num_classes);
	if (o->group_of_capture == NULL)
		return PRONET_OK;
	for (size_t c = 0; c < data->num_captures; c++)
		if (o->group_of_capture[c] >= o->num_groups)
			return pronet_error(
			    errbuf, PRONET_ERR_ARG, "capture %s has group %u of %zu",
			    data->capture_names[c], o->group_of_capture[c], o->num_groups);
	return PRONET_OK;
}

/* The models' classes: dataset labels with samples, in dataset order,
 * without the held-out one. */
static enum pronet_err choose_classes(struct eval_run *run, char *errbuf)
{
	struct pronet_eval_result *r = run->result;
	const struct pronet_dataset *data = run->data;
	char *used = calloc(data->num_classes + 1, 1);

	if (used == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory");
	for (size_t i = 0; i < data->num_samples; i++)
		if (data->samples[i].label < data->num_classes)
			used[data->samples[i].label] = 1;
	for (size_t l = 0; l < 65536; l++)
		run->model_class[l] = PRONET_EVAL_NOT_COUNTED;
	r->num_classes = 0;
	for (size_t l = 0; l < data->num_classes; l++) {
		if ((int)l == run->o->hold_out_class)
			run->model_class[l] = PRONET_EVAL_UNKNOWN_TO_MODEL;
		if (!used[l] || (int)l == run->o->hold_out_class)
			continue;
		if (r->num_classes == PRONET_MAX_CLASSES) {
			free(used);
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "more than %d classes in use",
			                    PRONET_MAX_CLASSES);
		}
		run->model_class[l] = (int)r->num_classes;
		r->label_of[r->num_classes] = (uint16_t)l;
		r->class_names[r->num_classes] = data->class_names[l];
		run->class_names[r->num_classes++] = data->class_names[l];
	}
	free(used);
	if (r->num_classes == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG, "no class left to train on");
	return PRONET_OK;
}

static enum pronet_err allocate_run(struct eval_run *run, char *errbuf)
{
	struct pronet_eval_result *r = run->result;
	size_t flows = run->flows->num_flows + 1, samples = run->data->num_samples + 1;

	r->label_of = calloc(PRONET_MAX_CLASSES, sizeof(*r->label_of));
	r->class_names = calloc(PRONET_MAX_CLASSES, sizeof(*r->class_names));
	r->held_out_named = calloc(PRONET_MAX_CLASSES, sizeof(*r->held_out_named));
	run->all = malloc(flows * sizeof(size_t));
	run->members = malloc(flows * sizeof(size_t));
	run->train_flows = malloc(flows * sizeof(size_t));
	run->validation_flows = malloc(flows * sizeof(size_t));
	run->samples = malloc(samples * sizeof(size_t));
	run->validation_samples = malloc(samples * sizeof(size_t));
	run->fold = malloc(flows * sizeof(uint32_t));
	run->inner_fold = malloc(flows * sizeof(uint32_t));
	if (!r->label_of || !r->class_names || !r->held_out_named || !run->all || !run->members ||
	    !run->train_flows || !run->validation_flows || !run->samples ||
	    !run->validation_samples || !run->fold || !run->inner_fold)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the evaluation");
	return PRONET_OK;
}

static void free_run(struct eval_run *run)
{
	pronet_flows_free(run->flows);
	free(run->all);
	free(run->members);
	free(run->train_flows);
	free(run->validation_flows);
	free(run->samples);
	free(run->validation_samples);
	free(run->fold);
	free(run->inner_fold);
	free(run);
}

static enum pronet_err run_all(struct eval_run *run, char *errbuf)
{
	const struct pronet_eval_options *o = run->o;
	struct pronet_eval_result *r = run->result;
	size_t cells = r->num_classes * (r->num_classes + 1);
	enum pronet_err err = PRONET_OK;

	r->confusion = calloc((size_t)o->repeats * cells, sizeof(uint64_t));
	r->confusion_thresholded = calloc((size_t)o->repeats * cells, sizeof(uint64_t));
	if (r->confusion == NULL || r->confusion_thresholded == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "no memory for the confusion matrices");
	for (size_t f = 0; f < run->flows->num_flows; f++)
		run->all[f] = f;
	for (uint32_t repeat = 0; err == PRONET_OK && repeat < o->repeats; repeat++) {
		run->repeat = repeat;
		err = pronet_eval_assign_folds(run->flows, run->all, run->flows->num_flows,
		                               o->group_of_capture, o->num_groups, o->by, o->folds,
		                               o->seed + 31u * repeat, run->fold, errbuf);
		for (uint32_t fold = 0; err == PRONET_OK && fold < o->folds; fold++)
			err = run_fold(run, fold, errbuf);
	}
	return err;
}

enum pronet_err pronet_eval_run(const struct pronet_dataset *data,
                                const struct pronet_eval_options *options,
                                pronet_eval_progress_fn progress, void *user,
                                struct pronet_eval_result **out, char *errbuf)
{
	struct eval_run *run;
	enum pronet_err err;

	if (data == NULL || options == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_eval_run: NULL argument");
	*out = NULL;
	err = check_options(data, options, errbuf);
	if (err != PRONET_OK)
		return err;
	run = calloc(1, sizeof(*run));
	if (run == NULL || (run->result = calloc(1, sizeof(*run->result))) == NULL) {
		free(run);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the evaluation");
	}
	run->data = data;
	run->o = options;
	run->progress = progress;
	run->user = user;
	run->result->repeats = options->repeats;
	run->result->folds = options->folds;
	err = pronet_flows_index(data, &run->flows, errbuf);
	if (err == PRONET_OK)
		err = allocate_run(run, errbuf);
	if (err == PRONET_OK)
		err = choose_classes(run, errbuf);
	if (err == PRONET_OK)
		err = run_all(run, errbuf);
	if (err == PRONET_OK)
		*out = run->result;
	else
		pronet_eval_result_free(run->result);
	free_run(run);
	return err;
}
