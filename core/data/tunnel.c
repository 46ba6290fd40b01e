/* Tunnel synthesis (core/data/tunnel.h; docs/histogram-models.md
 * "Tunnels"). One pass over the inner records; each outer packet is made by
 * emit(), which also numbers it. */
#include "core/data/tunnel.h"

#include <stdlib.h>
#include <string.h>

#define TCP_FLAG_ACK 0x10u
#define TCP_FLAG_PSH 0x08u
#define IP_PROTO_TCP 6u
#define IP_PROTO_UDP 17u
#define IP_PROTO_ESP 50u

void pronet_tunnel_options_default(struct pronet_tunnel_options *options)
{
	memset(options, 0, sizeof(*options));
	options->kind = PRONET_TUNNEL_ESP;
	options->esp_icv_bytes = 16;
}

/* Where outer packets go, and the numbering they get. */
struct emitter {
	struct pronet_packet_record *out;
	size_t capacity, count;
	uint32_t payload_packets;
};

static uint16_t clamp16(uint32_t v)
{
	return v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
}

static void emit(struct emitter *e, uint64_t time_us, uint8_t direction, uint32_t wire_length,
                 uint32_t payload_length, uint8_t l4_protocol, uint8_t tcp_flags)
{
	if (e->out != NULL && e->count < e->capacity) {
		struct pronet_packet_record *r = &e->out[e->count];

		memset(r, 0, sizeof(*r));
		r->timestamp_us = time_us;
		r->direction = direction;
		r->packet_index = (uint32_t)e->count;
		r->payload_index =
		    payload_length > 0
		        ? clamp16(e->payload_packets < 65534 ? e->payload_packets : 65534)
		        : PRONET_PAYLOAD_INDEX_NONE;
		r->wire_length = clamp16(wire_length);
		r->payload_length = clamp16(payload_length);
		r->l4_protocol = l4_protocol;
		r->tcp_flags = tcp_flags;
		r->layer = PRONET_LAYER_PAYLOAD;
	}
	e->count++;
	e->payload_packets += payload_length > 0;
}

/* ESP tunnel mode (RFC 4303 Sec. 2): the whole inner IP packet is
 * encrypted, so every inner packet (a pure ACK too) is one outer packet, and
 * an observer cannot tell which carried payload. */
static void esp_packet(const struct pronet_tunnel_options *o, const struct pronet_packet_record *r,
                       struct emitter *e)
{
	uint32_t plain = (uint32_t)r->wire_length + PRONET_TUNNEL_ESP_TRAILER;
	uint32_t encrypted = (plain + PRONET_TUNNEL_ESP_BLOCK - 1) / PRONET_TUNNEL_ESP_BLOCK *
	                     PRONET_TUNNEL_ESP_BLOCK;
	uint32_t esp =
	    PRONET_TUNNEL_ESP_HEADER + PRONET_TUNNEL_ESP_IV + encrypted + o->esp_icv_bytes;
	uint32_t udp = o->esp_udp ? PRONET_TUNNEL_UDP_HEADER : 0;

	emit(e, r->timestamp_us, r->direction, PRONET_TUNNEL_OUTER_IP + udp + esp, esp,
	     o->esp_udp ? IP_PROTO_UDP : IP_PROTO_ESP, 0);
}

/* Tor's outer TCP connection: per side, data segments received and not yet
 * acknowledged. */
struct tor_link {
	uint32_t unacked[2]; /* indexed by the receiving side */
	uint32_t circuit_cells[2];
};

/* `bytes` of TLS records written by `side` at once, cut into segments of at
 * most one MSS. The receiver acknowledges every second segment (delayed
 * ACK, RFC 5681 Sec. 4.2) with a pure ACK; data it sends carries its ACK. */
static void tor_write(struct tor_link *link, uint64_t time_us, uint8_t side, uint32_t bytes,
                      struct emitter *e)
{
	uint8_t peer = (uint8_t)(1 - side);

	while (bytes > 0) {
		uint32_t segment = bytes < PRONET_TUNNEL_TCP_MSS ? bytes : PRONET_TUNNEL_TCP_MSS;

		emit(e, time_us, side, PRONET_TUNNEL_TCP_HEADERS + segment, segment, IP_PROTO_TCP,
		     TCP_FLAG_ACK | TCP_FLAG_PSH);
		bytes -= segment;
		link->unacked[side] = 0;
		if (++link->unacked[peer] >= 2) {
			emit(e, time_us, peer, PRONET_TUNNEL_TCP_HEADERS, 0, IP_PROTO_TCP,
			     TCP_FLAG_ACK);
			link->unacked[peer] = 0;
		}
	}
}

/* `cells` cells from `side` in TLS records of at most 31 cells each. */
static void tor_cells(struct tor_link *link, uint64_t time_us, uint8_t side, uint32_t cells,
                      struct pronet_tunnel_stats *stats, struct emitter *e)
{
	uint32_t records =
	    (cells + PRONET_TUNNEL_TLS_CELLS_PER_RECORD - 1) / PRONET_TUNNEL_TLS_CELLS_PER_RECORD;

	stats->cells += cells;
	tor_write(link, time_us, side,
	          cells * PRONET_TUNNEL_TOR_CELL + records * PRONET_TUNNEL_TLS_OVERHEAD, e);
}

/* Per inner flow: stream opened (BEGIN sent), CONNECTED sent, DATA cells
 * received per side since its last stream-level SENDME. */
struct tor_stream {
	uint8_t begun, connected;
	uint32_t cells[2];
};

/* Tor carries TCP streams: the client's proxy ends the inner TCP
 * connection, so only payload crosses the circuit, as relay DATA cells
 * (ceil(n / 498) for n bytes), with the stream's BEGIN and CONNECTED cells
 * and the SENDMEs of flow control. */
static void tor_packet(struct tor_link *link, struct tor_stream *s,
                       const struct pronet_packet_record *r, struct pronet_tunnel_stats *stats,
                       struct emitter *e)
{
	uint8_t side = r->direction, peer = (uint8_t)(1 - r->direction);
	uint32_t cells;

	if (r->l4_protocol != IP_PROTO_TCP) {
		stats->not_carried++;
		return;
	}
	if (!s->begun) { /* the client's first packet (its SYN) opens the stream */
		s->begun = 1;
		tor_cells(link, r->timestamp_us, PRONET_DIR_CLIENT_TO_SERVER, 1, stats, e);
	}
	if (side == PRONET_DIR_SERVER_TO_CLIENT && !s->connected) {
		s->connected = 1;
		tor_cells(link, r->timestamp_us, PRONET_DIR_SERVER_TO_CLIENT, 1, stats, e);
	}
	if (r->payload_length == 0) {
		stats->not_carried++;
		return;
	}
	cells = ((uint32_t)r->payload_length + PRONET_TUNNEL_TOR_CELL_DATA - 1) /
	        PRONET_TUNNEL_TOR_CELL_DATA;
	tor_cells(link, r->timestamp_us, side, cells, stats, e);
	s->cells[side] += cells;
	link->circuit_cells[side] += cells;
	for (; s->cells[side] >= PRONET_TUNNEL_TOR_STREAM_SENDME;
	     s->cells[side] -= PRONET_TUNNEL_TOR_STREAM_SENDME)
		tor_cells(link, r->timestamp_us, peer, 1, stats, e);
	for (; link->circuit_cells[side] >= PRONET_TUNNEL_TOR_CIRCUIT_SENDME;
	     link->circuit_cells[side] -= PRONET_TUNNEL_TOR_CIRCUIT_SENDME)
		tor_cells(link, r->timestamp_us, peer, 1, stats, e);
}

static enum pronet_err check_inputs(const struct pronet_tunnel_options *options,
                                    const struct pronet_packet_record *inner,
                                    const uint32_t *stream, size_t n, const char *what,
                                    char *errbuf)
{
	if (options->kind != PRONET_TUNNEL_NONE && options->kind != PRONET_TUNNEL_ESP &&
	    options->kind != PRONET_TUNNEL_TOR)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: unknown tunnel kind %d", what,
		                    (int)options->kind);
	if (options->kind == PRONET_TUNNEL_ESP && options->esp_icv_bytes != 16 &&
	    options->esp_icv_bytes != 32)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: an ESP ICV of %u bytes (16 or 32)",
		                    what, options->esp_icv_bytes);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && inner[i].timestamp_us < inner[i - 1].timestamp_us)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "%s: packet %zu is earlier than the one before it",
			                    what, i);
		if (options->kind == PRONET_TUNNEL_ESP && inner[i].wire_length == 0)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "%s: packet %zu has no IP length (a v1 dataset?): ESP "
			                    "needs it",
			                    what, i);
		if (stream[i] >= n)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "%s: packet %zu's stream %u is not below %zu", what, i,
			                    stream[i], n);
	}
	return PRONET_OK;
}

enum pronet_err pronet_tunnel_transform(const struct pronet_tunnel_options *options,
                                        const struct pronet_packet_record *inner,
                                        const uint32_t *stream, size_t n,
                                        struct pronet_packet_record *out, size_t capacity,
                                        size_t *count, struct pronet_tunnel_stats *stats,
                                        const char *what, char *errbuf)
{
	struct emitter e = {.out = out, .capacity = capacity};
	struct pronet_tunnel_stats local = {0};
	struct tor_stream *streams = NULL;
	struct tor_link link = {{0}, {0}};
	enum pronet_err err;

	*count = 0;
	err = check_inputs(options, inner, stream, n, what, errbuf);
	if (err != PRONET_OK)
		return err;
	if (options->kind == PRONET_TUNNEL_TOR && n > 0 &&
	    (streams = calloc(n, sizeof(*streams))) == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: no memory for %zu streams", what,
		                    n);
	for (size_t i = 0; i < n; i++) {
		const struct pronet_packet_record *r = &inner[i];

		local.inner_packets++;
		if (options->kind == PRONET_TUNNEL_ESP)
			esp_packet(options, r, &e);
		else if (options->kind == PRONET_TUNNEL_TOR)
			tor_packet(&link, &streams[stream[i]], r, &local, &e);
		else
			emit(&e, r->timestamp_us, r->direction, r->wire_length, r->payload_length,
			     r->l4_protocol, r->tcp_flags);
	}
	free(streams);
	local.outer_packets = e.count;
	if (stats != NULL) {
		stats->inner_packets += local.inner_packets;
		stats->not_carried += local.not_carried;
		stats->cells += local.cells;
		stats->outer_packets += local.outer_packets;
	}
	*count = e.count;
	if (out != NULL && e.count > capacity)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: the tunnel has %zu packets, room for %zu", what, e.count,
		                    capacity);
	return PRONET_OK;
}
