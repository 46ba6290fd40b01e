/* pronet explain --flow: one flow's verdict from a capture, explained. The
 * capture goes through a fresh engine as `pronet classify` reads it; the
 * flow whose EVE flow_id is given gets the model's flow verdict (the plugin's
 * combination and decision) and, per recorded packet, the exact attribution
 * of a class's centred logit to its bytes (core/arch/pronet_cnn/explain.h).
 * A flow's centred logit is the mean of its packets' (the flow combines
 * logits by their mean), so the per-packet parts add up to the flow's. */
#ifndef PRONET_TOOLS_EXPLAIN_FLOW_H
#define PRONET_TOOLS_EXPLAIN_FLOW_H

#include <stdint.h>
#include <stdio.h>

#include "core/arch/pronet_cnn/explain.h"
#include "core/model/model.h"

/* Explains flow `flow_id` of `capture` towards `only_class` (NULL: the
 * flow's best class) on `out`. Returns the exit status: 0 done, 1 when the
 * capture cannot be read, has no such flow or the class is not the model's
 * (each after "pronet explain: ..." on standard error). */
int pronet_explain_flow(const struct pronet_model *model,
                        const struct pronet_cnn_explainer *explainer, const char *capture,
                        int64_t flow_id, const char *only_class, FILE *out);

#endif
