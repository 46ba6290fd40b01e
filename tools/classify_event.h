/* One `pronet classify` flow event: a Suricata EVE-style JSON object built
 * with json-c (docs/classify-events.md describes every field). */
#ifndef PRONET_TOOLS_CLASSIFY_EVENT_H
#define PRONET_TOOLS_CLASSIFY_EVENT_H

#include <stdint.h>

#include <json-c/json.h>

#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/pronet_plugin.h"

/* Where the verdict came from. */
enum classify_source {
	CLASSIFY_SOURCE_NDPI = 0, /* nDPI named the flow (any confidence) */
	CLASSIFY_SOURCE_PRONET,   /* nDPI said Unknown; the model named it */
	CLASSIFY_SOURCE_NONE,     /* nobody named it */
	/* nDPI said Unknown; endpoint evidence (what nDPI's DPI named on
	 * other flows of its endpoints) named it. */
	CLASSIFY_SOURCE_PRONET_ENDPOINT,
	/* nDPI said Unknown; a per-flow model (flow-cnn, histogram-*) named it. */
	CLASSIFY_SOURCE_PRONET_FLOW,
	CLASSIFY_SOURCE_COUNT_
};

const char *classify_source_name(enum classify_source source);

/* What every event of one capture shares. The capture's name is one JSON
 * string, made when the capture starts and referenced by each event (json-c
 * counts the references), rather than copied into every event. */
struct classify_event_context {
	const char *capture_key;          /* "pcap_filename" or "in_iface" */
	struct json_object *capture_name; /* owned: one reference; NULL: none */
	struct ndpi_detection_module_struct *ndpi;
	/* 1: the model may change during the run (classify --update): the
	 * `pronet` object says which model answered (model_generation). */
	int model_generations;
};

/* The events that follow come from the capture file `name` (live 0) or the
 * interface `name` (live 1); replaces the previous capture. -1 when out of
 * memory (the context then names no capture). */
int classify_event_context_set_capture(struct classify_event_context *context, const char *name,
                                       int live);
/* Drops the context's reference to the capture name; events made before
 * keep theirs. */
void classify_event_context_clear_capture(struct classify_event_context *context);

/* The source of a flow's verdict from nDPI's report and the plugin's result
 * (NULL if the plugin holds none). */
enum classify_source classify_source_of(const struct pronet_flow_report *report,
                                        const struct pronet_plugin_result *result);

/* The stable 64-bit flow id (non-negative, as Suricata prints it): a hash of
 * the flow key and its first packet's time, the same on every run. */
int64_t classify_flow_id(const struct pronet_flow *flow);

/* "2021-06-01T12:00:00.123456+0000": Suricata's timestamp format, in UTC.
 * `out` holds at least 40 bytes. */
void classify_format_timestamp(uint64_t microseconds, char *out, size_t size);

/* The event for one flow; NULL when out of memory. The caller puts it. */
struct json_object *classify_event_new(const struct classify_event_context *context,
                                       const struct pronet_flow_report *report,
                                       const struct pronet_plugin_result *result,
                                       enum classify_source source);

/* Its parts that nDPId-style events carry too (tools/classify_ndpid.h):
 * the "verdict" object, and the model's "pronet" object (for a result
 * whose model ran on recorded payload). NULL when out of memory. */
struct json_object *classify_event_verdict_object(const struct pronet_flow_report *report,
                                                  const struct pronet_plugin_result *result,
                                                  enum classify_source source);
struct json_object *classify_event_model_object(const struct pronet_plugin_result *result);

#endif
