/* A given model's verdicts on a dataset (core/eval/eval_model.h). */
#include "core/eval/eval_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eval/verdicts.h"

/* The dataset's records must hold what the model reads
 * (pronet_model_input_spec): the same layer and at least its window, or
 * the model would be scored on inputs it never sees in the plugin. */
static enum pronet_err check_spec(const struct pronet_model *model,
                                  const struct pronet_dataset *data, char *errbuf)
{
	struct pronet_input_spec wanted;

	pronet_model_input_spec(model, &wanted);
	if (data->spec.layer != wanted.layer)
		return pronet_error(
		    errbuf, PRONET_ERR_ARG,
		    "the dataset's records start at the %s; the model reads from the "
		    "%s: label with --layer %s",
		    data->spec.layer == PRONET_LAYER_L3 ? "IP header" : "payload",
		    wanted.layer == PRONET_LAYER_L3 ? "IP header" : "payload",
		    wanted.layer == PRONET_LAYER_L3 ? "l3" : "payload");
	if (data->spec.window_bytes < wanted.window_bytes)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "the dataset keeps %u bytes of each packet; the model reads %u",
		                    data->spec.window_bytes, wanted.window_bytes);
	return PRONET_OK;
}

/* "a, b, c" of up to `size` characters, cut with "..." when longer. */
static void list_names(char *text, size_t size, const char *const *names, size_t n)
{
	size_t used = 0;

	text[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		int wrote = snprintf(text + used, size - used, "%s%s", i ? ", " : "", names[i]);

		if (wrote < 0 || (size_t)wrote >= size - used) {
			snprintf(text + (size > 4 ? size - 4 : 0), size > 4 ? 4 : size, "...");
			return;
		}
		used += (size_t)wrote;
	}
}

static enum pronet_err no_shared_class(const struct pronet_model *model,
                                       const struct pronet_dataset *data, char *errbuf)
{
	const char *names[PRONET_MAX_CLASSES];
	char model_list[160], data_list[160];
	size_t n = pronet_model_num_classes(model);

	for (size_t k = 0; k < n; k++)
		names[k] = pronet_model_class_name(model, k);
	list_names(model_list, sizeof(model_list), names, n);
	list_names(data_list, sizeof(data_list), (const char *const *)data->class_names,
	           data->num_classes);
	return pronet_error(errbuf, PRONET_ERR_ARG,
	                    "no class of the dataset is a class of the model (model: %s; "
	                    "dataset: %s)",
	                    model_list, data_list);
}

static enum pronet_err allocate(struct pronet_eval_result *r, size_t labels, char *errbuf)
{
	size_t cells = r->num_classes * (r->num_classes + 1);

	r->label_of = calloc(r->num_classes, sizeof(*r->label_of));
	r->class_names = calloc(r->num_classes, sizeof(*r->class_names));
	r->held_out_named = calloc(r->num_classes, sizeof(*r->held_out_named));
	r->confusion = calloc(cells, sizeof(*r->confusion));
	r->confusion_thresholded = calloc(cells, sizeof(*r->confusion_thresholded));
	r->unknown_flows = calloc(labels + 1, sizeof(*r->unknown_flows));
	r->unknown_abstained = calloc(labels + 1, sizeof(*r->unknown_abstained));
	if (!r->label_of || !r->class_names || !r->held_out_named || !r->confusion ||
	    !r->confusion_thresholded || !r->unknown_flows || !r->unknown_abstained)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the evaluation");
	return PRONET_OK;
}

/* model_class[label] by name; 0 if no label with flows is a model class. */
static int map_classes(const struct pronet_model *model, const struct pronet_flows *flows,
                       const struct pronet_dataset *data, struct pronet_eval_result *r,
                       int *model_class)
{
	int shared = 0;

	for (size_t l = 0; l < 65536; l++)
		model_class[l] = PRONET_EVAL_NOT_COUNTED;
	for (size_t l = 0; l < data->num_classes; l++) {
		int k = pronet_model_find_class(model, data->class_names[l]);

		model_class[l] = k >= 0 ? k : PRONET_EVAL_UNKNOWN_TO_MODEL;
		if (k >= 0)
			r->label_of[k] = (uint16_t)l;
	}
	for (size_t f = 0; f < flows->num_flows; f++)
		shared |= model_class[flows->label[f]] >= 0;
	return shared;
}

static enum pronet_err score(const struct pronet_model *model, const struct pronet_dataset *data,
                             const struct pronet_eval_options *o, struct pronet_flows *flows,
                             struct pronet_eval_result *r, char *errbuf)
{
	int *model_class = malloc(65536 * sizeof(int));
	struct pronet_eval_verdict_scope scope = {
	    .data = data,
	    .flows = flows,
	    .model_class = model_class,
	    .combine = o->combine,
	    .flow_packets = o->flow_packets,
	    .random_floor = o->random_floor,
	};
	enum pronet_err err = PRONET_OK;

	if (model_class == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the evaluation");
	if (!map_classes(model, flows, data, r, model_class))
		err = no_shared_class(model, data, errbuf);
	else
		err = pronet_eval_count_verdicts(model, &scope, 0, r, errbuf);
	free(model_class);
	return err;
}

enum pronet_err pronet_eval_model(const struct pronet_model *model,
                                  const struct pronet_dataset *data,
                                  const struct pronet_eval_options *options,
                                  struct pronet_eval_result **out, char *errbuf)
{
	struct pronet_eval_result *r;
	struct pronet_flows *flows = NULL;
	enum pronet_err err;

	if (model == NULL || data == NULL || options == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_eval_model: NULL argument");
	*out = NULL;
	err = check_spec(model, data, errbuf);
	if (err != PRONET_OK)
		return err;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the evaluation");
	r->num_classes = pronet_model_num_classes(model);
	r->repeats = 1;
	r->folds = 0; /* no cross-validation */
	err = allocate(r, data->num_classes, errbuf);
	for (size_t k = 0; err == PRONET_OK && k < r->num_classes; k++)
		r->class_names[k] = pronet_model_class_name(model, k);
	if (err == PRONET_OK)
		err = pronet_flows_index(data, &flows, errbuf);
	if (err == PRONET_OK)
		err = score(model, data, options, flows, r, errbuf);
	/* The model file's calibration is the one in use. */
	r->temperature_sum = pronet_model_temperature(model);
	r->calibrated = 1;
	pronet_flows_free(flows);
	if (err != PRONET_OK) {
		pronet_eval_result_free(r);
		return err;
	}
	*out = r;
	return PRONET_OK;
}
