/* `pronet classify --events ndpid`: flow events as nDPId emits them
 * (github.com/utoni/nDPId, its schema/flow_event_schema.json), so that
 * nDPId's collectors and tools (nDPIsrvd and its clients) read pronet.
 * docs/classify-events.md, "nDPId events", maps each event to when pronet
 * emits it and says which fields are filled and which are absent, and why.
 *
 * Per flow, in order: "new" at its first packet; "detected" when nDPI's DPI
 * first names a protocol, or "guessed" / "not-detected" when the give-up
 * function ran (nDPI's guess, then pronet's model); then "end" (TCP, a FIN
 * or RST was seen) or "idle" (every other end: timeout, eviction, the end
 * of the capture). From "detected" on, pronet's verdict is in a "pronet"
 * object: the EVE event's "verdict" object, with the model's output as
 * "model" where the model ran. */
#ifndef PRONET_TOOLS_CLASSIFY_NDPID_H
#define PRONET_TOOLS_CLASSIFY_NDPID_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/pronet_plugin.h"
#include "tools/classify_event.h"

/* nDPId's flow_event_id values (its enum flow_event). */
enum classify_ndpid_event {
	CLASSIFY_NDPID_NEW = 1,
	CLASSIFY_NDPID_END = 2,
	CLASSIFY_NDPID_IDLE = 3,
	CLASSIFY_NDPID_GUESSED = 6,
	CLASSIFY_NDPID_DETECTED = 7,
	CLASSIFY_NDPID_NOT_DETECTED = 9,
};

/* nDPIsrvd's framing of a message on its sockets: the length of the JSON
 * and its newline, in 5 decimal digits, then both. */
#define CLASSIFY_NDPID_PREFIX_DIGITS 5
#define CLASSIFY_NDPID_MAX_FRAMED 99999u

/* What the events of one capture (on one worker) share. */
struct classify_ndpid_context {
	const char *source;       /* nDPId's -i: the capture file or interface */
	const char *alias;        /* nDPId's instance alias (the host name) */
	int datalink;             /* the capture's link type (flow_datalink) */
	unsigned thread_id;       /* the worker (0 with one thread) */
	uint64_t idle_timeout_us; /* --idle-timeout; 0: none (nDPId's defaults said) */
	struct ndpi_detection_module_struct *ndpi;
};

/* Which event a report makes, given the plugin's verdict source. */
enum classify_ndpid_event classify_ndpid_event_of(const struct pronet_flow_report *report,
                                                  enum classify_source source);

/* The event `kind` for `report` (result: the plugin's, NULL if none); NULL
 * when out of memory. The caller puts it. */
struct json_object *classify_ndpid_event_new(const struct classify_ndpid_context *context,
                                             enum classify_ndpid_event kind,
                                             const struct pronet_flow_report *report,
                                             const struct pronet_plugin_result *result,
                                             enum classify_source source);

#endif
