/* A trained model calibrated on held-back flows, the way eval and
 * `pronet train --calibrate` both do it (core/eval/calibrate_model.c). */
#ifndef PRONET_CORE_EVAL_CALIBRATE_MODEL_H
#define PRONET_CORE_EVAL_CALIBRATE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/util/error.h"

/* How many records of one flow eval and calibration hand `model`: a
 * per-packet model combines at most PRONET_FLOW_MAX_PACKETS, a per-flow one
 * reads the longest flow whole. At least 1. */
size_t pronet_flow_input_capacity(const struct pronet_model *model,
                                  const struct pronet_flows *flows);

/* Calibrates a trained model on held-back flows (flow numbers members[n] of
 * `flows`): the temperature on their combined logits, then per-class
 * thresholds for `precision`, none below min_threshold (also the threshold
 * of a class the validation flows never name); stored with
 * pronet_model_set_calibration.
 * Flows whose class the model lacks are skipped. Used by eval and by
 * `pronet train --calibrate`. */
enum pronet_err pronet_eval_calibrate(struct pronet_model *model, const struct pronet_dataset *data,
                                      const struct pronet_flows *flows, const size_t *members,
                                      size_t n, enum pronet_flow_combine combine,
                                      uint32_t flow_packets, double precision, float min_threshold,
                                      char *errbuf);

#endif
