/* The TREE block of a histogram-rf model file (docs/histogram-models.md):
 *
 *   u32 trees T, u32 classes C, u32 features F, u32 nodes N, u32 leaves L
 *   u32 nodes of each tree [T]
 *   N nodes: u32 feature (0xffffffff: leaf), f32 threshold, u32 left, u32 right
 *     (indexes within the node's tree; a leaf's left is its row of leaf values)
 *   f32 leaf values [L * C]: each leaf's class fractions
 *
 * T = 0 is an unfitted forest. Every count is checked against the bytes left
 * before anything is allocated, and the forest against its own indexes
 * (pronet_forest_valid) before it is used. */
#include <stdlib.h>
#include <string.h>

#include "core/arch/histogram/forest.h"
#include "core/arch/histogram/forest_file.h"
#include "core/model/model_io.h"

void pronet_forest_write(const struct pronet_forest *forest, struct pronet_io_writer *w)
{
	if (forest == NULL) {
		for (int i = 0; i < 5; i++)
			pronet_io_put_u32(w, 0);
		return;
	}
	pronet_io_put_u32(w, forest->num_trees);
	pronet_io_put_u32(w, forest->num_classes);
	pronet_io_put_u32(w, forest->num_features);
	pronet_io_put_u32(w, forest->num_nodes);
	pronet_io_put_u32(w, forest->num_leaves);
	for (uint32_t t = 0; t < forest->num_trees; t++)
		pronet_io_put_u32(w, forest->tree_start[t + 1] - forest->tree_start[t]);
	for (uint32_t i = 0; i < forest->num_nodes; i++) {
		pronet_io_put_u32(w, forest->nodes[i].feature);
		pronet_io_put_f32(w, forest->nodes[i].threshold);
		pronet_io_put_u32(w, forest->nodes[i].left);
		pronet_io_put_u32(w, forest->nodes[i].right);
	}
	for (size_t k = 0; k < (size_t)forest->num_leaves * forest->num_classes; k++)
		pronet_io_put_f32(w, forest->leaf_values[k]);
}

static enum pronet_err read_counts(struct pronet_io_reader *r, struct pronet_forest *forest)
{
	enum pronet_err err = pronet_io_get_u32(r, "tree count", &forest->num_trees);

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "forest classes", &forest->num_classes);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "forest features", &forest->num_features);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "node count", &forest->num_nodes);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "leaf count", &forest->num_leaves);
	return err;
}

static enum pronet_err read_body(struct pronet_io_reader *r, struct pronet_forest *forest)
{
	size_t values = (size_t)forest->num_leaves * forest->num_classes;
	size_t need = 4 * (size_t)forest->num_trees + 16 * (size_t)forest->num_nodes + 4 * values;
	const uint8_t *bytes = NULL;
	enum pronet_err err = PRONET_OK;

	if (need > r->size - r->offset)
		return pronet_error(r->errbuf, PRONET_ERR_TRUNCATED,
		                    "%s: the TREE block needs %zu more bytes than it holds",
		                    r->name, need - (r->size - r->offset));
	forest->tree_start = malloc(((size_t)forest->num_trees + 1) * sizeof(uint32_t));
	forest->nodes = malloc(((size_t)forest->num_nodes + 1) * sizeof(*forest->nodes));
	forest->leaf_values = malloc((values + 1) * sizeof(float));
	if (!forest->tree_start || !forest->nodes || !forest->leaf_values)
		return pronet_error(r->errbuf, PRONET_ERR_NOMEM, "%s: no memory for the forest",
		                    r->name);
	forest->tree_start[0] = 0;
	for (uint32_t t = 0; err == PRONET_OK && t < forest->num_trees; t++) {
		uint32_t count = 0;

		err = pronet_io_get_u32(r, "tree size", &count);
		if (err == PRONET_OK && count > forest->num_nodes - forest->tree_start[t])
			err = pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                   "%s: tree %u runs past the forest's %u nodes", r->name,
			                   t, forest->num_nodes);
		if (err == PRONET_OK)
			forest->tree_start[t + 1] = forest->tree_start[t] + count;
	}
	if (err == PRONET_OK && forest->tree_start[forest->num_trees] != forest->num_nodes)
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                   "%s: the trees hold %u nodes, the forest says %u", r->name,
		                   forest->tree_start[forest->num_trees], forest->num_nodes);
	if (err == PRONET_OK)
		err = pronet_io_take(r, 16 * (size_t)forest->num_nodes, "forest nodes", &bytes);
	for (uint32_t i = 0; err == PRONET_OK && i < forest->num_nodes; i++) {
		const uint8_t *b = bytes + 16 * (size_t)i;

		forest->nodes[i] = (struct pronet_forest_node){
		    pronet_io_decode_u32(b), pronet_io_decode_f32(b + 4),
		    pronet_io_decode_u32(b + 8), pronet_io_decode_u32(b + 12)};
	}
	for (size_t k = 0; err == PRONET_OK && k < values; k++)
		err = pronet_io_get_f32(r, "leaf value", &forest->leaf_values[k]);
	return err;
}

enum pronet_err pronet_forest_read(struct pronet_io_reader *r, uint32_t num_classes,
                                   uint32_t num_features, struct pronet_forest **out)
{
	struct pronet_forest *forest = calloc(1, sizeof(*forest));
	char why[128];
	enum pronet_err err;

	*out = NULL;
	if (forest == NULL)
		return pronet_error(r->errbuf, PRONET_ERR_NOMEM, "%s: no memory for the forest",
		                    r->name);
	err = read_counts(r, forest);
	if (err == PRONET_OK && forest->num_trees == 0) {
		if (forest->num_classes || forest->num_features || forest->num_nodes ||
		    forest->num_leaves)
			err = pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                   "%s: an empty forest with nodes", r->name);
		pronet_forest_free(forest);
		return err; /* unfitted: *out stays NULL */
	}
	if (err == PRONET_OK &&
	    (forest->num_classes != num_classes || forest->num_features != num_features))
		err = pronet_error(
		    r->errbuf, PRONET_ERR_FORMAT,
		    "%s: the forest has %u classes and %u features, the model %u and %u", r->name,
		    forest->num_classes, forest->num_features, num_classes, num_features);
	if (err == PRONET_OK && (forest->num_trees > PRONET_FOREST_MAX_TREES ||
	                         forest->num_nodes > PRONET_FOREST_MAX_NODES))
		err = pronet_error(r->errbuf, PRONET_ERR_LIMIT,
		                   "%s: %u trees, %u nodes: above %u, %u", r->name,
		                   forest->num_trees, forest->num_nodes, PRONET_FOREST_MAX_TREES,
		                   PRONET_FOREST_MAX_NODES);
	if (err == PRONET_OK)
		err = read_body(r, forest);
	if (err == PRONET_OK && !pronet_forest_valid(forest, why, sizeof(why)))
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: TREE: %s", r->name, why);
	if (err != PRONET_OK) {
		pronet_forest_free(forest);
		return err;
	}
	*out = forest;
	return PRONET_OK;
}
