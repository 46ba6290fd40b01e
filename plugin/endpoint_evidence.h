/* Endpoint evidence: protocols nDPI's DPI named on flows, kept by endpoint,
 * to name later flows nDPI leaves Unknown on the same endpoints.
 *
 * Two tables, both fixed at creation (nothing is allocated afterwards):
 *   endpoints  (address, port), without the L4 protocol, so that a peer's
 *              TCP and UDP on one port meet. Fed with both ends of every
 *              flow nDPI names by DPI (confidence DPI: no port or IP guess,
 *              never one of pronet's own verdicts, which would spread the
 *              fallback's mistakes). Which end is "local" is not decided:
 *              every end is entered, so a server port named many times and
 *              a peer named once are both kept.
 *   sockets    (address, port, L4 protocol): one bound socket is one
 *              application (BLINC, SIGCOMM 2005). Fed with links: a flow
 *              nDPI has not named whose *other* end is in the endpoints
 *              table with one protocol (no conflict) votes that protocol for
 *              its own end's socket. Each flow links once (the caller keeps
 *              the flag).
 *
 * A proposal for a flow nDPI left Unknown, first found:
 *   hop 1  an end of the flow is an endpoint at least `min_agreement` DPI
 *          named flows agree on;
 *   hop 2  an end of the flow is a socket at least `min_agreement` links
 *          agree on.
 * "Agree": the leading protocol has at least min_agreement flows and every
 * other protocol together at most max_conflict_share of all the entry's
 * flows. When the two ends propose different protocols at the same hop,
 * nothing is proposed (a conflict at hop 1 is not overruled at hop 2). Propagation stops at two
 * hops: links come from DPI-named endpoints only, and nothing this unit proposes is ever fed back.
 *
 * A full table evicts, within the probe window of the new key, the entry
 * with the fewest flows (then the least recently used) and counts it; it
 * never grows. Thread-safe: lock-striped. docs/plugin.md describes the use. */
#ifndef PRONET_PLUGIN_ENDPOINT_EVIDENCE_H
#define PRONET_PLUGIN_ENDPOINT_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "ndpi-glue/flow/input_builder.h"

/* One end of a flow. */
struct pronet_endpoint {
	uint8_t ip_version;  /* 4 or 6 */
	uint8_t l4_protocol; /* IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port;       /* host byte order */
	uint8_t addr[16];    /* IPv4: the first 4 bytes, the rest zero */
};

/* The two ends of a flow as its input builder keeps them (end 0: the
 * initiator; this unit does not care which is which). */
void pronet_endpoint_ends_of_flow(const struct pronet_flow_endpoints *flow,
                                  struct pronet_endpoint ends[2]);

/* The protocol a flow was named with: nDPI's (master, app) pair, 0 if none. */
struct pronet_endpoint_protocol {
	uint16_t master;
	uint16_t app;
};

enum pronet_endpoint_hop {
	PRONET_ENDPOINT_HOP_NONE = 0,
	PRONET_ENDPOINT_HOP_ENDPOINT = 1, /* DPI-named flows on an end of the flow */
	PRONET_ENDPOINT_HOP_SOCKET = 2,   /* links to a socket of the flow */
};

struct pronet_endpoint_proposal {
	enum pronet_endpoint_hop hop;
	struct pronet_endpoint_protocol protocol;
	uint32_t agreeing;    /* flows (hop 1) or links (hop 2) for the protocol */
	uint32_t conflicting; /* for any other protocol, same entry */
};

struct pronet_endpoint_evidence_options {
	uint32_t max_endpoints;   /* entries of the endpoints table (rounded up to 2^n) */
	uint32_t max_sockets;     /* entries of the sockets table (rounded up to 2^n) */
	uint32_t min_agreement;   /* flows a proposal needs, >= 2 */
	float max_conflict_share; /* in [0, 0.5) */
};

/* 65536 entries each, min_agreement 2, max_conflict_share 0.1. */
void pronet_endpoint_evidence_options_default(struct pronet_endpoint_evidence_options *options);

struct pronet_endpoint_stats {
	size_t endpoints_in_use, sockets_in_use;
	uint64_t named_flows; /* pronet_endpoint_evidence_add_named calls */
	uint64_t links;       /* socket votes cast */
	uint64_t evicted;     /* entries evicted from a full probe window */
};

struct pronet_endpoint_evidence;

enum pronet_err pronet_endpoint_evidence_new(const struct pronet_endpoint_evidence_options *options,
                                             struct pronet_endpoint_evidence **out, char *errbuf);
void pronet_endpoint_evidence_free(struct pronet_endpoint_evidence *evidence);
/* Forgets every entry and zeroes the statistics, keeping the memory: for a
 * new network (another capture, another nDPI module), whose addresses say
 * nothing of the last one's. Safe beside concurrent calls (each share under
 * its lock); a proposal made meanwhile sees part of the old evidence. */
void pronet_endpoint_evidence_clear(struct pronet_endpoint_evidence *evidence);

/* A flow nDPI's DPI named `protocol`: both ends enter the endpoints table.
 * Call once per flow. */
void pronet_endpoint_evidence_add_named(struct pronet_endpoint_evidence *evidence,
                                        const struct pronet_endpoint ends[2],
                                        struct pronet_endpoint_protocol protocol);

/* A flow nDPI has not named: for each end whose other end is an endpoint with
 * one protocol, votes that protocol for this end's socket. Returns the votes
 * cast (0: no evidence yet; the caller may try again on a later packet, and
 * must not call again once it returned > 0). */
unsigned pronet_endpoint_evidence_link(struct pronet_endpoint_evidence *evidence,
                                       const struct pronet_endpoint ends[2]);

/* The proposal for a flow nDPI left Unknown; hop NONE if there is none. */
void pronet_endpoint_evidence_propose(struct pronet_endpoint_evidence *evidence,
                                      const struct pronet_endpoint ends[2],
                                      struct pronet_endpoint_proposal *out);

void pronet_endpoint_evidence_get_stats(struct pronet_endpoint_evidence *evidence,
                                        struct pronet_endpoint_stats *out);

#endif
