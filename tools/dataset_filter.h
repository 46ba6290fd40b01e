/* Choosing what to train on: leaving out the classes with fewer than N
 * flows (the default model's rule: classes with at least 20 DPI-labelled
 * flows), saying which; the families of captures that folds keep whole. */
#ifndef PRONET_TOOLS_DATASET_FILTER_H
#define PRONET_TOOLS_DATASET_FILTER_H

#include <stdint.h>
#include <stdio.h>

#include "core/data/dataset.h"

/* A copy of `data` without the samples of classes with fewer than min_flows
 * flows (labels and captures keep their numbers). Each class left out is
 * written to `report` as "COMMAND: left out CLASS (F flows < N)" and into
 * dropped[]/dropped_flows[] (up to max_dropped, *num_dropped). With a
 * reject_class name (not NULL), the samples of the classes left out are kept
 * instead, relabelled as that class (added last if new), and the report says
 * "COMMAND: CLASS (F flows < N) joins REJECT". NULL on no memory (reported). */
struct pronet_dataset *pronet_cli_filter_min_flows(const char *command,
                                                   const struct pronet_dataset *data,
                                                   uint32_t min_flows, const char *reject_class,
                                                   FILE *report, const char **dropped,
                                                   uint64_t *dropped_flows, size_t max_dropped,
                                                   size_t *num_dropped);

/* Reads FILE's "capture<TAB>family" lines (a "file<TAB>..." header is
 * skipped; captures match by file name): group[c] for each of the dataset's
 * captures, one number per family, a capture not named gets its own.
 * 0 on failure (reported). */
int pronet_cli_read_groups(const char *command, const char *path, const struct pronet_dataset *data,
                           uint32_t *group, size_t *num_groups);

#endif
