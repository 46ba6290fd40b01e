/* The record pool (core/data/record_pool.h): two arrays indexed by slot,
 * a free list threaded through the links, and past it the slots never
 * taken yet (from fresh_next on), so that a new pool touches none of its
 * memory: a flow table's is sized for every flow it may hold. */
#include "core/data/record_pool.h"

#include <stdlib.h>

struct pronet_record_pool {
	size_t window_bytes, capacity;
	uint8_t *bytes;
	uint32_t *next;
	uint32_t free_head;
	size_t fresh_next;
};

enum pronet_err pronet_record_pool_new(size_t window_bytes, size_t max_records,
                                       struct pronet_record_pool **out, char *errbuf)
{
	struct pronet_record_pool *pool;

	*out = NULL;
	if (window_bytes > PRONET_RECORD_MAX_BYTES || max_records == 0 ||
	    max_records > ((size_t)1 << 31))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "record pool: %zu records of %zu bytes (1..2^31 of 0..%d)",
		                    max_records, window_bytes, PRONET_RECORD_MAX_BYTES);
	pool = calloc(1, sizeof(*pool));
	if (pool != NULL) {
		pool->bytes = malloc(max_records * (window_bytes > 0 ? window_bytes : 1));
		pool->next = malloc(max_records * sizeof(*pool->next));
	}
	if (pool == NULL || pool->bytes == NULL || pool->next == NULL) {
		pronet_record_pool_free(pool);
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "record pool: no memory for %zu records of %zu bytes",
		                    max_records, window_bytes);
	}
	pool->window_bytes = window_bytes;
	pool->capacity = max_records;
	pool->free_head = PRONET_RECORD_SLOT_NONE;
	pool->fresh_next = 0;
	*out = pool;
	return PRONET_OK;
}

void pronet_record_pool_free(struct pronet_record_pool *pool)
{
	if (pool == NULL)
		return;
	free(pool->bytes);
	free(pool->next);
	free(pool);
}

uint32_t pronet_record_pool_take(struct pronet_record_pool *pool)
{
	uint32_t slot = pool->free_head;

	if (slot != PRONET_RECORD_SLOT_NONE)
		pool->free_head = pool->next[slot];
	else if (pool->fresh_next < pool->capacity)
		slot = (uint32_t)pool->fresh_next++;
	else
		return PRONET_RECORD_SLOT_NONE;
	pool->next[slot] = PRONET_RECORD_SLOT_NONE;
	return slot;
}

void pronet_record_pool_give_chain(struct pronet_record_pool *pool, uint32_t head)
{
	while (head != PRONET_RECORD_SLOT_NONE) {
		uint32_t next = pool->next[head];

		pool->next[head] = pool->free_head;
		pool->free_head = head;
		head = next;
	}
}

uint8_t *pronet_record_pool_bytes(struct pronet_record_pool *pool, uint32_t slot)
{
	return pool->bytes + (size_t)slot * pool->window_bytes;
}

uint32_t *pronet_record_pool_next(struct pronet_record_pool *pool, uint32_t slot)
{
	return &pool->next[slot];
}

size_t pronet_record_pool_capacity(const struct pronet_record_pool *pool)
{
	return pool->capacity;
}
