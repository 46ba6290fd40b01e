/* The forest's TREE block in the model file (layout in forest_file.c and
 * docs/histogram-models.md). */
#ifndef PRONET_CORE_ARCH_HISTOGRAM_FOREST_FILE_H
#define PRONET_CORE_ARCH_HISTOGRAM_FOREST_FILE_H

#include <stdint.h>

#include "core/util/error.h"

struct pronet_forest;
struct pronet_io_writer;
struct pronet_io_reader;

/* forest NULL writes an unfitted (empty) forest. */
void pronet_forest_write(const struct pronet_forest *forest, struct pronet_io_writer *w);
/* *out NULL for an unfitted forest. The forest must have the model's class
 * and feature counts. */
enum pronet_err pronet_forest_read(struct pronet_io_reader *r, uint32_t num_classes,
                                   uint32_t num_features, struct pronet_forest **out);

#endif
