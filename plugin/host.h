/* The plugin as its own host: one loaded model and its options, shared by the
 * LD_PRELOAD shim (plugin/preload.c) and the dlopen entry point
 * (plugin/registration.c). Only in pronet_ndpi.so. */
#ifndef PRONET_PLUGIN_HOST_H
#define PRONET_PLUGIN_HOST_H

#include <ndpi_api.h>

#include "core/util/error.h"
#include "plugin/registration.h"

/* Fills `config` from PRONET_MODEL, PRONET_RULES_DIR, PRONET_PROTOS,
 * PRONET_THRESHOLDS, PRONET_THRESHOLD and PRONET_PACKETS. Strings point into the environment.
 * Without PRONET_MODEL, model_path is NULL: the default model (plugin/loader.h). */
enum pronet_err pronet_host_config_from_env(struct pronet_plugin_config *config, char *errbuf);
/* Loads the model and rules with pronet_plugin_load (plugin/loader.h): the
 * default model when config->model_path is NULL; thresholds and protos from
 * the explicit paths, else from rules_dir, else the installed ones if
 * present. Once: pronet_host_unload before reloading. */
enum pronet_err pronet_host_load(const struct pronet_plugin_config *config, char *errbuf);
/* Frees the model and rules; while modules are still attached with them,
 * not until the last of those is detached through pronet_host_detach (and no
 * new load or attach is taken until then). */
void pronet_host_unload(void);
/* Attaches the loaded model to `ndpi` (after bitmask2); again on an attached
 * module it re-registers the dissector. */
enum pronet_err pronet_host_attach(struct ndpi_detection_module_struct *ndpi, char *errbuf);
enum pronet_err pronet_host_detach(struct ndpi_detection_module_struct *ndpi, char *errbuf);

#endif
