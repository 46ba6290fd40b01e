/* The order training draws its units in (internal to core/train): each
 * epoch a fresh shuffle of the pool, or, class-balanced, a fresh draw of at
 * most max_per_class units of each class. Every draw takes its randomness
 * from the caller's generator, so the same seed gives the same epochs. */
#ifndef PRONET_CORE_TRAIN_EPOCHS_H
#define PRONET_CORE_TRAIN_EPOCHS_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/util/rng.h"

struct pronet_epochs {
	size_t *pool; /* [pool_size]: the units trained on */
	size_t pool_size;
	size_t *by_class;    /* [pool_size]: the pool grouped by class (balancing) */
	size_t *class_start; /* [num_classes + 1]: each class's range in by_class */
	size_t *order;       /* [pool_size]: this epoch's units, shuffled */
	size_t epoch_size;   /* units per epoch (fewer than the pool when balanced) */
};

/* The pool: units[0..pool_size) (NULL: 0..pool_size-1). PRONET_ERR_NOMEM, or
 * PRONET_OK; freed by pronet_epochs_free either way. */
enum pronet_err pronet_epochs_init(struct pronet_epochs *epochs, const size_t *units,
                                   size_t pool_size, size_t num_classes);
/* Groups the pool by class (labels indexed by unit) and sizes an epoch: the
 * whole pool, or at most max_per_class (0: no limit) of each class. */
void pronet_epochs_plan(struct pronet_epochs *epochs, const uint32_t *labels, size_t num_classes,
                        uint32_t max_per_class);
/* The next epoch's order[0..epoch_size). */
void pronet_epochs_draw(struct pronet_epochs *epochs, size_t num_classes, uint32_t max_per_class,
                        struct pronet_rng *rng);
void pronet_epochs_free(struct pronet_epochs *epochs);

#endif
