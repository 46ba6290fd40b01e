/* histogram-rf: Leroux et al.'s random forest (seed 004, Sec. IV; the
 * paper's best model on encrypted traffic) over the histogram features.
 * scikit-learn's defaults: 100 trees, Gini, sqrt(F) features per split,
 * bootstrap, unlimited depth. Its logits are log(mean tree probability +
 * 1e-6), so temperature and thresholds apply unchanged. The trees live in
 * the TREE block (forest_file.c), not in tensors. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "core/arch/histogram/forest.h"
#include "core/arch/histogram/forest_file.h"
#include "core/arch/histogram/histogram.h"
#include "core/model/model_internal.h"
#include "core/model/model_io.h"

#define LOG_FLOOR 1e-6f

static const struct pronet_arch_option rf_options[] = {
    PRONET_HISTOGRAM_COMMON_OPTIONS,
    {"trees", "T", "trees in the forest", PRONET_OPTION_U32,
     offsetof(struct pronet_histogram_config, trees), 1, PRONET_FOREST_MAX_TREES},
    {"max-features", "K", "features tried per split (0: square root of all)", PRONET_OPTION_U32,
     offsetof(struct pronet_histogram_config, max_features), 0, 100000},
    {"max-depth", "D", "tree depth limit (0: none)", PRONET_OPTION_U32,
     offsetof(struct pronet_histogram_config, max_depth), 0, 1000},
    {"min-leaf", "N", "fewest training windows in a leaf", PRONET_OPTION_U32,
     offsetof(struct pronet_histogram_config, min_samples_leaf), 1, 100000},
};

static enum pronet_err rf_create(struct pronet_model *model, const void *config, const char *name,
                                 char *errbuf)
{
	const struct pronet_histogram_config *c = config;

	if (c->trees < 1 || c->trees > PRONET_FOREST_MAX_TREES || c->min_samples_leaf < 1)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: %u trees, %u windows per leaf: outside 1..%u, >= 1", name,
		                    c->trees, c->min_samples_leaf, PRONET_FOREST_MAX_TREES);
	model->num_tensors = 0; /* the trees are the TREE block */
	model->num_weights = 0;
	model->num_trainable = 0;
	return pronet_histogram_create_common(model, config, name, errbuf);
}

static void rf_bind(struct pronet_model *model)
{
	(void)model;
}

static void rf_init(struct pronet_model *model, struct pronet_rng *rng)
{
	(void)model;
	(void)rng; /* an unfitted forest: no trees until fit */
}

static void rf_release(struct pronet_model *model)
{
	struct pronet_histogram_state *state = pronet_histogram_state(model);

	pronet_forest_free(state->forest);
	state->forest = NULL;
}

static void rf_window_logits(const struct pronet_model *model, const float *features, float *logits)
{
	const struct pronet_forest *forest = pronet_histogram_state(model)->forest;

	if (forest == NULL) { /* unfitted: uniform */
		for (size_t c = 0; c < model->num_classes; c++)
			logits[c] = 0.0f;
		return;
	}
	pronet_forest_predict(forest, features, logits);
	for (size_t c = 0; c < model->num_classes; c++)
		logits[c] = logf(logits[c] + LOG_FLOOR);
}

static void rf_flow_logits(const struct pronet_model *model,
                           const struct pronet_packet_record *records, size_t n, void *workspace,
                           float *logits)
{
	pronet_histogram_flow_logits(model, records, n, workspace, logits, rf_window_logits);
}

static enum pronet_err rf_fit(struct pronet_model *model, const struct pronet_dataset *data,
                              const uint32_t *labels, const struct pronet_train_options *options,
                              char *errbuf)
{
	struct pronet_histogram_state *state = pronet_histogram_state(model);
	const struct pronet_histogram_config *c = &state->config;
	struct pronet_forest_params params = {
	    c->trees,      c->max_features,
	    c->max_depth,  c->min_samples_leaf,
	    options->seed, options->threads ? options->threads : 1};
	struct pronet_histogram_windows set;
	struct pronet_forest *forest = NULL;
	enum pronet_err err =
	    pronet_histogram_windows_build(model, data, labels, options, &set, errbuf);

	if (err == PRONET_OK)
		err = pronet_forest_fit(set.features, set.labels, set.count,
		                        (uint32_t)set.num_features, (uint32_t)model->num_classes,
		                        &params, &forest, errbuf);
	pronet_histogram_windows_free(&set);
	if (err != PRONET_OK)
		return err;
	pronet_forest_free(state->forest);
	state->forest = forest;
	return PRONET_OK;
}

/* HYPR: the common fields, then u32 trees, max features, max depth, min leaf. */
static void rf_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct pronet_histogram_config *c = &pronet_histogram_state(model)->config;

	pronet_histogram_write_common(model, w);
	pronet_io_put_u32(w, c->trees);
	pronet_io_put_u32(w, c->max_features);
	pronet_io_put_u32(w, c->max_depth);
	pronet_io_put_u32(w, c->min_samples_leaf);
}

static enum pronet_err rf_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct pronet_histogram_config *c = config;
	enum pronet_err err = pronet_histogram_read_common(r, c);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "trees", &c->trees);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "max features", &c->max_features);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "max depth", &c->max_depth);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "min leaf", &c->min_samples_leaf);
	return err;
}

static void rf_write_block(const struct pronet_model *model, struct pronet_io_writer *w)
{
	pronet_forest_write(pronet_histogram_state(model)->forest, w);
}

static enum pronet_err rf_read_block(struct pronet_model *model, struct pronet_io_reader *r)
{
	struct pronet_histogram_state *state = pronet_histogram_state(model);

	pronet_forest_free(state->forest);
	state->forest = NULL;
	return pronet_forest_read(r, (uint32_t)model->num_classes,
	                          (uint32_t)state->layout.num_features, &state->forest);
}

static void rf_describe(const struct pronet_model *model, pronet_describe_emit *emit, void *user)
{
	const struct pronet_histogram_state *state = pronet_histogram_state(model);
	char text[96];

	pronet_histogram_describe(model, emit, user);
	if (state->forest == NULL) {
		emit(user, "forest", "not fitted");
		return;
	}
	snprintf(text, sizeof(text), "%u trees, %u nodes, %u leaves", state->forest->num_trees,
	         state->forest->num_nodes, state->forest->num_leaves);
	emit(user, "forest", text);
}

const struct pronet_arch_ops pronet_arch_histogram_rf = {
    .tag = 9,
    .name = "histogram-rf",
    .summary = "random forest over windowed size/time histograms (Leroux et al.)",
    .config_size = sizeof(struct pronet_histogram_config),
    .state_size = sizeof(struct pronet_histogram_state),
    .config_default = pronet_histogram_config_default,
    .options = rf_options,
    .num_options = sizeof(rf_options) / sizeof(rf_options[0]),
    .create = rf_create,
    .config_get = pronet_histogram_config_get,
    .bind = rf_bind,
    .init = rf_init,
    .input_spec = pronet_histogram_input_spec,
    .workspace_size = pronet_histogram_workspace_size,
    .flow_logits = rf_flow_logits,
    .release = rf_release,
    .fit = rf_fit,
    .write_hyper = rf_write_hyper,
    .read_hyper = rf_read_hyper,
    .block_tag = "TREE",
    .write_block = rf_write_block,
    .read_block = rf_read_block,
    .describe = rf_describe,
};
