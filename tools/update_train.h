/* One update's training step of `pronet classify --update`: trains a copy
 * of the model on a dataset of stored samples and recalibrates it. */
#ifndef PRONET_TOOLS_UPDATE_TRAIN_H
#define PRONET_TOOLS_UPDATE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "tools/classify_update.h"
#include "tools/update_replay.h"

/* Flows an update needs before a fifth is held back for recalibration:
 * fewer would fit a temperature and thresholds to a handful of flows. */
#define UPDATE_TRAIN_HOLD_BACK_MIN_FLOWS 10

struct update_train_counts {
	size_t samples;  /* the update's own */
	size_t replayed; /* the reservoir's, appended to them */
	size_t flows, held_back_flows;
	int calibrated;
	float temperature;
};

/* Appends `replay`'s samples (NULL: none) to `data`, the update's own, then
 * trains `copy` (warm start, update_options' epochs, seed plus `generation`
 * less one) on four fifths of the flows and recalibrates it on the fifth
 * held back (all trained on below UPDATE_TRAIN_HOLD_BACK_MIN_FLOWS flows:
 * not recalibrated), replayed flows among both; then offers the update's
 * own samples to `replay`, for the updates after. */
enum pronet_err update_train(struct pronet_model *copy, struct pronet_dataset *data,
                             struct update_replay *replay,
                             const struct classify_update_options *update_options,
                             float min_threshold, uint32_t generation,
                             struct update_train_counts *counts, char *errbuf);

#endif
