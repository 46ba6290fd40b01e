/* The hyperparameters of the histogram families (Leroux et al., seed 004):
 * histogram-nb, histogram-lr and histogram-rf share the features and this
 * one config struct; each reads the fields of its model. Installed, so that
 * a caller can fill one for pronet_model_new. docs/histogram-models.md says
 * what every field means and why the defaults are what they are. */
#ifndef PRONET_CORE_ARCH_HISTOGRAM_CONFIG_H
#define PRONET_CORE_ARCH_HISTOGRAM_CONFIG_H

#include <stdint.h>

/* Feature spaces (a bit mask): A is signed packet size x inter-arrival time,
 * B is burst size x surge period (the paper's Sec. III-A and III-B). */
#define PRONET_HISTOGRAM_SPACE_A 1u
#define PRONET_HISTOGRAM_SPACE_B 2u

/* The most bins one axis may have. */
#define PRONET_HISTOGRAM_MAX_BINS 64u

/* One logarithmic axis: `bins` bins whose edges are low * (high / low)^(k / bins)
 * for k = 1 .. bins - 1. A value below the first edge (0 included) falls in
 * bin 0, one at or above the last in bin bins - 1. */
struct pronet_histogram_axis {
	float low, high; /* 0 < low < high */
	uint32_t bins;   /* 1 .. PRONET_HISTOGRAM_MAX_BINS */
};

struct pronet_histogram_config {
	uint32_t spaces;                    /* PRONET_HISTOGRAM_SPACE_* mask, 1..3 */
	uint32_t window;                    /* W: packets per window */
	uint32_t surge_gap_us;              /* a surge's packets are at most this far apart */
	struct pronet_histogram_axis size;  /* packet wire length, per direction (bytes) */
	struct pronet_histogram_axis iat;   /* inter-arrival time (microseconds) */
	struct pronet_histogram_axis burst; /* burst size (bytes) */
	struct pronet_histogram_axis surge; /* surge period (microseconds) */
	/* histogram-nb: the variance floor, a share of the largest feature
	 * variance (scikit-learn's GaussianNB var_smoothing). */
	float var_smoothing;
	/* histogram-lr: inverse L2 strength C, L-BFGS iterations. */
	float inverse_l2;
	uint32_t max_iterations;
	/* histogram-rf: trees, features tried per split (0: the square root of
	 * the feature count), depth limit (0: none), samples per leaf. */
	uint32_t trees;
	uint32_t max_features;
	uint32_t max_depth;
	uint32_t min_samples_leaf;
};

#endif
