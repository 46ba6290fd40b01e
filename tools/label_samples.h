/* The samples `pronet label` keeps before writing them: exact duplicates
 * dropped on arrival (--dedup), and per-class caps by undersampling whole
 * flows (--max-per-class), reproducible for a seed.
 *
 * Undersampling: a class with more than N samples keeps a random subset of
 * its flows - the flows in a seeded shuffle, each kept while the class stays
 * within N samples - so that the samples of one flow stay together (a flow
 * is in the data whole or not at all, and eval can split by capture without
 * half-flows). The shuffle depends only on the seed and on the order flows
 * arrived in, so the same captures and seed give the same dataset. */
#ifndef PRONET_TOOLS_LABEL_SAMPLES_H
#define PRONET_TOOLS_LABEL_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"

struct label_samples;

/* `dedup`: drop a sample whose (bytes, length, label) was seen before. */
struct label_samples *label_samples_new(int dedup);
void label_samples_free(struct label_samples *samples);

/* 1 if the sample is a duplicate to drop (only with dedup), 0 if new (it is
 * then remembered), -1 when out of memory. */
int label_samples_seen(struct label_samples *samples, const struct pronet_sample *sample);

/* Stores the samples of one flow (all of one label), for label_samples_cap;
 * their bytes are copied. */
int label_samples_store_flow(struct label_samples *samples,
                             const struct pronet_sample *flow_samples, size_t count);

/* Keeps, for each label with more than `max_per_class` stored samples, a
 * seeded random subset of its flows (see above). dropped_flows and
 * dropped_samples, indexed by label, receive what was left out; both have
 * `num_labels` entries. Returns 0, or -1 when out of memory. */
int label_samples_cap(struct label_samples *samples, size_t num_labels, uint64_t max_per_class,
                      uint64_t seed, uint64_t *dropped_flows, uint64_t *dropped_samples);

/* The stored samples that are kept, in arrival order. */
size_t label_samples_count(const struct label_samples *samples);
/* 1 and *out (its bytes the store's, valid until the next store_flow), or
 * 0 for a sample the cap left out. */
int label_samples_get(const struct label_samples *samples, size_t i, struct pronet_sample *out);

#endif
