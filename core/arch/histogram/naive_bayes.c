/* histogram-nb: Gaussian naive Bayes over the histogram features (Leroux et
 * al., seed 004, Sec. IV; scikit-learn's GaussianNB: per-class means and
 * variances, each variance raised by var_smoothing times the largest
 * feature variance, class priors from the training windows). Its logits are
 * the joint log-likelihoods log P(c) + sum_f log N(x_f; mean, variance). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/histogram/histogram.h"
#include "core/model/model_internal.h"
#include "core/model/model_io.h"

/* A class without training windows: a prior this small, kept finite. */
#define LOG_PRIOR_ABSENT -1e30f
/* The variance floor when every feature is constant (scikit-learn would
 * divide by zero). */
#define VARIANCE_FLOOR 1e-12

static const struct pronet_arch_option nb_options[] = {
    PRONET_HISTOGRAM_COMMON_OPTIONS,
    {"var-smoothing", "E", "variance floor, a share of the largest variance", PRONET_OPTION_F32,
     offsetof(struct pronet_histogram_config, var_smoothing), 0, 1},
};

/* The tensors: nb.mean [C, F], nb.variance [C, F], nb.log_prior [C]. */
static enum pronet_err nb_create(struct pronet_model *model, const void *config, const char *name,
                                 char *errbuf)
{
	const struct pronet_histogram_config *c = config;
	enum pronet_err err;
	size_t f;

	if (!(c->var_smoothing >= 0.0f && c->var_smoothing <= 1.0f))
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: var smoothing %g is outside [0, 1]", name,
		                    (double)c->var_smoothing);
	err = pronet_histogram_create_common(model, config, name, errbuf);
	if (err != PRONET_OK)
		return err;
	f = pronet_histogram_state(model)->layout.num_features;
	model->num_tensors = 0;
	model->num_weights = 0;
	err = pronet_histogram_add_tensor(model, "nb.mean", model->num_classes, f, errbuf);
	if (err == PRONET_OK)
		err = pronet_histogram_add_tensor(model, "nb.variance", model->num_classes, f,
		                                  errbuf);
	if (err == PRONET_OK)
		err = pronet_histogram_add_tensor(model, "nb.log_prior", model->num_classes, 0,
		                                  errbuf);
	model->num_trainable = 0; /* fitted, not trained by gradient */
	return err;
}

static void nb_bind(struct pronet_model *model)
{
	(void)model; /* the tensors are read by offset */
}

/* Unfitted: every class alike (mean 0, variance 1, equal priors). */
static void nb_init(struct pronet_model *model, struct pronet_rng *rng)
{
	size_t cf = model->num_classes * pronet_histogram_state(model)->layout.num_features;

	(void)rng;
	memset(model->weights, 0, model->num_weights * sizeof(float));
	for (size_t k = 0; k < cf; k++)
		model->weights[model->tensors[1].offset + k] = 1.0f;
	for (size_t c = 0; c < model->num_classes; c++)
		model->weights[model->tensors[2].offset + c] = -logf((float)model->num_classes);
}

/* The class constants and precisions, so that a prediction takes no log. */
static void nb_prepare(struct pronet_model *model)
{
	struct pronet_histogram_state *state = pronet_histogram_state(model);
	size_t f = state->layout.num_features, classes = model->num_classes;
	const float *variance = model->weights + model->tensors[1].offset;
	const float *log_prior = model->weights + model->tensors[2].offset;

	if (state->nb_precision == NULL) {
		state->nb_precision = malloc(classes * f * sizeof(float));
		state->nb_constant = malloc(classes * sizeof(float));
	}
	if (state->nb_precision == NULL || state->nb_constant == NULL) {
		free(state->nb_precision);
		free(state->nb_constant);
		state->nb_precision = state->nb_constant = NULL;
		return; /* the slow path */
	}
	for (size_t c = 0; c < classes; c++) {
		double sum = 0.0;

		for (size_t j = 0; j < f; j++) {
			sum += log(2.0 * M_PI * variance[c * f + j]);
			state->nb_precision[c * f + j] = (float)(1.0 / variance[c * f + j]);
		}
		state->nb_constant[c] = (float)((double)log_prior[c] - 0.5 * sum);
	}
}

static void nb_release(struct pronet_model *model)
{
	struct pronet_histogram_state *state = pronet_histogram_state(model);

	free(state->nb_precision);
	free(state->nb_constant);
	state->nb_precision = state->nb_constant = NULL;
}

static void nb_window_logits(const struct pronet_model *model, const float *x, float *logits)
{
	const struct pronet_histogram_state *state = pronet_histogram_state(model);
	size_t f = state->layout.num_features;
	const float *mean = model->weights + model->tensors[0].offset;
	const float *variance = model->weights + model->tensors[1].offset;
	const float *log_prior = model->weights + model->tensors[2].offset;

	for (size_t c = 0; c < model->num_classes; c++) {
		double sum = 0.0;

		if (state->nb_precision != NULL) {
			for (size_t j = 0; j < f; j++) {
				double d = x[j] - mean[c * f + j];

				sum += d * d * state->nb_precision[c * f + j];
			}
			logits[c] = (float)((double)state->nb_constant[c] - 0.5 * sum);
			continue;
		}
		for (size_t j = 0; j < f; j++) {
			double v = variance[c * f + j], d = x[j] - mean[c * f + j];

			sum += log(2.0 * M_PI * v) + d * d / v;
		}
		logits[c] = (float)((double)log_prior[c] - 0.5 * sum);
	}
}

static void nb_flow_logits(const struct pronet_model *model,
                           const struct pronet_packet_record *records, size_t n, void *workspace,
                           float *logits)
{
	pronet_histogram_flow_logits(model, records, n, workspace, logits, nb_window_logits);
}

/* Per-class means and variances in double, sample by sample in order:
 * the same fit for every thread count. */
static void nb_estimate(struct pronet_model *model, const struct pronet_histogram_windows *set,
                        double *sum, double *square, double *count)
{
	size_t f = set->num_features, classes = model->num_classes;
	double largest = 0.0, epsilon;
	float *mean = model->weights + model->tensors[0].offset;
	float *variance = model->weights + model->tensors[1].offset;
	float *log_prior = model->weights + model->tensors[2].offset;

	for (size_t i = 0; i < set->count; i++) {
		const float *x = set->features + i * f;
		uint32_t c = set->labels[i];

		count[c] += 1.0;
		for (size_t j = 0; j < f; j++) {
			sum[c * f + j] += x[j];
			square[c * f + j] += (double)x[j] * x[j];
			sum[classes * f + j] += x[j]; /* row `classes`: all windows */
			square[classes * f + j] += (double)x[j] * x[j];
		}
	}
	for (size_t j = 0; j < f; j++) {
		double m = sum[classes * f + j] / (double)set->count;
		double v = square[classes * f + j] / (double)set->count - m * m;

		largest = v > largest ? v : largest;
	}
	epsilon = pronet_histogram_state(model)->config.var_smoothing * largest;
	if (epsilon < VARIANCE_FLOOR)
		epsilon = VARIANCE_FLOOR;
	for (size_t c = 0; c < classes; c++) {
		for (size_t j = 0; j < f; j++) {
			double m = count[c] > 0 ? sum[c * f + j] / count[c] : 0.0;
			double v = count[c] > 0 ? square[c * f + j] / count[c] - m * m : 0.0;

			mean[c * f + j] = (float)m;
			variance[c * f + j] = (float)((v > 0.0 ? v : 0.0) + epsilon);
		}
		log_prior[c] =
		    count[c] > 0 ? (float)log(count[c] / (double)set->count) : LOG_PRIOR_ABSENT;
	}
}

static enum pronet_err nb_fit(struct pronet_model *model, const struct pronet_dataset *data,
                              const uint32_t *labels, const struct pronet_train_options *options,
                              char *errbuf)
{
	struct pronet_histogram_windows set;
	size_t classes = model->num_classes;
	enum pronet_err err =
	    pronet_histogram_windows_build(model, data, labels, options, &set, errbuf);
	double *sum = NULL, *square = NULL, *count = NULL;

	if (err == PRONET_OK) {
		sum = calloc((classes + 1) * set.num_features, sizeof(double));
		square = calloc((classes + 1) * set.num_features, sizeof(double));
		count = calloc(classes, sizeof(double));
		if (sum == NULL || square == NULL || count == NULL)
			err =
			    pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to fit naive Bayes");
	}
	if (err == PRONET_OK) {
		nb_estimate(model, &set, sum, square, count);
		pronet_model_weights_changed(model);
	}
	free(sum);
	free(square);
	free(count);
	pronet_histogram_windows_free(&set);
	return err;
}

/* HYPR: the common fields, then f32 var_smoothing. */
static void nb_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	pronet_histogram_write_common(model, w);
	pronet_io_put_f32(w, pronet_histogram_state(model)->config.var_smoothing);
}

static enum pronet_err nb_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct pronet_histogram_config *c = config;
	enum pronet_err err = pronet_histogram_read_common(r, c);

	return err == PRONET_OK ? pronet_io_get_f32(r, "var smoothing", &c->var_smoothing) : err;
}

const struct pronet_arch_ops pronet_arch_histogram_nb = {
    .tag = 7,
    .name = "histogram-nb",
    .summary = "Gaussian naive Bayes over windowed size/time histograms (Leroux et al.)",
    .config_size = sizeof(struct pronet_histogram_config),
    .state_size = sizeof(struct pronet_histogram_state),
    .config_default = pronet_histogram_config_default,
    .options = nb_options,
    .num_options = sizeof(nb_options) / sizeof(nb_options[0]),
    .create = nb_create,
    .config_get = pronet_histogram_config_get,
    .bind = nb_bind,
    .init = nb_init,
    .input_spec = pronet_histogram_input_spec,
    .workspace_size = pronet_histogram_workspace_size,
    .flow_logits = nb_flow_logits,
    .prepare = nb_prepare,
    .release = nb_release,
    .fit = nb_fit,
    .write_hyper = nb_write_hyper,
    .read_hyper = nb_read_hyper,
    .describe = pronet_histogram_describe,
};
