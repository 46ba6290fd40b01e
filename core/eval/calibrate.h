/* Calibration on held-back flows (never the training ones): temperature
 * scaling (Guo et al., "On Calibration of Modern Neural Networks", ICML
 * 2017) and per-class abstention thresholds for a target precision. The
 * results go into the model with pronet_model_set_calibration. */
#ifndef PRONET_CORE_CALIBRATE_H
#define PRONET_CORE_CALIBRATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

/* The temperature T in [min_t, max_t] minimising the mean negative
 * log-likelihood of softmax(logits / T) over n examples (logits[n][classes],
 * labels[n]); golden-section search on log T (the NLL is unimodal in T for
 * a fixed set of logits). Returns the NLL at T through *nll (may be NULL).
 *
 * PRONET_CALIBRATION_MIN_TEMPERATURE is 1: calibration only softens. A
 * validation part whose flows are all right drives the NLL's minimum
 * towards T = 0, and a sharpening temperature fitted on it would make every
 * flow, known class or not, look certain, which defeats abstention. */
#define PRONET_CALIBRATION_MIN_TEMPERATURE 1.0f
#define PRONET_CALIBRATION_MAX_TEMPERATURE 20.0f
enum pronet_err pronet_calibrate_temperature(const float *logits, const uint32_t *labels, size_t n,
                                             size_t classes, float min_t, float max_t,
                                             float *temperature, double *nll, char *errbuf);

/* Per class c, the lowest threshold t such that the examples predicted c
 * (argmax of probabilities[n][classes]) with probability >= t are at least
 * `precision` correct; thresholds[classes] out. A class whose predictions
 * never reach the precision gets the threshold above its highest wrong
 * prediction (its correct ones beyond that still pass); a class never
 * predicted gets `unseen` (no evidence either way). */
enum pronet_err pronet_calibrate_thresholds(const float *probabilities, const uint32_t *labels,
                                            size_t n, size_t classes, double precision,
                                            float unseen, float *thresholds, char *errbuf);

#endif
