/* Tests of plugin/loader.c (the model and rules an attachment needs) and of
 * plugin/host.c, the shim's side: its configuration from the environment
 * and its one loaded model. The loader itself reads no environment. */
#include "plugin/host.h"
#include "plugin/loader.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const names[] = {"PronetLoadA", "PronetLoadB"};
static char dir[512], model_path[600], thresholds_path[600], protos_path[600];

static void write_file(const char *path, const char *text, size_t length)
{
	FILE *f = fopen(path, "wb");

	if (f != NULL) {
		fwrite(text, 1, length, f);
		fclose(f);
	}
}

static void test_loads_a_model_from_a_path(void)
{
	struct pronet_plugin_config config = {.model_path = model_path,
	                                      .thresholds_path = thresholds_path,
	                                      .protos_path = protos_path,
	                                      .packets_per_direction = 2,
	                                      .max_flows = 1000};
	struct pronet_plugin_loaded *loaded = NULL;
	const struct pronet_plugin_options *options;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL_FATAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_num_classes(pronet_plugin_loaded_model(loaded)), 2);
	CU_ASSERT_STRING_EQUAL(pronet_model_class_name(pronet_plugin_loaded_model(loaded), 1),
	                       "PronetLoadB");
	options = pronet_plugin_loaded_options(loaded);
	CU_ASSERT_EQUAL(options->packets_per_direction, 2);
	CU_ASSERT_EQUAL(options->max_flows, 1000);
	/* thresholds.conf: "default 0.7", "PronetLoadB 0.9". */
	CU_ASSERT_DOUBLE_EQUAL(options->threshold, 0.7, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(options->class_thresholds[0], -1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(options->class_thresholds[1], 0.9, 1e-6);
	CU_ASSERT_EQUAL_FATAL(options->num_custom_protocol_names, 1);
	CU_ASSERT_STRING_EQUAL(options->custom_protocol_names[0], "PronetLoadName");
	pronet_plugin_loaded_free(loaded);

	/* An explicit threshold beats the file's default line. */
	config.threshold = 0.25f;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(pronet_plugin_loaded_options(loaded)->threshold, 0.25, 1e-6);
	pronet_plugin_loaded_free(loaded);
	pronet_plugin_loaded_free(NULL);
}

static void test_missing_and_damaged_models_name_the_file(void)
{
	struct pronet_plugin_config config = {.model_path = "/nonexistent/missing.pronet"};
	struct pronet_plugin_loaded *loaded = (struct pronet_plugin_loaded *)&config;
	char errbuf[PRONET_ERRBUF_SIZE] = "", damaged[600], text[64];
	FILE *f = fopen(model_path, "rb");
	size_t length = f != NULL ? fread(text, 1, sizeof(text), f) : 0;

	if (f != NULL)
		fclose(f);
	CU_ASSERT_NOT_EQUAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NULL(loaded);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/missing.pronet"));
	/* The first 64 bytes of a good model: cut short. */
	CU_ASSERT_EQUAL_FATAL(length, sizeof(text));
	snprintf(damaged, sizeof(damaged), "%s/damaged.pronet", dir);
	write_file(damaged, text, length);
	config.model_path = damaged;
	CU_ASSERT_NOT_EQUAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NULL(loaded);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "damaged.pronet"));
	remove(damaged);
	CU_ASSERT_EQUAL(pronet_plugin_load(NULL, &loaded, errbuf), PRONET_ERR_ARG);
}

static void test_rules_dir(void)
{
	struct pronet_plugin_config config = {.rules_dir = dir};
	struct pronet_plugin_loaded *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "", moved[700];

	/* The directory gives the model (default.pronet), thresholds and protos. */
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_STRING_EQUAL(pronet_model_class_name(pronet_plugin_loaded_model(loaded), 0),
	                       "PronetLoadA");
	CU_ASSERT_DOUBLE_EQUAL(pronet_plugin_loaded_options(loaded)->threshold, 0.7, 1e-6);
	CU_ASSERT_EQUAL(pronet_plugin_loaded_options(loaded)->num_custom_protocol_names, 1);
	pronet_plugin_loaded_free(loaded);

	/* A rules directory given must have its files: an error naming it. */
	snprintf(moved, sizeof(moved), "%s.moved", thresholds_path);
	CU_ASSERT_EQUAL_FATAL(rename(thresholds_path, moved), 0);
	CU_ASSERT_NOT_EQUAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "thresholds.conf"));
	CU_ASSERT_EQUAL(rename(moved, thresholds_path), 0);

	/* So must an explicit file. */
	config.protos_path = "/nonexistent/protos.txt";
	CU_ASSERT_NOT_EQUAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/protos.txt"));

	/* A directory without default.pronet: not found, naming where it looked. */
	config.protos_path = NULL;
	config.rules_dir = "/nonexistent/rules";
	CU_ASSERT_EQUAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/rules/default.pronet"));
}

/* PRONET_MODEL and PRONET_RULES_DIR are the callers' to read. */
static void test_loader_reads_no_environment(void)
{
	struct pronet_plugin_config config = {.rules_dir = dir};
	struct pronet_plugin_loaded *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	setenv("PRONET_MODEL", "/nonexistent/from-environment.pronet", 1);
	setenv("PRONET_RULES_DIR", "/nonexistent/rules-from-environment", 1);
	CU_ASSERT_EQUAL(pronet_plugin_load(&config, &loaded, errbuf), PRONET_OK);
	pronet_plugin_loaded_free(loaded);
	config.rules_dir = NULL;
	if (pronet_plugin_load(&config, &loaded, errbuf) == PRONET_OK)
		pronet_plugin_loaded_free(loaded); /* an installed default model */
	else
		CU_ASSERT_PTR_NULL(strstr(errbuf, "from-environment"));
	unsetenv("PRONET_MODEL");
	unsetenv("PRONET_RULES_DIR");
}

static void test_shim_config_from_environment(void)
{
	struct pronet_plugin_config config;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	static const char *const bad[][2] = {
	    {"PRONET_THRESHOLD", "1.5"},
	    {"PRONET_THRESHOLD", "0"},
	    {"PRONET_THRESHOLD", "0.5x"},
	    {"PRONET_PACKETS", "0"},
	    {"PRONET_PACKETS", "1025"},
	    {"PRONET_PACKETS", "two"},
	    {"PRONET_MAX_FLOWS", "0"},
	    {"PRONET_MAX_FLOWS", "-1"},
	    {"PRONET_MAX_FLOWS", "67108865"},
	    {"PRONET_MAX_FLOWS", "1k"},
	    {"PRONET_MAX_FLOWS", "99999999999999999999999"},
	};

	setenv("PRONET_MODEL", "/m.pronet", 1);
	setenv("PRONET_RULES_DIR", "/rules", 1);
	setenv("PRONET_PROTOS", "/p.txt", 1);
	setenv("PRONET_THRESHOLDS", "/t.conf", 1);
	setenv("PRONET_THRESHOLD", "0.25", 1);
	setenv("PRONET_PACKETS", "2", 1);
	setenv("PRONET_MAX_FLOWS", "4096", 1);
	CU_ASSERT_EQUAL_FATAL(pronet_host_config_from_env(&config, errbuf), PRONET_OK);
	CU_ASSERT_STRING_EQUAL(config.model_path, "/m.pronet");
	CU_ASSERT_STRING_EQUAL(config.rules_dir, "/rules");
	CU_ASSERT_STRING_EQUAL(config.protos_path, "/p.txt");
	CU_ASSERT_STRING_EQUAL(config.thresholds_path, "/t.conf");
	CU_ASSERT_DOUBLE_EQUAL(config.threshold, 0.25, 1e-6);
	CU_ASSERT_EQUAL(config.packets_per_direction, 2);
	CU_ASSERT_EQUAL(config.max_flows, 4096);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("PRONET_THRESHOLD", "0.25", 1);
		setenv("PRONET_PACKETS", "2", 1);
		setenv("PRONET_MAX_FLOWS", "4096", 1);
		setenv(bad[i][0], bad[i][1], 1);
		CU_ASSERT_EQUAL(pronet_host_config_from_env(&config, errbuf), PRONET_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, bad[i][0]));
	}
	/* Empty means unset. */
	static const char *const all[] = {"PRONET_MODEL",      "PRONET_RULES_DIR", "PRONET_PROTOS",
	                                  "PRONET_THRESHOLDS", "PRONET_THRESHOLD", "PRONET_PACKETS",
	                                  "PRONET_MAX_FLOWS"};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		setenv(all[i], "", 1);
	CU_ASSERT_EQUAL_FATAL(pronet_host_config_from_env(&config, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NULL(config.model_path);
	CU_ASSERT_PTR_NULL(config.rules_dir);
	CU_ASSERT_EQUAL(config.packets_per_direction, 0);
	CU_ASSERT_EQUAL(config.max_flows, 0);
	CU_ASSERT(config.threshold <= 0.0f);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		unsetenv(all[i]);
}

/* The host holds one model: load once, attach with it, unload. */
static void test_host_load_attach_unload(void)
{
	struct pronet_plugin_config config = {.model_path = model_path};
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(ndpi);
	CU_ASSERT_EQUAL(pronet_host_attach(ndpi, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "no model loaded"));
	CU_ASSERT_EQUAL(pronet_host_load(NULL, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL_FATAL(pronet_host_load(&config, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_host_load(&config, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "already initialised"));
	CU_ASSERT_EQUAL(pronet_host_attach(ndpi, errbuf), PRONET_OK);
	CU_ASSERT(pronet_plugin_is_attached(ndpi));
	/* Again on an attached module: fine, still one attachment. */
	CU_ASSERT_EQUAL(pronet_host_attach(ndpi, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_host_detach(ndpi, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_host_detach(ndpi, errbuf), PRONET_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not attached"));
	pronet_host_unload();
	/* Unloaded: a new load is taken. */
	CU_ASSERT_EQUAL(pronet_host_load(&config, errbuf), PRONET_OK);
	pronet_host_unload();
	pronet_host_unload(); /* nothing loaded: no-op */
	fixture_module_free(ndpi);
}

static CU_TestInfo tests[] = {
    {"a model and rules load from explicit paths", test_loads_a_model_from_a_path},
    {"missing and damaged models are errors naming the file",
     test_missing_and_damaged_models_name_the_file},
    {"a rules directory gives the model and rules; missing files are errors", test_rules_dir},
    {"the loader reads no environment", test_loader_reads_no_environment},
    {"the shim's configuration from the environment", test_shim_config_from_environment},
    {"the host loads once, attaches, unloads", test_host_load_attach_unload},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	struct pronet_model *model = fixture_model_new(names, 2, 9);
	char errbuf[PRONET_ERRBUF_SIZE], path[700];
	int status;

	snprintf(dir, sizeof(dir), "%s/pronet-loader-%ld", pronet_unit_tmpdir(), (long)getpid());
	snprintf(model_path, sizeof(model_path), "%s/default.pronet", dir);
	snprintf(thresholds_path, sizeof(thresholds_path), "%s/thresholds.conf", dir);
	snprintf(protos_path, sizeof(protos_path), "%s/protos.txt", dir);
	if (model == NULL || mkdir(dir, 0700) != 0 ||
	    pronet_model_save(model, model_path, errbuf) != PRONET_OK) {
		fprintf(stderr, "plugin/loader: cannot write a test model in %s\n", dir);
		return 1;
	}
	pronet_model_free(model);
	write_file(thresholds_path, "default 0.7\nPronetLoadB 0.9\n",
	           strlen("default 0.7\nPronetLoadB 0.9\n"));
	write_file(protos_path, "@PronetLoadName\n", strlen("@PronetLoadName\n"));
	status = pronet_unit_run("plugin/loader", tests);
	remove(model_path);
	remove(thresholds_path);
	remove(protos_path);
	snprintf(path, sizeof(path), "%s", dir);
	rmdir(path);
	return status;
}
