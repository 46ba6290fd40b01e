/* Names to indexes (internal to core/data): the dataset loader's check
 * that no class or capture name is defined twice, and the writer's lookup
 * of the names it has written. */
#ifndef PRONET_CORE_DATA_NAME_INDEX_H
#define PRONET_CORE_DATA_NAME_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

/* Names to indexes: open addressing over FNV-1a hashes. Does not own the
 * strings it points to. */
struct pronet_name_index {
	const char **names;
	uint32_t *indexes;
	size_t capacity, count;
};

void pronet_name_index_init(struct pronet_name_index *table);
void pronet_name_index_clear(struct pronet_name_index *table);
/* 1 and *index if found, else 0. */
int pronet_name_index_find(const struct pronet_name_index *table, const char *name,
                           uint32_t *index);
/* Adds a name known not to be present; `name` must outlive the table. */
enum pronet_err pronet_name_index_add(struct pronet_name_index *table, const char *name,
                                      uint32_t index);

#endif
