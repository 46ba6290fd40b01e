/* The model and options pronet_ndpi.so attaches to every module it sees. */
#include "plugin/host.h"
#include "plugin/pronet_plugin.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pronet_model *host_model;
static struct pronet_plugin_options host_options;

static const char *env_or_null(const char *name)
{
	const char *value = getenv(name);

	return value != NULL && *value != '\0' ? value : NULL;
}

enum pronet_err pronet_host_config_from_env(struct pronet_plugin_config *config, char *errbuf)
{
	const char *threshold = env_or_null("PRONET_THRESHOLD");

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
	if (config->model_path == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "PRONET_MODEL is not set");
	return PRONET_OK;
}

enum pronet_err pronet_host_load(const struct pronet_plugin_config *config, char *errbuf)
{
	struct pronet_model *model;
	enum pronet_err err;

	if (config == NULL || config->model_path == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no model file given");
	err = pronet_model_load(config->model_path, &model, errbuf);
	if (err)
		return err;
	pthread_mutex_lock(&host_lock);
	pronet_model_free(host_model);
	host_model = model;
	pronet_plugin_options_default(&host_options);
	if (config->threshold > 0.0f)
		host_options.threshold = config->threshold;
	pthread_mutex_unlock(&host_lock);
	return PRONET_OK;
}

void pronet_host_unload(void)
{
	pthread_mutex_lock(&host_lock);
	pronet_model_free(host_model);
	host_model = NULL;
	pthread_mutex_unlock(&host_lock);
}

enum pronet_err pronet_host_attach(struct ndpi_detection_module_struct *ndpi, char *errbuf)
{
	enum pronet_err err;

	pthread_mutex_lock(&host_lock);
	if (host_model == NULL)
		err = pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no model loaded");
	else
		err = pronet_plugin_attach(ndpi, host_model, &host_options, errbuf);
	pthread_mutex_unlock(&host_lock);
	return err;
}

enum pronet_err pronet_host_detach(struct ndpi_detection_module_struct *ndpi, char *errbuf)
{
	enum pronet_err err = pronet_plugin_detach(ndpi);

	if (err)
		return pronet_error(errbuf, err, "plugin: this nDPI module is not attached");
	return PRONET_OK;
}
