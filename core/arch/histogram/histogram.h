/* The histogram families (Leroux et al., seed 004): what histogram-nb,
 * histogram-lr and histogram-rf share (internal). Each family is a file of
 * its own (naive_bayes.c, logistic.c, forest.c) with its ops table; this
 * file's functions are their common entries: config, HYPR, input spec,
 * workspace, the flow verdict from window verdicts, and the training
 * windows that `fit` learns from. */
#ifndef PRONET_CORE_ARCH_HISTOGRAM_H
#define PRONET_CORE_ARCH_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/arch.h"
#include "core/arch/histogram/features.h"
#include "core/arch/histogram/histogram_config.h"
#include "core/data/dataset.h"
#include "core/data/input_spec.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"

struct pronet_forest;
struct pronet_io_writer;
struct pronet_io_reader;

/* The state of every histogram model (ops->state_size). */
struct pronet_histogram_state {
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	struct pronet_forest *forest; /* histogram-rf only: its trees, owned */
	/* histogram-nb only, derived from its tensors by prepare (NULL: computed
	 * per prediction): 1 / variance [C * F], and per class log P(c) -
	 * sum_f log(2 pi variance) / 2 [C]. */
	float *nb_precision, *nb_constant;
};

static inline struct pronet_histogram_state *pronet_histogram_state(const struct pronet_model *m)
{
	return (struct pronet_histogram_state *)pronet_model_state(m);
}

/* Each family's window verdict: logits[C] from features[F]. */
typedef void pronet_histogram_window_fn(const struct pronet_model *model, const float *features,
                                        float *logits);

void pronet_histogram_config_default(void *config);
void pronet_histogram_config_get(const struct pronet_model *model, void *config);
/* Checks the config and fills the state's layout (tensors are the family's). */
enum pronet_err pronet_histogram_create_common(struct pronet_model *model, const void *config,
                                               const char *name, char *errbuf);
/* HYPR: the shared fields (docs/histogram-models.md); each family appends its own. */
void pronet_histogram_write_common(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err pronet_histogram_read_common(struct pronet_io_reader *r,
                                             struct pronet_histogram_config *config);
/* Every packet of a flow, payload-less ones too, sizes and times only. */
void pronet_histogram_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec);
/* Features of one window and the running sum of window logits. */
size_t pronet_histogram_workspace_size(const struct pronet_model *model);
/* A flow's logits: each window's verdict (window_fn), then their mean; the
 * generic calibration (temperature, thresholds) applies to the result. */
void pronet_histogram_flow_logits(const struct pronet_model *model,
                                  const struct pronet_packet_record *records, size_t n,
                                  void *workspace, float *logits,
                                  pronet_histogram_window_fn *window_fn);
void pronet_histogram_describe(const struct pronet_model *model, pronet_describe_emit *emit,
                               void *user);

/* The training windows of a fit: one row of features per window of every
 * training flow, labelled with the flow's model class. */
struct pronet_histogram_windows {
	float *features;  /* [count * num_features] */
	uint32_t *labels; /* [count] */
	size_t count, num_features;
};
/* From options->train_indices (samples; NULL: all) grouped into flows, with
 * labels[sample] their model classes (as fit gets them), at most
 * options->max_per_class windows per class (drawn with options->seed; 0:
 * all). */
enum pronet_err pronet_histogram_windows_build(const struct pronet_model *model,
                                               const struct pronet_dataset *data,
                                               const uint32_t *labels,
                                               const struct pronet_train_options *options,
                                               struct pronet_histogram_windows *out, char *errbuf);
void pronet_histogram_windows_free(struct pronet_histogram_windows *windows);

#endif

/* The options every histogram family takes (its own follow in its table). */
#define PRONET_HISTOGRAM_COMMON_OPTIONS                                                            \
	{"features",                                                                               \
	 "S",                                                                                      \
	 "feature spaces: 1 size x inter-arrival time (A),\n"                                      \
	 "  2 burst size x surge period (B), 3 both",                                              \
	 PRONET_OPTION_U32,                                                                        \
	 offsetof(struct pronet_histogram_config, spaces),                                         \
	 1,                                                                                        \
	 3},                                                                                       \
	    {"window",                                                                             \
	     "W",                                                                                  \
	     "packets per window (a window verdict every W)",                                      \
	     PRONET_OPTION_U32,                                                                    \
	     offsetof(struct pronet_histogram_config, window),                                     \
	     1,                                                                                    \
	     65536},                                                                               \
	{                                                                                          \
		"surge-gap-us", "US", "largest gap inside a surge, microseconds",                  \
		    PRONET_OPTION_U32, offsetof(struct pronet_histogram_config, surge_gap_us), 1,  \
		    100000000                                                                      \
	}
#define PRONET_HISTOGRAM_NUM_COMMON_OPTIONS 3

/* Appends a [rows, cols] tensor (cols 0: a vector of rows) to the layout. */
enum pronet_err pronet_histogram_add_tensor(struct pronet_model *model, const char *name,
                                            size_t rows, size_t cols, char *errbuf);
