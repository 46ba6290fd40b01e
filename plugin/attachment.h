/* The plugin's view of one attached nDPI module, and the process-wide
 * registry of them. Private to plugin/. */
#ifndef PRONET_PLUGIN_ATTACHMENT_H
#define PRONET_PLUGIN_ATTACHMENT_H

#include <stddef.h>
#include <stdint.h>

#include <ndpi_api.h>

#include "core/model/model.h"
#include "plugin/endpoint_evidence.h"
#include "plugin/flow_state.h"

/* Immutable once published; never freed while the process runs (see the
 * lifetime scheme in plugin/attach.c). The arrays are num_classes long and
 * live in the same allocation. */
struct pronet_attachment {
	struct ndpi_detection_module_struct *ndpi;
	const struct pronet_model *model; /* borrowed: alive while attached */
	uint32_t packets_per_direction;
	uint32_t model_generation;   /* the host's number for `model` (options) */
	uint16_t dissector_protocol; /* custom ID owning the dissector's exclusion bit */
	size_t num_classes;
	uint16_t *class_protocol; /* 0: the class never labels */
	float *class_threshold;
	uint16_t *class_name; /* IDs for pronet_attachment_class_name */
	/* The module's endpoint evidence: its slot's (plugin/attach.c), never
	 * freed, emptied when the slot goes to another module. */
	struct pronet_endpoint_evidence *evidence;
	/* The model's prediction scratch (NULL when it needs none): the module's
	 * packets are processed by one thread at a time, as nDPI requires.
	 * Freed when the attachment is retired (plugin/attach.c). */
	struct pronet_workspace *workspace;
	struct pronet_attachment *retired_next;
};

/* The attachment of `ndpi`, or NULL. Lock-free; the memory stays valid for
 * the life of the process, even after a re-attach or detach. */
const struct pronet_attachment *
pronet_attachment_find(const struct ndpi_detection_module_struct *ndpi);
/* The process-wide flow store, NULL before the first attach; once created it
 * lives until the process exits. */
struct pronet_flow_store *pronet_attachment_store(void);
/* A class name by the ID an attachment gave it ("" for an unknown ID); the
 * string lives until the process exits. */
const char *pronet_attachment_class_name(uint16_t id);
/* Modules attached with `model` right now. */
size_t pronet_attachment_count_model(const struct pronet_model *model);

/* plugin/packet_hook.c: records `packet` through the flow's input builder
 * (once per packet, whatever the nesting), then returns process(...) - the
 * real ndpi_detection_process_packet: the LD_PRELOAD shim passes libndpi's,
 * pronet_plugin_process_packet the one it links to. */
typedef ndpi_protocol (*pronet_plugin_process_fn)(struct ndpi_detection_module_struct *,
                                                  struct ndpi_flow_struct *, const unsigned char *,
                                                  const unsigned short, const u_int64_t);
ndpi_protocol pronet_plugin_hook_packet(pronet_plugin_process_fn process,
                                        struct ndpi_detection_module_struct *ndpi,
                                        struct ndpi_flow_struct *flow, const unsigned char *packet,
                                        unsigned short length, uint64_t time_ms);

/* plugin/dissector.c: the entry in nDPI's callback tables. */
enum pronet_err pronet_dissector_register(struct ndpi_detection_module_struct *ndpi,
                                          uint16_t protocol_id, char *errbuf);
void pronet_dissector_unregister(struct ndpi_detection_module_struct *ndpi);
/* What the plugin assumes about libndpi's layout: the API version and the
 * sizes of the two structs it reads (the module's tables, the flow's fields)
 * and the flow struct the engine allocates (SIZEOF_FLOW_STRUCT). */
struct pronet_ndpi_layout {
	unsigned api_version;
	size_t module_size;
	size_t flow_size;
};

/* As the libndpi loaded at run time reports it. */
void pronet_dissector_library_layout(struct pronet_ndpi_layout *out);
/* As the nDPI headers this plugin was built with say. */
void pronet_dissector_compiled_layout(struct pronet_ndpi_layout *out);
/* PRONET_OK if they agree; else PRONET_ERR_UNSUPPORTED naming what differs. */
enum pronet_err pronet_dissector_check_layout(const struct pronet_ndpi_layout *library,
                                              const struct pronet_ndpi_layout *compiled,
                                              char *errbuf);
/* Whether ndpi_set_protocol_detection_bitmask2 has filled the tables. */
int pronet_dissector_tables_ready(const struct ndpi_detection_module_struct *ndpi);

#endif
