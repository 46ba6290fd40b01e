/* pronet as an nDPI 4.2 dissector: the public API of the plugin.
 *
 * The plugin adds one dissector to an nDPI detection module's callback
 * tables (its protocol ID and exclusion bit are the plugin's). It records
 * the first payload bytes of the flow (the first few payload packets of
 * each direction) through ndpi-glue's input builder
 * (ndpi-glue/flow/input_builder.h), the same builder `pronet label` trains from,
 * so that the model sees in serving what it saw in training:
 *   - hosts that call pronet_plugin_process_packet (the per-packet entry,
 *     below) around ndpi_detection_process_packet - `pronet classify` and the
 *     LD_PRELOAD shim in ndpiReader do - record every packet, the flow's
 *     first included: inputs identical to `pronet label`'s;
 *   - hosts that only register the plugin record from the dissector, which
 *     nDPI calls only for payload packets of flows still Unknown, without
 *     retransmissions: the initiator is the source of the first packet nDPI
 *     dispatches to it (wrong for server-first protocols), the weaker mode.
 * When the host gives up on a flow (ndpi_detection_giveup) and
 * nDPI still says Unknown, the fallback runs the model on what was recorded
 * and, at or above the class threshold, sets the protocol: nDPI's own ID when
 * the class is a protocol nDPI knows, a custom ID (created with
 * ndpi_handle_rule, no port rule) when it does not. Below the threshold the
 * flow stays Unknown and the dissector excludes itself for it.
 *
 * Per-flow state is kept by flow pointer, not by module, so a host that gives
 * up through another module than the one that saw the packets (ndpiReader's
 * end-of-run walk through module 0) still finds it. It lives in a pool sized
 * at the first attach and kept until the process exits (detach does not free
 * it); nothing is allocated per packet. A flow that finds the pool full is
 * not recorded and is counted (pronet_plugin_flow_misses). Hosts must call
 * pronet_plugin_flow_forget (the LD_PRELOAD shim does it from
 * ndpi_free_flow_data) before the flow's memory is freed.
 *
 * Threads: one nDPI module per thread, all attached, is supported; attach and
 * detach must not race with packet processing on the same module (nor does
 * nDPI allow its own setup calls to). Any thread may attach, detach, give up
 * or forget at any time otherwise: nothing a lock-free reader holds is freed
 * while the process runs (plugin/attach.c, docs/plugin.md).
 * docs/plugin.md describes the LD_PRELOAD shim and the dlopen entry point. */
#ifndef PRONET_PLUGIN_H
#define PRONET_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <ndpi_api.h>

#include "core/util/error.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "ndpi-glue/flow/input_builder.h"

/* Payload packets recorded per direction, at most. */
#define PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION 4
/* ... for a model that reads no bytes of a packet (window 0: sizes and
 * times, the histogram families): a record is then 40 bytes, and a flow keeps
 * its first min(2K, 1024) packets (PRONET_PLUGIN_MAX_RECORDS, plugin/
 * flow_state.h), as `pronet label -k K --bytes 0` records them. */
#define PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION 1024
/* Classes reported in a flow's result. */
#define PRONET_PLUGIN_TOP 3
/* The confidence the fallback sets on a flow the model names, the one place
 * it is chosen. nDPI 4.2 has no "learned" value, and a learned guess must not
 * claim DPI (a signature match), nor a match by port or IP, nor DPI_CACHE
 * (correlation among sessions): none is how the model decided. UNKNOWN says
 * only that nDPI's own ways did not decide; hosts still display the protocol
 * (Debian's ndpiReader prints "[proto: N/Name]...[Confidence: Unknown]").
 * Values past NDPI_CONFIDENCE_MAX would overflow hosts' counters. */
#define PRONET_PLUGIN_CONFIDENCE NDPI_CONFIDENCE_UNKNOWN
/* The confidence of a verdict from endpoint evidence: what nDPI's DPI named
 * on other flows of the flow's endpoints. That is nDPI's DPI_CACHE exactly
 * ("correlation among sessions", as nDPI's own caches name later flows), and
 * not DPI: the flow's own bytes matched nothing. */
#define PRONET_PLUGIN_ENDPOINT_CONFIDENCE NDPI_CONFIDENCE_DPI_CACHE
/* Name of the custom nDPI protocol the dissector itself is registered under
 * (it never labels a flow with it; it owns the exclusion bit). */
#define PRONET_PLUGIN_DISSECTOR_NAME "ProNet"

/* Attach after ndpi_set_protocol_detection_bitmask2 (it wipes the tables),
 * before or after ndpi_finalize_initialization: either works in 4.2 (custom
 * names need no automaton). */
struct pronet_plugin_options {
	/* Probability a class needs to label a flow, unless class_thresholds
	 * or the model file say otherwise (default PRONET_THRESHOLD_DEFAULT,
	 * rules/thresholds.h, as `pronet classify`). */
	float threshold;
	/* Optional, indexed by model class: a per-class threshold (rules/
	 * thresholds file); a negative entry, or NULL for all, means the model
	 * file's calibrated threshold for the class if it has one (> 0), else
	 * `threshold`. Copied. */
	const float *class_thresholds;
	/* Optional, indexed by model class: the nDPI protocol name to report
	 * for the class (rules/ protos file); NULL array or NULL entry: the
	 * class name itself. Copied. */
	const char *const *class_protocol_names;
	/* Optional: names to create as custom nDPI protocols before the
	 * classes are mapped (the rules/ protos file). A name nDPI has built in
	 * is refused. Copied into nDPI. */
	const char *const *custom_protocol_names;
	size_t num_custom_protocol_names;
	/* Payload packets recorded per direction, 1..4 (default 4, as `make model`
	 * labels and `pronet eval` decides flows); 1..1024 for a model that reads
	 * no bytes (PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION). */
	uint32_t packets_per_direction;
	/* Flows with state at once, process-wide, 1..2^26; sizes the store at
	 * the first attach, later attaches use that store (default 65536). */
	uint32_t max_flows;
	/* Since ABI 5: the host's number for `model`, given back with every
	 * verdict the model makes (pronet_plugin_result.model_generation), so
	 * a host that replaces the model while flows run (pronet classify
	 * --update re-attaches an updated copy) can say which one answered.
	 * Default 0. */
	uint32_t model_generation;
};

void pronet_plugin_options_default(struct pronet_plugin_options *options);

/* Attaches the model to `ndpi` (after ndpi_set_protocol_detection_bitmask2):
 * names the classes in nDPI and appends the dissector to the TCP-payload and
 * UDP tables. Attaching a module again replaces its options and never adds a
 * second dissector entry. `model` is borrowed and must stay alive until the
 * module is detached or attached with another model; verdicts keep no
 * pointer into it. Re-attaching with another model between two packets
 * swaps the model for the module's flows from the next decision on (their
 * recorded packets stay); the replaced attachment's prediction workspace
 * is freed then, as nothing processes the module's packets meanwhile. */
enum pronet_err pronet_plugin_attach(struct ndpi_detection_module_struct *ndpi,
                                     const struct pronet_model *model,
                                     const struct pronet_plugin_options *options, char *errbuf);
/* Removes the dissector from the module's tables and forgets the module.
 * The custom protocol names stay (nDPI 4.2 cannot remove them). */
enum pronet_err pronet_plugin_detach(struct ndpi_detection_module_struct *ndpi);
/* Re-appends the dissector to a module that is attached, after a host ran
 * ndpi_set_protocol_detection_bitmask2 again. No-op if not attached. */
void pronet_plugin_reregister(struct ndpi_detection_module_struct *ndpi);
/* Whether `ndpi` is attached. */
int pronet_plugin_is_attached(const struct ndpi_detection_module_struct *ndpi);

/* The per-packet entry: call it instead of ndpi_detection_process_packet
 * (same arguments and result; it calls the real one). It decodes the packet
 * (from its IP header, ndpi-glue/capture/decode.h) and offers it to the flow's input
 * builder before nDPI sees it, so the plugin knows the flow's initiator, its
 * two endpoints and every payload packet in arrival order - what the weaker
 * dissector-only mode cannot know. The hook exists for two things: the
 * model's inputs identical to `pronet label`'s, and per-flow endpoints
 * (pronet_plugin_flow_endpoints) for evidence that names an (address, port)
 * from what nDPI's DPI said of other flows. Only for attached modules;
 * elsewhere it is ndpi_detection_process_packet. */
ndpi_protocol pronet_plugin_process_packet(struct ndpi_detection_module_struct *ndpi,
                                           struct ndpi_flow_struct *flow,
                                           const unsigned char *packet, unsigned short length,
                                           u_int64_t time_ms);
/* The two endpoints of `flow` as its input builder keeps them: end 0 (index
 * PRONET_DIR_CLIENT_TO_SERVER) is the initiator, the source of the first
 * packet recorded; addresses, ports, IP version and L4 protocol.
 * PRONET_ERR_NOT_FOUND if the plugin recorded no packet of the flow. */
enum pronet_err pronet_plugin_flow_endpoints(const struct ndpi_flow_struct *flow,
                                             struct pronet_flow_endpoints *out);

/* The fallback, to call right after the host's ndpi_detection_giveup with its
 * result: if the flow is still Unknown and the module is attached, runs the
 * model and may set the protocol (updating *result). The one implementation,
 * used by the LD_PRELOAD shim and by `pronet classify`. */
void pronet_plugin_fallback(struct ndpi_detection_module_struct *ndpi,
                            struct ndpi_flow_struct *flow, ndpi_protocol *result);
/* ndpi_detection_giveup followed by the fallback, with ndpi_detection_giveup's
 * signature, for hosts that take a replaceable give-up function. */
ndpi_protocol pronet_plugin_detection_giveup(struct ndpi_detection_module_struct *ndpi,
                                             struct ndpi_flow_struct *flow, u_int8_t enable_guess,
                                             u_int8_t *protocol_was_guessed);

struct pronet_plugin_class_score {
	const char *label; /* model class name (the plugin's copy, kept until exit) */
	float probability;
};

/* Which evidence the fallback's verdict rests on. */
enum pronet_plugin_source {
	/* The model on the flow's recorded payload (and its abstentions). */
	PRONET_PLUGIN_SOURCE_MODEL = 0,
	/* Endpoint evidence: what nDPI's DPI named on other flows of the
	 * flow's endpoints, asked before the model. */
	PRONET_PLUGIN_SOURCE_ENDPOINT = 1,
	/* A per-flow model (flow-cnn, the histogram families: one verdict from
	 * the flow's sizes, times or payloads as a whole) on the flow's recorded
	 * packets; a packet model's verdicts are SOURCE_MODEL. Added within ABI 4:
	 * a host that knows only MODEL and ENDPOINT takes it for the model's. */
	PRONET_PLUGIN_SOURCE_FLOW_MODEL = 2,
};

/* What the fallback decided for one flow. */
struct pronet_plugin_result {
	int decided;            /* the fallback ran on this flow */
	int abstained;          /* decided, but nobody named it (see decision) */
	uint16_t ndpi_protocol; /* protocol ID set (the app protocol), 0 if none */
	const char *label;      /* best class, NULL if nothing was recorded */
	float probability;      /* of the best class */
	struct pronet_plugin_class_score top[PRONET_PLUGIN_TOP];
	size_t num_top;        /* valid entries in top[] */
	uint32_t packets_used; /* payload packets the model saw */
	/* Since ABI 3. */
	enum pronet_plugin_source source; /* MODEL or FLOW_MODEL unless the endpoint named it */
	/* PRONET_FLOW_NAMED, or why the model abstained (below its class's
	 * threshold, the reject class, random-looking bytes); meaningful when
	 * packets_used > 0 or the endpoint named the flow. A class that maps
	 * to no protocol is PRONET_FLOW_REJECTED. */
	enum pronet_flow_decision decision;
	/* What the decision weighed: the model's probability of its best
	 * class; the endpoint's share of agreeing votes. */
	float score;
	uint16_t ndpi_master; /* master protocol set (endpoint verdicts), 0 if none */
	struct {
		unsigned hop;         /* 1: flows on an end (address, port); 2: links
		                         to a socket (address, port, L4) */
		uint32_t agreeing;    /* flows (hop 1) or links (hop 2) for it */
		uint32_t conflicting; /* for other protocols, same entry */
	} endpoint;                   /* source ENDPOINT only */
	/* Since ABI 5: the model_generation of the attachment whose model
	 * decided (meaningful when packets_used > 0). */
	uint32_t model_generation;
};

/* The result for `flow`: PRONET_ERR_NOT_FOUND if the plugin holds no state
 * for it (no payload packet reached the dissector). */
enum pronet_err pronet_plugin_flow_result(const struct ndpi_flow_struct *flow,
                                          struct pronet_plugin_result *out);
/* Drops the state of `flow`; call before the flow is freed. Idempotent. */
void pronet_plugin_flow_forget(const struct ndpi_flow_struct *flow);
/* Flows with state right now (for tests and statistics). */
size_t pronet_plugin_flows_in_use(void);
/* Flows that found the store full since the process started, so that the
 * model never saw them (each counted once per module that saw it). */
size_t pronet_plugin_flow_misses(void);

#endif
