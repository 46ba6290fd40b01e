/* Flow-hash sharded nDPI engines (ndpi-glue/engine/shards.h). Each worker
 * owns BATCHES_PER_WORKER batches that travel between the reader and the
 * worker: the reader fills its current batch alone, then hands it over; the
 * worker processes a batch alone, then gives it back. Only the hand-over
 * takes the worker's mutex. */
#include "config.h"

#include "ndpi-glue/engine/shards.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/flow_table.h"

/* A batch is handed over at PRONET_SHARD_BATCH_PACKETS packets or when its
 * bytes are full, whichever comes first: about 200 of the corpus's packets
 * with their entries (one of 64 KiB always fits). A worker's 128 batches
 * (16 MiB, touched only as far as it falls behind) let the reader run ahead
 * of a worker that has most of the packets for a while - one heavy flow, or
 * one capture's few flows in a merged capture - and keep the other workers
 * fed meanwhile. With 4 the reader waited on the busy worker while the other
 * idled: on a long capture (20 repeats of the merged corpus), 2 threads kept
 * 1.54-1.61 CPUs busy and ran 1.34x one thread; with 128, 1.83-1.88 CPUs and
 * 1.57x (docs/classify-threads.md). */
#define BATCH_BYTES (128u * 1024u)
#define BATCHES_PER_WORKER 128

enum entry_kind {
	ENTRY_PACKET = 0,
	ENTRY_EXPIRE, /* engine_expire(now_us) */
	ENTRY_FINISH, /* expire(now_us), then finish: the end of input */
	ENTRY_QUIT,   /* the thread returns */
};

/* One queued item; a packet's bytes follow it, from its lowest pointer
 * (l3 or payload), which the pointers are offsets from. */
struct entry {
	uint32_t kind;
	uint32_t bytes;
	uint64_t now_us;
	struct pronet_packet packet; /* l3, payload: NULL here, see the offsets */
	size_t l3_offset, payload_offset;
	/* The reader's hash of the packet's flow key, which picked the worker
	 * and is the worker's flow table's own (same hash key): not hashed
	 * twice. Valid if has_key_hash (packets that reach a flow). */
	uint32_t key_hash;
	uint8_t has_l3, has_payload, skip, timestamp_clamped, has_key_hash;
};

#define ENTRY_ALIGN 16u
#define ENTRY_HEADER (((sizeof(struct entry) + ENTRY_ALIGN - 1) / ENTRY_ALIGN) * ENTRY_ALIGN)

struct batch {
	struct batch *next;
	size_t used;
	unsigned packets;
	_Alignas(16) unsigned char data[BATCH_BYTES];
};

struct worker {
	struct pronet_ndpi_engine *engine;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t filled;               /* the worker waits for a full batch */
	pthread_cond_t emptied;              /* the reader waits for a free batch, or done */
	struct batch *full_head, *full_tail; /* under lock */
	struct batch *free_list;             /* under lock */
	int finished;                        /* under lock: ENTRY_FINISH done */
	struct batch *current;               /* the reader's alone */
	struct batch *storage;
};

struct pronet_ndpi_shards {
	unsigned count;
	uint64_t hash_key[2];
	unsigned int decode_options;
	uint8_t keep_other_protocols, keep_snapped;
	uint64_t clock_us; /* the reader's: latest time of a packet that reaches a flow */
	int finished;
	struct worker workers[PRONET_SHARDS_MAX];
};

static void run_entry(struct pronet_ndpi_engine *engine, struct entry *entry)
{
	if (entry->kind == ENTRY_PACKET) {
		unsigned char *bytes = (unsigned char *)entry + ENTRY_HEADER;
		entry->packet.l3 = entry->has_l3 ? bytes + entry->l3_offset : NULL;
		entry->packet.payload = entry->has_payload ? bytes + entry->payload_offset : NULL;
		pronet_ndpi_engine_process_decoded(
		    engine, &entry->packet, (enum pronet_packet_skip)entry->skip,
		    entry->timestamp_clamped, entry->has_key_hash ? &entry->key_hash : NULL);
	} else if (entry->kind == ENTRY_EXPIRE || entry->kind == ENTRY_FINISH) {
		pronet_ndpi_engine_expire(engine, entry->now_us);
		if (entry->kind == ENTRY_FINISH)
			pronet_ndpi_engine_finish(engine);
	}
}

static size_t entry_size(uint32_t bytes)
{
	return ENTRY_HEADER + ((bytes + ENTRY_ALIGN - 1) / ENTRY_ALIGN) * ENTRY_ALIGN;
}

/* Bytes of an entry fetched ahead: its header and the packet's first
 * headers, what the engine reads first. */
#define PREFETCH_BYTES 320u

/* Runs one batch; returns the last entry's kind. The reader wrote the batch
 * on another CPU, usually long enough ago for it to have left the caches:
 * the worker's first load of each entry waited for memory (perf: 92 % of
 * the loop's own samples, 3 % of a 2-thread run's CPU), so the next entry
 * is fetched while this one runs (a packet takes far longer than a miss). */
static enum entry_kind run_batch(struct pronet_ndpi_engine *engine, struct batch *batch)
{
	enum entry_kind last = ENTRY_PACKET;
	for (size_t at = 0; at < batch->used;) {
		struct entry *entry = (struct entry *)(batch->data + at);
		size_t next = at + entry_size(entry->bytes);
		if (next < batch->used)
			for (size_t line = 0; line < PREFETCH_BYTES && next + line < BATCH_BYTES;
			     line += 64)
				__builtin_prefetch(batch->data + next + line);
		run_entry(engine, entry);
		last = (enum entry_kind)entry->kind;
		at = next;
	}
	return last;
}

static void *worker_main(void *argument)
{
	struct worker *worker = argument;
	for (;;) {
		pthread_mutex_lock(&worker->lock);
		while (worker->full_head == NULL)
			pthread_cond_wait(&worker->filled, &worker->lock);
		struct batch *batch = worker->full_head;
		worker->full_head = batch->next;
		if (worker->full_head == NULL)
			worker->full_tail = NULL;
		pthread_mutex_unlock(&worker->lock);

		enum entry_kind last = run_batch(worker->engine, batch);

		pthread_mutex_lock(&worker->lock);
		batch->used = 0;
		batch->packets = 0;
		batch->next = worker->free_list;
		worker->free_list = batch;
		if (last == ENTRY_FINISH)
			worker->finished = 1;
		pthread_cond_broadcast(&worker->emptied);
		pthread_mutex_unlock(&worker->lock);
		if (last == ENTRY_QUIT)
			return NULL;
	}
}

/* The reader's: gives `worker` its current batch (if it holds anything) and
 * takes a free one, waiting for the worker to give one back. */
static void hand_over(struct worker *worker)
{
	pthread_mutex_lock(&worker->lock);
	struct batch *batch = worker->current;
	if (batch != NULL && batch->used > 0) {
		batch->next = NULL;
		if (worker->full_tail != NULL)
			worker->full_tail->next = batch;
		else
			worker->full_head = batch;
		worker->full_tail = batch;
		pthread_cond_signal(&worker->filled);
		batch = NULL;
	}
	if (batch == NULL) {
		while (worker->free_list == NULL)
			pthread_cond_wait(&worker->emptied, &worker->lock);
		batch = worker->free_list;
		worker->free_list = batch->next;
	}
	worker->current = batch;
	pthread_mutex_unlock(&worker->lock);
}

/* Room for an entry of `bytes` in the worker's current batch. The batch
 * was last written long ago and read since on the worker's CPU, so the
 * reader's first store to each of its lines waits for the line; the lines
 * the next entry will probably take are fetched for writing now. */
static struct entry *reserve(struct worker *worker, size_t bytes)
{
	size_t size = entry_size((uint32_t)bytes);
	if (worker->current->used + size > BATCH_BYTES)
		hand_over(worker);
	struct entry *entry = (struct entry *)(worker->current->data + worker->current->used);
	memset(entry, 0, sizeof(*entry));
	entry->bytes = (uint32_t)bytes;
	worker->current->used += size;
	size_t ahead = worker->current->used;
	for (size_t line = 0; line < PREFETCH_BYTES && ahead + line < BATCH_BYTES; line += 64)
		__builtin_prefetch(worker->current->data + ahead + line, 1);
	return entry;
}

static void send_control(struct worker *worker, enum entry_kind kind, uint64_t now_us)
{
	struct entry *entry = reserve(worker, 0);
	entry->kind = kind;
	entry->now_us = now_us;
	hand_over(worker);
}

static void init_worker(struct worker *worker)
{
	pthread_mutex_init(&worker->lock, NULL);
	pthread_cond_init(&worker->filled, NULL);
	pthread_cond_init(&worker->emptied, NULL);
}

static enum pronet_err start_worker(struct worker *worker,
                                    const struct pronet_ndpi_engine_options *options, char *errbuf)
{
	enum pronet_err err = pronet_ndpi_engine_new(options, &worker->engine, errbuf);
	if (err != PRONET_OK)
		return err;
	worker->storage = malloc(BATCHES_PER_WORKER * sizeof(*worker->storage));
	if (worker->storage == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "nDPI shards: out of memory");
	for (unsigned b = 1; b < BATCHES_PER_WORKER; b++) {
		worker->storage[b].used = 0;
		worker->storage[b].packets = 0;
		worker->storage[b].next = worker->free_list;
		worker->free_list = &worker->storage[b];
	}
	worker->current = &worker->storage[0];
	worker->current->used = 0;
	worker->current->packets = 0;
	if (pthread_create(&worker->thread, NULL, worker_main, worker) != 0)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "nDPI shards: cannot start a thread");
	worker->started = 1;
	return PRONET_OK;
}

enum pronet_err pronet_ndpi_shards_new(const struct pronet_ndpi_engine_options *options,
                                       unsigned count, struct pronet_ndpi_shards **out,
                                       char *errbuf)
{
	if (options == NULL || out == NULL || count < 1 || count > PRONET_SHARDS_MAX)
		return pronet_error(errbuf, PRONET_ERR_ARG, "nDPI shards: 1..%d engines",
		                    PRONET_SHARDS_MAX);
	*out = NULL;
	/* The reader's hash of a key goes to the engine's flow table as that
	 * table's hash (pronet_flow_table_update_hashed): a table under another
	 * key would file flows in the wrong buckets. */
	for (unsigned i = 1; i < count; i++)
		if (memcmp(options[i].flows.hash_key, options[0].flows.hash_key,
		           sizeof(options[0].flows.hash_key)) != 0)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "nDPI shards: engine %u's flow table has another hash "
			                    "key than engine 0's: the reader's hash must be every "
			                    "table's",
			                    i);
	struct pronet_ndpi_shards *shards = calloc(1, sizeof(*shards));
	if (shards == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "nDPI shards: out of memory");
	shards->count = count;
	memcpy(shards->hash_key, options[0].flows.hash_key, sizeof(shards->hash_key));
	shards->decode_options = options[0].decode_options;
	shards->keep_other_protocols = options[0].keep_other_protocols;
	shards->keep_snapped = options[0].keep_snapped;
	for (unsigned i = 0; i < count; i++)
		init_worker(&shards->workers[i]);
	enum pronet_err err = PRONET_OK;
	for (unsigned i = 0; i < count && err == PRONET_OK; i++)
		err = start_worker(&shards->workers[i], &options[i], errbuf);
	if (err != PRONET_OK) {
		pronet_ndpi_shards_free(shards);
		return err;
	}
	*out = shards;
	return PRONET_OK;
}

void pronet_ndpi_shards_free(struct pronet_ndpi_shards *shards)
{
	if (shards == NULL)
		return;
	for (unsigned i = 0; i < shards->count; i++) {
		struct worker *worker = &shards->workers[i];
		if (worker->started) {
			send_control(worker, ENTRY_QUIT, 0);
			pthread_join(worker->thread, NULL);
		}
		pronet_ndpi_engine_free(worker->engine);
		free(worker->storage);
		pthread_cond_destroy(&worker->emptied);
		pthread_cond_destroy(&worker->filled);
		pthread_mutex_destroy(&worker->lock);
	}
	free(shards);
}

/* Whether the engine would give `packet` to a flow (and so to its clock):
 * ndpi_engine.c's pronet_ndpi_engine_process_packet, its first checks. */
static int reaches_flow(const struct pronet_ndpi_shards *shards, const struct pronet_packet *packet,
                        enum pronet_packet_skip skip)
{
	if (skip == PRONET_SKIP_OTHER_PROTOCOL && shards->keep_other_protocols &&
	    packet->l3 != NULL)
		skip = PRONET_SKIP_NONE;
	if (skip != PRONET_SKIP_NONE)
		return 0;
	return !(packet->flags & PRONET_PACKET_F_SNAPPED) || shards->keep_snapped;
}

/* The bytes a usable packet's pointers reach, [*low, *high). */
static void packet_span(const struct pronet_packet *packet, const uint8_t **low,
                        const uint8_t **high)
{
	*low = packet->l3;
	*high = packet->l3 + packet->l3_length;
	if (packet->payload != NULL && packet->payload < *low)
		*low = packet->payload;
	if (packet->payload != NULL && packet->payload + packet->payload_length > *high)
		*high = packet->payload + packet->payload_length;
}

enum pronet_err pronet_ndpi_shards_process_frame(struct pronet_ndpi_shards *shards, int dlt,
                                                 const struct pronet_raw_packet *frame)
{
	struct pronet_packet packet;
	enum pronet_packet_skip skip;
	enum pronet_err err =
	    pronet_decode_packet_with(shards->decode_options, dlt, frame->data, frame->caplen,
	                              frame->wire_length, frame->timestamp_us, &packet, &skip);
	if (err != PRONET_OK)
		return err;
	unsigned index = 0; /* a packet without a flow is only counted: engine 0 */
	const uint8_t *low = NULL, *high = NULL;
	uint32_t hash = 0;
	int has_hash = reaches_flow(shards, &packet, skip);
	if (has_hash) {
		struct pronet_flow_key key;
		uint8_t side;
		pronet_flow_key_make(&packet, &key, &side);
		hash = pronet_flow_key_hash(shards->hash_key, &key);
		index = (unsigned)(((uint64_t)hash * shards->count) >> 32); /* the high bits */
		if (packet.timestamp_us > shards->clock_us)
			shards->clock_us = packet.timestamp_us;
		packet.timestamp_us = shards->clock_us;
		packet_span(&packet, &low, &high);
		if ((size_t)(high - low) > BATCH_BYTES - ENTRY_HEADER)
			return PRONET_ERR_LIMIT; /* cannot be: an IP packet is < 64 KiB + 40 */
	}
	struct worker *worker = &shards->workers[index];
	size_t bytes = (size_t)(high - low);
	struct entry *entry = reserve(worker, bytes);
	entry->kind = ENTRY_PACKET;
	entry->packet = packet;
	entry->skip = (uint8_t)skip;
	entry->timestamp_clamped = frame->timestamp_clamped != 0;
	entry->key_hash = hash;
	entry->has_key_hash = (uint8_t)has_hash;
	if (bytes > 0) {
		memcpy((unsigned char *)entry + ENTRY_HEADER, low, bytes);
		entry->has_l3 = packet.l3 != NULL;
		entry->l3_offset = (size_t)(packet.l3 - low);
		entry->has_payload = packet.payload != NULL;
		entry->payload_offset = packet.payload != NULL ? (size_t)(packet.payload - low) : 0;
	}
	entry->packet.l3 = entry->packet.payload = NULL;
	if (++worker->current->packets >= PRONET_SHARD_BATCH_PACKETS)
		hand_over(worker);
	return PRONET_OK;
}

void pronet_ndpi_shards_flush(struct pronet_ndpi_shards *shards)
{
	for (unsigned i = 0; i < shards->count; i++)
		hand_over(&shards->workers[i]);
}

void pronet_ndpi_shards_expire(struct pronet_ndpi_shards *shards, uint64_t now_us)
{
	for (unsigned i = 0; i < shards->count; i++)
		send_control(&shards->workers[i], ENTRY_EXPIRE, now_us);
}

void pronet_ndpi_shards_finish(struct pronet_ndpi_shards *shards)
{
	if (shards->finished)
		return;
	shards->finished = 1;
	for (unsigned i = 0; i < shards->count; i++)
		send_control(&shards->workers[i], ENTRY_FINISH, shards->clock_us);
	for (unsigned i = 0; i < shards->count; i++) {
		struct worker *worker = &shards->workers[i];
		pthread_mutex_lock(&worker->lock);
		while (!worker->finished)
			pthread_cond_wait(&worker->emptied, &worker->lock);
		pthread_mutex_unlock(&worker->lock);
	}
}

_Static_assert(sizeof(struct pronet_ndpi_engine_stats) % sizeof(uint64_t) == 0,
               "the engine's counters are all uint64_t");

void pronet_ndpi_shards_get_stats(const struct pronet_ndpi_shards *shards,
                                  struct pronet_ndpi_engine_stats *out)
{
	/* Every counter is a uint64_t (asserted above): sum them as an array. */
	uint64_t sum[sizeof(*out) / sizeof(uint64_t)] = {0};
	for (unsigned i = 0; i < shards->count; i++) {
		struct pronet_ndpi_engine_stats stats;
		uint64_t words[sizeof(stats) / sizeof(uint64_t)];
		pronet_ndpi_engine_get_stats(shards->workers[i].engine, &stats);
		memcpy(words, &stats, sizeof(words));
		for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++)
			sum[w] += words[w];
	}
	memcpy(out, sum, sizeof(*out));
}

unsigned pronet_ndpi_shards_count(const struct pronet_ndpi_shards *shards)
{
	return shards->count;
}

struct pronet_ndpi_engine *pronet_ndpi_shards_engine(struct pronet_ndpi_shards *shards,
                                                     unsigned index)
{
	return index < shards->count ? shards->workers[index].engine : NULL;
}
