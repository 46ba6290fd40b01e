/* pronet_ndpi.so's entry point for hosts that load plugins with dlopen, in
 * the style of Suricata's SCPluginRegister: one well-known symbol returns a
 * descriptor of name, version, licence and callbacks. Nothing registers
 * itself by side effect of loading.
 *
 *   void *so = dlopen("pronet_ndpi.so", RTLD_NOW | RTLD_LOCAL);
 *   pronet_plugin_register_fn reg = (pronet_plugin_register_fn)dlsym(so,
 * PRONET_PLUGIN_REGISTER_SYMBOL); const struct pronet_plugin_descriptor *d = reg();
 *   d->init(&config, errbuf);           // once
 *   d->attach(ndpi, errbuf);            // per module, after ndpi_set_protocol_detection_bitmask2
 *   ... d->process_packet(ndpi, flow, ip, len, ms) instead of ndpi_detection_process_packet ...
 *   ... d->giveup(ndpi, flow, 1, &g) instead of ndpi_detection_giveup ...
 *   d->flow_forget(flow) before ndpi_free_flow(flow)
 *   d->detach(ndpi, errbuf); d->deinit();
 */
#ifndef PRONET_PLUGIN_REGISTRATION_H
#define PRONET_PLUGIN_REGISTRATION_H

#include <stdint.h>

#include <ndpi_api.h>

#include "core/util/error.h"
#include "plugin/pronet_plugin.h"

/* 3: struct pronet_plugin_result says the verdict's source, decision and
 * score. 4: struct pronet_plugin_config ends with max_flows. 5: struct
 * pronet_plugin_options and struct pronet_plugin_result end with
 * model_generation. */
#define PRONET_PLUGIN_ABI_VERSION 5
#define PRONET_PLUGIN_REGISTER_SYMBOL "pronet_plugin_register"

/* Where the model and its rules come from. NULL fields: unset. */
struct pronet_plugin_config {
	const char *model_path;         /* a pronet model file (required) */
	const char *rules_dir;          /* a directory with the protos and thresholds files */
	const char *protos_path;        /* names of learned classes (overrides rules_dir) */
	const char *thresholds_path;    /* per-class thresholds (overrides rules_dir) */
	float threshold;                /* default class threshold; <= 0: the plugin's default */
	unsigned packets_per_direction; /* payload packets recorded per direction; 0: default */
	uint32_t max_flows;             /* the flow store's capacity, 1..2^26; 0: default (65536) */
};

struct pronet_plugin_descriptor {
	uint32_t abi_version; /* PRONET_PLUGIN_ABI_VERSION */
	const char *name;
	const char *version;
	const char *license;
	/* Loads the model and rules; config NULL: from the environment
	 * (PRONET_MODEL, PRONET_RULES_DIR, PRONET_PROTOS, PRONET_THRESHOLDS,
	 * PRONET_THRESHOLD, PRONET_PACKETS, PRONET_MAX_FLOWS), as the
	 * LD_PRELOAD shim does. */
	enum pronet_err (*init)(const struct pronet_plugin_config *config, char *errbuf);
	/* Frees the model; while modules are attached, when the last of them
	 * is detached (through `detach`). */
	void (*deinit)(void);
	enum pronet_err (*attach)(struct ndpi_detection_module_struct *ndpi, char *errbuf);
	enum pronet_err (*detach)(struct ndpi_detection_module_struct *ndpi, char *errbuf);
	ndpi_protocol (*giveup)(struct ndpi_detection_module_struct *ndpi,
	                        struct ndpi_flow_struct *flow, u_int8_t enable_guess,
	                        u_int8_t *protocol_was_guessed);
	enum pronet_err (*flow_result)(const struct ndpi_flow_struct *flow,
	                               struct pronet_plugin_result *out);
	void (*flow_forget)(const struct ndpi_flow_struct *flow);
	/* Since ABI 2: the per-packet entry, pronet_plugin_process_packet. A
	 * host that does not call it gets the weaker dissector-only mode. */
	ndpi_protocol (*process_packet)(struct ndpi_detection_module_struct *ndpi,
	                                struct ndpi_flow_struct *flow, const unsigned char *packet,
	                                unsigned short length, u_int64_t time_ms);
	enum pronet_err (*flow_endpoints)(const struct ndpi_flow_struct *flow,
	                                  struct pronet_flow_endpoints *out);
};

typedef const struct pronet_plugin_descriptor *(*pronet_plugin_register_fn)(void);

/* The well-known symbol. */
const struct pronet_plugin_descriptor *pronet_plugin_register(void);

#endif
