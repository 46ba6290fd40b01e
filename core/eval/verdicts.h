/* The one place a model's per-flow verdicts are counted into an evaluation
 * result: cross-validation (core/eval/eval.c) counts each fold's test flows
 * with it, and pronet_eval_model (core/eval/eval_model.h) a given model's
 * verdicts on a whole dataset. Each flow is decided as the plugin decides it
 * (core/model/flow_predict.h: one combination, the model's calibration, one
 * decision with the random-looking gate). Internal to core/eval/. */
#ifndef PRONET_CORE_EVAL_VERDICTS_H
#define PRONET_CORE_EVAL_VERDICTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/eval/eval.h"
#include "core/model/model.h"

/* model_class[label] values besides a model class: */
#define PRONET_EVAL_NOT_COUNTED (-1) /* the flow is left out */
/* The model does not know the class (held out of training, or a dataset
 * class the model lacks): no row of the tables; its flows count as the
 * open-set test's (result->held_out_*): abstaining is the right answer. */
#define PRONET_EVAL_UNKNOWN_TO_MODEL (-2)

/* Which flows to decide and how. */
struct pronet_eval_verdict_scope {
	const struct pronet_dataset *data;
	const struct pronet_flows *flows;
	const int *model_class; /* [65536]: dataset label -> model class, or the above */
	const uint32_t *fold;   /* [num_flows] fold of each flow, or NULL: all flows */
	uint32_t test_fold;     /* with fold: the flows of this one */
	enum pronet_flow_combine combine;
	uint32_t flow_packets; /* a flow's first N samples (0: all) */
	float random_floor;    /* pronet_flow_decide's */
};

/* Decides the scope's flows with `model` and adds them to run `repeat` of
 * r's confusion arrays (r->num_classes columns of the model's classes plus
 * abstained), to r->decisions, the random-looking counts and, for classes
 * unknown to the model, r->held_out_* (and, when r->unknown_flows is
 * set, r->unknown_flows / unknown_abstained by dataset label). A flow whose prediction fails is
 * left out. Fails only without memory for the model's workspace. */
enum pronet_err pronet_eval_count_verdicts(const struct pronet_model *model,
                                           const struct pronet_eval_verdict_scope *scope,
                                           uint32_t repeat, struct pronet_eval_result *r,
                                           char *errbuf);

#endif
