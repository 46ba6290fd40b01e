/* A random forest of CART trees (Breiman 2001; scikit-learn's
 * RandomForestClassifier defaults): each tree grown on a bootstrap sample of
 * the training windows, each split the best Gini split over a random subset
 * of the features, leaves holding class fractions. Trees are not float
 * tensors: the model file keeps them in a block of their own, TREE
 * (docs/histogram-models.md, forest_file.c). */
#ifndef PRONET_CORE_ARCH_HISTOGRAM_FOREST_H
#define PRONET_CORE_ARCH_HISTOGRAM_FOREST_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

#define PRONET_FOREST_LEAF UINT32_MAX /* a node's feature when it is a leaf */
#define PRONET_FOREST_MAX_TREES 10000u
#define PRONET_FOREST_MAX_NODES (1u << 26)

/* An inner node sends x to `left` when x[feature] <= threshold, else to
 * `right`; both are indexes in its tree, above its own (so a walk ends).
 * A leaf's `left` is its row of class fractions in leaf_values. */
struct pronet_forest_node {
	uint32_t feature;
	float threshold;
	uint32_t left, right;
};

struct pronet_forest {
	uint32_t num_trees, num_classes, num_features;
	uint32_t
	    *tree_start; /* [num_trees + 1]: tree t is nodes[tree_start[t] .. tree_start[t+1]) */
	struct pronet_forest_node *nodes;
	uint32_t num_nodes, num_leaves;
	float *leaf_values; /* [num_leaves * num_classes] */
};

struct pronet_forest_params {
	uint32_t trees, max_features, max_depth, min_samples_leaf;
	uint64_t seed;
	size_t threads;
};

void pronet_forest_free(struct pronet_forest *forest);

/* Grows the forest on features[count * num_features] and labels[count].
 * Tree t draws everything from a generator seeded by (seed, t), and trees are
 * merged in order: the same forest for a seed whatever the thread count. */
enum pronet_err pronet_forest_fit(const float *features, const uint32_t *labels, size_t count,
                                  uint32_t num_features, uint32_t num_classes,
                                  const struct pronet_forest_params *params,
                                  struct pronet_forest **out, char *errbuf);

/* The mean over trees of the leaf class fractions: probabilities[num_classes]. */
void pronet_forest_predict(const struct pronet_forest *forest, const float *features,
                           float *probabilities);

/* 1 if every index and value is in range (what a loaded forest must pass),
 * else 0 and a sentence in why[size]. */
int pronet_forest_valid(const struct pronet_forest *forest, char *why, size_t size);

#endif
