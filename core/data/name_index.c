/* Names to indexes (core/data/name_index.h). */
#include "core/data/name_index.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_name(const char *name)
{
	uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *name != '\0'; name++)
		hash = (hash ^ (uint8_t)*name) * 0x100000001b3ull;
	return (size_t)hash;
}

void pronet_name_index_init(struct pronet_name_index *table)
{
	memset(table, 0, sizeof(*table));
}

void pronet_name_index_clear(struct pronet_name_index *table)
{
	free(table->names);
	free(table->indexes);
	pronet_name_index_init(table);
}

int pronet_name_index_find(const struct pronet_name_index *table, const char *name, uint32_t *index)
{
	if (table->capacity == 0)
		return 0;
	for (size_t slot = hash_name(name) & (table->capacity - 1);;
	     slot = (slot + 1) & (table->capacity - 1)) {
		if (table->names[slot] == NULL)
			return 0;
		if (strcmp(table->names[slot], name) == 0) {
			*index = table->indexes[slot];
			return 1;
		}
	}
}

static void insert_slot(struct pronet_name_index *table, const char *name, uint32_t index)
{
	size_t slot = hash_name(name) & (table->capacity - 1);

	while (table->names[slot] != NULL)
		slot = (slot + 1) & (table->capacity - 1);
	table->names[slot] = name;
	table->indexes[slot] = index;
	table->count++;
}

enum pronet_err pronet_name_index_add(struct pronet_name_index *table, const char *name,
                                      uint32_t index)
{
	/* Keep the table at most half full so probes stay short. */
	if ((table->count + 1) * 2 > table->capacity) {
		struct pronet_name_index grown;
		size_t capacity = table->capacity == 0 ? 16 : table->capacity * 2;

		grown.names = calloc(capacity, sizeof(*grown.names));
		grown.indexes = calloc(capacity, sizeof(*grown.indexes));
		if (grown.names == NULL || grown.indexes == NULL) {
			free(grown.names);
			free(grown.indexes);
			return PRONET_ERR_NOMEM;
		}
		grown.capacity = capacity;
		grown.count = 0;
		for (size_t i = 0; i < table->capacity; i++)
			if (table->names[i] != NULL)
				insert_slot(&grown, table->names[i], table->indexes[i]);
		pronet_name_index_clear(table);
		*table = grown;
	}
	insert_slot(table, name, index);
	return PRONET_OK;
}
