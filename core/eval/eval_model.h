/* A given model scored on a labelled dataset, without training: what an
 * operator runs (`pronet eval -m MODEL DATASET`) to see how a shipped model
 * does on their own captures before turning it on. Every flow is decided
 * the way the plugin decides it: its recorded inputs combined by
 * pronet_model_predict_flow_with, the model file's calibration (temperature,
 * per-class thresholds), pronet_flow_decide with the random-looking gate;
 * and counted by the same code as cross-validation's test folds, into the
 * same struct pronet_eval_result (one run, no folds, no training).
 *
 * Classes are matched by name (exactly, as pronet_model_find_class). The
 * result's classes are the model's, in model order, including those the
 * dataset lacks (rows of 0 flows, left out of the macro average). Flows of
 * a dataset class the model does not know are the open-set figures
 * (held_out_*, per label in unknown_flows / unknown_abstained): abstaining
 * is their right answer, and a name given to one is a mistake the tables do
 * not count (they have no row for it). */
#ifndef PRONET_CORE_EVAL_MODEL_H
#define PRONET_CORE_EVAL_MODEL_H

#include "core/data/dataset.h"
#include "core/eval/eval.h"
#include "core/model/model.h"
#include "core/util/error.h"

/* Reads options->combine, flow_packets and random_floor (defaults from
 * pronet_eval_options_default: the plugin's). Fails (PRONET_ERR_ARG) when
 * the dataset's records do not hold what the model reads (its layer and
 * at least its window) or when no dataset class with flows is a
 * class of the model; the message names both lists. */
enum pronet_err pronet_eval_model(const struct pronet_model *model,
                                  const struct pronet_dataset *data,
                                  const struct pronet_eval_options *options,
                                  struct pronet_eval_result **out, char *errbuf);

#endif
