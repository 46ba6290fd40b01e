#include "plugin/flow_state.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Stripes: independent locks, each owning an equal share of the pool. */
#define STRIPES 64
#define NO_ENTRY UINT32_MAX

struct entry {
	const void *key; /* NULL: free */
	uint32_t generation;
	uint32_t next;    /* next entry in the bucket chain or the free list */
	uint8_t count[2]; /* recorded packets per direction */
	uint8_t seen;     /* payload packets offered, both directions */
	struct pronet_input inputs[2][PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION];
	struct pronet_flow_verdict verdict;
};

struct stripe {
	pthread_mutex_t lock;
	uint32_t *buckets; /* heads of bucket chains, NO_ENTRY if empty */
	uint32_t free_head;
	size_t in_use;
};

struct pronet_flow_store {
	struct stripe stripes[STRIPES];
	struct entry *entries; /* capacity entries; stripe s owns a contiguous share */
	size_t capacity;
	uint32_t buckets_per_stripe; /* a power of two */
};

static uint64_t hash_key(const void *key)
{
	uint64_t x = (uint64_t)(uintptr_t)key;

	/* Fibonacci hashing; flow structs are allocated with 16-byte alignment. */
	return (x >> 4) * 0x9E3779B97F4A7C15ull;
}

static struct stripe *stripe_of(struct pronet_flow_store *store, uint64_t hash)
{
	return &store->stripes[hash >> 58]; /* top 6 bits: 64 stripes */
}

static uint32_t *bucket_of(struct pronet_flow_store *store, struct stripe *stripe, uint64_t hash)
{
	return &stripe->buckets[(uint32_t)hash & (store->buckets_per_stripe - 1)];
}

enum pronet_err pronet_flow_store_new(size_t capacity, struct pronet_flow_store **out, char *errbuf)
{
	struct pronet_flow_store *store;
	size_t share;

	*out = NULL;
	if (capacity < STRIPES || capacity > (size_t)UINT32_MAX / 2)
		return pronet_error(errbuf, PRONET_ERR_ARG, "flow store: capacity %zu out of range",
		                    capacity);
	share = capacity / STRIPES;
	store = calloc(1, sizeof(*store));
	if (store == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "flow store: out of memory");
	store->capacity = share * STRIPES;
	store->buckets_per_stripe = 1;
	while (store->buckets_per_stripe < share)
		store->buckets_per_stripe <<= 1;
	store->entries = calloc(store->capacity, sizeof(*store->entries));
	if (store->entries == NULL) {
		free(store);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "flow store: out of memory");
	}
	for (size_t s = 0; s < STRIPES; s++) {
		struct stripe *stripe = &store->stripes[s];

		pthread_mutex_init(&stripe->lock, NULL);
		stripe->buckets = malloc(store->buckets_per_stripe * sizeof(*stripe->buckets));
		if (stripe->buckets == NULL) {
			pronet_flow_store_free(store);
			return pronet_error(errbuf, PRONET_ERR_NOMEM, "flow store: out of memory");
		}
		for (uint32_t b = 0; b < store->buckets_per_stripe; b++)
			stripe->buckets[b] = NO_ENTRY;
		/* Free list through this stripe's share of the pool. */
		stripe->free_head = (uint32_t)(s * share);
		for (size_t i = s * share; i < (s + 1) * share; i++)
			store->entries[i].next =
			    i + 1 < (s + 1) * share ? (uint32_t)(i + 1) : NO_ENTRY;
	}
	*out = store;
	return PRONET_OK;
}

void pronet_flow_store_free(struct pronet_flow_store *store)
{
	if (store == NULL)
		return;
	for (size_t s = 0; s < STRIPES; s++) {
		pthread_mutex_destroy(&store->stripes[s].lock);
		free(store->stripes[s].buckets);
	}
	free(store->entries);
	free(store);
}

/* Under the stripe's lock: the entry of `key`, or NO_ENTRY. */
static uint32_t find_locked(struct pronet_flow_store *store, struct stripe *stripe, uint64_t hash,
                            const void *key)
{
	for (uint32_t i = *bucket_of(store, stripe, hash); i != NO_ENTRY;
	     i = store->entries[i].next)
		if (store->entries[i].key == key)
			return i;
	return NO_ENTRY;
}

static uint32_t insert_locked(struct pronet_flow_store *store, struct stripe *stripe, uint64_t hash,
                              const void *key)
{
	uint32_t *bucket = bucket_of(store, stripe, hash);
	uint32_t i = stripe->free_head;
	struct entry *entry;

	if (i == NO_ENTRY)
		return NO_ENTRY;
	entry = &store->entries[i];
	stripe->free_head = entry->next;
	memset(entry, 0, sizeof(*entry));
	entry->key = key;
	entry->next = *bucket;
	*bucket = i;
	stripe->in_use++;
	return i;
}

static void remove_locked(struct pronet_flow_store *store, struct stripe *stripe, uint64_t hash,
                          const void *key)
{
	uint32_t *link = bucket_of(store, stripe, hash);

	while (*link != NO_ENTRY) {
		struct entry *entry = &store->entries[*link];

		if (entry->key == key) {
			uint32_t i = *link;

			*link = entry->next;
			entry->key = NULL;
			entry->next = stripe->free_head;
			stripe->free_head = i;
			stripe->in_use--;
			return;
		}
		link = &entry->next;
	}
}

static void reset_entry(struct entry *entry, uint32_t generation)
{
	entry->count[0] = entry->count[1] = 0;
	entry->seen = 0;
	memset(&entry->verdict, 0, sizeof(entry->verdict));
	entry->generation = generation;
}

static enum pronet_record_status
record_locked(struct entry *entry, const struct pronet_input *input, uint32_t per_direction)
{
	unsigned direction = input->direction ? 1u : 0u;
	struct pronet_input *slot;

	if (entry->verdict.decided)
		return PRONET_RECORD_DECIDED;
	if (entry->seen < UINT8_MAX)
		entry->seen++;
	if (entry->count[direction] >= per_direction)
		return entry->count[!direction] >= per_direction ? PRONET_RECORD_ALL_FULL
		                                                 : PRONET_RECORD_DIRECTION_FULL;
	slot = &entry->inputs[direction][entry->count[direction]++];
	*slot = *input;
	slot->packet_index = (uint8_t)(entry->seen - 1);
	if (entry->count[0] >= per_direction && entry->count[1] >= per_direction)
		return PRONET_RECORD_ALL_FULL;
	return PRONET_RECORD_STORED;
}

enum pronet_record_status pronet_flow_store_record(struct pronet_flow_store *store, const void *key,
                                                   uint32_t generation,
                                                   const struct pronet_input *input,
                                                   uint32_t per_direction)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	enum pronet_record_status status = PRONET_RECORD_NO_SPACE;
	uint32_t i;

	if (per_direction > PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION)
		per_direction = PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION;
	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i == NO_ENTRY) {
		i = insert_locked(store, stripe, hash, key);
		if (i != NO_ENTRY)
			store->entries[i].generation = generation;
	} else if (generation < store->entries[i].generation) {
		/* The host reused this memory for a new flow. */
		reset_entry(&store->entries[i], generation);
	}
	if (i != NO_ENTRY) {
		store->entries[i].generation = generation;
		status = record_locked(&store->entries[i], input, per_direction);
	}
	pthread_mutex_unlock(&stripe->lock);
	return status;
}

int pronet_flow_store_snapshot(struct pronet_flow_store *store, const void *key,
                               struct pronet_flow_record *out)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	uint32_t i;

	out->num_inputs = 0;
	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i != NO_ENTRY) {
		const struct entry *entry = &store->entries[i];

		for (unsigned d = 0; d < 2; d++)
			for (unsigned k = 0; k < entry->count[d]; k++)
				out->inputs[out->num_inputs++] = entry->inputs[d][k];
	}
	pthread_mutex_unlock(&stripe->lock);
	return i != NO_ENTRY;
}

void pronet_flow_store_set_verdict(struct pronet_flow_store *store, const void *key,
                                   const struct pronet_flow_verdict *verdict)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	uint32_t i;

	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i == NO_ENTRY)
		i = insert_locked(store, stripe, hash, key);
	if (i != NO_ENTRY)
		store->entries[i].verdict = *verdict;
	pthread_mutex_unlock(&stripe->lock);
}

int pronet_flow_store_get_verdict(struct pronet_flow_store *store, const void *key,
                                  struct pronet_flow_verdict *out)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	uint32_t i;

	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i != NO_ENTRY)
		*out = store->entries[i].verdict;
	pthread_mutex_unlock(&stripe->lock);
	return i != NO_ENTRY;
}

void pronet_flow_store_forget(struct pronet_flow_store *store, const void *key)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);

	pthread_mutex_lock(&stripe->lock);
	remove_locked(store, stripe, hash, key);
	pthread_mutex_unlock(&stripe->lock);
}

size_t pronet_flow_store_in_use(struct pronet_flow_store *store)
{
	size_t total = 0;

	for (size_t s = 0; s < STRIPES; s++) {
		pthread_mutex_lock(&store->stripes[s].lock);
		total += store->stripes[s].in_use;
		pthread_mutex_unlock(&store->stripes[s].lock);
	}
	return total;
}

size_t pronet_flow_store_capacity(const struct pronet_flow_store *store)
{
	return store->capacity;
}
