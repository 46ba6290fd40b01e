/* Where `pronet classify`'s flows go: one sink per nDPI engine (one, or one
 * per worker with --threads), each with its own event context, counts and
 * line buffer, so that the engines' report callbacks share nothing but the
 * output, which a sink takes a lock for only to write a buffer of whole
 * lines. The run's summary is the sum of the sinks' counts. */
#ifndef PRONET_TOOLS_CLASSIFY_SINK_H
#define PRONET_TOOLS_CLASSIFY_SINK_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/loader.h"
#include "tools/classify_event.h"
#include "tools/classify_update.h"
#include "tools/classify_ndpid.h"
#include "tools/line_output.h"

/* Flows by verdict source and by protocol. */
struct classify_tally {
	uint64_t sources[CLASSIFY_SOURCE_COUNT_];
	uint64_t consulted, abstained;
	uint64_t flows;
	struct classify_protocol_count {
		char name[64];
		uint64_t flows;
	} * protocols;
	size_t num_protocols, protocols_capacity;
};

/* Adds `from`'s counts to `into`'s. */
void classify_tally_add(struct classify_tally *into, const struct classify_tally *from);
/* The summary on `out`: flows, by source, the model's, then `note` (lines
 * of the output's own, "" for none), then by protocol (sorts). */
void classify_tally_print(struct classify_tally *tally, size_t model_misses, const char *note,
                          FILE *out);
void classify_tally_free(struct classify_tally *tally);

/* What every sink of a run shares; read-only while engines run, but for
 * the output (under output_lock). */
struct classify_run {
	const struct pronet_plugin_loaded *loaded;
	uint32_t store_flows; /* the plugin's flow store: every engine's flows */
	unsigned threads;     /* --threads: engines per capture */
	int show_stats;       /* --stats */
	/* --events ndpid: nDPId's flow events (tools/classify_ndpid.h), not
	 * one EVE event per flow; with ndpid_framing, each line behind
	 * nDPIsrvd's 5-digit length. */
	int ndpid, ndpid_framing;
	const char *ndpid_alias;
	uint64_t idle_timeout_us;
	/* --update (tools/classify_update.h), else NULL; one engine only */
	struct classify_update *update;
	struct line_output *output;
	pthread_mutex_t output_lock;
	struct classify_tally tally; /* the sum over the sinks, capture by capture */
	int failed;                  /* an output error or out of memory: stop */
	char errbuf[PRONET_ERRBUF_SIZE];
};

struct classify_sink {
	struct classify_run *run;
	/* Bytes held before they are written: a capture file's events go in
	 * blocks, a live run's at once (a collector waits for them). */
	size_t flush_bytes;
	struct classify_event_context context;
	struct classify_ndpid_context ndpid; /* --events ndpid */
	struct classify_tally tally;
	char *lines; /* whole lines waiting to be written */
	size_t used, capacity;
	int failed;
	char errbuf[PRONET_ERRBUF_SIZE];
};

/* A sink for the capture `name` (live: an interface) of link type
 * `datalink`, on worker `thread_id` (0 with one thread); -1 when out of
 * memory. */
int classify_sink_init(struct classify_sink *sink, struct classify_run *run, const char *name,
                       int live, int datalink, unsigned thread_id);
/* A quiet moment of the reader (tools/line_output.h's line_output_poll),
 * under the output's lock. */
void classify_run_poll_output(struct classify_run *run);
/* Writes what the sink holds, adds its counts to the run's, frees it; a
 * failure goes to the run (failed, errbuf). */
void classify_sink_close(struct classify_sink *sink);

/* Points the engine options' hooks (setup, give-up, per-packet, report) at
 * the plugin and at `sink`. */
void classify_sink_hook(struct classify_sink *sink, struct pronet_ndpi_engine_options *options);
/* After the engine is made: the module its events name protocols with. */
void classify_sink_set_module(struct classify_sink *sink,
                              struct ndpi_detection_module_struct *ndpi);
/* -s: one capture's engine counters, and the flows the model missed since
 * pronet_plugin_flow_misses() read `misses_before` (one engine or shards). */
void classify_print_stats(const char *name, const struct pronet_ndpi_engine_stats *stats,
                          size_t misses_before);

#endif
