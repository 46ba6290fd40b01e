/* histogram-lr: multinomial logistic regression over the histogram features
 * (Leroux et al., seed 004, Sec. IV: their best model on unencrypted
 * traffic). scikit-learn's defaults: L2 penalty with C = 1 (the bias not
 * penalised), L-BFGS, 100 iterations. Minimises
 *   (1/n) [ sum_i -log softmax(W x_i + b)_{y_i} + ||W||^2 / (2 C) ]
 * (the same minimiser as scikit-learn's C-weighted sum). The gradient is
 * summed over fixed shares of the windows by worker, in worker order: the
 * same weights for a thread count. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/histogram/histogram.h"
#include "core/arch/histogram/lbfgs.h"
#include "core/model/model_internal.h"
#include "core/model/model_io.h"
#include "core/util/parallel.h"

#define GRADIENT_TOLERANCE 1e-5

static const struct pronet_arch_option lr_options[] = {
    PRONET_HISTOGRAM_COMMON_OPTIONS,
    {"inverse-l2", "C", "inverse L2 strength (larger: weaker penalty)", PRONET_OPTION_F32,
     offsetof(struct pronet_histogram_config, inverse_l2), 1e-6, 1e6},
    {"max-iterations", "N", "L-BFGS iterations", PRONET_OPTION_U32,
     offsetof(struct pronet_histogram_config, max_iterations), 1, 100000},
};

/* The tensors: lr.weight [C, F], lr.bias [C]. */
static enum pronet_err lr_create(struct pronet_model *model, const void *config, const char *name,
                                 char *errbuf)
{
	const struct pronet_histogram_config *c = config;
	enum pronet_err err;
	size_t f;

	if (!(c->inverse_l2 > 0.0f) || !isfinite(c->inverse_l2) || c->max_iterations < 1)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: inverse L2 %g must be > 0, iterations %u >= 1", name,
		                    (double)c->inverse_l2, c->max_iterations);
	err = pronet_histogram_create_common(model, config, name, errbuf);
	if (err != PRONET_OK)
		return err;
	f = pronet_histogram_state(model)->layout.num_features;
	model->num_tensors = 0;
	model->num_weights = 0;
	err = pronet_histogram_add_tensor(model, "lr.weight", model->num_classes, f, errbuf);
	if (err == PRONET_OK)
		err = pronet_histogram_add_tensor(model, "lr.bias", model->num_classes, 0, errbuf);
	model->num_trainable = model->num_weights;
	return err;
}

static void lr_bind(struct pronet_model *model)
{
	(void)model;
}

/* The convex objective's usual start: every weight 0. */
static void lr_init(struct pronet_model *model, struct pronet_rng *rng)
{
	(void)rng;
	memset(model->weights, 0, model->num_weights * sizeof(float));
}

static void lr_window_logits(const struct pronet_model *model, const float *x, float *logits)
{
	size_t f = pronet_histogram_state(model)->layout.num_features;
	const float *w = model->weights, *b = model->weights + model->num_classes * f;

	for (size_t c = 0; c < model->num_classes; c++) {
		float sum = b[c];

		for (size_t j = 0; j < f; j++)
			sum += w[c * f + j] * x[j];
		logits[c] = sum;
	}
}

static void lr_flow_logits(const struct pronet_model *model,
                           const struct pronet_packet_record *records, size_t n, void *workspace,
                           float *logits)
{
	pronet_histogram_flow_logits(model, records, n, workspace, logits, lr_window_logits);
}

/* The objective's state: parameters are [C * F weights, C biases]. */
struct objective {
	const struct pronet_histogram_windows *set;
	size_t classes, workers, size;
	double inverse_l2;
	const double *x;
	double *partial; /* [workers * (size + 1)]: each worker's gradient, then its loss */
};

static void loss_share(void *context, size_t worker, size_t workers)
{
	struct objective *o = context;
	size_t f = o->set->num_features, classes = o->classes, begin, end;
	double *gradient = o->partial + worker * (o->size + 1), *loss = gradient + o->size;
	double z[PRONET_MAX_CLASSES];

	memset(gradient, 0, (o->size + 1) * sizeof(double));
	pronet_parallel_range(o->set->count, worker, workers, &begin, &end);
	for (size_t i = begin; i < end; i++) {
		const float *x = o->set->features + i * f;
		double top = -INFINITY, total = 0.0;

		for (size_t c = 0; c < classes; c++) {
			double sum = o->x[classes * f + c];

			for (size_t j = 0; j < f; j++)
				sum += o->x[c * f + j] * x[j];
			z[c] = sum;
			top = sum > top ? sum : top;
		}
		for (size_t c = 0; c < classes; c++)
			total += exp(z[c] - top);
		*loss += top + log(total) - z[o->set->labels[i]];
		for (size_t c = 0; c < classes; c++) {
			double p = exp(z[c] - top) / total - (c == o->set->labels[i] ? 1.0 : 0.0);

			for (size_t j = 0; j < f; j++)
				gradient[c * f + j] += p * x[j];
			gradient[classes * f + c] += p;
		}
	}
}

static double objective_value(void *context, const double *x, double *gradient)
{
	struct objective *o = context;
	size_t weights = o->classes * o->set->num_features;
	double n = (double)o->set->count, loss = 0.0;

	o->x = x;
	pronet_parallel_run(o->workers, loss_share, o);
	memset(gradient, 0, o->size * sizeof(double));
	for (size_t w = 0; w < o->workers; w++) { /* in worker order: reproducible */
		const double *part = o->partial + w * (o->size + 1);

		for (size_t k = 0; k < o->size; k++)
			gradient[k] += part[k];
		loss += part[o->size];
	}
	for (size_t k = 0; k < weights; k++) {
		loss += x[k] * x[k] / (2.0 * o->inverse_l2);
		gradient[k] += x[k] / o->inverse_l2;
	}
	for (size_t k = 0; k < o->size; k++)
		gradient[k] /= n;
	return loss / n;
}

static enum pronet_err lr_fit(struct pronet_model *model, const struct pronet_dataset *data,
                              const uint32_t *labels, const struct pronet_train_options *options,
                              char *errbuf)
{
	const struct pronet_histogram_config *c = &pronet_histogram_state(model)->config;
	struct pronet_histogram_windows set;
	struct objective o = {&set,
	                      model->num_classes,
	                      options->threads ? options->threads : 1,
	                      model->num_weights,
	                      c->inverse_l2,
	                      NULL,
	                      NULL};
	double *x = NULL;
	enum pronet_err err =
	    pronet_histogram_windows_build(model, data, labels, options, &set, errbuf);

	if (err == PRONET_OK) {
		x = calloc(o.size, sizeof(double)); /* from 0, as scikit-learn */
		o.partial = malloc(o.workers * (o.size + 1) * sizeof(double));
		if (x == NULL || o.partial == NULL)
			err = pronet_error(errbuf, PRONET_ERR_NOMEM,
			                   "no memory to fit logistic regression");
	}
	if (err == PRONET_OK)
		err = pronet_lbfgs_minimise(o.size, x, c->max_iterations, GRADIENT_TOLERANCE,
		                            objective_value, &o, NULL, errbuf);
	for (size_t k = 0; err == PRONET_OK && k < o.size; k++)
		model->weights[k] = (float)x[k];
	if (err == PRONET_OK)
		pronet_model_weights_changed(model);
	free(x);
	free(o.partial);
	pronet_histogram_windows_free(&set);
	return err;
}

/* HYPR: the common fields, then f32 inverse L2, u32 iterations. */
static void lr_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w)
{
	const struct pronet_histogram_config *c = &pronet_histogram_state(model)->config;

	pronet_histogram_write_common(model, w);
	pronet_io_put_f32(w, c->inverse_l2);
	pronet_io_put_u32(w, c->max_iterations);
}

static enum pronet_err lr_read_hyper(struct pronet_io_reader *r, void *config)
{
	struct pronet_histogram_config *c = config;
	enum pronet_err err = pronet_histogram_read_common(r, c);

	if (err == PRONET_OK)
		err = pronet_io_get_f32(r, "inverse L2", &c->inverse_l2);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "iterations", &c->max_iterations);
	return err;
}

const struct pronet_arch_ops pronet_arch_histogram_lr = {
    .tag = 8,
    .name = "histogram-lr",
    .summary = "logistic regression over windowed size/time histograms (Leroux et al.)",
    .config_size = sizeof(struct pronet_histogram_config),
    .state_size = sizeof(struct pronet_histogram_state),
    .config_default = pronet_histogram_config_default,
    .options = lr_options,
    .num_options = sizeof(lr_options) / sizeof(lr_options[0]),
    .create = lr_create,
    .config_get = pronet_histogram_config_get,
    .bind = lr_bind,
    .init = lr_init,
    .input_spec = pronet_histogram_input_spec,
    .workspace_size = pronet_histogram_workspace_size,
    .flow_logits = lr_flow_logits,
    .fit = lr_fit,
    .write_hyper = lr_write_hyper,
    .read_hyper = lr_read_hyper,
    .describe = pronet_histogram_describe,
};
