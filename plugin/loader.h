/* Everything an attachment needs, loaded from a pronet_plugin_config: the
 * model, the rules/ thresholds (per class, over the model file's
 * calibration) and protos (names of learned classes nDPI lacks), and the
 * plugin options built from them. One loader for pronet_ndpi.so's host
 * (LD_PRELOAD shim, dlopen entry point) and `pronet classify`, so that both
 * name flows the same way.
 *
 * The model: config->model_path if given, else the default model,
 * PRONET_DEFAULT_MODEL_FILE in the rules directory (config->rules_dir, else
 * the installed rules); PRONET_ERR_NOT_FOUND, naming where it looked, when
 * there is none. The loader reads no environment: `pronet classify` and the
 * shim's pronet_host_config_from_env put $PRONET_MODEL and
 * $PRONET_RULES_DIR into the config. */
#ifndef PRONET_PLUGIN_LOADER_H
#define PRONET_PLUGIN_LOADER_H

#include <stddef.h>

#include "core/util/error.h"
#include "core/model/model.h"
#include "plugin/pronet_plugin.h"
#include "plugin/registration.h"

#define PRONET_DEFAULT_MODEL_FILE "default.pronet"

struct pronet_plugin_loaded;

/* Loads the model and rules: thresholds and protos from the explicit paths
 * (must exist), else from config->rules_dir (must exist), else the installed
 * ones if present. Errors name the file. */
enum pronet_err pronet_plugin_load(const struct pronet_plugin_config *config,
                                   struct pronet_plugin_loaded **out, char *errbuf);
/* NULL is a no-op. Detach every module using it first. */
void pronet_plugin_loaded_free(struct pronet_plugin_loaded *loaded);

const struct pronet_model *pronet_plugin_loaded_model(const struct pronet_plugin_loaded *loaded);
/* Options for pronet_plugin_attach; they point into `loaded`. */
const struct pronet_plugin_options *
pronet_plugin_loaded_options(const struct pronet_plugin_loaded *loaded);

#endif
