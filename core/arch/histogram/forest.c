/* Random forest of CART trees (forest.h). One tree is grown depth-first
 * with an explicit stack; children are appended after their parent, so a
 * child's index is always above its parent's. */
#include "core/arch/histogram/forest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/parallel.h"
#include "core/util/rng.h"

void pronet_forest_free(struct pronet_forest *forest)
{
	if (forest == NULL)
		return;
	free(forest->tree_start);
	free(forest->nodes);
	free(forest->leaf_values);
	free(forest);
}

/* One tree while it grows: growable arrays of nodes and leaf rows. */
struct tree {
	struct pronet_forest_node *nodes;
	size_t num_nodes, node_cap;
	float *leaves; /* rows of num_classes */
	size_t num_leaves, leaf_cap;
	int failed;
};

struct pair {
	float value;
	uint32_t label;
};

struct span {
	uint32_t node;
	size_t begin, end;
	uint32_t depth;
};

/* What one worker reuses from tree to tree. */
struct scratch {
	size_t *samples;      /* [count]: the bootstrap, partitioned node by node */
	struct pair *pairs;   /* [count] */
	uint32_t *features;   /* [num_features]: the order features are tried in */
	double *left, *right; /* [num_classes] */
	struct span *stack;
};

struct job {
	const float *x;
	const uint32_t *y;
	size_t count;
	uint32_t num_features, num_classes;
	const struct pronet_forest_params *params;
	struct tree *trees;
};

static int compare_pairs(const void *a, const void *b)
{
	const struct pair *p = a, *q = b;

	if (p->value != q->value)
		return p->value < q->value ? -1 : 1;
	return (p->label > q->label) - (p->label < q->label); /* a total order: reproducible */
}

static uint32_t add_node(struct tree *tree)
{
	if (tree->num_nodes == tree->node_cap) {
		size_t cap = tree->node_cap ? 2 * tree->node_cap : 64;
		void *grown = realloc(tree->nodes, cap * sizeof(*tree->nodes));

		if (grown == NULL || cap > PRONET_FOREST_MAX_NODES) {
			tree->failed = 1;
			return UINT32_MAX;
		}
		tree->nodes = grown;
		tree->node_cap = cap;
	}
	tree->nodes[tree->num_nodes] = (struct pronet_forest_node){PRONET_FOREST_LEAF, 0.0f, 0, 0};
	return (uint32_t)tree->num_nodes++;
}

static void make_leaf(const struct job *job, struct tree *tree, uint32_t node,
                      const size_t *samples, size_t n)
{
	size_t classes = job->num_classes;
	float *row;

	if (tree->num_leaves == tree->leaf_cap) {
		size_t cap = tree->leaf_cap ? 2 * tree->leaf_cap : 64;
		void *grown = realloc(tree->leaves, cap * classes * sizeof(float));

		if (grown == NULL) {
			tree->failed = 1;
			return;
		}
		tree->leaves = grown;
		tree->leaf_cap = cap;
	}
	row = tree->leaves + tree->num_leaves * classes;
	memset(row, 0, classes * sizeof(float));
	for (size_t i = 0; i < n; i++)
		row[job->y[samples[i]]] += 1.0f;
	for (size_t c = 0; c < classes; c++)
		row[c] /= (float)n;
	tree->nodes[node] =
	    (struct pronet_forest_node){PRONET_FOREST_LEAF, 0.0f, (uint32_t)tree->num_leaves, 0};
	tree->num_leaves++;
}

struct split {
	uint32_t feature;
	float threshold;
	double score; /* n_left * gini_left + n_right * gini_right: lower is better */
};

/* The best threshold of one feature over the node's samples; 0 if the feature
 * is constant there (it does not count as tried, as in scikit-learn). */
static int best_threshold(const struct job *job, struct scratch *s, const size_t *samples, size_t n,
                          uint32_t feature, struct split *best)
{
	size_t classes = job->num_classes, min_leaf = job->params->min_samples_leaf;
	double sum_left = 0.0, sum_right = 0.0;

	for (size_t i = 0; i < n; i++)
		s->pairs[i] = (struct pair){job->x[samples[i] * job->num_features + feature],
		                            job->y[samples[i]]};
	qsort(s->pairs, n, sizeof(*s->pairs), compare_pairs);
	if (s->pairs[0].value == s->pairs[n - 1].value)
		return 0;
	memset(s->left, 0, classes * sizeof(double));
	memset(s->right, 0, classes * sizeof(double));
	for (size_t i = 0; i < n; i++)
		s->right[s->pairs[i].label] += 1.0;
	for (size_t c = 0; c < classes; c++)
		sum_right += s->right[c] * s->right[c];
	for (size_t i = 0; i + 1 < n; i++) {
		uint32_t c = s->pairs[i].label;
		double n_left = (double)(i + 1), n_right = (double)(n - i - 1), score;

		sum_left += 2.0 * s->left[c] + 1.0; /* (l + 1)^2 - l^2 */
		sum_right -= 2.0 * s->right[c] - 1.0;
		s->left[c] += 1.0;
		s->right[c] -= 1.0;
		if (s->pairs[i].value == s->pairs[i + 1].value || i + 1 < min_leaf ||
		    n - i - 1 < min_leaf)
			continue;
		score = (n_left - sum_left / n_left) + (n_right - sum_right / n_right);
		if (score < best->score) {
			float middle =
			    s->pairs[i].value + (s->pairs[i + 1].value - s->pairs[i].value) / 2;

			best->score = score;
			best->feature = feature;
			/* The midpoint, unless rounding put it on the upper value. */
			best->threshold =
			    middle < s->pairs[i + 1].value ? middle : s->pairs[i].value;
		}
	}
	return 1;
}

static int find_split(const struct job *job, struct scratch *s, struct pronet_rng *rng,
                      const size_t *samples, size_t n, struct split *best)
{
	uint32_t f = job->num_features, tried = 0;
	uint32_t max =
	    job->params->max_features ? job->params->max_features : (uint32_t)sqrt((double)f);

	if (max < 1)
		max = 1;
	best->score = INFINITY;
	best->feature = PRONET_FOREST_LEAF;
	for (uint32_t j = 0; j < f && tried < max; j++) {
		uint32_t k = j + (uint32_t)pronet_rng_below(rng, f - j), swap = s->features[j];

		s->features[j] = s->features[k];
		s->features[k] = swap;
		tried += (uint32_t)best_threshold(job, s, samples, n, s->features[j], best);
	}
	return best->feature != PRONET_FOREST_LEAF;
}

static int is_pure(const struct job *job, const size_t *samples, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (job->y[samples[i]] != job->y[samples[0]])
			return 0;
	return 1;
}

static size_t partition(const struct job *job, size_t *samples, size_t n, const struct split *split)
{
	size_t low = 0, high = n;

	while (low < high) {
		if (job->x[samples[low] * job->num_features + split->feature] <= split->threshold) {
			low++;
		} else {
			size_t swap = samples[low];

			samples[low] = samples[--high];
			samples[high] = swap;
		}
	}
	return low;
}

static void grow_tree(const struct job *job, struct scratch *s, uint64_t tree_index,
                      struct tree *tree)
{
	uint64_t mix = job->params->seed ^ (0x9e3779b97f4a7c15ull * (tree_index + 1));
	struct pronet_rng rng;
	size_t top = 0, n = job->count;
	uint32_t max_depth = job->params->max_depth;

	pronet_rng_seed(&rng, pronet_splitmix64(&mix));
	for (uint32_t j = 0; j < job->num_features; j++)
		s->features[j] = j;
	for (size_t i = 0; i < n; i++) /* the bootstrap: n draws with replacement */
		s->samples[i] = (size_t)pronet_rng_below(&rng, n);
	s->stack[top++] = (struct span){add_node(tree), 0, n, 0};
	while (top > 0 && !tree->failed) {
		struct span span = s->stack[--top];
		size_t *samples = s->samples + span.begin, count = span.end - span.begin, middle;
		struct split split;
		uint32_t left, right;

		if (count < 2 * (size_t)job->params->min_samples_leaf || count < 2 ||
		    (max_depth && span.depth >= max_depth) || is_pure(job, samples, count) ||
		    !find_split(job, s, &rng, samples, count, &split)) {
			make_leaf(job, tree, span.node, samples, count);
			continue;
		}
		middle = partition(job, samples, count, &split);
		left = add_node(tree);
		right = add_node(tree);
		if (tree->failed)
			break;
		tree->nodes[span.node] =
		    (struct pronet_forest_node){split.feature, split.threshold, left, right};
		/* right below left on the stack: the left subtree is grown first */
		s->stack[top++] =
		    (struct span){right, span.begin + middle, span.end, span.depth + 1};
		s->stack[top++] =
		    (struct span){left, span.begin, span.begin + middle, span.depth + 1};
	}
}

static void grow_worker(void *context, size_t worker, size_t workers)
{
	const struct job *job = context;
	struct scratch s = {0};
	size_t begin, end;

	pronet_parallel_range(job->params->trees, worker, workers, &begin, &end);
	s.samples = malloc((job->count ? job->count : 1) * sizeof(*s.samples));
	s.pairs = malloc((job->count ? job->count : 1) * sizeof(*s.pairs));
	s.features = malloc(job->num_features * sizeof(*s.features));
	s.left = malloc(job->num_classes * sizeof(double));
	s.right = malloc(job->num_classes * sizeof(double));
	/* Each pop pushes at most two spans; a tree has fewer than 2 * count nodes. */
	s.stack = malloc((2 * job->count + 2) * sizeof(*s.stack));
	for (size_t t = begin; t < end; t++) {
		if (!s.samples || !s.pairs || !s.features || !s.left || !s.right || !s.stack)
			job->trees[t].failed = 1;
		else
			grow_tree(job, &s, t, &job->trees[t]);
	}
	free(s.samples);
	free(s.pairs);
	free(s.features);
	free(s.left);
	free(s.right);
	free(s.stack);
}

/* The trees, in order, into one forest. */
static enum pronet_err merge(const struct job *job, struct pronet_forest *forest, char *errbuf)
{
	size_t nodes = 0, leaves = 0, classes = job->num_classes;

	for (uint32_t t = 0; t < forest->num_trees; t++) {
		if (job->trees[t].failed)
			return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to grow tree %u",
			                    t);
		nodes += job->trees[t].num_nodes;
		leaves += job->trees[t].num_leaves;
	}
	if (nodes > PRONET_FOREST_MAX_NODES)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "the forest has %zu nodes, above %u",
		                    nodes, PRONET_FOREST_MAX_NODES);
	forest->tree_start = malloc((forest->num_trees + 1) * sizeof(uint32_t));
	forest->nodes = malloc(nodes * sizeof(*forest->nodes));
	forest->leaf_values = malloc(leaves * classes * sizeof(float));
	if (!forest->tree_start || !forest->nodes || !forest->leaf_values)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the forest");
	for (uint32_t t = 0; t < forest->num_trees; t++) {
		const struct tree *tree = &job->trees[t];

		forest->tree_start[t] = forest->num_nodes;
		for (size_t i = 0; i < tree->num_nodes; i++) {
			struct pronet_forest_node node = tree->nodes[i];

			if (node.feature == PRONET_FOREST_LEAF)
				node.left += forest->num_leaves;
			forest->nodes[forest->num_nodes++] = node;
		}
		memcpy(forest->leaf_values + (size_t)forest->num_leaves * classes, tree->leaves,
		       tree->num_leaves * classes * sizeof(float));
		forest->num_leaves += (uint32_t)tree->num_leaves;
	}
	forest->tree_start[forest->num_trees] = forest->num_nodes;
	return PRONET_OK;
}

enum pronet_err pronet_forest_fit(const float *features, const uint32_t *labels, size_t count,
                                  uint32_t num_features, uint32_t num_classes,
                                  const struct pronet_forest_params *params,
                                  struct pronet_forest **out, char *errbuf)
{
	struct job job = {features, labels, count, num_features, num_classes, params, NULL};
	struct pronet_forest *forest;
	enum pronet_err err;

	*out = NULL;
	if (count == 0 || num_features == 0 || num_classes == 0 || params->trees < 1 ||
	    params->trees > PRONET_FOREST_MAX_TREES)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "forest: %zu samples, %u features, %u trees: nothing to grow",
		                    count, num_features, params->trees);
	forest = calloc(1, sizeof(*forest));
	job.trees = calloc(params->trees, sizeof(*job.trees));
	if (forest == NULL || job.trees == NULL) {
		free(forest);
		free(job.trees);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the forest");
	}
	forest->num_trees = params->trees;
	forest->num_classes = num_classes;
	forest->num_features = num_features;
	pronet_parallel_run(params->threads ? params->threads : 1, grow_worker, &job);
	err = merge(&job, forest, errbuf);
	for (uint32_t t = 0; t < params->trees; t++) {
		free(job.trees[t].nodes);
		free(job.trees[t].leaves);
	}
	free(job.trees);
	if (err != PRONET_OK) {
		pronet_forest_free(forest);
		return err;
	}
	*out = forest;
	return PRONET_OK;
}

void pronet_forest_predict(const struct pronet_forest *forest, const float *features,
                           float *probabilities)
{
	size_t classes = forest->num_classes;

	for (size_t c = 0; c < classes; c++)
		probabilities[c] = 0.0f;
	for (uint32_t t = 0; t < forest->num_trees; t++) {
		const struct pronet_forest_node *nodes = forest->nodes + forest->tree_start[t];
		const float *row;
		uint32_t i = 0;

		while (nodes[i].feature != PRONET_FOREST_LEAF)
			i = features[nodes[i].feature] <= nodes[i].threshold ? nodes[i].left
			                                                     : nodes[i].right;
		row = forest->leaf_values + (size_t)nodes[i].left * classes;
		for (size_t c = 0; c < classes; c++)
			probabilities[c] += row[c];
	}
	for (size_t c = 0; c < classes; c++)
		probabilities[c] /= (float)forest->num_trees;
}

int pronet_forest_valid(const struct pronet_forest *forest, char *why, size_t size)
{
	for (uint32_t t = 0; t < forest->num_trees; t++) {
		uint32_t first = forest->tree_start[t], last = forest->tree_start[t + 1];

		if (last <= first || last > forest->num_nodes) {
			snprintf(why, size, "tree %u has no nodes or runs past the last node", t);
			return 0;
		}
		for (uint32_t i = 0; i < last - first; i++) {
			const struct pronet_forest_node *node = &forest->nodes[first + i];

			if (node->feature == PRONET_FOREST_LEAF) {
				if (node->left >= forest->num_leaves) {
					snprintf(why, size,
					         "tree %u node %u: leaf %u past the last", t, i,
					         node->left);
					return 0;
				}
			} else if (node->feature >= forest->num_features ||
			           !isfinite(node->threshold) || node->left <= i ||
			           node->right <= i || node->left >= last - first ||
			           node->right >= last - first) {
				snprintf(why, size,
				         "tree %u node %u: feature or child out of range", t, i);
				return 0;
			}
		}
	}
	for (size_t k = 0; k < (size_t)forest->num_leaves * forest->num_classes; k++)
		if (!(forest->leaf_values[k] >= 0.0f && forest->leaf_values[k] <= 1.0f)) {
			snprintf(why, size, "leaf value %zu is outside [0, 1]", k);
			return 0;
		}
	return 1;
}
