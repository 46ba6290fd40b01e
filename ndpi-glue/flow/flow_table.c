/* The flow table: a fixed array of slots, a chained hash over slot indices,
 * and two intrusive lists that give the expiry order without sorting:
 *
 *   recency  - flows by last packet (a flow moves to the tail on each packet):
 *              its head is the next idle deadline and the eviction victim;
 *   age      - flows by first packet (never reordered): its head is the next
 *              active deadline, and flush walks it.
 *
 * Both stay sorted because the table's clock never goes backwards: a packet
 * older than one already seen counts at the newest time seen (ndpiReader
 * repairs such timestamps the same way). */
#include "config.h"

#include "ndpi-glue/flow/flow_table.h"

#include <endian.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/record_pool.h"

#define NO_SLOT UINT32_MAX
/* The most record memory a table reserves (4 GiB: 65536 flows of 1024). */
#define PRONET_FLOW_TABLE_MAX_RESERVED ((uint64_t)4 << 30)

struct list_links {
	uint32_t prev, next;
};

struct list {
	uint32_t head, tail;
};

struct slot {
	struct pronet_flow flow;
	uint32_t hash_next; /* next slot in the bucket, or in the free list */
	struct list_links recency;
	struct list_links age;
	uint32_t bucket;
	uint8_t in_use;
};

struct pronet_flow_table {
	struct pronet_flow_table_options options;
	pronet_flow_end_fn on_end;
	void *user;
	struct slot *slots;
	uint32_t *buckets;
	uint32_t bucket_mask;
	/* Freed slots; past them, slots never used yet from fresh_next on
	 * (so a new table touches none of its max_flows slots: 20 MB at the
	 * default 65,536, whose page faults were most of making an engine). */
	uint32_t free_head;
	uint32_t fresh_next;
	struct list recency;
	struct list age;
	struct pronet_record_pool *records;  /* the flows' record bytes; NULL for window 0 */
	struct pronet_packet_record *inputs; /* max_flows x capacity: slot i's at i x capacity */
	uint32_t *input_slots;               /* the same layout; NULL for window 0 */
	uint32_t capacity;                   /* records per flow */
	size_t max_records, records_held;    /* the budget without a pool (window 0) */
	struct pronet_input_spec spec;       /* what the builder records */
	uint8_t scratch[PRONET_RECORD_MAX_BYTES]; /* bytes of a record not kept */
	uint64_t now_us;
	struct pronet_flow_table_stats stats;
};

void pronet_flow_table_options_default(struct pronet_flow_table_options *options)
{
	memset(options, 0, sizeof(*options));
	options->max_flows = 65536;
	options->when_full = PRONET_FLOW_FULL_EVICT_IDLEST;
	options->inputs_per_direction = 4;
	options->window_bytes = PRONET_PAYLOAD_BYTES;
	options->layer = PRONET_LAYER_PAYLOAD;
}

/* The list links of a slot: offsetof-free so that both lists share code. */
static struct list_links *links_of(struct slot *slot, int age)
{
	return age ? &slot->age : &slot->recency;
}

static void list_append(struct pronet_flow_table *table, struct list *list, int age, uint32_t index)
{
	struct list_links *links = links_of(&table->slots[index], age);
	links->prev = list->tail;
	links->next = NO_SLOT;
	if (list->tail == NO_SLOT)
		list->head = index;
	else
		links_of(&table->slots[list->tail], age)->next = index;
	list->tail = index;
}

static void list_unlink(struct pronet_flow_table *table, struct list *list, int age, uint32_t index)
{
	struct list_links *links = links_of(&table->slots[index], age);
	if (links->prev == NO_SLOT)
		list->head = links->next;
	else
		links_of(&table->slots[links->prev], age)->next = links->next;
	if (links->next == NO_SLOT)
		list->tail = links->prev;
	else
		links_of(&table->slots[links->next], age)->prev = links->prev;
}

enum pronet_err pronet_flow_table_new(const struct pronet_flow_table_options *options,
                                      pronet_flow_end_fn on_end, void *user,
                                      struct pronet_flow_table **out, char *errbuf)
{
	if (out == NULL || options == NULL || on_end == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "flow table: missing argument");
	*out = NULL;
	if (options->max_flows == 0 || options->max_flows > (1u << 26))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "flow table: max flows %u is not in 1..%u", options->max_flows,
		                    1u << 26);
	struct pronet_input_spec spec = {.window_bytes = options->window_bytes,
	                                 .layer = options->layer,
	                                 .flags = options->record_flags,
	                                 .packets_per_direction = options->inputs_per_direction};
	enum pronet_err err = pronet_input_spec_check(&spec, "flow table", errbuf);
	if (err != PRONET_OK)
		return err;
	/* Records without bytes are small, so a flow may keep many: the
	 * histogram models' windows. With bytes, the first few. */
	uint32_t most = options->window_bytes == 0 ? PRONET_FLOW_MAX_RECORDS
	                                           : PRONET_FLOW_MAX_INPUTS_PER_DIRECTION;
	if (spec.packets_per_direction == 0 || spec.packets_per_direction > most)
		return pronet_error(
		    errbuf, PRONET_ERR_ARG,
		    "flow table: %u packets per direction is not in 1..%u (up to %d "
		    "with a window of 0 bytes)",
		    spec.packets_per_direction, most, PRONET_FLOW_MAX_RECORDS);
	uint32_t capacity = 2 * spec.packets_per_direction;
	if (capacity > PRONET_FLOW_MAX_RECORDS)
		capacity = PRONET_FLOW_MAX_RECORDS;
	/* Reserved for every slot, touched as flows use it: refuse what could
	 * never be held rather than fail part-way through a capture. */
	uint64_t reserved = (uint64_t)options->max_flows * capacity *
	                    (sizeof(struct pronet_packet_record) +
	                     (options->window_bytes > 0 ? sizeof(uint32_t) : 0));
	if (reserved > PRONET_FLOW_TABLE_MAX_RESERVED)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "flow table: %u flows of %u records need %llu MiB of records "
		                    "(at most %llu MiB): fewer flows or packets",
		                    options->max_flows, capacity,
		                    (unsigned long long)(reserved >> 20),
		                    (unsigned long long)(PRONET_FLOW_TABLE_MAX_RESERVED >> 20));
	size_t max_records = options->max_records != 0
	                         ? options->max_records
	                         : (size_t)options->max_flows * 2 * options->inputs_per_direction;
	uint32_t buckets = 16;
	while (buckets < options->max_flows)
		buckets <<= 1;
	struct pronet_flow_table *table = calloc(1, sizeof(*table));
	/* A window of 0 bytes has nothing for a pool to hold: the budget is a
	 * count. */
	if (table != NULL && spec.window_bytes > 0 &&
	    (err = pronet_record_pool_new(spec.window_bytes, max_records, &table->records,
	                                  errbuf)) != PRONET_OK) {
		pronet_flow_table_free(table);
		return err;
	}
	size_t records = (size_t)options->max_flows * capacity;
	if (table != NULL) {
		table->slots = calloc(options->max_flows, sizeof(*table->slots));
		table->buckets = malloc(buckets * sizeof(*table->buckets));
		table->inputs = calloc(records, sizeof(*table->inputs));
		if (spec.window_bytes > 0)
			table->input_slots = calloc(records, sizeof(*table->input_slots));
	}
	if (table == NULL || table->slots == NULL || table->buckets == NULL ||
	    table->inputs == NULL || (spec.window_bytes > 0 && table->input_slots == NULL)) {
		pronet_flow_table_free(table);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "flow table: no memory for %u flows",
		                    options->max_flows);
	}
	table->options = *options;
	table->spec = spec;
	table->capacity = capacity;
	table->max_records = max_records;
	table->on_end = on_end;
	table->user = user;
	table->bucket_mask = buckets - 1;
	for (uint32_t i = 0; i < buckets; i++)
		table->buckets[i] = NO_SLOT;
	table->free_head = NO_SLOT;
	table->fresh_next = 0;
	table->recency.head = table->recency.tail = NO_SLOT;
	table->age.head = table->age.tail = NO_SLOT;
	*out = table;
	return PRONET_OK;
}

void pronet_flow_table_free(struct pronet_flow_table *table)
{
	if (table == NULL)
		return;
	pronet_record_pool_free(table->records);
	free(table->inputs);
	free(table->input_slots);
	free(table->slots);
	free(table->buckets);
	free(table);
}

/* SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012; one compression and three finalisation rounds, as Python and
 * Rust's HashMap use it) of the normalised key (a packed 40-byte struct, no
 * padding) under the table's key. Keyed, so that 5-tuples cannot be
 * crafted to share a bucket without knowing the key; the bucket is its low
 * bits. */
#define ROTATE(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIP_ROUND()                                                                                \
	do {                                                                                       \
		v0 += v1, v1 = ROTATE(v1, 13), v1 ^= v0, v0 = ROTATE(v0, 32);                      \
		v2 += v3, v3 = ROTATE(v3, 16), v3 ^= v2;                                           \
		v0 += v3, v3 = ROTATE(v3, 21), v3 ^= v0;                                           \
		v2 += v1, v1 = ROTATE(v1, 17), v1 ^= v2, v2 = ROTATE(v2, 32);                      \
	} while (0)

_Static_assert(sizeof(struct pronet_flow_key) % 8 == 0, "the key is whole 64-bit words");

uint32_t pronet_flow_key_hash(const uint64_t hash_key[2], const struct pronet_flow_key *key)
{
	const uint8_t *bytes = (const uint8_t *)key;
	const uint64_t k0 = hash_key[0], k1 = hash_key[1];
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	for (size_t i = 0; i < sizeof(*key); i += 8) {
		uint64_t m;
		/* A little-endian word, as SipHash reads them: one load on
		 * x86 (byte by byte, the hash was 460 instructions a key). */
		memcpy(&m, bytes + i, sizeof(m));
		m = le64toh(m);
		v3 ^= m;
		SIP_ROUND();
		v0 ^= m;
	}
	const uint64_t last = (uint64_t)sizeof(*key) << 56; /* the length; no bytes remain */
	v3 ^= last;
	SIP_ROUND();
	v0 ^= last;
	v2 ^= 0xff;
	SIP_ROUND();
	SIP_ROUND();
	SIP_ROUND();
	return (uint32_t)(v0 ^ v1 ^ v2 ^ v3);
}

static uint32_t hash_key(const struct pronet_flow_table *table, const struct pronet_flow_key *key)
{
	return pronet_flow_key_hash(table->options.hash_key, key);
}

void pronet_flow_key_make(const struct pronet_packet *packet, struct pronet_flow_key *key,
                          uint8_t *source_side)
{
	size_t length = packet->ip_version == 4 ? 4 : 16;
	int order = memcmp(packet->src_addr, packet->dst_addr, length);
	if (order == 0)
		order = (int)packet->src_port - (int)packet->dst_port;
	uint8_t src = order <= 0 ? 0 : 1;
	memset(key, 0, sizeof(*key));
	key->ip_version = packet->ip_version;
	key->l4_protocol = packet->l4_protocol;
	key->vlan_id = packet->vlan_id;
	memcpy(key->addr[src], packet->src_addr, length);
	memcpy(key->addr[1 - src], packet->dst_addr, length);
	key->port[src] = packet->src_port;
	key->port[1 - src] = packet->dst_port;
	*source_side = src;
}

/* The slot of `key` in `bucket`, or NO_SLOT; counts the keys compared. */
static uint32_t find_slot(struct pronet_flow_table *table, uint32_t bucket,
                          const struct pronet_flow_key *key)
{
	uint64_t probes = 0;
	uint32_t i = table->buckets[bucket];
	for (; i != NO_SLOT; i = table->slots[i].hash_next) {
		probes++;
		if (memcmp(&table->slots[i].flow.key, key, sizeof(*key)) == 0)
			break;
	}
	table->stats.lookups++;
	table->stats.probes += probes;
	if (probes > table->stats.longest_chain)
		table->stats.longest_chain = probes;
	return i;
}

/* Ends the flow in slot `index`: the owner's callback, then the slot goes
 * back to the free list. */
static void end_flow(struct pronet_flow_table *table, uint32_t index,
                     enum pronet_flow_end_reason reason)
{
	struct slot *slot = &table->slots[index];
	table->on_end(table->user, &slot->flow, reason);
	if (table->records != NULL)
		for (uint32_t i = 0; i < slot->flow.num_inputs; i++)
			pronet_record_pool_give_chain(table->records, slot->flow.input_slots[i]);
	table->records_held -= slot->flow.num_inputs;
	slot->flow.num_inputs = 0;
	uint32_t *link = &table->buckets[slot->bucket];
	while (*link != index)
		link = &table->slots[*link].hash_next;
	*link = slot->hash_next;
	list_unlink(table, &table->recency, 0, index);
	list_unlink(table, &table->age, 1, index);
	slot->in_use = 0;
	slot->hash_next = table->free_head;
	table->free_head = index;
	table->stats.flows_active--;
	switch (reason) {
	case PRONET_FLOW_END_IDLE:
		table->stats.ended_idle++;
		break;
	case PRONET_FLOW_END_ACTIVE:
		table->stats.ended_active++;
		break;
	case PRONET_FLOW_END_EVICTED:
		table->stats.evicted++;
		break;
	case PRONET_FLOW_END_FLUSH:
		table->stats.flushed++;
		break;
	}
}

void pronet_flow_table_expire(struct pronet_flow_table *table, uint64_t now_us)
{
	const uint64_t idle = table->options.idle_timeout_us;
	const uint64_t active = table->options.active_timeout_us;
	for (;;) {
		uint32_t idlest = idle ? table->recency.head : NO_SLOT;
		uint32_t oldest = active ? table->age.head : NO_SLOT;
		uint64_t idle_deadline = UINT64_MAX, active_deadline = UINT64_MAX;
		if (idlest != NO_SLOT)
			idle_deadline = table->slots[idlest].flow.last_us + idle;
		if (oldest != NO_SLOT)
			active_deadline = table->slots[oldest].flow.first_us + active;
		if (idle_deadline <= active_deadline && idle_deadline < now_us)
			end_flow(table, idlest, PRONET_FLOW_END_IDLE);
		else if (active_deadline < idle_deadline && active_deadline < now_us)
			end_flow(table, oldest, PRONET_FLOW_END_ACTIVE);
		else
			return;
	}
}

void pronet_flow_table_flush(struct pronet_flow_table *table)
{
	while (table->age.head != NO_SLOT)
		end_flow(table, table->age.head, PRONET_FLOW_END_FLUSH);
}

/* A free slot for a new flow with key `key` in `bucket`, evicting if the
 * table is full and the policy allows; NO_SLOT if refused. */
static uint32_t create_flow(struct pronet_flow_table *table, uint32_t bucket,
                            const struct pronet_flow_key *key, uint8_t client_side)
{
	if (table->free_head == NO_SLOT && table->fresh_next == table->options.max_flows) {
		if (table->options.when_full == PRONET_FLOW_FULL_REFUSE)
			return NO_SLOT;
		end_flow(table, table->recency.head, PRONET_FLOW_END_EVICTED);
	}
	uint32_t index;
	if (table->free_head != NO_SLOT) {
		index = table->free_head;
		table->free_head = table->slots[index].hash_next;
	} else {
		index = table->fresh_next++;
	}
	struct slot *slot = &table->slots[index];
	memset(&slot->flow, 0, sizeof(slot->flow));
	slot->flow.key = *key;
	slot->flow.client_side = client_side;
	slot->flow.first_us = table->now_us;
	slot->flow.inputs = table->inputs + (size_t)index * table->capacity;
	if (table->input_slots != NULL)
		slot->flow.input_slots = table->input_slots + (size_t)index * table->capacity;
	slot->flow.input_capacity = table->capacity;
	slot->bucket = bucket;
	slot->in_use = 1;
	slot->hash_next = table->buckets[bucket];
	table->buckets[bucket] = index;
	list_append(table, &table->recency, 0, index);
	list_append(table, &table->age, 1, index);
	table->stats.flows_created++;
	table->stats.flows_active++;
	return index;
}

/* The input builder decides what the model sees of the packet; the flow
 * keeps what it hands back. */
/* A place for the flow's next record: a pool slot and its bytes, or with a
 * window of 0 bytes a count against the budget (*bytes the scratch, which
 * the builder then never writes). 0 when the flow is full or the budget
 * spent. */
static int take_room(struct pronet_flow_table *table, const struct pronet_flow *flow,
                     uint32_t *slot, uint8_t **bytes)
{
	*slot = PRONET_RECORD_SLOT_NONE;
	*bytes = table->scratch;
	if (flow->num_inputs >= table->capacity)
		return 0;
	if (table->records == NULL)
		return table->records_held < table->max_records;
	*slot = pronet_record_pool_take(table->records);
	if (*slot == PRONET_RECORD_SLOT_NONE)
		return 0;
	*bytes = pronet_record_pool_bytes(table->records, *slot);
	return 1;
}

/* The input builder decides what the model sees of the packet; the flow
 * keeps what it hands back. */
static void record_input(struct pronet_flow_table *table, struct pronet_flow *flow,
                         const struct pronet_packet *packet, enum pronet_direction *direction)
{
	struct pronet_packet_record input;
	uint32_t slot;
	uint8_t *bytes;
	/* Without room the packet is still accounted (the builder's counts
	 * and direction): its bytes go to the scratch and are not kept. */
	int room = take_room(table, flow, &slot, &bytes);

	if (pronet_input_builder_add(&flow->builder, packet, &table->spec, direction, bytes,
	                             &input) != PRONET_INPUT_KEPT) {
		if (table->records != NULL)
			pronet_record_pool_give_chain(table->records, slot);
		return;
	}
	if (!room) {
		/* A flow past its capacity (2K above PRONET_FLOW_MAX_RECORDS)
		 * has its first records, as one past K per direction has: only
		 * a spent budget drops a record the flow would keep. */
		if (flow->num_inputs < table->capacity) {
			flow->records_dropped++;
			table->stats.records_dropped++;
		}
		return;
	}
	/* The table's clock (capture time that never goes backwards), so that
	 * a flow's records are in time order as a v2 dataset requires. */
	input.timestamp_us = table->now_us;
	flow->inputs_per_direction[*direction]++;
	if (flow->input_slots != NULL)
		flow->input_slots[flow->num_inputs] = slot;
	flow->inputs[flow->num_inputs++] = input;
	table->records_held++;
}

/* The flow's counts, and nDPId's per-direction ones (ndpi-glue/flow/flow.h). */
static void count_packet(struct pronet_flow *f, const struct pronet_packet *packet,
                         enum pronet_direction dir, uint64_t now_us)
{
	uint32_t payload =
	    packet->payload_length < UINT32_MAX ? (uint32_t)packet->payload_length : UINT32_MAX;
	if (f->packets[0] + f->packets[1] == 0) {
		f->last_us_by_direction[0] = f->last_us_by_direction[1] = now_us;
		f->midstream =
		    packet->l4_protocol == IPPROTO_TCP && !(packet->tcp_flags & PRONET_TCP_SYN);
	}
	if (f->packets[dir] == 0 || payload < f->payload_min[dir])
		f->payload_min[dir] = payload;
	if (payload > f->payload_max[dir])
		f->payload_max[dir] = payload;
	f->payload_bytes[dir] += payload;
	if (packet->l4_protocol == IPPROTO_TCP &&
	    (packet->tcp_flags & (PRONET_TCP_FIN | PRONET_TCP_RST)))
		f->tcp_fin_or_rst = 1;
	f->last_us = now_us;
	f->last_us_by_direction[dir] = now_us;
	f->packets[dir]++;
	f->bytes[dir] += packet->wire_length;
}

/* The update of both entry points: `key_hash` is the table's hash of the
 * packet's key, or NULL to compute it here (after the key is made, so that
 * the key is made once either way). */
static enum pronet_err update_flow(struct pronet_flow_table *table,
                                   const struct pronet_packet *packet, const uint32_t *key_hash,
                                   struct pronet_flow **flow, enum pronet_direction *direction,
                                   int *created)
{
	if (table == NULL || packet == NULL || flow == NULL || direction == NULL || created == NULL)
		return PRONET_ERR_ARG;
	*flow = NULL;
	*created = 0;
	if (packet->timestamp_us > table->now_us)
		table->now_us = packet->timestamp_us;
	pronet_flow_table_expire(table, table->now_us);

	struct pronet_flow_key key;
	uint8_t source_side;
	pronet_flow_key_make(packet, &key, &source_side);
	uint32_t hash = key_hash != NULL ? *key_hash : hash_key(table, &key);
	uint32_t bucket = hash & table->bucket_mask;
	uint32_t index = find_slot(table, bucket, &key);
	if (index == NO_SLOT) {
		index = create_flow(table, bucket, &key, source_side);
		if (index == NO_SLOT) {
			table->stats.refused_packets++;
			return PRONET_ERR_LIMIT;
		}
		*created = 1;
	} else {
		list_unlink(table, &table->recency, 0, index);
		list_append(table, &table->recency, 0, index);
	}
	struct pronet_flow *f = &table->slots[index].flow;
	enum pronet_direction dir;
	/* The builder's direction is the key side's: both take the first
	 * packet's source for the client and compare (address, port). */
	record_input(table, f, packet, &dir);
	count_packet(f, packet, dir, table->now_us);
	*flow = f;
	*direction = dir;
	return PRONET_OK;
}

enum pronet_err pronet_flow_table_update(struct pronet_flow_table *table,
                                         const struct pronet_packet *packet,
                                         struct pronet_flow **flow,
                                         enum pronet_direction *direction, int *created)
{
	return update_flow(table, packet, NULL, flow, direction, created);
}

enum pronet_err pronet_flow_table_update_hashed(struct pronet_flow_table *table,
                                                const struct pronet_packet *packet,
                                                uint32_t key_hash, struct pronet_flow **flow,
                                                enum pronet_direction *direction, int *created)
{
	return update_flow(table, packet, &key_hash, flow, direction, created);
}

void pronet_flow_table_get_stats(const struct pronet_flow_table *table,
                                 struct pronet_flow_table_stats *out)
{
	*out = table->stats;
}
