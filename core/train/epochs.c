/* Epochs of training units: a counting sort by class once, then per epoch a
 * Fisher-Yates shuffle (of the pool, or of a per-class partial draw). */
#include "core/train/epochs.h"

#include <stdlib.h>
#include <string.h>

enum pronet_err pronet_epochs_init(struct pronet_epochs *epochs, const size_t *units,
                                   size_t pool_size, size_t num_classes)
{
	memset(epochs, 0, sizeof(*epochs));
	epochs->pool_size = pool_size;
	epochs->pool = malloc(pool_size * sizeof(*epochs->pool) + 1);
	epochs->by_class = malloc(pool_size * sizeof(*epochs->by_class) + 1);
	epochs->class_start = calloc(num_classes + 1, sizeof(*epochs->class_start));
	epochs->order = malloc(pool_size * sizeof(*epochs->order) + 1);
	if (!epochs->pool || !epochs->by_class || !epochs->class_start || !epochs->order)
		return PRONET_ERR_NOMEM;
	for (size_t i = 0; i < pool_size; i++)
		epochs->pool[i] = units != NULL ? units[i] : i;
	return PRONET_OK;
}

void pronet_epochs_free(struct pronet_epochs *epochs)
{
	free(epochs->pool);
	free(epochs->by_class);
	free(epochs->class_start);
	free(epochs->order);
	memset(epochs, 0, sizeof(*epochs));
}

/* A counting sort, stable, so the draw below depends only on the seed. */
void pronet_epochs_plan(struct pronet_epochs *epochs, const uint32_t *labels, size_t num_classes,
                        uint32_t max_per_class)
{
	size_t *start = epochs->class_start;

	memset(start, 0, (num_classes + 1) * sizeof(*start));
	for (size_t i = 0; i < epochs->pool_size; i++)
		start[labels[epochs->pool[i]] + 1]++;
	for (size_t c = 0; c < num_classes; c++)
		start[c + 1] += start[c];
	for (size_t i = 0; i < epochs->pool_size; i++) {
		uint32_t c = labels[epochs->pool[i]];

		epochs->by_class[start[c]++] = epochs->pool[i];
	}
	for (size_t c = num_classes; c > 0; c--) /* undo the shift of the fill */
		start[c] = start[c - 1];
	start[0] = 0;
	epochs->epoch_size = 0;
	for (size_t c = 0; c < num_classes; c++) {
		size_t count = start[c + 1] - start[c];

		epochs->epoch_size +=
		    max_per_class && count > max_per_class ? max_per_class : count;
	}
}

static void shuffle(size_t *items, size_t n, struct pronet_rng *rng)
{
	for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
		size_t j = (size_t)pronet_rng_below(rng, i);
		size_t swap = items[i - 1];

		items[i - 1] = items[j];
		items[j] = swap;
	}
}

/* Balanced: a partial Fisher-Yates inside each class, then the whole draw
 * shuffled so a batch mixes classes. */
void pronet_epochs_draw(struct pronet_epochs *epochs, size_t num_classes, uint32_t max_per_class,
                        struct pronet_rng *rng)
{
	size_t filled = 0;

	if (max_per_class == 0) {
		memcpy(epochs->order, epochs->pool, epochs->pool_size * sizeof(*epochs->order));
		shuffle(epochs->order, epochs->pool_size, rng);
		return;
	}
	for (size_t c = 0; c < num_classes; c++) {
		size_t *members = epochs->by_class + epochs->class_start[c];
		size_t count = epochs->class_start[c + 1] - epochs->class_start[c];
		size_t take = count > max_per_class ? max_per_class : count;

		for (size_t i = 0; i < take; i++) {
			size_t j = i + (size_t)pronet_rng_below(rng, count - i);
			size_t swap = members[i];

			members[i] = members[j];
			members[j] = swap;
			epochs->order[filled++] = members[i];
		}
	}
	shuffle(epochs->order, filled, rng);
}
