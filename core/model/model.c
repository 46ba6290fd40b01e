/* The generic model object: creation, accessors and prediction. What is
 * specific to an architecture lives behind its struct pronet_arch_ops. */
#include "core/model/model.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model_internal.h"
#include "core/nn/softmax_fast.h"
#include "core/nn/softmax_xent.h"

static enum pronet_err check_class_names(const char *const *class_names, size_t num_classes,
                                         const char *name, char *errbuf)
{
	if (num_classes < 1 || num_classes > PRONET_MAX_CLASSES)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: %zu classes is outside 1..%d",
		                    name, num_classes, PRONET_MAX_CLASSES);
	for (size_t i = 0; i < num_classes; i++) {
		size_t length = class_names[i] != NULL ? strlen(class_names[i]) : 0;

		if (length == 0 || length >= PRONET_CLASS_NAME_MAX)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "%s: class %zu: name must be 1..%d bytes", name, i,
			                    PRONET_CLASS_NAME_MAX - 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(class_names[i], class_names[j]) == 0)
				return pronet_error(errbuf, PRONET_ERR_ARG,
				                    "%s: class name '%s' appears twice", name,
				                    class_names[i]);
	}
	return PRONET_OK;
}

enum pronet_err pronet_model_create(const struct pronet_arch_ops *ops, const void *config,
                                    const char *const *class_names, size_t num_classes,
                                    size_t max_weights, const char *name, struct pronet_model **out,
                                    char *errbuf)
{
	struct pronet_model *model;
	enum pronet_err err;
	int supported;

	*out = NULL;
	err = check_class_names(class_names, num_classes, name, errbuf);
	if (err != PRONET_OK)
		return err;
	model = calloc(1, PRONET_MODEL_STATE_OFFSET + ops->state_size);
	if (model == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: no memory for the model", name);
	model->ops = ops;
	model->num_classes = num_classes;
	for (size_t i = 0; i < num_classes; i++)
		memcpy(model->class_names[i], class_names[i], strlen(class_names[i]) + 1);
	model->temperature = 1.0f;
	model->isa = pronet_vector_isa_resolve(PRONET_ISA_WIDEST, &supported);
	err = ops->create(model, config, name, errbuf);
	if (err == PRONET_OK && model->num_weights > max_weights)
		err = pronet_error(
		    errbuf, PRONET_ERR_TRUNCATED,
		    "%s: truncated: the model needs %zu weights, the file has room for "
		    "at most %zu",
		    name, model->num_weights, max_weights);
	if (err != PRONET_OK) {
		free(model);
		return err;
	}
	model->weights = calloc(model->num_weights, sizeof(float));
	if (model->weights == NULL) {
		size_t count = model->num_weights;

		free(model);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: no memory for %zu weights", name,
		                    count);
	}
	ops->bind(model);
	*out = model;
	return PRONET_OK;
}

enum pronet_err pronet_model_new(const struct pronet_arch_ops *arch, const void *arch_config,
                                 size_t config_size, const char *const *class_names,
                                 size_t num_classes, uint64_t seed, struct pronet_model **out,
                                 char *errbuf)
{
	_Alignas(max_align_t) unsigned char defaults[PRONET_ARCH_CONFIG_MAX];
	struct pronet_rng rng;
	enum pronet_err err;

	if (out == NULL || arch == NULL || (class_names == NULL && num_classes > 0))
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_new: NULL argument");
	if (arch_config == NULL) {
		pronet_arch_config_default(arch, defaults);
		arch_config = defaults;
	} else if (config_size != arch->config_size) {
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_model_new: a %s config is %zu bytes, not %zu",
		                    arch->name, arch->config_size, config_size);
	}
	err = pronet_model_create(arch, arch_config, class_names, num_classes, SIZE_MAX,
	                          "new model", out, errbuf);
	if (err != PRONET_OK)
		return err;
	pronet_rng_seed(&rng, seed);
	(*out)->ops->init(*out, &rng);
	pronet_model_weights_changed(*out);
	return PRONET_OK;
}

void pronet_model_free(struct pronet_model *model)
{
	if (model == NULL)
		return;
	if (model->ops->release != NULL)
		model->ops->release(model);
	free(model->weights);
	free(model);
}

void pronet_model_set_quantised(struct pronet_model *model, int on)
{
	if (model != NULL && model->ops->set_quantised != NULL)
		model->ops->set_quantised(model, on);
}

void pronet_model_weights_changed(struct pronet_model *model)
{
	if (model->ops->prepare != NULL)
		model->ops->prepare(model);
}

const struct pronet_arch_ops *pronet_model_arch(const struct pronet_model *model)
{
	return model->ops;
}

enum pronet_err pronet_model_config(const struct pronet_model *model, void *config, size_t size)
{
	if (size != model->ops->config_size)
		return PRONET_ERR_ARG;
	memset(config, 0, size);
	model->ops->config_get(model, config);
	return PRONET_OK;
}

void pronet_model_describe(const struct pronet_model *model,
                           void (*emit)(void *user, const char *key, const char *value), void *user)
{
	if (model->ops->describe != NULL)
		model->ops->describe(model, emit, user);
}

size_t pronet_model_num_classes(const struct pronet_model *model)
{
	return model->num_classes;
}

const char *pronet_model_class_name(const struct pronet_model *model, size_t class_index)
{
	return class_index < model->num_classes ? model->class_names[class_index] : NULL;
}

int pronet_model_find_class(const struct pronet_model *model, const char *name)
{
	for (size_t i = 0; i < model->num_classes; i++)
		if (strcmp(model->class_names[i], name) == 0)
			return (int)i;
	return -1;
}

size_t pronet_model_num_weights(const struct pronet_model *model)
{
	return model->num_weights;
}

float pronet_model_temperature(const struct pronet_model *model)
{
	return model->temperature;
}

float pronet_model_threshold(const struct pronet_model *model, size_t class_index)
{
	return class_index < model->num_classes ? model->thresholds[class_index] : 0.0f;
}

float pronet_model_decision_threshold(const struct pronet_model *model, size_t class_index,
                                      float unset)
{
	float calibrated = pronet_model_threshold(model, class_index);

	return calibrated > 0.0f ? calibrated : unset;
}

enum pronet_err pronet_model_set_calibration(struct pronet_model *model, float temperature,
                                             const float *thresholds, char *errbuf)
{
	if (!(isfinite(temperature) && temperature > 0.0f))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "temperature %g is not a positive number", (double)temperature);
	for (size_t i = 0; thresholds != NULL && i < model->num_classes; i++)
		if (!(thresholds[i] >= 0.0f && thresholds[i] <= 1.0f))
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "threshold of class '%s' (%g) is outside [0, 1]",
			                    model->class_names[i], (double)thresholds[i]);
	model->temperature = temperature;
	if (thresholds != NULL)
		memcpy(model->thresholds, thresholds, model->num_classes * sizeof(float));
	return PRONET_OK;
}

void pronet_model_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec)
{
	pronet_input_spec_default(spec);
	if (model->ops->input_spec != NULL)
		model->ops->input_spec(model, spec);
}

int pronet_model_is_per_flow(const struct pronet_model *model)
{
	return model->ops->logits == NULL;
}

size_t pronet_model_workspace_size(const struct pronet_model *model)
{
	return model->ops->workspace_size != NULL ? model->ops->workspace_size(model) : 0;
}

enum pronet_err pronet_workspace_new(const struct pronet_model *model,
                                     struct pronet_workspace **out, char *errbuf)
{
	size_t size = pronet_model_workspace_size(model);
	struct pronet_workspace *workspace;

	*out = NULL;
	if (size == 0)
		return PRONET_OK;
	workspace = malloc(sizeof(*workspace));
	/* Rounded up: aligned_alloc wants a multiple of the alignment. */
	if (workspace == NULL || size > SIZE_MAX - 63 ||
	    (workspace->memory = aligned_alloc(64, (size + 63) / 64 * 64)) == NULL) {
		free(workspace);
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "no memory for a %zu-byte prediction workspace (%s)", size,
		                    model->ops->name);
	}
	memset(workspace->memory, 0, size);
	workspace->size = size;
	*out = workspace;
	return PRONET_OK;
}

void pronet_workspace_free(struct pronet_workspace *workspace)
{
	if (workspace == NULL)
		return;
	free(workspace->memory);
	free(workspace);
}

enum pronet_err pronet_workspace_check(const struct pronet_model *model,
                                       const struct pronet_workspace *workspace, void **memory)
{
	size_t size = pronet_model_workspace_size(model);

	*memory = NULL;
	if (size == 0)
		return PRONET_OK;
	if (workspace == NULL || workspace->size < size)
		return PRONET_ERR_ARG;
	*memory = workspace->memory;
	return PRONET_OK;
}

/* Softmax over the architecture's logits, scaled by the calibration
 * temperature (Guo et al. 2017); no allocation. The vector softmax
 * (core/nn/softmax_fast.h): 16 libm expf calls cost about as much as the
 * fast path's dense layer. */
enum pronet_err pronet_model_predict(const struct pronet_model *model,
                                     struct pronet_workspace *workspace,
                                     const struct pronet_packet_record *input, float *probabilities,
                                     size_t *best)
{
	float logits[PRONET_MAX_CLASSES];
	void *memory;

	if (model == NULL || input == NULL || probabilities == NULL || model->ops->logits == NULL ||
	    pronet_workspace_check(model, workspace, &memory) != PRONET_OK)
		return PRONET_ERR_ARG;
	model->ops->logits(model, input, memory, logits);
	if (best != NULL)
		*best = pronet_softmax_fast_best(logits, model->num_classes, model->temperature,
		                                 probabilities, model->isa);
	else
		pronet_softmax_fast(logits, model->num_classes, model->temperature, probabilities,
		                    model->isa);
	return PRONET_OK;
}

/* What pronet_model_predict does, two packets at a time and stage by stage
 * (logits, then softmax with its argmax): each stage is a chain of dependent steps, and
 * with two packets' chains side by side the core works on both at once
 * (measured: groups of 2 beat 4 and 8). The same results as one call per
 * packet. */
#define PREDICT_GROUP 2
/* The payload bytes of the packet this many ahead are asked for while the
 * current one is predicted: they are a second stream beside the records (in
 * a capture, wherever its buffer put them), and ProNet's first use of them
 * otherwise waits on memory (docs/performance.md has the measurement). A
 * prefetch never faults, so a record without bytes (NULL) is harmless. */
#define PREFETCH_AHEAD 4

/* A family with a batch hook: groups of its batch_rows at once, each
 * group's logits written where its probabilities go and turned into them
 * row by row. */
static void predict_batch_rows(const struct pronet_model *model, void *memory,
                               const struct pronet_packet_record *inputs, size_t count,
                               float *probabilities, size_t *best)
{
	size_t rows = model->ops->batch_rows, classes = model->num_classes;
	float logits[PRONET_MAX_CLASSES];

	for (size_t i = 0; i < count; i += rows) {
		size_t n = count - i < rows ? count - i : rows;
		float *p = probabilities + i * classes;

		model->ops->batch_logits(model, inputs + i, n, memory, p);
		for (size_t k = 0; k < n; k++) {
			memcpy(logits, p + k * classes, classes * sizeof(float));
			size_t top = pronet_softmax_fast_best(logits, classes, model->temperature,
			                                      p + k * classes, model->isa);

			if (best != NULL)
				best[i + k] = top;
		}
	}
}

enum pronet_err pronet_model_predict_batch(const struct pronet_model *model,
                                           struct pronet_workspace *workspace,
                                           const struct pronet_packet_record *inputs, size_t count,
                                           float *probabilities, size_t *best)
{
	float logits[PREDICT_GROUP][PRONET_MAX_CLASSES];
	void *memory;

	if (model == NULL || (count > 0 && (inputs == NULL || probabilities == NULL)) ||
	    model->ops->logits == NULL ||
	    pronet_workspace_check(model, workspace, &memory) != PRONET_OK)
		return PRONET_ERR_ARG;
	if (model->ops->batch_logits != NULL && model->ops->batch_rows > 0) {
		predict_batch_rows(model, memory, inputs, count, probabilities, best);
		return PRONET_OK;
	}
	for (size_t i = 0; i < count; i += PREDICT_GROUP) {
		size_t n = count - i < PREDICT_GROUP ? count - i : PREDICT_GROUP;
		float *p = probabilities + i * model->num_classes;

		for (size_t k = 0; k < n; k++) {
			if (i + k + PREFETCH_AHEAD < count)
				__builtin_prefetch(inputs[i + k + PREFETCH_AHEAD].bytes);
			model->ops->logits(model, &inputs[i + k], memory, logits[k]);
		}
		for (size_t k = 0; k < n; k++) {
			size_t top = pronet_softmax_fast_best(
			    logits[k], model->num_classes, model->temperature,
			    p + k * model->num_classes, model->isa);

			if (best != NULL)
				best[i + k] = top;
		}
	}
	return PRONET_OK;
}
