/* Folds that never split a unit: a group of captures, or a flow
 * (core/eval/folds.c). */
#ifndef PRONET_CORE_EVAL_FOLDS_H
#define PRONET_CORE_EVAL_FOLDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/flows.h"
#include "core/util/error.h"

enum pronet_fold_by {
	PRONET_FOLD_BY_CAPTURE = 0, /* a capture (its group) lies in one fold */
	PRONET_FOLD_BY_FLOW = 1,    /* a flow lies in one fold */
};

/* Folds of members[n] (flow numbers): fold[i] in 0..k-1 for members[i].
 * The units (a group of captures, or a flow) are taken in an order shuffled
 * by `seed`, each to the fold with the fewest flows so far, so folds are
 * balanced and a unit is never split. group_of_capture[num_captures] maps a
 * capture to its group (NULL: each capture its own); groups < num_groups. */
enum pronet_err pronet_eval_assign_folds(const struct pronet_flows *flows, const size_t *members,
                                         size_t n, const uint32_t *group_of_capture,
                                         size_t num_groups, enum pronet_fold_by by, uint32_t k,
                                         uint64_t seed, uint32_t *fold, char *errbuf);

#endif
