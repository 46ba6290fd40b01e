/* The nDPI engine: one nDPI module, one flow table, and per-flow nDPI state
 * from a pool sized with the table. The logic per packet follows ndpiReader
 * 4.2's packet_processing() (example/reader_util.c) so that both say the
 * same thing about the same capture; see ndpi_engine.h. */
#include "config.h"

#include "ndpi-glue/engine/ndpi_engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndpi-glue/capture/decode.h"

/* nDPI state of one flow. The ndpi_flow_struct is allocated the first time
 * a pool entry is used and recycled after (ndpi_free_flow_data + zeroing),
 * so a long capture allocates at most max_flows of them. */
struct engine_flow {
	struct ndpi_flow_struct *ndpi_flow;
	ndpi_protocol detected;
	uint8_t completed; /* ndpiReader's detection_completed */
	uint8_t named;     /* DPI named a protocol (the DETECTED stage was told) */
	uint8_t gave_up;
	uint8_t guessed;
	uint32_t ndpi_packets;
	struct engine_flow *next_free;
};

struct pronet_ndpi_engine {
	struct pronet_ndpi_engine_options options;
	struct ndpi_detection_module_struct *ndpi;
	struct pronet_flow_table *table;
	struct engine_flow *pool;
	/* Entries given back; past them, the entries never used, from
	 * pool_fresh on (a new engine touches none of its max_flows entries). */
	struct engine_flow *free_flows;
	uint32_t pool_fresh;
	uint64_t last_time_ms;
	uint64_t last_time_us; /* the latest packet's capture time (reports' now_us) */
	struct pronet_ndpi_engine_stats stats;
};

void pronet_ndpi_engine_options_default(struct pronet_ndpi_engine_options *options)
{
	memset(options, 0, sizeof(*options));
	pronet_flow_table_options_default(&options->flows);
	options->max_tcp_packets = 80;
	options->max_udp_packets = 24;
	options->enable_guess = 1;
	options->keep_other_protocols = 1;
}

static ndpi_protocol default_giveup(void *user, struct ndpi_detection_module_struct *ndpi,
                                    struct ndpi_flow_struct *flow, uint8_t enable_guess,
                                    uint8_t *protocol_was_guessed)
{
	(void)user;
	return ndpi_detection_giveup(ndpi, flow, enable_guess, protocol_was_guessed);
}

static ndpi_protocol default_process_packet(void *user, struct ndpi_detection_module_struct *ndpi,
                                            struct ndpi_flow_struct *flow,
                                            const unsigned char *packet, unsigned short length,
                                            uint64_t time_ms)
{
	(void)user;
	return ndpi_detection_process_packet(ndpi, flow, packet, length, time_ms);
}

/* The report of `flow` at `stage`: nDPI's verdict so far and its names. */
static void fill_report(struct pronet_ndpi_engine *engine, struct pronet_flow *flow,
                        enum pronet_flow_stage stage, struct pronet_flow_report *report)
{
	const struct engine_flow *state = flow->user;
	memset(report, 0, sizeof(*report)); /* Unknown, confidence unknown */
	report->stage = stage;
	report->packets_seen = engine->stats.packets;
	report->now_us = engine->last_time_us;
	report->flow = flow;
	if (state != NULL) {
		report->protocol = state->detected;
		report->confidence = state->ndpi_flow->confidence;
		report->gave_up = state->gave_up;
		report->guessed = state->guessed;
		report->ndpi_packets = state->ndpi_packets;
		report->ndpi_flow = state->ndpi_flow;
	}
	report->master_name = ndpi_get_proto_name(engine->ndpi, report->protocol.master_protocol);
	report->app_name = ndpi_get_proto_name(engine->ndpi, report->protocol.app_protocol);
	ndpi_protocol2name(engine->ndpi, report->protocol, report->name, sizeof(report->name));
	report->category_name = ndpi_category_get_name(engine->ndpi, report->protocol.category);
	report->confidence_name = ndpi_confidence_get_name(report->confidence);
}

/* Tells the progress hook, if there is one, that `flow` reached `stage`. */
static void tell_progress(struct pronet_ndpi_engine *engine, struct pronet_flow *flow,
                          enum pronet_flow_stage stage)
{
	struct pronet_flow_report report;
	if (engine->options.progress == NULL)
		return;
	fill_report(engine, flow, stage, &report);
	engine->options.progress(engine->options.report_user, &report);
}

static void give_up(struct pronet_ndpi_engine *engine, struct pronet_flow *flow,
                    struct engine_flow *state)
{
	uint8_t guessed = 0;
	state->detected =
	    engine->options.giveup(engine->options.giveup_user, engine->ndpi, state->ndpi_flow,
	                           engine->options.enable_guess, &guessed);
	state->gave_up = 1;
	state->guessed = guessed;
	engine->stats.gave_up++;
	/* One verdict stage per flow: a flow DPI named (its master, the app
	 * still open) is not told again. */
	if (!state->named)
		tell_progress(engine, flow, PRONET_FLOW_STAGE_GAVE_UP);
}

/* The flow table's end callback: give up if nDPI was still working on the
 * flow (as ndpiReader does at the end of a run), report, recycle. A flow
 * without state is one nDPI had no memory for when it started (see
 * attach_state): it is reported all the same, as nDPI never saw it. */
static void end_flow(void *user, struct pronet_flow *flow, enum pronet_flow_end_reason reason)
{
	struct pronet_ndpi_engine *engine = user;
	struct engine_flow *state = flow->user;
	struct pronet_flow_report report;
	if (state != NULL && !state->completed)
		give_up(engine, flow, state);
	fill_report(engine, flow, PRONET_FLOW_STAGE_END, &report);
	report.end_reason = reason;
	engine->options.report(engine->options.report_user, &report);
	if (state == NULL)
		return;

	ndpi_free_flow_data(state->ndpi_flow);
	memset(state->ndpi_flow, 0, SIZEOF_FLOW_STRUCT);
	state->next_free = engine->free_flows;
	engine->free_flows = state;
	flow->user = NULL;
}

static enum pronet_err setup_module(struct pronet_ndpi_engine *engine, char *errbuf)
{
	NDPI_PROTOCOL_BITMASK all;
	engine->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	if (engine->ndpi == NULL)
		return pronet_error(errbuf, PRONET_ERR_NDPI,
		                    "nDPI: cannot create a detection module");
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(engine->ndpi, &all);
	/* Checked here first: nDPI prints its own message for a missing file. */
	if (engine->options.protos_file != NULL && access(engine->options.protos_file, R_OK) != 0)
		return pronet_error_errno(errbuf, PRONET_ERR_IO, errno, "%s",
		                          engine->options.protos_file);
	if (engine->options.protos_file != NULL &&
	    ndpi_load_protocols_file(engine->ndpi, engine->options.protos_file) != 0)
		return pronet_error(errbuf, PRONET_ERR_NDPI,
		                    "%s: nDPI cannot load this protos file",
		                    engine->options.protos_file);
	if (engine->options.setup != NULL) {
		enum pronet_err err =
		    engine->options.setup(engine->options.setup_user, engine->ndpi, errbuf);
		if (err != PRONET_OK)
			return err;
	}
	ndpi_finalize_initialization(engine->ndpi);
	return PRONET_OK;
}

enum pronet_err pronet_ndpi_engine_new(const struct pronet_ndpi_engine_options *options,
                                       struct pronet_ndpi_engine **out, char *errbuf)
{
	if (options == NULL || out == NULL || options->report == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "nDPI engine: missing argument");
	*out = NULL;
	if (options->max_tcp_packets == 0 || options->max_udp_packets == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "nDPI engine: packets per flow for nDPI must be > 0");
	struct pronet_ndpi_engine *engine = calloc(1, sizeof(*engine));
	if (engine == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "nDPI engine: no memory");
	engine->options = *options;
	if (engine->options.giveup == NULL)
		engine->options.giveup = default_giveup;
	if (engine->options.process_packet == NULL)
		engine->options.process_packet = default_process_packet;
	enum pronet_err err =
	    pronet_flow_table_new(&options->flows, end_flow, engine, &engine->table, errbuf);
	if (err == PRONET_OK) {
		engine->pool = calloc(options->flows.max_flows, sizeof(*engine->pool));
		if (engine->pool == NULL)
			err = pronet_error(errbuf, PRONET_ERR_NOMEM,
			                   "nDPI engine: no memory for %u flows",
			                   options->flows.max_flows);
	}
	if (err == PRONET_OK)
		err = setup_module(engine, errbuf);
	if (err != PRONET_OK) {
		pronet_ndpi_engine_free(engine);
		return err;
	}
	*out = engine;
	return PRONET_OK;
}

void pronet_ndpi_engine_free(struct pronet_ndpi_engine *engine)
{
	if (engine == NULL)
		return;
	if (engine->pool != NULL) {
		for (uint32_t i = 0; i < engine->pool_fresh; i++)
			if (engine->pool[i].ndpi_flow != NULL)
				ndpi_free_flow(engine->pool[i].ndpi_flow);
		free(engine->pool);
	}
	pronet_flow_table_free(engine->table);
	if (engine->ndpi != NULL)
		ndpi_exit_detection_module(engine->ndpi);
	free(engine);
}

/* Attaches nDPI state to a flow the table just created; NULL if nDPI has no
 * memory for it. The pool has a state per table slot, so it is empty only
 * if that invariant is broken; such a flow is then uninspected as well.
 * ndpiReader drops a flow it has no memory for and tries again at the
 * flow's next packet; here the table already holds the flow, so it stays,
 * is never shown to nDPI, and is reported Unknown (stats: uninspected). */
static struct engine_flow *attach_state(struct pronet_ndpi_engine *engine, struct pronet_flow *flow)
{
	struct engine_flow *state = engine->free_flows;
	int fresh = state == NULL;

	if (fresh) {
		if (engine->pool_fresh == engine->options.flows.max_flows)
			return NULL;
		state = &engine->pool[engine->pool_fresh];
	}
	if (state->ndpi_flow == NULL) {
		state->ndpi_flow = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
		if (state->ndpi_flow == NULL)
			return NULL;
		memset(state->ndpi_flow, 0, SIZEOF_FLOW_STRUCT);
	}
	if (fresh)
		engine->pool_fresh++;
	else
		engine->free_flows = state->next_free;
	memset(&state->detected, 0, sizeof(state->detected));
	state->completed = state->named = state->gave_up = state->guessed = 0;
	state->ndpi_packets = 0;
	state->next_free = NULL;
	flow->user = state;
	return state;
}

/* ndpiReader's "detection completed" rule: stop once an application
 * protocol is known and nDPI wants no more packets, or after enough packets;
 * if that leaves the flow Unknown, give up right then. */
static void dissect(struct pronet_ndpi_engine *engine, const struct pronet_packet *packet,
                    struct pronet_flow *flow, struct engine_flow *state, uint64_t time_ms)
{
	uint64_t packets = flow->packets[0] + flow->packets[1];
	int enough =
	    (packet->l4_protocol == IPPROTO_UDP && packets > engine->options.max_udp_packets) ||
	    (packet->l4_protocol == IPPROTO_TCP && packets > engine->options.max_tcp_packets);
	size_t length = packet->l3_length;
	if (length > UINT16_MAX) { /* ndpi_detection_process_packet takes an unsigned short */
		length = UINT16_MAX;
		engine->stats.clamped_lengths++;
	}
	state->detected = engine->options.process_packet(engine->options.process_packet_user,
	                                                 engine->ndpi, state->ndpi_flow, packet->l3,
	                                                 (unsigned short)length, time_ms);
	state->ndpi_packets++;
	engine->stats.ndpi_packets++;
	if (!state->named && (state->detected.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	                      state->detected.master_protocol != NDPI_PROTOCOL_UNKNOWN)) {
		state->named = 1;
		tell_progress(engine, flow, PRONET_FLOW_STAGE_DETECTED);
	}
	if (!enough && state->detected.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		return;
	if (!enough && ndpi_extra_dissection_possible(engine->ndpi, state->ndpi_flow))
		return;
	state->completed = 1;
	if (state->detected.app_protocol == NDPI_PROTOCOL_UNKNOWN)
		give_up(engine, flow, state);
}

/* One packet; `key_hash` is the flow table's hash of its key, or NULL for
 * the table to compute it. */
static void process_packet(struct pronet_ndpi_engine *engine, const struct pronet_packet *packet,
                           enum pronet_packet_skip skip, const uint32_t *key_hash)
{
	engine->stats.packets++;
	if (skip == PRONET_SKIP_OTHER_PROTOCOL && engine->options.keep_other_protocols &&
	    packet->l3 != NULL)
		skip = PRONET_SKIP_NONE;
	if (skip != PRONET_SKIP_NONE) {
		engine->stats.skipped[skip < PRONET_SKIP_COUNT_ ? skip : PRONET_SKIP_BAD_HEADER]++;
		return;
	}
	if ((packet->flags & PRONET_PACKET_F_SNAPPED) && !engine->options.keep_snapped) {
		engine->stats.snapped++;
		return;
	}
	uint64_t time_ms = packet->timestamp_us / 1000;
	if (time_ms < engine->last_time_ms)
		time_ms = engine->last_time_ms; /* as ndpiReader repairs it */
	engine->last_time_ms = time_ms;
	if (packet->timestamp_us > engine->last_time_us)
		engine->last_time_us = packet->timestamp_us;

	struct pronet_flow *flow;
	enum pronet_direction direction;
	int created;
	enum pronet_err err =
	    key_hash != NULL
	        ? pronet_flow_table_update_hashed(engine->table, packet, *key_hash, &flow,
	                                          &direction, &created)
	        : pronet_flow_table_update(engine->table, packet, &flow, &direction, &created);
	if (err != PRONET_OK) {
		engine->stats.refused++;
		return;
	}
	engine->stats.decoded++;
	struct engine_flow *state = flow->user;
	if (created) {
		engine->stats.flows++;
		state = attach_state(engine, flow);
		engine->stats.uninspected += state == NULL;
		tell_progress(engine, flow, PRONET_FLOW_STAGE_NEW);
	}
	if (state != NULL && !state->completed)
		dissect(engine, packet, flow, state, time_ms);
}

void pronet_ndpi_engine_process_packet(struct pronet_ndpi_engine *engine,
                                       const struct pronet_packet *packet,
                                       enum pronet_packet_skip skip)
{
	process_packet(engine, packet, skip, NULL);
}

enum pronet_err pronet_ndpi_engine_process_frame(struct pronet_ndpi_engine *engine, int dlt,
                                                 const struct pronet_raw_packet *frame)
{
	struct pronet_packet packet;
	enum pronet_packet_skip skip;
	enum pronet_err err = pronet_decode_packet_with(
	    engine->options.decode_options, dlt, frame->data, frame->caplen, frame->wire_length,
	    frame->timestamp_us, &packet, &skip);
	if (err != PRONET_OK)
		return err;
	pronet_ndpi_engine_process_decoded(engine, &packet, skip, frame->timestamp_clamped, NULL);
	return PRONET_OK;
}

void pronet_ndpi_engine_process_decoded(struct pronet_ndpi_engine *engine,
                                        const struct pronet_packet *packet,
                                        enum pronet_packet_skip skip, int timestamp_clamped,
                                        const uint32_t *key_hash)
{
	engine->stats.clamped_times += timestamp_clamped != 0;
	process_packet(engine, packet, skip, key_hash);
}

enum pronet_err pronet_ndpi_engine_process_file(struct pronet_ndpi_engine *engine, const char *path,
                                                char *errbuf)
{
	struct pronet_capture *capture;
	enum pronet_err err = pronet_capture_open_file(path, &capture, errbuf);
	if (err != PRONET_OK)
		return err;
	int dlt = pronet_capture_datalink(capture);
	if (!pronet_decode_supports_datalink(dlt)) {
		pronet_capture_close(capture);
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "%s: link type %d not supported", path, dlt);
	}
	for (;;) {
		struct pronet_raw_packet frame;
		enum pronet_capture_status status;
		err = pronet_capture_next(capture, &frame, &status, errbuf);
		if (err != PRONET_OK || status == PRONET_CAPTURE_END)
			break;
		if (status != PRONET_CAPTURE_PACKET)
			continue;
		err = pronet_ndpi_engine_process_frame(engine, dlt, &frame);
		if (err != PRONET_OK) {
			pronet_error(errbuf, err, "%s: cannot decode packet %llu", path,
			             (unsigned long long)pronet_capture_packets_read(capture));
			break;
		}
	}
	pronet_capture_close(capture);
	return err;
}

void pronet_ndpi_engine_expire(struct pronet_ndpi_engine *engine, uint64_t now_us)
{
	pronet_flow_table_expire(engine->table, now_us);
}

void pronet_ndpi_engine_finish(struct pronet_ndpi_engine *engine)
{
	pronet_flow_table_flush(engine->table);
}

void pronet_ndpi_engine_get_stats(const struct pronet_ndpi_engine *engine,
                                  struct pronet_ndpi_engine_stats *out)
{
	struct pronet_flow_table_stats table;
	pronet_flow_table_get_stats(engine->table, &table);
	*out = engine->stats;
	out->evictions = table.evicted;
}

struct ndpi_detection_module_struct *pronet_ndpi_engine_module(struct pronet_ndpi_engine *engine)
{
	return engine->ndpi;
}

void pronet_flow_format_end(const struct pronet_flow_key *key, int side, char *out, size_t size)
{
	char address[INET6_ADDRSTRLEN];
	int v4 = key->ip_version == 4;
	/* inet_ntop cannot fail with these sizes; if it did, say so, never
	 * print an unset buffer. */
	if (inet_ntop(v4 ? AF_INET : AF_INET6, key->addr[side], address, sizeof(address)) == NULL)
		snprintf(address, sizeof(address), "?");
	else if (!v4)
		ndpi_patchIPv6Address(address); /* ndpiReader's ":0:" -> "::" */
	snprintf(out, size, v4 ? "%s:%u" : "[%s]:%u", address, key->port[side]);
}
