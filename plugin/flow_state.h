/* Per-flow state of the plugin: the payload prefixes recorded while nDPI's
 * own dissectors were still trying, and the fallback's verdict.
 *
 * Keyed by the address of the host's struct ndpi_flow_struct, so any module
 * (and any thread) can find a flow's state. A fixed pool of exactly
 * `capacity` entries, its bucket chains under striped locks: no allocation
 * after pronet_flow_store_new, and threads working on different flows rarely
 * share a lock. A flow that finds the pool full is counted as a miss. A key whose memory
 * the host reused for a new flow without telling us is recognised by its
 * generation (nDPI's per-flow packet counter going backwards) and reset. */
#ifndef PRONET_PLUGIN_FLOW_STATE_H
#define PRONET_PLUGIN_FLOW_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/input.h"
#include "core/model.h"
#include "plugin/pronet_plugin.h"

#define PRONET_FLOW_MAX_INPUTS (2 * PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION)
/* Flows a store holds at most (the flow table's limit, 1 << 26). */
#define PRONET_FLOW_STORE_MAX_CAPACITY (1u << 26)

/* The recorded packets of one flow, copied out of the store. */
struct pronet_flow_record {
	struct pronet_input inputs[PRONET_FLOW_MAX_INPUTS];
	uint32_t num_inputs;
};

struct pronet_flow_verdict {
	uint8_t decided;
	uint8_t abstained;
	uint16_t ndpi_protocol;
	uint16_t top_class[PRONET_PLUGIN_TOP]; /* model classes */
	/* Their names, as IDs in the plugin's process-wide name table
	 * (plugin/attachment.h), never pointers into a model that may be
	 * freed before the verdict is read. */
	uint16_t top_name[PRONET_PLUGIN_TOP];
	float top_probability[PRONET_PLUGIN_TOP];
	uint8_t num_top;
	uint32_t packets_used;
};

enum pronet_record_status {
	PRONET_RECORD_STORED,         /* the packet was kept */
	PRONET_RECORD_DIRECTION_FULL, /* this direction already has its packets */
	PRONET_RECORD_ALL_FULL,       /* both directions have their packets */
	PRONET_RECORD_DECIDED,        /* the fallback already ran for this flow */
	PRONET_RECORD_NO_SPACE,       /* the pool is exhausted: not kept */
};

struct pronet_flow_store;

/* A store for `capacity` flows at once (1..PRONET_FLOW_STORE_MAX_CAPACITY). */
enum pronet_err pronet_flow_store_new(size_t capacity, struct pronet_flow_store **out,
                                      char *errbuf);
void pronet_flow_store_free(struct pronet_flow_store *store);

/* Keeps `input` for flow `key` if its direction has fewer than
 * `per_direction` packets. input->packet_index is set here (payload packets
 * of the flow seen so far). `generation` is a counter that only grows during
 * the life of one flow. */
enum pronet_record_status pronet_flow_store_record(struct pronet_flow_store *store, const void *key,
                                                   uint32_t generation,
                                                   const struct pronet_input *input,
                                                   uint32_t per_direction);
/* Records that returned PRONET_RECORD_NO_SPACE so far (the dissector excludes
 * itself from such a flow, so each is one flow per module that saw it). */
size_t pronet_flow_store_misses(struct pronet_flow_store *store);
/* Copies the recorded packets of `key`; returns 0 if the store has none. */
int pronet_flow_store_snapshot(struct pronet_flow_store *store, const void *key,
                               struct pronet_flow_record *out);
/* Stores the verdict of `key` (creating the entry if the pool has room). */
void pronet_flow_store_set_verdict(struct pronet_flow_store *store, const void *key,
                                   const struct pronet_flow_verdict *verdict);
/* Copies the verdict of `key`; returns 0 if the store has no entry. */
int pronet_flow_store_get_verdict(struct pronet_flow_store *store, const void *key,
                                  struct pronet_flow_verdict *out);
void pronet_flow_store_forget(struct pronet_flow_store *store, const void *key);
size_t pronet_flow_store_in_use(struct pronet_flow_store *store);
size_t pronet_flow_store_capacity(const struct pronet_flow_store *store);

#endif
