/* The model, rules and options pronet_ndpi.so attaches to every module it
 * sees: what the LD_PRELOAD shim and a dlopen host share. Loading is
 * plugin/loader.c's, shared with `pronet classify`. */
#include "plugin/host.h"
#include "plugin/attachment.h"
#include "plugin/flow_state.h"
#include "plugin/loader.h"
#include "plugin/pronet_plugin.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pronet_plugin_loaded *host;
/* pronet_host_unload ran while modules were attached with the host's model:
 * it is freed by the detach of the last of them, not before (the fallback
 * runs it on any of their flows until then). */
static int unload_pending;

/* Under host_lock: frees the host if nothing is attached with its model. */
static void free_host_if_unused(void)
{
	if (host == NULL || pronet_attachment_count_model(pronet_plugin_loaded_model(host)) > 0)
		return;
	pronet_plugin_loaded_free(host);
	host = NULL;
	unload_pending = 0;
}

static const char *env_or_null(const char *name)
{
	const char *value = getenv(name);

	return value != NULL && *value != '\0' ? value : NULL;
}

/* $name's whole value as an integer in min..max, or an error naming the
 * variable. */
static enum pronet_err env_unsigned(const char *name, const char *text, unsigned long min,
                                    unsigned long max, unsigned long *value, char *errbuf)
{
	char *end;

	errno = 0;
	*value = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || text[0] == '-' || *value < min || *value > max)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s=%s: not in %lu..%lu", name, text,
		                    min, max);
	return PRONET_OK;
}

enum pronet_err pronet_host_config_from_env(struct pronet_plugin_config *config, char *errbuf)
{
	const char *threshold = env_or_null("PRONET_THRESHOLD");
	const char *packets = env_or_null("PRONET_PACKETS");
	const char *max_flows = env_or_null("PRONET_MAX_FLOWS");
	unsigned long value;
	enum pronet_err err;

	memset(config, 0, sizeof(*config));
	config->model_path = env_or_null("PRONET_MODEL");
	config->rules_dir = env_or_null("PRONET_RULES_DIR");
	config->protos_path = env_or_null("PRONET_PROTOS");
	config->thresholds_path = env_or_null("PRONET_THRESHOLDS");
	if (threshold != NULL) {
		char *end;

		errno = 0;
		config->threshold = strtof(threshold, &end);
		if (errno != 0 || *end != '\0' || !(config->threshold > 0.0f) ||
		    config->threshold > 1.0f)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "PRONET_THRESHOLD=%s: not a number in (0, 1]",
			                    threshold);
	}
	if (packets != NULL) {
		/* The model's attach checks the bound (4, or 1024 for a model that
		 * reads no bytes). */
		err = env_unsigned("PRONET_PACKETS", packets, 1,
		                   PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION, &value, errbuf);
		if (err)
			return err;
		config->packets_per_direction = (unsigned)value;
	}
	/* The store's arena is max_flows x 8 x the model's window bytes: a
	 * 1500-byte model needs a lower count on a small host. */
	if (max_flows != NULL) {
		err = env_unsigned("PRONET_MAX_FLOWS", max_flows, 1, PRONET_FLOW_STORE_MAX_CAPACITY,
		                   &value, errbuf);
		if (err)
			return err;
		config->max_flows = (uint32_t)value;
	}
	/* No PRONET_MODEL: pronet_host_load takes the default model. */
	return PRONET_OK;
}

enum pronet_err pronet_host_load(const struct pronet_plugin_config *config, char *errbuf)
{
	struct pronet_plugin_loaded *l;
	enum pronet_err err;

	if (config == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no configuration given");
	err = pronet_plugin_load(config, &l, errbuf);
	if (err)
		return err;
	pthread_mutex_lock(&host_lock);
	if (host != NULL) {
		/* Attached modules point at the loaded model. */
		int pending = unload_pending;

		pthread_mutex_unlock(&host_lock);
		pronet_plugin_loaded_free(l);
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    pending
		                        ? "plugin: deinit waits for modules still attached; "
		                          "detach them first"
		                        : "plugin: already initialised; detach and deinit first");
	}
	host = l;
	pthread_mutex_unlock(&host_lock);
	return PRONET_OK;
}

void pronet_host_unload(void)
{
	pthread_mutex_lock(&host_lock);
	unload_pending = host != NULL;
	free_host_if_unused();
	pthread_mutex_unlock(&host_lock);
}

enum pronet_err pronet_host_attach(struct ndpi_detection_module_struct *ndpi, char *errbuf)
{
	enum pronet_err err;

	pthread_mutex_lock(&host_lock);
	if (host == NULL || unload_pending)
		err = pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no model loaded");
	else
		err = pronet_plugin_attach(ndpi, pronet_plugin_loaded_model(host),
		                           pronet_plugin_loaded_options(host), errbuf);
	pthread_mutex_unlock(&host_lock);
	return err;
}

enum pronet_err pronet_host_detach(struct ndpi_detection_module_struct *ndpi, char *errbuf)
{
	enum pronet_err err = pronet_plugin_detach(ndpi);

	if (err)
		return pronet_error(errbuf, err, "plugin: this nDPI module is not attached");
	pthread_mutex_lock(&host_lock);
	if (unload_pending)
		free_host_if_unused();
	pthread_mutex_unlock(&host_lock);
	return PRONET_OK;
}
