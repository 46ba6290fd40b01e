/* The model and rules an attachment needs (plugin/loader.h). */
#include "plugin/loader.h"
#include "rules/protos.h"
#include "rules/rules_file.h"
#include "rules/thresholds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pronet_plugin_loaded {
	struct pronet_model *model;
	struct pronet_protos *protos;
	const char *protocol_names[PRONET_PROTOS_MAX];
	float class_thresholds[PRONET_MAX_CLASSES];
	struct pronet_plugin_options options;
};

/* file_name in rules_dir, else in the installed rules. */
static enum pronet_err path_in_rules(const char *rules_dir, const char *file_name, char *path,
                                     size_t size, char *errbuf)
{
	return pronet_rules_default_path(rules_dir, file_name, path, size, errbuf);
}

/* The default model (plugin/loader.h): PRONET_DEFAULT_MODEL_FILE in the
 * rules directory the thresholds and protos come from - `rules_dir` if
 * given, else the installed rules - so that `classify -r DIR` takes DIR's
 * model with DIR's rules. */
static enum pronet_err default_model(const char *rules_dir, char *path, size_t size, char *errbuf)
{
	enum pronet_err err =
	    path_in_rules(rules_dir, PRONET_DEFAULT_MODEL_FILE, path, size, errbuf);

	if (err)
		return err;
	if (access(path, R_OK) != 0)
		return pronet_error(errbuf, PRONET_ERR_NOT_FOUND,
		                    "no model: none given and there is no %s", path);
	return PRONET_OK;
}

/* Where a rules file is: given explicitly (must exist), in rules_dir (must
 * exist), or installed (optional: *path is emptied when it is missing). */
static enum pronet_err rules_path(const char *explicit_path, const char *rules_dir,
                                  const char *file_name, char *path, size_t size, char *errbuf)
{
	enum pronet_err err;

	if (explicit_path != NULL) {
		int written = snprintf(path, size, "%s", explicit_path);

		if (written < 0 || (size_t)written >= size)
			return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: path too long",
			                    file_name);
		return PRONET_OK;
	}
	err = path_in_rules(rules_dir, file_name, path, size, errbuf);
	if (!err && rules_dir == NULL && access(path, R_OK) != 0)
		path[0] = '\0';
	return err;
}

void pronet_plugin_loaded_free(struct pronet_plugin_loaded *l)
{
	if (l == NULL)
		return;
	pronet_model_free(l->model);
	pronet_protos_free(l->protos);
	free(l);
}

static enum pronet_err load_thresholds(struct pronet_plugin_loaded *l, const char *path,
                                       float threshold, char *errbuf)
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
		l->options.threshold = threshold; /* an explicit threshold beats the file */
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

static enum pronet_err load_protos(struct pronet_plugin_loaded *l, const char *path, char *errbuf)
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

static enum pronet_err load_all(const struct pronet_plugin_config *config,
                                struct pronet_plugin_loaded *l, char *errbuf)
{
	char path[4096];
	enum pronet_err err = PRONET_OK;

	pronet_plugin_options_default(&l->options);
	if (config->packets_per_direction != 0)
		l->options.packets_per_direction = config->packets_per_direction;
	if (config->max_flows != 0)
		l->options.max_flows = config->max_flows;
	if (config->model_path == NULL)
		err = default_model(config->rules_dir, path, sizeof(path), errbuf);
	if (!err)
		err = pronet_model_load(config->model_path != NULL ? config->model_path : path,
		                        &l->model, errbuf);
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

enum pronet_err pronet_plugin_load(const struct pronet_plugin_config *config,
                                   struct pronet_plugin_loaded **out, char *errbuf)
{
	struct pronet_plugin_loaded *l;
	enum pronet_err err;

	*out = NULL;
	if (config == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "plugin: no configuration given");
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "plugin: out of memory");
	err = load_all(config, l, errbuf);
	if (err) {
		pronet_plugin_loaded_free(l);
		return err;
	}
	*out = l;
	return PRONET_OK;
}

const struct pronet_model *pronet_plugin_loaded_model(const struct pronet_plugin_loaded *loaded)
{
	return loaded->model;
}

const struct pronet_plugin_options *
pronet_plugin_loaded_options(const struct pronet_plugin_loaded *loaded)
{
	return &loaded->options;
}
