#include "plugin/flow_state.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Stripes: independent locks over the bucket chains, so that threads working
 * on different flows rarely share a lock. */
#define STRIPES 64
#define NO_ENTRY UINT32_MAX

struct entry {
	const void *key; /* NULL: free */
	uint32_t generation;
	uint32_t next;     /* next entry in the bucket chain or the free list */
	uint8_t hooked;    /* recorded from pronet_plugin_process_packet */
	uint16_t count[2]; /* recorded packets per direction */
	uint16_t num_inputs;
	uint8_t evidence_marks; /* enum pronet_evidence_mark */
	struct pronet_input_builder builder;
	/* In arrival order, the entry's region of the store's records
	 * (per_flow of them); their bytes are the entry's slot of the store's
	 * arena (entry_bytes). */
	struct pronet_packet_record *inputs;
	struct pronet_flow_verdict verdict;
};

struct stripe {
	pthread_mutex_t lock;
	uint32_t *buckets; /* heads of bucket chains, NO_ENTRY if empty */
	size_t in_use;
};

/* Free entries are one list for the whole pool, so that every one of the
 * `capacity` entries can be used whatever stripe a flow hashes to: the store
 * is full exactly when `capacity` flows have state. free_lock is taken
 * inside a stripe's lock (never the other way round), once per flow that
 * starts or ends, never per packet of a known flow. */
struct pronet_flow_store {
	struct stripe stripes[STRIPES];
	pthread_mutex_t free_lock;
	uint32_t free_head; /* freed entries; then the never used, from fresh_next */
	uint32_t fresh_next;
	struct entry *entries; /* capacity entries */
	uint32_t *buckets;     /* STRIPES * buckets_per_stripe, one allocation */
	uint8_t *bytes;        /* capacity x PRONET_PLUGIN_MAX_INPUTS x spec.window_bytes */
	struct pronet_packet_record *records; /* capacity x per_flow */
	uint32_t per_flow;                    /* records a flow keeps: 8, or 1024 without bytes */
	struct pronet_input_spec spec;
	size_t capacity;
	uint32_t buckets_per_stripe; /* a power of two */
	atomic_size_t misses;        /* flows that found no free entry */
	size_t locks_ready;          /* stripe locks initialised (for the error path) */
	int free_lock_ready;
};

/* Record k's bytes of entry i: the arena is laid out entry by entry. */
static uint8_t *entry_bytes(const struct pronet_flow_store *store, uint32_t i, uint32_t k)
{
	return store->bytes + ((size_t)i * PRONET_PLUGIN_MAX_INPUTS + k) * store->spec.window_bytes;
}

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

/* Allocations and locks; pronet_flow_store_free undoes what was done. */
static enum pronet_err store_init(struct pronet_flow_store *store, size_t capacity, char *errbuf)
{
	size_t share = (capacity + STRIPES - 1) / STRIPES;

	store->capacity = capacity;
	store->buckets_per_stripe = 1;
	while (store->buckets_per_stripe < share)
		store->buckets_per_stripe <<= 1;
	store->entries = calloc(capacity, sizeof(*store->entries));
	store->buckets =
	    malloc((size_t)STRIPES * store->buckets_per_stripe * sizeof(*store->buckets));
	/* calloc of at least one byte: a window of 0 bytes records no bytes. */
	store->bytes =
	    calloc(capacity * PRONET_PLUGIN_MAX_INPUTS * store->spec.window_bytes + 1, 1);
	store->per_flow =
	    store->spec.window_bytes == 0 ? PRONET_PLUGIN_MAX_RECORDS : PRONET_PLUGIN_MAX_INPUTS;
	store->records = calloc(capacity * store->per_flow, sizeof(*store->records));
	if (store->entries == NULL || store->buckets == NULL || store->bytes == NULL ||
	    store->records == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "flow store: out of memory for %zu flows", capacity);
	if (pthread_mutex_init(&store->free_lock, NULL) != 0)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "flow store: cannot create a lock");
	store->free_lock_ready = 1;
	for (; store->locks_ready < STRIPES; store->locks_ready++)
		if (pthread_mutex_init(&store->stripes[store->locks_ready].lock, NULL) != 0)
			return pronet_error(errbuf, PRONET_ERR_NOMEM,
			                    "flow store: cannot create a lock");
	for (size_t b = 0; b < (size_t)STRIPES * store->buckets_per_stripe; b++)
		store->buckets[b] = NO_ENTRY;
	for (size_t s = 0; s < STRIPES; s++)
		store->stripes[s].buckets = store->buckets + s * store->buckets_per_stripe;
	/* No entry is touched until a flow takes it: a store for every
	 * worker's flows is tens of MB that a short capture never uses. */
	store->free_head = NO_ENTRY;
	store->fresh_next = 0;
	return PRONET_OK;
}

enum pronet_err pronet_flow_store_new(size_t capacity, const struct pronet_input_spec *spec,
                                      struct pronet_flow_store **out, char *errbuf)
{
	struct pronet_flow_store *store;
	enum pronet_err err;

	*out = NULL;
	if (capacity < 1 || capacity > PRONET_FLOW_STORE_MAX_CAPACITY)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "flow store: capacity %zu is not in 1..%u", capacity,
		                    PRONET_FLOW_STORE_MAX_CAPACITY);
	if (spec != NULL) {
		err = pronet_input_spec_check(spec, "flow store", errbuf);
		if (err != PRONET_OK)
			return err;
	}
	store = calloc(1, sizeof(*store));
	if (store == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "flow store: out of memory");
	if (spec != NULL)
		store->spec = *spec;
	else
		pronet_input_spec_default(&store->spec);
	atomic_init(&store->misses, 0);
	err = store_init(store, capacity, errbuf);
	if (err) {
		pronet_flow_store_free(store);
		return err;
	}
	*out = store;
	return PRONET_OK;
}

void pronet_flow_store_free(struct pronet_flow_store *store)
{
	if (store == NULL)
		return;
	/* Only the locks that were initialised. */
	for (size_t s = 0; s < store->locks_ready; s++)
		pthread_mutex_destroy(&store->stripes[s].lock);
	if (store->free_lock_ready)
		pthread_mutex_destroy(&store->free_lock);
	free(store->buckets);
	free(store->entries);
	free(store->bytes);
	free(store->records);
	free(store);
}

void pronet_flow_store_spec(const struct pronet_flow_store *store, struct pronet_input_spec *spec)
{
	*spec = store->spec;
}

size_t pronet_flow_store_bytes_per_flow(const struct pronet_flow_store *store)
{
	return (size_t)PRONET_PLUGIN_MAX_INPUTS * store->spec.window_bytes;
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
	struct entry *entry;
	uint32_t i;

	pthread_mutex_lock(&store->free_lock);
	i = store->free_head;
	if (i != NO_ENTRY)
		store->free_head = store->entries[i].next;
	else if (store->fresh_next < store->capacity)
		i = store->fresh_next++;
	pthread_mutex_unlock(&store->free_lock);
	if (i == NO_ENTRY)
		return NO_ENTRY;
	entry = &store->entries[i];
	memset(entry, 0, sizeof(*entry));
	entry->inputs = store->records + (size_t)i * store->per_flow;
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
			stripe->in_use--;
			pthread_mutex_lock(&store->free_lock);
			entry->next = store->free_head;
			store->free_head = i;
			pthread_mutex_unlock(&store->free_lock);
			return;
		}
		link = &entry->next;
	}
}

static void reset_entry(struct entry *entry, uint32_t generation)
{
	entry->hooked = 0;
	entry->count[0] = entry->count[1] = 0;
	entry->num_inputs = 0;
	entry->evidence_marks = 0;
	pronet_input_builder_reset(&entry->builder);
	memset(&entry->verdict, 0, sizeof(entry->verdict));
	entry->generation = generation;
}

static enum pronet_record_status record_locked(struct pronet_flow_store *store, uint32_t i,
                                               enum pronet_record_source source,
                                               const struct pronet_packet *packet,
                                               uint32_t per_direction)
{
	struct entry *entry = &store->entries[i];
	enum pronet_direction direction;
	struct pronet_packet_record input;
	enum pronet_input_status kept;
	struct pronet_input_spec spec = store->spec;
	uint8_t spill[PRONET_RECORD_MAX_BYTES]; /* for a packet past the last slot */
	uint8_t *bytes;

	if (entry->verdict.decided)
		return PRONET_RECORD_DECIDED;
	if (source == PRONET_RECORD_FROM_HOOK && !entry->hooked) {
		if (entry->builder.started)
			return PRONET_RECORD_LATE; /* the dissector started it */
		entry->hooked = 1;
	} else if (source == PRONET_RECORD_FROM_DISSECTOR && entry->hooked) {
		return PRONET_RECORD_HOOKED;
	}
	spec.packets_per_direction = per_direction;
	/* The builder writes straight into the next slot: nothing is copied,
	 * and a packet it does not keep leaves no trace there. */
	/* Without bytes (window 0) the arena has no slots: the builder
	 * writes nothing, into the spill. */
	bytes = entry->num_inputs < store->per_flow && spec.window_bytes > 0
	            ? entry_bytes(store, i, entry->num_inputs)
	            : spill;
	kept = pronet_input_builder_add(&entry->builder, packet, &spec, &direction, bytes, &input);
	if (kept == PRONET_INPUT_NO_PAYLOAD || kept == PRONET_INPUT_RETRANSMISSION)
		return PRONET_RECORD_SKIPPED;
	if (kept == PRONET_INPUT_KEPT && entry->num_inputs < store->per_flow) {
		input.bytes = bytes;
		entry->inputs[entry->num_inputs++] = input;
		entry->count[direction]++;
	}
	if ((entry->count[0] >= per_direction && entry->count[1] >= per_direction) ||
	    entry->num_inputs >= store->per_flow)
		return PRONET_RECORD_ALL_FULL;
	return kept == PRONET_INPUT_KEPT ? PRONET_RECORD_STORED : PRONET_RECORD_DIRECTION_FULL;
}

enum pronet_record_status pronet_flow_store_record(struct pronet_flow_store *store, const void *key,
                                                   uint32_t generation,
                                                   enum pronet_record_source source,
                                                   const struct pronet_packet *packet,
                                                   uint32_t per_direction)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	enum pronet_record_status status = PRONET_RECORD_NO_SPACE;
	uint32_t i;

	uint32_t most = store->spec.window_bytes == 0 ? PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION
	                                              : PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION;

	if (per_direction > most)
		per_direction = most;
	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i == NO_ENTRY && source == PRONET_RECORD_FROM_HOOK && generation != 0) {
		/* The hook starts a flow at its first packet only (nDPI has
		 * processed none yet), so that it knows the initiator. */
		pthread_mutex_unlock(&stripe->lock);
		return PRONET_RECORD_LATE;
	}
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
		status = record_locked(store, i, source, packet, per_direction);
	}
	pthread_mutex_unlock(&stripe->lock);
	if (status == PRONET_RECORD_NO_SPACE)
		atomic_fetch_add_explicit(&store->misses, 1, memory_order_relaxed);
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

		memcpy(out->inputs, entry->inputs, entry->num_inputs * sizeof(entry->inputs[0]));
		/* Records with bytes are at most PRONET_PLUGIN_MAX_INPUTS. */
		for (uint32_t k = 0; k < entry->num_inputs; k++) {
			uint32_t room = store->spec.window_bytes > 0 ? k : 0;

			memcpy(out->input_bytes[room], entry->inputs[k].bytes,
			       entry->inputs[k].length);
			out->inputs[k].bytes = out->input_bytes[room];
		}
		out->num_inputs = entry->num_inputs;
	}
	pthread_mutex_unlock(&stripe->lock);
	return i != NO_ENTRY;
}

int pronet_flow_store_evidence_view(struct pronet_flow_store *store, const void *key,
                                    struct pronet_flow_endpoints *ends, unsigned *marks)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	uint32_t i;
	int found = 0;

	memset(ends, 0, sizeof(*ends));
	*marks = 0;
	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i != NO_ENTRY && store->entries[i].builder.started) {
		*ends = store->entries[i].builder.endpoints;
		*marks = store->entries[i].evidence_marks;
		found = 1;
	}
	pthread_mutex_unlock(&stripe->lock);
	return found;
}

int pronet_flow_store_endpoints(struct pronet_flow_store *store, const void *key,
                                struct pronet_flow_endpoints *out)
{
	unsigned marks;

	return pronet_flow_store_evidence_view(store, key, out, &marks);
}

void pronet_flow_store_add_evidence_marks(struct pronet_flow_store *store, const void *key,
                                          unsigned marks)
{
	uint64_t hash = hash_key(key);
	struct stripe *stripe = stripe_of(store, hash);
	uint32_t i;

	pthread_mutex_lock(&stripe->lock);
	i = find_locked(store, stripe, hash, key);
	if (i != NO_ENTRY)
		store->entries[i].evidence_marks |= (uint8_t)marks;
	pthread_mutex_unlock(&stripe->lock);
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

size_t pronet_flow_store_misses(struct pronet_flow_store *store)
{
	return atomic_load_explicit(&store->misses, memory_order_relaxed);
}
