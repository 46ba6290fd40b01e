/* Per-flow state of the plugin: the input builder's state and the model's
 * inputs it kept (ndpi-glue/flow/input_builder.h, the builder `pronet label`'s
 * flow table uses too), the flow's endpoints, and the fallback's verdict.
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

#include "core/util/error.h"
#include "core/data/record.h"
#include "core/model/model.h"
#include "ndpi-glue/flow/input_builder.h"
#include "ndpi-glue/capture/packet.h"
#include "plugin/pronet_plugin.h"

/* Records a flow keeps when they keep bytes (2 x 4)... */
#define PRONET_PLUGIN_MAX_INPUTS (2 * PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION)
/* ... and when they keep none (a model of sizes and times): 40 bytes each. */
#define PRONET_PLUGIN_MAX_RECORDS 1024
/* Flows a store holds at most (the flow table's limit, 1 << 26). */
#define PRONET_FLOW_STORE_MAX_CAPACITY (1u << 26)

/* The recorded packets of one flow, in arrival order, copied out of the
 * store (room for the widest window, or for 1024 records without bytes: a
 * snapshot, 53 KB, is made on the stack once per flow, when the fallback
 * decides). */
struct pronet_flow_record {
	/* bytes: input_bytes (records without bytes all point to its first) */
	struct pronet_packet_record inputs[PRONET_PLUGIN_MAX_RECORDS];
	uint8_t input_bytes[PRONET_PLUGIN_MAX_INPUTS][PRONET_RECORD_MAX_BYTES];
	uint32_t num_inputs;
};

struct pronet_flow_verdict {
	uint8_t decided;
	uint8_t abstained;
	uint8_t source;   /* enum pronet_plugin_source */
	uint8_t decision; /* enum pronet_flow_decision (core/flow_predict.h) */
	float score;      /* what the decision weighed (pronet_plugin_result) */
	uint16_t ndpi_protocol;
	uint16_t ndpi_master; /* endpoint verdicts: the master protocol DPI named */
	uint8_t endpoint_hop; /* enum pronet_endpoint_hop */
	uint32_t endpoint_agreeing, endpoint_conflicting;
	uint16_t top_class[PRONET_PLUGIN_TOP]; /* model classes */
	/* Their names, as IDs in the plugin's process-wide name table
	 * (plugin/attachment.h), never pointers into a model that may be
	 * freed before the verdict is read. */
	uint16_t top_name[PRONET_PLUGIN_TOP];
	float top_probability[PRONET_PLUGIN_TOP];
	uint8_t num_top;
	uint32_t packets_used;
	uint32_t model_generation; /* the deciding attachment's */
};

/* What the per-packet hook has given the endpoint evidence for a flow
 * (plugin/packet_hook.c, plugin/endpoint_evidence.h): each at most once. */
enum pronet_evidence_mark {
	PRONET_EVIDENCE_NAMED = 1,  /* its ends, as a flow nDPI's DPI named */
	PRONET_EVIDENCE_LINKED = 2, /* its links, as a flow nDPI had not named */
};

enum pronet_record_status {
	PRONET_RECORD_STORED,         /* the packet was kept */
	PRONET_RECORD_SKIPPED,        /* no payload, or a TCP retransmission */
	PRONET_RECORD_DIRECTION_FULL, /* this direction already has its packets */
	PRONET_RECORD_ALL_FULL,       /* both directions have their packets */
	PRONET_RECORD_DECIDED,        /* the fallback already ran for this flow */
	PRONET_RECORD_HOOKED,         /* from the dissector, but the per-packet
	                                 entry records this flow: not used */
	PRONET_RECORD_LATE,           /* from the hook, for a flow whose first
	                                 packet it did not record: not used */
	PRONET_RECORD_NO_SPACE,       /* the pool is exhausted: not kept */
};

/* Who offers a packet to the store. */
enum pronet_record_source {
	/* pronet_plugin_process_packet: every packet the host hands nDPI,
	 * the flow's first included. */
	PRONET_RECORD_FROM_HOOK,
	/* The dissector, for a host without the per-packet entry: only the
	 * packets nDPI dispatches to it (the weaker mode, docs/plugin.md). */
	PRONET_RECORD_FROM_DISSECTOR,
};

struct pronet_flow_store;

/* A store for `capacity` flows at once (1..PRONET_FLOW_STORE_MAX_CAPACITY)
 * that records what `spec` asks of each packet (a model's,
 * pronet_model_input_spec; NULL: the default, 16 payload bytes); the
 * packets per direction are the caller's (pronet_flow_store_record). Its
 * record bytes are one arena of capacity x PRONET_PLUGIN_MAX_INPUTS x
 * window bytes, and its records capacity x PRONET_PLUGIN_MAX_INPUTS (window
 * 0: PRONET_PLUGIN_MAX_RECORDS, 40 KiB a flow) x 40 bytes, allocated up
 * front and touched only as flows use them. */
enum pronet_err pronet_flow_store_new(size_t capacity, const struct pronet_input_spec *spec,
                                      struct pronet_flow_store **out, char *errbuf);
/* What the store records (its spec). */
void pronet_flow_store_spec(const struct pronet_flow_store *store, struct pronet_input_spec *spec);
/* Bytes of record arena per flow (PRONET_PLUGIN_MAX_INPUTS x window). */
size_t pronet_flow_store_bytes_per_flow(const struct pronet_flow_store *store);
void pronet_flow_store_free(struct pronet_flow_store *store);

/* Offers the next packet of flow `key` to its input builder, which keeps
 * the first `per_direction` counted payload packets of each direction (at
 * most 4, or 1024 without bytes, and the flow's records at most). The
 * first packet offered makes its source the initiator. A flow recorded
 * from the hook ignores the dissector's packets. `generation` is a counter
 * that only grows during the life of one flow. */
enum pronet_record_status pronet_flow_store_record(struct pronet_flow_store *store, const void *key,
                                                   uint32_t generation,
                                                   enum pronet_record_source source,
                                                   const struct pronet_packet *packet,
                                                   uint32_t per_direction);
/* Records that returned PRONET_RECORD_NO_SPACE so far (the dissector excludes
 * itself from such a flow, so each is one flow per module that saw it). */
size_t pronet_flow_store_misses(struct pronet_flow_store *store);
/* Copies the endpoints of `key` (end 0: the initiator); returns 0 if the
 * store has no entry or no packet was recorded. */
int pronet_flow_store_endpoints(struct pronet_flow_store *store, const void *key,
                                struct pronet_flow_endpoints *out);
/* pronet_flow_store_endpoints, and the flow's evidence marks (enum
 * pronet_evidence_mark, or-ed) in one look. */
int pronet_flow_store_evidence_view(struct pronet_flow_store *store, const void *key,
                                    struct pronet_flow_endpoints *ends, unsigned *marks);
/* Adds `marks` to the flow's (nothing if the store has no entry). */
void pronet_flow_store_add_evidence_marks(struct pronet_flow_store *store, const void *key,
                                          unsigned marks);
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
