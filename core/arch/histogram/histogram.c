/* What the three histogram families share: defaults, HYPR's common fields,
 * the input spec, the workspace and the flow verdict (histogram.h). */
#include "core/arch/histogram/histogram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/flows.h"
#include "core/model/model_internal.h"
#include "core/model/model_io.h"
#include "core/util/rng.h"

/* Defaults, decided in docs/histogram-models.md (the paper gives no bins). */
void pronet_histogram_config_default(void *out)
{
	struct pronet_histogram_config *config = out;

	memset(config, 0, sizeof(*config));
	config->spaces = PRONET_HISTOGRAM_SPACE_A | PRONET_HISTOGRAM_SPACE_B;
	config->window = 1024;
	config->surge_gap_us = 10000;
	config->size = (struct pronet_histogram_axis){40.0f, 1500.0f, 7};
	config->iat = (struct pronet_histogram_axis){1.0f, 1e7f, 15};
	config->burst = (struct pronet_histogram_axis){64.0f, 1048576.0f, 15};
	config->surge = (struct pronet_histogram_axis){10.0f, 1e8f, 8};
	config->var_smoothing = 1e-9f;
	config->inverse_l2 = 1.0f;
	config->max_iterations = 100;
	config->trees = 100;
	config->max_features = 0;
	config->max_depth = 0;
	config->min_samples_leaf = 1;
}

void pronet_histogram_config_get(const struct pronet_model *model, void *config)
{
	memcpy(config, &pronet_histogram_state(model)->config,
	       sizeof(struct pronet_histogram_config));
}

enum pronet_err pronet_histogram_create_common(struct pronet_model *model, const void *config,
                                               const char *name, char *errbuf)
{
	struct pronet_histogram_state *state = pronet_histogram_state(model);
	enum pronet_err err = pronet_histogram_layout_init(config, name, &state->layout, errbuf);

	if (err == PRONET_OK)
		memcpy(&state->config, config, sizeof(state->config));
	return err;
}

static void put_axis(struct pronet_io_writer *w, const struct pronet_histogram_axis *axis)
{
	pronet_io_put_f32(w, axis->low);
	pronet_io_put_f32(w, axis->high);
	pronet_io_put_u32(w, axis->bins);
}

static enum pronet_err get_axis(struct pronet_io_reader *r, const char *what,
                                struct pronet_histogram_axis *axis)
{
	enum pronet_err err = pronet_io_get_f32(r, what, &axis->low);

	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, what, &axis->high);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, what, &axis->bins);
	return err;
}

void pronet_histogram_write_common(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct pronet_histogram_config *c = &pronet_histogram_state(model)->config;

	pronet_io_put_u32(w, c->spaces);
	pronet_io_put_u32(w, c->window);
	pronet_io_put_u32(w, c->surge_gap_us);
	put_axis(w, &c->size);
	put_axis(w, &c->iat);
	put_axis(w, &c->burst);
	put_axis(w, &c->surge);
}

enum pronet_err pronet_histogram_read_common(struct pronet_io_reader *r,
                                             struct pronet_histogram_config *c)
{
	enum pronet_err err = pronet_io_get_u32(r, "feature spaces", &c->spaces);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "window", &c->window);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "surge gap", &c->surge_gap_us);
	if (err == PRONET_OK)
		err = get_axis(r, "packet size axis", &c->size);
	if (err == PRONET_OK)
		err = get_axis(r, "inter-arrival axis", &c->iat);
	if (err == PRONET_OK)
		err = get_axis(r, "burst axis", &c->burst);
	if (err == PRONET_OK)
		err = get_axis(r, "surge axis", &c->surge);
	return err;
}

void pronet_histogram_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec)
{
	(void)model;
	memset(spec, 0, sizeof(*spec));
	spec->window_bytes = 0;
	spec->layer = PRONET_LAYER_PAYLOAD;
	spec->flags = PRONET_SPEC_ALL_PACKETS;
	spec->packets_per_direction = 0;
}

size_t pronet_histogram_workspace_size(const struct pronet_model *model)
{
	return (pronet_histogram_state(model)->layout.num_features + 2 * model->num_classes) *
	       sizeof(float);
}

/* The flow verdict of the paper's online use: a window verdict every W
 * packets; the flow's is the mean of its windows' logits (the geometric mean
 * of their probabilities, as ProNet combines packets). */
void pronet_histogram_flow_logits(const struct pronet_model *model,
                                  const struct pronet_packet_record *records, size_t n,
                                  void *workspace, float *logits,
                                  pronet_histogram_window_fn *window_fn)
{
	const struct pronet_histogram_layout *layout = &pronet_histogram_state(model)->layout;
	size_t classes = model->num_classes, windows = pronet_histogram_num_windows(layout, n);
	float *features = workspace, *window_logits = features + layout->num_features;

	for (size_t c = 0; c < classes; c++)
		logits[c] = 0.0f;
	if (windows == 0) { /* no packet: no evidence */
		pronet_histogram_window_features(layout, records, 0, 0, features);
		window_fn(model, features, logits);
		return;
	}
	for (size_t w = 0; w < windows; w++) {
		size_t begin, end;

		pronet_histogram_window_range(layout, n, w, &begin, &end);
		pronet_histogram_window_features(layout, records, begin, end, features);
		window_fn(model, features, window_logits);
		for (size_t c = 0; c < classes; c++)
			logits[c] += window_logits[c];
	}
	for (size_t c = 0; c < classes; c++)
		logits[c] /= (float)windows;
}

static void emit_axis(pronet_describe_emit *emit, void *user, const char *key,
                      const struct pronet_histogram_axis *axis, const char *unit)
{
	char text[96];

	snprintf(text, sizeof(text), "%u log bins, %g .. %g %s", axis->bins, (double)axis->low,
	         (double)axis->high, unit);
	emit(user, key, text);
}

void pronet_histogram_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                               void *user)
{
	const struct pronet_histogram_state *state = pronet_histogram_state(model);
	const struct pronet_histogram_config *c = &state->config;
	static const char *const spaces[] = {"", "A (size x inter-arrival)",
	                                     "B (burst x surge period)", "A+B"};
	char text[96];

	emit(user, "feature spaces", spaces[c->spaces & 3]);
	snprintf(text, sizeof(text), "%zu", state->layout.num_features);
	emit(user, "features", text);
	snprintf(text, sizeof(text), "%u packets", c->window);
	emit(user, "window", text);
	emit_axis(emit, user, "size bins", &c->size, "bytes, per direction");
	emit_axis(emit, user, "inter-arrival bins", &c->iat, "us");
	emit_axis(emit, user, "burst bins", &c->burst, "bytes");
	emit_axis(emit, user, "surge bins", &c->surge, "us");
	snprintf(text, sizeof(text), "%u us", c->surge_gap_us);
	emit(user, "surge gap", text);
}

enum pronet_err pronet_histogram_add_tensor(struct pronet_model *model, const char *name,
                                            size_t rows, size_t cols, char *errbuf)
{
	struct pronet_tensor *tensor;

	if (model->num_tensors >= PRONET_MAX_TENSORS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "too many tensors");
	tensor = &model->tensors[model->num_tensors++];
	memset(tensor, 0, sizeof(*tensor));
	snprintf(tensor->name, sizeof(tensor->name), "%s", name);
	tensor->num_dims = cols ? 2 : 1;
	tensor->dims[0] = (uint32_t)rows;
	tensor->dims[1] = (uint32_t)cols;
	tensor->count = rows * (cols ? cols : 1);
	tensor->offset = model->num_weights;
	model->num_weights += tensor->count;
	return PRONET_OK;
}
