/* The flow table: decoded packets -> bidirectional flows, bounded, driven by
 * capture time. The one flow table of pronet (the engine, the CLI and the
 * tests use it; the plugin lets its host keep flows).
 *
 * Every slot is allocated by pronet_flow_table_new(); looking up or creating
 * a flow never allocates. Time is the packets' capture time, never the wall
 * clock: pronet_flow_table_update() first ends the flows whose idle or active
 * timeout passed before the packet's time, in the order their deadlines
 * fall. A full table evicts the flow idle the longest (or refuses the packet
 * if asked to) and counts it.
 *
 * A flow ends through the owner's callback, once, with the reason; the slot
 * is reused after the callback returns. */
#ifndef PRONET_GLUE_FLOW_TABLE_H
#define PRONET_GLUE_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "ndpi-glue/flow/flow.h"
#include "ndpi-glue/flow/input_builder.h"
#include "ndpi-glue/capture/packet.h"

enum pronet_flow_end_reason {
	PRONET_FLOW_END_IDLE = 0, /* no packet for the idle timeout */
	PRONET_FLOW_END_ACTIVE,   /* older than the active timeout */
	PRONET_FLOW_END_EVICTED,  /* the table was full and a new flow needed its slot */
	PRONET_FLOW_END_FLUSH,    /* end of input: pronet_flow_table_flush() */
};

/* What to do with a new flow when every slot is taken. */
enum pronet_flow_full_policy {
	PRONET_FLOW_FULL_EVICT_IDLEST = 0, /* end the least recently seen flow */
	PRONET_FLOW_FULL_REFUSE,           /* drop the packet, count it */
};

struct pronet_flow_table_options {
	uint32_t max_flows;         /* slots (default 65536) */
	uint64_t idle_timeout_us;   /* 0: never idle out (default 0) */
	uint64_t active_timeout_us; /* 0: no active timeout (default 0) */
	enum pronet_flow_full_policy when_full;
	/* K packets recorded per direction (default 4): 1..8 when records keep
	 * bytes; with window_bytes 0, 1..PRONET_FLOW_MAX_RECORDS, and a flow
	 * keeps at most PRONET_FLOW_MAX_RECORDS (ndpi-glue/flow/flow.h). Each
	 * slot holds min(2K, PRONET_FLOW_MAX_RECORDS) records of 40 bytes,
	 * allocated up front and touched only as flows use them. */
	uint32_t inputs_per_direction;
	/* What a record keeps (core/data/input_spec.h): window N (0..1500,
	 * default 16), layer (default payload), PRONET_SPEC_ALL_PACKETS to
	 * record payload-less packets too (default 0). */
	uint16_t window_bytes;
	uint8_t layer;
	uint8_t record_flags;
	/* The record budget: records held at once, all flows together;
	 * 0 (default): max_flows * 2 * K, every flow full. When it is spent a
	 * record is dropped and counted (stats.records_dropped). */
	uint32_t max_records;
	/* The key of the flow hash (SipHash-1-3): the caller draws it from the
	 * OS for each run (tools/ do, with getrandom) so that no one can craft
	 * 5-tuples that collide; a test gives a fixed one. Default 0, 0. */
	uint64_t hash_key[2];
};

void pronet_flow_table_options_default(struct pronet_flow_table_options *options);

/* Called once for each flow that ends. The flow is the table's; its slot is
 * reused after the call returns. */
typedef void (*pronet_flow_end_fn)(void *user, struct pronet_flow *flow,
                                   enum pronet_flow_end_reason reason);

struct pronet_flow_table_stats {
	uint64_t flows_created;
	uint64_t flows_active; /* in the table now */
	uint64_t ended_idle;
	uint64_t ended_active;
	uint64_t evicted;
	uint64_t refused_packets; /* packets dropped because the table was full */
	uint64_t flushed;
	uint64_t records_dropped; /* packet records the budget had no room for */
	/* The hash's work: flows looked up, keys compared doing so, and the
	 * most keys one lookup compared (the longest chain walked). A flood of
	 * colliding 5-tuples shows here as probes per lookup near the flows. */
	uint64_t lookups;
	uint64_t probes;
	uint64_t longest_chain;
};

struct pronet_flow_table;

enum pronet_err pronet_flow_table_new(const struct pronet_flow_table_options *options,
                                      pronet_flow_end_fn on_end, void *user,
                                      struct pronet_flow_table **out, char *errbuf);
/* Frees the table without calling on_end (flush first to end the flows). */
void pronet_flow_table_free(struct pronet_flow_table *table);

/* Accounts `packet` to its flow (creating it if new): packets and bytes per
 * direction, times, and the model's inputs (the first K payload packets of
 * each direction, through the input builder, ndpi-glue/flow/input_builder.h).
 * Ends flows whose deadline is before the packet's time first. On success
 * *flow and *direction name the flow and the packet's direction and
 * *created says whether this packet created the flow. Returns PRONET_ERR_LIMIT
 * (without an errbuf; *flow NULL) when the table is full and refuses. */
enum pronet_err pronet_flow_table_update(struct pronet_flow_table *table,
                                         const struct pronet_packet *packet,
                                         struct pronet_flow **flow,
                                         enum pronet_direction *direction, int *created);

/* pronet_flow_table_update with the key's hash already computed:
 * `key_hash` must be pronet_flow_key_hash(the table's hash_key, the
 * packet's pronet_flow_key_make key), as a reader that hashed the key to
 * pick a table has it (ndpi-glue/engine/shards.c); the table then does not
 * hash it again. Another hash puts the flow in the wrong bucket: a packet
 * of a flow the table holds would make a second flow. */
enum pronet_err pronet_flow_table_update_hashed(struct pronet_flow_table *table,
                                                const struct pronet_packet *packet,
                                                uint32_t key_hash, struct pronet_flow **flow,
                                                enum pronet_direction *direction, int *created);

/* Ends every flow whose idle or active deadline is before `now_us`, in
 * deadline order. */
void pronet_flow_table_expire(struct pronet_flow_table *table, uint64_t now_us);

/* Ends every flow (reason FLUSH), in the order the flows started. */
void pronet_flow_table_flush(struct pronet_flow_table *table);

/* The normalised key of `packet`, as the table keys its flow: the lower
 * (address, port) end is side 0, so both directions give one key;
 * *source_side is the side the packet was sent from. */
void pronet_flow_key_make(const struct pronet_packet *packet, struct pronet_flow_key *key,
                          uint8_t *source_side);
/* The table's keyed hash of a key (SipHash-1-3 under `hash_key`, the
 * options' hash_key): the same for both directions of a flow. The table
 * takes its bucket from the low bits; a caller sharding flows over tables
 * takes the high bits, so that each table's buckets all stay in use. */
uint32_t pronet_flow_key_hash(const uint64_t hash_key[2], const struct pronet_flow_key *key);

void pronet_flow_table_get_stats(const struct pronet_flow_table *table,
                                 struct pronet_flow_table_stats *out);

#endif
