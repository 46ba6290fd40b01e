/* The model, rules and options pronet_ndpi.so attaches to every module it
 * sees: what the LD_PRELOAD shim and a dlopen host share. */
#include "plugin/host.h"
#include "plugin/pronet_plugin.h"
#include "rules/protos.h"
#include "rules/rules_file.h"
#include "rules/thresholds.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Everything loaded for one configuration; replaced whole. */
struct loaded {
	struct pronet_model *model;
	struct pronet_protos *protos;
	const char *protocol_names[PRONET_PROTOS_MAX];
	float class_thresholds[PRONET_MAX_CLASSES];
	struct pronet_plugin_options options;
};

static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
static struct loaded *host;

static const char *env_or_null(const char *name)
{
	const char *value = getenv(name);

	return value != NULL && *value != '\0' ? value : NULL;
}

enum pronet_err pronet_host_config_from_env(struct pronet_plugin_config *config, char *errbuf)
{
	const char *threshold = env_or_null("PRONET_THRESHOLD");
	const char *packets = env_or_null("PRONET_PACKETS");

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
		char *end;
		unsigned long value;

		errno = 0;
		value = strtoul(packets, &end, 10);
		if (errno != 0 || *end != '\0' || value < 1 ||
		    value > PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "PRONET_PACKETS=%s: not in 1..%d", packets,
			                    PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION);
		config->packets_per_direction = (unsigned)value;
	}
	if (config->model_path == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "PRONET_MODEL is not set");
	return PRONET_OK;
}

/* Where a rules file is: given explicitly (must exist), in rules_dir (must
 * exist), or installed (optional: *path is emptied when it is missing). */
static enum pronet_err rules_path(const char *explicit_path, const char *rules_dir,
                                  const char *file_name, char *path, size_t size, char *errbuf)
{
	enum pronet_err err;

	if (explicit_path != NULL || rules_dir != NULL) {
		int written = explicit_path != NULL
		                  ? snprintf(path, size, "%s", explicit_path)
		                  : snprintf(path, size, "%s/%s", rules_dir, file_name);

		if (written < 0 || (size_t)written >= size)
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: path too long",
			                    file_name);
		return PRONET_OK;
	}
	err = pronet_rules_default_path(file_name, path, size, errbuf);
	if (!err && access(path, R_OK) != 0)
		path[0] = '\0';
	return err;
}

static void loaded_free(struct loaded *l)
{
	if (l == NULL)
		return;
	pronet_model_free(l->model);
	pronet_protos_free(l->protos);
	free(l);
}

static enum pronet_err load_thresholds(struct loaded *l, const char *path, float threshold,
                                       char *errbuf)
{
	struct pronet_thresholds *thresholds = NULL;
	enum pronet_err err = PRONET_OK;
	int has_default = 0;

	if (path[0] != '\0')
		err = pronet_thresholds_load(path, &thresholds, errbuf);
	if (err)
		return err;
	l->options.threshold = pronet_thresholds_default(thresholds, &has_default);
	if (threshold > 0.0f)
		l->options.threshold = threshold; /* PRONET_THRESHOLD beats the file */
	for (size_t c = 0; c < pronet_model_num_classes(l->model); c++) {
		float value;

		l->class_thresholds[c] = -1.0f; /* the model's calibration, else the default */
		if (pronet_thresholds_find(thresholds, pronet_model_class_name(l->model, c),
		                           &value))
			l->class_thresholds[c] = value;
	}
	l->options.class_thresholds = l->class_thresholds;
	pronet_thresholds_free(thresholds);
	return PRONET_OK;
}

static enum pronet_err load_protos(struct loaded *l, const char *path, char *errbuf)
{
	enum pronet_err err;

	if (path[0] == '\0')
		return PRONET_OK;
	err = pronet_protos_load(path, &l->protos, errbuf);
	if (err)
		return err;
	l->options.num_custom_protocol_names = pronet_protos_count(l->protos);
	for (size_t i = 0; i < l->options.num_custom_protocol_names; i++)
		l->protocol_names[i] = pronet_protos_name(l->protos, i);
	l->options.custom_protocol_names = l->protocol_names;
	return PRONET_OK;
}

static enum pronet_err load_all(const struct pronet_plugin_config *config, struct loaded *l,
                                char *errbuf)
{
	char path[4096];
	enum pronet_err err;

	pronet_plugin_options_default(&l->options);
	if (config->packets_per_direction != 0)
		l->options.packets_per_direction = config->packets_per_direction;
	err = pronet_model_load(config->model_path, &l->model, errbuf);
	if (!err)
		err = rules_path(config->thresholds_path, config->rules_dir, PRONET_THRESHOLDS_FILE,
		                 path, sizeof(path), errbuf);
	if (!err)
		err = load_thresholds(l, path, config->threshold, errbuf);
	if (!err)
		err = rules_path(config->protos_path, config->rules_dir, PRONET_PROTOS_FILE, path,
		                 sizeof(path), errbuf);
	if (!err)
		err = load_protos(l, path, errbuf);
	return err;
}

enum pronet_err pronet_host_load(const struct pronet_plugin_config *config, char *errbuf)
{
	struct loaded *l;
	enum pronet_err err;

	if (config == NULL || config->model_path == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no model file given");
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "plugin: out of memory");
	err = load_all(config, l, errbuf);
	if (err) {
		loaded_free(l);
		return err;
	}
	pthread_mutex_lock(&host_lock);
	if (host != NULL) {
		/* Attached modules point at the loaded model. */
		pthread_mutex_unlock(&host_lock);
		loaded_free(l);
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "plugin: already initialised; detach and deinit first");
	}
	host = l;
	pthread_mutex_unlock(&host_lock);
	return PRONET_OK;
}

void pronet_host_unload(void)
{
	pthread_mutex_lock(&host_lock);
	loaded_free(host);
	host = NULL;
	pthread_mutex_unlock(&host_lock);
}

enum pronet_err pronet_host_attach(struct ndpi_detection_module_struct *ndpi, char *errbuf)
{
	enum pronet_err err;

	pthread_mutex_lock(&host_lock);
	if (host == NULL)
		err = pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no model loaded");
	else
		err = pronet_plugin_attach(ndpi, host->model, &host->options, errbuf);
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
