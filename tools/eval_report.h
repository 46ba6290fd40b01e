/* `pronet eval`'s outputs from a finished evaluation: the table (laid out
 * like the ProNet paper's Table 1: per class precision, recall and F1 as
 * mean ± sd over runs, then macro and micro averages), the JSON document and
 * the SVG pictures. */
#ifndef PRONET_TOOLS_EVAL_REPORT_H
#define PRONET_TOOLS_EVAL_REPORT_H

#include <stdio.h>

#include "core/data/dataset.h"
#include "core/eval/eval.h"

#define PRONET_EVAL_FOCUS_SETS 2

/* What the report says about the run besides the result. */
struct pronet_eval_report_context {
	const char *dataset_path;
	const char *command_line;
	const char *model_path; /* eval -m: the model scored as is; NULL: cross-validation */
	const struct pronet_eval_options *options;
	const char *held_out_name; /* or NULL */
	/* Classes of the extra macro lines (--focus, up to two sets); focus[i]
	 * NULL for an unused set. */
	const char *const *focus[PRONET_EVAL_FOCUS_SETS];
	size_t num_focus[PRONET_EVAL_FOCUS_SETS];
	const char *const *dropped; /* classes left out by --min-flows */
	const uint64_t *dropped_flows;
	size_t num_dropped;
};

/* Mean and sample standard deviation over the runs, per class and averaged,
 * from one of the result's confusion arrays. */
struct pronet_eval_summary {
	struct pronet_class_score mean[PRONET_MAX_CLASSES], sd[PRONET_MAX_CLASSES];
	struct pronet_class_score macro_mean, macro_sd, micro_mean, micro_sd;
	double focus_macro_f1_mean[PRONET_EVAL_FOCUS_SETS],
	    focus_macro_f1_sd[PRONET_EVAL_FOCUS_SETS];
	size_t focus_found[PRONET_EVAL_FOCUS_SETS];
};

void pronet_eval_summarise(const struct pronet_eval_result *result, const uint64_t *confusion,
                           const struct pronet_dataset *data,
                           const struct pronet_eval_report_context *context,
                           struct pronet_eval_summary *summary);

void pronet_eval_print_table(FILE *out, const struct pronet_eval_result *result,
                             const struct pronet_dataset *data,
                             const struct pronet_eval_report_context *context);

/* Whole or not at all; 0 on failure (reported on stderr). */
int pronet_eval_write_json(const char *path, const struct pronet_eval_result *result,
                           const struct pronet_dataset *data,
                           const struct pronet_eval_report_context *context);
/* DIR/confusion.svg (row-normalised heat map) and, after training,
 * DIR/loss.svg. */
int pronet_eval_write_svgs(const char *dir, const struct pronet_eval_result *result,
                           const struct pronet_dataset *data);

#endif
