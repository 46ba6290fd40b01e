/* Abstention thresholds (rules/thresholds.conf): the model names a flow only
 * when the probability of its best class reaches that class's threshold;
 * below it the flow stays Unknown. One `LABEL THRESHOLD` line per class, and
 * `default THRESHOLD` for every other class (0.5 if the file has none). */
#ifndef PRONET_RULES_THRESHOLDS_H
#define PRONET_RULES_THRESHOLDS_H

#include <stddef.h>

#include "core/model/model.h" /* PRONET_THRESHOLD_DEFAULT */
#include "core/util/error.h"

#define PRONET_THRESHOLDS_FILE "thresholds.conf"

struct pronet_thresholds;

/* Parses a thresholds file; errors read "FILE:LINE: problem". */
enum pronet_err pronet_thresholds_load(const char *path, struct pronet_thresholds **out,
                                       char *errbuf);
enum pronet_err pronet_thresholds_load_buffer(const char *text, size_t size, const char *name,
                                              struct pronet_thresholds **out, char *errbuf);
void pronet_thresholds_free(struct pronet_thresholds *thresholds);

/* The threshold for `label` (exact, case-sensitive match: labels are the
 * model's class names), else the default. `thresholds` may be NULL:
 * PRONET_THRESHOLD_DEFAULT. */
float pronet_thresholds_lookup(const struct pronet_thresholds *thresholds, const char *label);
/* 1 and *threshold if `label` has a line of its own, else 0; lets a caller
 * prefer another source (a model's calibration) over the default line. */
int pronet_thresholds_find(const struct pronet_thresholds *thresholds, const char *label,
                           float *threshold);
/* The `default` line's value, or PRONET_THRESHOLD_DEFAULT; *from_file (may
 * be NULL) is 1 if the file had a default line. */
float pronet_thresholds_default(const struct pronet_thresholds *thresholds, int *from_file);
size_t pronet_thresholds_count(const struct pronet_thresholds *thresholds);

#endif
