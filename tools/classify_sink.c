/* pronet classify's per-engine sinks (tools/classify_sink.h). */
#include "config.h"

#include "tools/classify_sink.h"

#include <stdlib.h>
#include <string.h>

#include "plugin/pronet_plugin.h"
#include "tools/engine_args.h"

/* A sink writes its lines when it holds this much. */
#define SINK_FLUSH_BYTES (64u * 1024u)

static void count_protocol(struct classify_tally *tally, const char *name, uint64_t flows)
{
	for (size_t i = 0; i < tally->num_protocols; i++)
		if (strcmp(tally->protocols[i].name, name) == 0) {
			tally->protocols[i].flows += flows;
			return;
		}
	if (tally->num_protocols == tally->protocols_capacity) {
		size_t capacity = tally->protocols_capacity ? 2 * tally->protocols_capacity : 64;
		struct classify_protocol_count *bigger =
		    realloc(tally->protocols, capacity * sizeof(*bigger));
		if (bigger == NULL)
			return; /* the summary misses a row; the events are complete */
		tally->protocols = bigger;
		tally->protocols_capacity = capacity;
	}
	struct classify_protocol_count *row = &tally->protocols[tally->num_protocols++];
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->flows = flows;
}

void classify_tally_add(struct classify_tally *into, const struct classify_tally *from)
{
	for (int s = 0; s < CLASSIFY_SOURCE_COUNT_; s++)
		into->sources[s] += from->sources[s];
	into->consulted += from->consulted;
	into->abstained += from->abstained;
	into->flows += from->flows;
	for (size_t i = 0; i < from->num_protocols; i++)
		count_protocol(into, from->protocols[i].name, from->protocols[i].flows);
}

static int compare_protocols(const void *a, const void *b)
{
	const struct classify_protocol_count *x = a, *y = b;
	if (x->flows != y->flows)
		return x->flows < y->flows ? 1 : -1;
	return strcmp(x->name, y->name);
}

void classify_tally_print(struct classify_tally *tally, size_t model_misses, const char *note,
                          FILE *out)
{
	fprintf(out, "flows: %llu\n", (unsigned long long)tally->flows);
	fprintf(out, "by verdict source:\n");
	for (int s = 0; s < CLASSIFY_SOURCE_COUNT_; s++)
		fprintf(out, "  %-15s %10llu\n", classify_source_name((enum classify_source)s),
		        (unsigned long long)tally->sources[s]);
	fprintf(out, "model consulted: %llu flows, abstained on %llu\n",
	        (unsigned long long)tally->consulted, (unsigned long long)tally->abstained);
	fprintf(out, "model missed: %zu flows (no room in the plugin's flow store)\n",
	        model_misses);
	fputs(note, out);
	fprintf(out, "by protocol:\n");
	/* qsort's array may not be NULL, which it is before the first flow. */
	if (tally->num_protocols > 1)
		qsort(tally->protocols, tally->num_protocols, sizeof(*tally->protocols),
		      compare_protocols);
	for (size_t i = 0; i < tally->num_protocols; i++)
		fprintf(out, "  %-32s %10llu\n", tally->protocols[i].name,
		        (unsigned long long)tally->protocols[i].flows);
}

void classify_tally_free(struct classify_tally *tally)
{
	free(tally->protocols);
	memset(tally, 0, sizeof(*tally));
}

int classify_sink_init(struct classify_sink *sink, struct classify_run *run, const char *name,
                       int live, int datalink, unsigned thread_id)
{
	memset(sink, 0, sizeof(*sink));
	sink->run = run;
	sink->flush_bytes = live ? 0 : SINK_FLUSH_BYTES;
	sink->ndpid.source = name;
	sink->ndpid.alias = run->ndpid_alias;
	sink->ndpid.datalink = datalink;
	sink->ndpid.thread_id = thread_id;
	sink->ndpid.idle_timeout_us = run->idle_timeout_us;
	sink->context.model_generations = run->update != NULL;
	return classify_event_context_set_capture(&sink->context, name, live);
}

static void sink_fail(struct classify_sink *sink, const char *message)
{
	if (!sink->failed)
		snprintf(sink->errbuf, sizeof(sink->errbuf), "%s", message);
	sink->failed = 1;
}

/* Hands the sink's lines to the run's output, whole. */
static void sink_write(struct classify_sink *sink)
{
	struct classify_run *run = sink->run;
	if (sink->used == 0 || sink->failed)
		return;
	pthread_mutex_lock(&run->output_lock);
	if (line_output_write_lines(run->output, sink->lines, sink->used, sink->errbuf) !=
	    PRONET_OK)
		sink->failed = 1;
	pthread_mutex_unlock(&run->output_lock);
	sink->used = 0;
}

/* Appends one line to the sink; with nDPId framing, behind its length. */
static void sink_append(struct classify_sink *sink, const char *text, size_t length)
{
	size_t prefix = sink->run->ndpid_framing ? CLASSIFY_NDPID_PREFIX_DIGITS : 0;
	if (prefix > 0 && length + 1 > CLASSIFY_NDPID_MAX_FRAMED) {
		sink_fail(sink, "an nDPId event is too long for its 5-digit length prefix");
		return;
	}
	if (sink->used + prefix + length + 1 > sink->capacity) {
		size_t capacity = sink->capacity ? sink->capacity : SINK_FLUSH_BYTES;
		while (capacity < sink->used + prefix + length + 1)
			capacity *= 2;
		char *bigger = realloc(sink->lines, capacity);
		if (bigger == NULL) {
			sink_fail(sink, "out of memory");
			return;
		}
		sink->lines = bigger;
		sink->capacity = capacity;
	}
	if (prefix > 0) { /* the JSON and its newline: nDPIsrvd's message length */
		char digits[CLASSIFY_NDPID_PREFIX_DIGITS + 1];
		snprintf(digits, sizeof(digits), "%05zu", length + 1);
		memcpy(sink->lines + sink->used, digits, prefix);
		sink->used += prefix;
	}
	memcpy(sink->lines + sink->used, text, length);
	sink->lines[sink->used + length] = '\n';
	sink->used += length + 1;
	if (sink->used >= sink->flush_bytes)
		sink_write(sink);
}

void classify_run_poll_output(struct classify_run *run)
{
	pthread_mutex_lock(&run->output_lock);
	line_output_poll(run->output);
	pthread_mutex_unlock(&run->output_lock);
}

void classify_sink_close(struct classify_sink *sink)
{
	struct classify_run *run = sink->run;
	sink_write(sink);
	classify_tally_add(&run->tally, &sink->tally);
	if (sink->failed && !run->failed)
		snprintf(run->errbuf, sizeof(run->errbuf), "%s", sink->errbuf);
	run->failed |= sink->failed;
	classify_tally_free(&sink->tally);
	free(sink->lines);
	classify_event_context_clear_capture(&sink->context);
	memset(sink, 0, sizeof(*sink));
}

/* Appends `event` as one line and puts it; NULL: out of memory. */
static void sink_put(struct classify_sink *sink, struct json_object *event)
{
	if (event == NULL) {
		sink_fail(sink, "out of memory");
		return;
	}
	size_t length;
	const char *text = json_object_to_json_string_length(
	    event, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &length);
	if (text == NULL)
		sink_fail(sink, "out of memory");
	else
		sink_append(sink, text, length);
	json_object_put(event);
}

/* The engine's report: one event, then the plugin forgets the flow (its
 * nDPI flow is freed after this returns). */
static void classify_flow(void *user, const struct pronet_flow_report *report)
{
	struct classify_sink *sink = user;
	struct pronet_plugin_result result;
	int have_result = pronet_plugin_flow_result(report->ndpi_flow, &result) == PRONET_OK;
	pronet_plugin_flow_forget(report->ndpi_flow);
	enum classify_source source = classify_source_of(report, have_result ? &result : NULL);
	if (sink->run->update != NULL)
		classify_update_offer(sink->run->update, report, source);
	struct classify_tally *tally = &sink->tally;
	tally->flows++;
	tally->sources[source]++;
	if (have_result && result.decided && result.packets_used > 0) {
		tally->consulted++;
		tally->abstained += result.abstained != 0;
	}
	count_protocol(tally, source == CLASSIFY_SOURCE_NONE ? "Unknown" : report->name, 1);
	if (sink->failed)
		return;
	const struct pronet_plugin_result *known = have_result ? &result : NULL;
	sink_put(sink, sink->run->ndpid
	                   ? classify_ndpid_event_new(&sink->ndpid,
	                                              classify_ndpid_event_of(report, source),
	                                              report, known, source)
	                   : classify_event_new(&sink->context, report, known, source));
}

/* The engine's progress hook (--events ndpid): nDPId's events before a
 * flow's end. The plugin's verdict is there once the give-up has run. */
static void classify_progress(void *user, const struct pronet_flow_report *report)
{
	struct classify_sink *sink = user;
	struct pronet_plugin_result result;
	if (sink->failed)
		return;
	int have_result = report->ndpi_flow != NULL &&
	                  pronet_plugin_flow_result(report->ndpi_flow, &result) == PRONET_OK;
	const struct pronet_plugin_result *known = have_result ? &result : NULL;
	enum classify_source source = classify_source_of(report, known);
	sink_put(sink,
	         classify_ndpid_event_new(&sink->ndpid, classify_ndpid_event_of(report, source),
	                                  report, known, source));
}

/* The engine's give-up function: the plugin's, which is
 * ndpi_detection_giveup followed by the fallback. */
static ndpi_protocol classify_giveup(void *user, struct ndpi_detection_module_struct *ndpi,
                                     struct ndpi_flow_struct *flow, uint8_t enable_guess,
                                     uint8_t *protocol_was_guessed)
{
	(void)user;
	return pronet_plugin_detection_giveup(ndpi, flow, enable_guess, protocol_was_guessed);
}

/* The engine's packet function: the plugin's per-packet entry, which records
 * the packet through the input builder `pronet label` uses, then calls
 * ndpi_detection_process_packet. */
static ndpi_protocol classify_process_packet(void *user, struct ndpi_detection_module_struct *ndpi,
                                             struct ndpi_flow_struct *flow,
                                             const unsigned char *packet, unsigned short length,
                                             uint64_t time_ms)
{
	(void)user;
	return pronet_plugin_process_packet(ndpi, flow, packet, length, time_ms);
}

/* The engine's setup hook: attach the plugin before finalisation. Its flow
 * store, process-wide, is made by the run's first attach and kept for the
 * run (plugin/attach.c), as big as every engine's flow tables together, so
 * that N engines miss no flow that one would keep. */
static enum pronet_err classify_setup(void *user, struct ndpi_detection_module_struct *ndpi,
                                      char *errbuf)
{
	const struct classify_sink *sink = user;
	const struct classify_run *run = sink->run;
	if (run->update != NULL) /* the newest model */
		return classify_update_attach(run->update, ndpi, errbuf);
	struct pronet_plugin_options options = *pronet_plugin_loaded_options(run->loaded);
	options.max_flows = run->store_flows;
	return pronet_plugin_attach(ndpi, pronet_plugin_loaded_model(run->loaded), &options,
	                            errbuf);
}

void classify_sink_hook(struct classify_sink *sink, struct pronet_ndpi_engine_options *options)
{
	options->setup = classify_setup;
	options->setup_user = sink;
	options->giveup = classify_giveup;
	options->process_packet = classify_process_packet;
	options->report = classify_flow;
	options->report_user = sink;
	options->progress = sink->run->ndpid ? classify_progress : NULL;
}

void classify_sink_set_module(struct classify_sink *sink, struct ndpi_detection_module_struct *ndpi)
{
	sink->context.ndpi = ndpi;
	sink->ndpid.ndpi = ndpi;
}

void classify_print_stats(const char *name, const struct pronet_ndpi_engine_stats *stats,
                          size_t misses_before)
{
	char misses[64];

	snprintf(misses, sizeof(misses), ", model missed %zu",
	         pronet_plugin_flow_misses() - misses_before);
	pronet_cli_print_engine_stats(name, stats, misses);
}
