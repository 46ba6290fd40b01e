/* Tunnel synthesis: what an observer of an IPsec ESP tunnel or a Tor
 * connection sees of inner traffic, built from the inner packets' records
 * (sizes, directions, times), so that labelled tunnel windows come from
 * labelled flows (issue 14; Leroux et al., seed 004, Sec. IV-B and IV-C).
 * The rules, and why, are in docs/histogram-models.md "Tunnels".
 *
 * Input: the records of the packets that share one tunnel, in time order,
 * each with the number of the inner flow (stream) it belongs to. Output:
 * the tunnel's packets as records without bytes (window 0): time, direction
 * (the inner client's side is upstream), IP total length, payload length,
 * transport, TCP flags, packet and payload index. */
#ifndef PRONET_CORE_TUNNEL_H
#define PRONET_CORE_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/record.h"
#include "core/util/error.h"

enum pronet_tunnel_kind {
	PRONET_TUNNEL_NONE = 0, /* the inner packets as they are (Leroux's Table I) */
	PRONET_TUNNEL_ESP,      /* IPsec ESP tunnel mode, AES-128-CBC, HMAC-SHA-256 */
	PRONET_TUNNEL_TOR,      /* Tor: relay cells in TLS records over one TCP connection */
};

/* ESP (RFC 4303): outer IPv4 header, ESP header (SPI, sequence number),
 * AES-CBC IV, the inner IP packet padded with the 2-byte trailer to the
 * cipher's block, ICV. */
#define PRONET_TUNNEL_OUTER_IP 20
#define PRONET_TUNNEL_ESP_HEADER 8
#define PRONET_TUNNEL_ESP_IV 16
#define PRONET_TUNNEL_ESP_BLOCK 16
#define PRONET_TUNNEL_ESP_TRAILER 2
#define PRONET_TUNNEL_UDP_HEADER 8 /* NAT traversal: ESP in UDP (RFC 3948) */
/* Tor (tor-spec.txt): fixed-size cells of 514 bytes (link protocol 4 on:
 * 4-byte circuit ID, command, 509 bytes of payload), a relay cell's payload
 * holds 498 bytes of stream data after its 11-byte relay header. */
#define PRONET_TUNNEL_TOR_CELL 514
#define PRONET_TUNNEL_TOR_CELL_DATA 498
/* TLS 1.3 with an AEAD cipher (AES-128-GCM, as Tor relays negotiate): a
 * 5-byte record header, then the content type byte and a 16-byte tag; at
 * most 16384 bytes of plaintext a record (31 cells). */
#define PRONET_TUNNEL_TLS_OVERHEAD (5 + 1 + 16)
#define PRONET_TUNNEL_TLS_CELLS_PER_RECORD 31
/* The outer TCP connection: IPv4 20 + TCP 20 + timestamps option 12 (as
 * Linux sends), MSS 1448 at a 1500-byte MTU. */
#define PRONET_TUNNEL_TCP_HEADERS 52
#define PRONET_TUNNEL_TCP_MSS 1448
/* Flow control (tor-spec 7.4): the receiver of every 50 DATA cells of a
 * stream sends a stream-level SENDME, of every 100 of a circuit a
 * circuit-level one. */
#define PRONET_TUNNEL_TOR_STREAM_SENDME 50
#define PRONET_TUNNEL_TOR_CIRCUIT_SENDME 100

struct pronet_tunnel_options {
	enum pronet_tunnel_kind kind;
	/* ESP's integrity check value: 16 (HMAC-SHA-256-128, RFC 4868, the
	 * default) or 32 (untruncated, as the paper's text says). */
	uint32_t esp_icv_bytes;
	int esp_udp; /* ESP in UDP (NAT traversal, port 4500): 8 bytes more */
};

void pronet_tunnel_options_default(struct pronet_tunnel_options *options);

/* What a transformation left out or added, for the caller's report. */
struct pronet_tunnel_stats {
	uint64_t inner_packets;
	uint64_t not_carried; /* Tor: UDP packets (Tor carries TCP streams only) and inner
	                         packets without payload (TCP ends at the proxy) */
	uint64_t cells;       /* Tor: cells sent (data, BEGIN, CONNECTED, SENDME) */
	uint64_t outer_packets;
};

/* The tunnel's packets for inner[0..n) (time order; stream[i] is record
 * i's inner flow: Tor opens a stream at a flow's first record). Writes at
 * most `capacity` records to `out` (NULL: only counts) and sets *count to
 * how many the tunnel has; PRONET_ERR_LIMIT if that is above capacity (out
 * holds the first `capacity`). PRONET_ERR_ARG, naming `what`, for records
 * out of time order, or ESP records without an IP length (a v1 dataset).
 * Accumulates into *stats when it is not NULL. */
enum pronet_err pronet_tunnel_transform(const struct pronet_tunnel_options *options,
                                        const struct pronet_packet_record *inner,
                                        const uint32_t *stream, size_t n,
                                        struct pronet_packet_record *out, size_t capacity,
                                        size_t *count, struct pronet_tunnel_stats *stats,
                                        const char *what, char *errbuf);

#endif
