/* The histogram features of Leroux et al. (seed 004, Sec. III) over windows
 * of a flow's packets: the code the three histogram families share.
 *
 * A window is W consecutive packets of a flow (all of them: pure ACKs
 * included). Space A counts each packet in a 2-D histogram of its signed
 * size (its direction, then its wire length on a log axis) against its
 * inter-arrival time (since the flow's previous packet, log axis). Space B
 * counts each burst (a run of payload packets in one direction, pure ACKs
 * skipped) in a 2-D histogram of its bytes against the period of the surge
 * its first packet lies in (a surge: consecutive packets at most
 * surge_gap_us apart). Both are divided by the window's packet count, so a
 * short window compares with a full one. docs/histogram-models.md. */
#ifndef PRONET_CORE_ARCH_HISTOGRAM_FEATURES_H
#define PRONET_CORE_ARCH_HISTOGRAM_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/histogram/histogram_config.h"
#include "core/data/record.h"
#include "core/util/error.h"

/* An axis's edges, computed once from its (low, high, bins). */
struct pronet_histogram_edges {
	double edge[PRONET_HISTOGRAM_MAX_BINS]; /* edge[0 .. bins - 1) */
	uint32_t bins;
};

/* What the feature code needs, derived from a config. */
struct pronet_histogram_layout {
	struct pronet_histogram_edges size, iat, burst, surge;
	uint32_t spaces, window, surge_gap_us;
	size_t offset_b;     /* where space B starts (0 without A) */
	size_t num_features; /* 2 * size * iat (A) + burst * surge (B) */
};

/* PRONET_ERR_LIMIT and a sentence naming `name` when a field is out of
 * range; else fills *layout. */
enum pronet_err pronet_histogram_layout_init(const struct pronet_histogram_config *config,
                                             const char *name,
                                             struct pronet_histogram_layout *layout, char *errbuf);

/* The bin of value on an axis: the number of edges at or below it. */
uint32_t pronet_histogram_bin(const struct pronet_histogram_edges *edges, double value);

/* How many windows a flow of n packets gives: n / W full ones, and the rest
 * when it has at least W / 4 packets or there is no full window (a flow
 * shorter than W is one window). 0 when n is 0. */
size_t pronet_histogram_num_windows(const struct pronet_histogram_layout *layout, size_t n);
/* Window `index`'s packets: records [*begin, *end). */
void pronet_histogram_window_range(const struct pronet_histogram_layout *layout, size_t n,
                                   size_t index, size_t *begin, size_t *end);

/* features[num_features] of the window records[begin, end) of a flow whose
 * packets are records[0 .. end) in order (the packet before `begin` gives the
 * first inter-arrival time). */
void pronet_histogram_window_features(const struct pronet_histogram_layout *layout,
                                      const struct pronet_packet_record *records, size_t begin,
                                      size_t end, float *features);

#endif
