/* Flow-hash sharded nDPI engines, as nDPId runs its workers: N engines
 * (ndpi-glue/engine/ndpi_engine.h), each with its own nDPI module, flow
 * table and the caller's per-engine state, each on its own thread. One
 * reader (the caller's thread) decodes every frame once, hashes its
 * normalised flow key (pronet_flow_key_make, the flow table's own key: IP
 * version, VLAN, L4 protocol and both ends sorted, the inner packet of a
 * decoded tunnel) and hands the packet to the engine that owns the hash, so
 * both directions of a flow always reach one engine and that engine sees
 * the flow's packets in capture order.
 *
 * Nothing on the packet path takes a lock: the reader copies packets into
 * a batch that only it writes, and hands the whole batch over (a mutex per
 * batch of up to PRONET_SHARD_BATCH_PACKETS packets, not per packet).
 *
 * The same flows end the same way as in one engine over the whole input:
 *   - every packet is stamped with the reader's clock (the latest capture
 *     time so far), which is what one engine's flow table and nDPI time
 *     would have used, since both never go backwards;
 *   - before the flows are flushed at the end, every engine expires at the
 *     reader's last time, so that a flow idle (or active) past its timeout
 *     ends IDLE (ACTIVE) even if no later packet came to its engine.
 * What can still differ is what nDPI or the caller learns across flows
 * within one module (nDPI 4.2's LRU caches, the plugin's endpoint
 * evidence): each engine learns from its own flows only. And a full table
 * evicts per engine: each engine has the options' max_flows slots (as
 * nDPId's per-thread limit), so N engines evict no flow that one would
 * keep, but may keep flows one engine would evict.
 *
 * Reports run on the engines' threads, each engine's on its own: the
 * caller's report function and user pointer (one per engine) must not
 * share unguarded state between engines. */
#ifndef PRONET_GLUE_SHARDS_H
#define PRONET_GLUE_SHARDS_H

#include <stdint.h>

#include "core/util/error.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/engine/ndpi_engine.h"

#define PRONET_SHARDS_MAX 64
/* A batch is handed over when it holds this many packets, or is full. */
#define PRONET_SHARD_BATCH_PACKETS 256

struct pronet_ndpi_shards;

/* `count` engines (1..PRONET_SHARDS_MAX), engine i made from options[i]
 * (the caller's report_user and setup_user per engine), and their threads.
 * The flows are sharded by options[0].flows.hash_key, and the reader's hash
 * of a packet's key is handed to its engine's flow table with the packet
 * (hashed once): every options[i].flows.hash_key must be options[0]'s
 * (PRONET_ERR_ARG if not). Every other option but the user pointers and
 * hooks should be the same. */
enum pronet_err pronet_ndpi_shards_new(const struct pronet_ndpi_engine_options *options,
                                       unsigned count, struct pronet_ndpi_shards **out,
                                       char *errbuf);
/* Ends the threads (finishing first if the caller did not) and frees the
 * engines. NULL: no-op. */
void pronet_ndpi_shards_free(struct pronet_ndpi_shards *shards);

/* One captured frame of link type `dlt`, from the reader's thread: decoded
 * here, then queued for its engine. */
enum pronet_err pronet_ndpi_shards_process_frame(struct pronet_ndpi_shards *shards, int dlt,
                                                 const struct pronet_raw_packet *frame);
/* Hands every partly filled batch over now (a live capture that is quiet). */
void pronet_ndpi_shards_flush(struct pronet_ndpi_shards *shards);
/* Every engine ends the flows idle or active past `now_us`, after the
 * packets queued before. */
void pronet_ndpi_shards_expire(struct pronet_ndpi_shards *shards, uint64_t now_us);
/* End of input: every engine processes what is queued, expires at the
 * reader's clock and reports its open flows; returns when all have. */
void pronet_ndpi_shards_finish(struct pronet_ndpi_shards *shards);

/* The engines' counters summed (after finish). */
void pronet_ndpi_shards_get_stats(const struct pronet_ndpi_shards *shards,
                                  struct pronet_ndpi_engine_stats *out);
unsigned pronet_ndpi_shards_count(const struct pronet_ndpi_shards *shards);
struct pronet_ndpi_engine *pronet_ndpi_shards_engine(struct pronet_ndpi_shards *shards,
                                                     unsigned index);

#endif
