/* Tests of core/arch/histogram/forest.c and forest_file.c: a forest learns
 * a separable set, grows the same trees for a seed whatever the thread
 * count, and its TREE block round-trips and refuses damage. */
#include <stdlib.h>
#include <string.h>

#include "core/arch/histogram/forest.h"
#include "core/arch/histogram/forest_file.h"
#include "core/model/model_io.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#define N 300
#define F 5
#define C 3

/* Class c has feature 1 in [c, c + 0.8); the other features are noise. */
static void separable(float *x, uint32_t *y, size_t n, uint64_t seed)
{
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		y[i] = (uint32_t)(i % C);
		for (size_t j = 0; j < F; j++)
			x[i * F + j] = (float)pronet_rng_uniform(&rng) * 3.0f;
		x[i * F + 1] = (float)y[i] + 0.8f * (float)pronet_rng_uniform(&rng);
	}
}

static struct pronet_forest *grow(const float *x, const uint32_t *y, uint64_t seed, size_t threads)
{
	struct pronet_forest_params params = {20, 0, 0, 1, seed, threads};
	struct pronet_forest *forest = NULL;
	char errbuf[256];

	CU_ASSERT_EQUAL(pronet_forest_fit(x, y, N, F, C, &params, &forest, errbuf), PRONET_OK);
	return forest;
}

static size_t best(const float *p)
{
	size_t b = 0;

	for (size_t c = 1; c < C; c++)
		b = p[c] > p[b] ? c : b;
	return b;
}

static void test_learns_a_separable_set(void)
{
	static float x[N * F], test_x[N * F];
	static uint32_t y[N], test_y[N];
	struct pronet_forest *forest;
	size_t right = 0;
	float p[C];

	separable(x, y, N, 1);
	separable(test_x, test_y, N, 2);
	forest = grow(x, y, 7, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(forest);
	for (size_t i = 0; i < N; i++) {
		pronet_forest_predict(forest, test_x + i * F, p);
		CU_ASSERT_DOUBLE_EQUAL(p[0] + p[1] + p[2], 1.0, 1e-5);
		right += best(p) == test_y[i];
	}
	CU_ASSERT(right >= N - 3); /* unseen points of a separable set */
	pronet_forest_free(forest);
}

static int same_forest(const struct pronet_forest *a, const struct pronet_forest *b)
{
	return a->num_nodes == b->num_nodes && a->num_leaves == b->num_leaves &&
	       memcmp(a->tree_start, b->tree_start, (a->num_trees + 1) * sizeof(uint32_t)) == 0 &&
	       memcmp(a->nodes, b->nodes, a->num_nodes * sizeof(*a->nodes)) == 0 &&
	       memcmp(a->leaf_values, b->leaf_values, (size_t)a->num_leaves * C * sizeof(float)) ==
	           0;
}

static void test_same_trees_for_a_seed_whatever_the_threads(void)
{
	static float x[N * F];
	static uint32_t y[N];
	struct pronet_forest *one, *three, *again, *other;

	separable(x, y, N, 1);
	one = grow(x, y, 7, 1);
	three = grow(x, y, 7, 3);
	again = grow(x, y, 7, 1);
	other = grow(x, y, 8, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(one);
	CU_ASSERT_PTR_NOT_NULL_FATAL(three);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_TRUE(same_forest(one, three));
	CU_ASSERT_TRUE(same_forest(one, again));
	CU_ASSERT_FALSE(same_forest(one, other));
	pronet_forest_free(one);
	pronet_forest_free(three);
	pronet_forest_free(again);
	pronet_forest_free(other);
}

static enum pronet_err read_bytes(const uint8_t *data, size_t size, struct pronet_forest **out)
{
	char errbuf[256];
	struct pronet_io_reader r = {data, size, 0, "test", errbuf};
	enum pronet_err err = pronet_forest_read(&r, C, F, out);

	if (err == PRONET_OK && r.offset != size) {
		pronet_forest_free(*out);
		*out = NULL;
		return PRONET_ERR_FORMAT;
	}
	return err;
}

static void test_tree_block_round_trip_and_damage(void)
{
	static float x[N * F];
	static uint32_t y[N];
	struct pronet_io_writer w = {NULL, 0, 0, 0};
	struct pronet_forest *forest, *loaded = NULL;
	uint8_t *copy;

	separable(x, y, N, 1);
	forest = grow(x, y, 7, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(forest);
	pronet_forest_write(forest, &w);
	CU_ASSERT_FALSE_FATAL(w.failed);
	CU_ASSERT_EQUAL_FATAL(read_bytes(w.data, w.size, &loaded), PRONET_OK);
	CU_ASSERT_TRUE(same_forest(forest, loaded));
	pronet_forest_free(loaded);
	/* Every truncation is refused. */
	for (size_t size = 0; size < w.size; size += 1 + size / 64) {
		loaded = NULL;
		CU_ASSERT_NOT_EQUAL(read_bytes(w.data, size, &loaded), PRONET_OK);
		CU_ASSERT_PTR_NULL(loaded);
	}
	/* A child pointing back at the root (a cycle) is refused: node 0 of
	 * tree 0 starts after the 5 counts and 20 tree sizes; its left at +8. */
	copy = malloc(w.size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, w.data, w.size);
	memset(copy + 4 * (5 + 20) + 8, 0, 4);
	loaded = NULL;
	CU_ASSERT_EQUAL(read_bytes(copy, w.size, &loaded), PRONET_ERR_FORMAT);
	/* A feature past the model's. */
	memcpy(copy, w.data, w.size);
	memset(copy + 4 * (5 + 20), 0x7f, 4);
	CU_ASSERT_EQUAL(read_bytes(copy, w.size, &loaded), PRONET_ERR_FORMAT);
	/* A forest for other classes. */
	memcpy(copy, w.data, w.size);
	copy[4] = C + 1;
	CU_ASSERT_EQUAL(read_bytes(copy, w.size, &loaded), PRONET_ERR_FORMAT);
	free(copy);
	free(w.data);
	pronet_forest_free(forest);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"learns a separable set", test_learns_a_separable_set},
	    {"same trees for a seed whatever the threads",
	     test_same_trees_for_a_seed_whatever_the_threads},
	    {"TREE block round trip and damage", test_tree_block_round_trip_and_damage},
	    CU_TEST_INFO_NULL,
	};

	return pronet_unit_run("random forest", tests);
}
