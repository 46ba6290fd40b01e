/* Bounded storage for packet records' bytes: a fixed number of slots, each
 * room for one record's window of bytes, allocated once; a flow chains its
 * slots (or keeps their numbers).
 * The flow table records into one pool, so that what it keeps is what its
 * spec asks and never more than its budget: when the pool is empty a
 * packet's record is dropped and counted, never allocated. */
#ifndef PRONET_CORE_RECORD_POOL_H
#define PRONET_CORE_RECORD_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/record.h"
#include "core/util/error.h"

#define PRONET_RECORD_SLOT_NONE UINT32_MAX

struct pronet_record_pool;

/* max_records slots of window_bytes bytes each (window 0..1500, 1..2^31). */
enum pronet_err pronet_record_pool_new(size_t window_bytes, size_t max_records,
                                       struct pronet_record_pool **out, char *errbuf);
void pronet_record_pool_free(struct pronet_record_pool *pool);
/* A free slot (its next link NONE), or PRONET_RECORD_SLOT_NONE when full. O(1). */
uint32_t pronet_record_pool_take(struct pronet_record_pool *pool);
/* Gives back the chain that starts at `head` (NONE: nothing). */
void pronet_record_pool_give_chain(struct pronet_record_pool *pool, uint32_t head);
/* The slot's window_bytes bytes. */
uint8_t *pronet_record_pool_bytes(struct pronet_record_pool *pool, uint32_t slot);
/* The slot's chain link. */
uint32_t *pronet_record_pool_next(struct pronet_record_pool *pool, uint32_t slot);
size_t pronet_record_pool_capacity(const struct pronet_record_pool *pool);

#endif
