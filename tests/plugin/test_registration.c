/* Tests of plugin/registration.c: a host loads pronet_ndpi.so with dlopen,
 * finds the one well-known symbol, and drives the plugin through the
 * descriptor alone. */
#include "config.h"

#include "plugin/registration.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void *module_handle;
static const struct pronet_plugin_descriptor *descriptor;
static char model_path[512];

static const struct pronet_plugin_descriptor *load(void)
{
	const char *builddir = getenv("top_builddir");
	char path[512];
	pronet_plugin_register_fn reg;

	if (descriptor != NULL)
		return descriptor;
	snprintf(path, sizeof(path), "%s/plugin/.libs/pronet_ndpi.so", builddir ? builddir : ".");
	module_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (module_handle == NULL) {
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return NULL;
	}
	reg = (pronet_plugin_register_fn)dlsym(module_handle, PRONET_PLUGIN_REGISTER_SYMBOL);
	descriptor = reg != NULL ? reg() : NULL;
	return descriptor;
}

static void test_descriptor_describes_the_plugin(void)
{
	const struct pronet_plugin_descriptor *d = load();

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->abi_version, PRONET_PLUGIN_ABI_VERSION);
	CU_ASSERT_STRING_EQUAL(d->name, "pronet");
	CU_ASSERT_STRING_EQUAL(d->version, PACKAGE_VERSION);
	CU_ASSERT_PTR_NOT_NULL(d->license);
	CU_ASSERT_PTR_NOT_NULL(d->init);
	CU_ASSERT_PTR_NOT_NULL(d->deinit);
	CU_ASSERT_PTR_NOT_NULL(d->attach);
	CU_ASSERT_PTR_NOT_NULL(d->giveup);
	/* Only the API and the hooked nDPI entry points are exported. */
	CU_ASSERT_PTR_NULL(dlsym(module_handle, "pronet_model_load"));
	CU_ASSERT_PTR_NULL(dlsym(module_handle, "pronet_host_load"));
	CU_ASSERT_PTR_NOT_NULL(dlsym(module_handle, "ndpi_detection_giveup"));
}

static void test_bad_model_is_an_error_not_a_crash(void)
{
	const struct pronet_plugin_descriptor *d = load();
	struct pronet_plugin_config config = {.model_path = "/nonexistent/model.pronet"};
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_NOT_EQUAL(d->init(&config, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/model.pronet"));
	CU_ASSERT_NOT_EQUAL(d->attach(ndpi, errbuf), PRONET_OK);
	fixture_module_free(ndpi);
}

static void test_host_drives_plugin_through_descriptor(void)
{
	const struct pronet_plugin_descriptor *d = load();
	struct pronet_plugin_config config = {.model_path = model_path, .threshold = 0.01f};
	char errbuf[PRONET_ERRBUF_SIZE];
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	ndpi_protocol result;
	u_int8_t guessed;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(d->init(&config, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(d->attach(ndpi, errbuf), PRONET_OK);
	ndpi_finalize_initialization(ndpi);
	fixture_udp(ndpi, flow, 0x0a000001u, 40001, 0x0a000002u, 40002, fixture_opaque_payload,
	            sizeof(fixture_opaque_payload));
	result = d->giveup(ndpi, flow, 1, &guessed);
	CU_ASSERT_EQUAL_FATAL(d->flow_result(flow, &r), PRONET_OK);
	CU_ASSERT_FALSE(r.abstained);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.label);
	CU_ASSERT_STRING_EQUAL(ndpi_get_proto_name(ndpi, result.app_protocol), r.label);
	d->flow_forget(flow);
	CU_ASSERT_EQUAL(d->flow_result(flow, &r), PRONET_ERR_NOT_FOUND);
	ndpi_free_flow(flow);
	CU_ASSERT_EQUAL(d->detach(ndpi, errbuf), PRONET_OK);
	CU_ASSERT_NOT_EQUAL(d->detach(ndpi, errbuf), PRONET_OK);
	d->deinit();
	ndpi_exit_detection_module(ndpi);
}

/* deinit while a module is still attached: the model stays until that
 * module is detached (the fallback runs it until then), and no new init is
 * taken meanwhile. */
static void test_deinit_waits_for_detach(void)
{
	const struct pronet_plugin_descriptor *d = load();
	struct pronet_plugin_config config = {.model_path = model_path, .threshold = 0.01f};
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	ndpi_protocol result;
	u_int8_t guessed;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(d->init(&config, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(d->attach(ndpi, errbuf), PRONET_OK);
	ndpi_finalize_initialization(ndpi);
	fixture_udp(ndpi, flow, 0x0a000001u, 40011, 0x0a000002u, 40012, fixture_opaque_payload,
	            sizeof(fixture_opaque_payload));
	d->deinit(); /* too early: deferred */
	result = d->giveup(ndpi, flow, 1, &guessed);
	CU_ASSERT_EQUAL_FATAL(d->flow_result(flow, &r), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.label);
	CU_ASSERT(strcmp(r.label, "PronetRegA") == 0 || strcmp(r.label, "PronetRegB") == 0);
	CU_ASSERT_STRING_EQUAL(ndpi_get_proto_name(ndpi, result.app_protocol), r.label);
	CU_ASSERT_EQUAL(d->init(&config, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "detach"));
	CU_ASSERT_EQUAL(d->detach(ndpi, errbuf), PRONET_OK);
	/* The detach finished the deinit: a new init is taken. */
	CU_ASSERT_EQUAL(d->init(&config, errbuf), PRONET_OK);
	d->deinit();
	d->flow_forget(flow);
	ndpi_free_flow(flow);
	ndpi_exit_detection_module(ndpi);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* A rules directory: a protos file and a thresholds file. */
static void test_rules_dir_names_and_thresholds(void)
{
	const struct pronet_plugin_descriptor *d = load();
	char dir[512], protos[600], thresholds[600];
	struct pronet_plugin_config config = {.model_path = model_path, .rules_dir = dir};
	char errbuf[PRONET_ERRBUF_SIZE];
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct ndpi_flow_struct *flow = fixture_flow_new();

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	snprintf(dir, sizeof(dir), "%s/pronet-rules-%ld", pronet_unit_tmpdir(), (long)getpid());
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	snprintf(protos, sizeof(protos), "%s/protos.txt", dir);
	snprintf(thresholds, sizeof(thresholds), "%s/thresholds.conf", dir);
	write_file(protos, "# learned names\n@PronetRulesName\n");
	/* No probability exceeds 1: nothing is labelled. */
	write_file(thresholds, "default 1\n");
	CU_ASSERT_EQUAL_FATAL(d->init(&config, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(d->attach(ndpi, errbuf), PRONET_OK);
	CU_ASSERT(ndpi_get_protocol_id(ndpi, "PronetRulesName") >= NDPI_MAX_SUPPORTED_PROTOCOLS);
	fixture_udp(ndpi, flow, 0x0a000001u, 40001, 0x0a000002u, 40002, fixture_opaque_payload,
	            sizeof(fixture_opaque_payload));
	CU_ASSERT_EQUAL(fixture_giveup(ndpi, flow).app_protocol, NDPI_PROTOCOL_UNKNOWN);
	d->flow_forget(flow);
	ndpi_free_flow(flow);
	d->detach(ndpi, errbuf);
	d->deinit();
	fixture_module_free(ndpi);

	/* A protos name nDPI has built in is refused at attach. */
	write_file(protos, "@DNS\n");
	ndpi = fixture_module_new();
	CU_ASSERT_EQUAL_FATAL(d->init(&config, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(d->attach(ndpi, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "DNS"));
	d->deinit();
	fixture_module_free(ndpi);

	/* A damaged thresholds file is an error naming the file. */
	write_file(thresholds, "default 7\n");
	CU_ASSERT_NOT_EQUAL(d->init(&config, errbuf), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "thresholds.conf"));
	remove(protos);
	remove(thresholds);
	rmdir(dir);
}

/* Without a model path the model is default.pronet in the rules directory
 * the thresholds and protos come from (`pronet classify -r DIR`). */
static void test_rules_dir_gives_the_default_model(void)
{
	const struct pronet_plugin_descriptor *d = load();
	static const char *const names[] = {"PronetDefA", "PronetDefB"};
	struct pronet_model *model = fixture_model_new(names, 2, 5);
	char dir[512], file[600];
	struct pronet_plugin_config config = {.rules_dir = dir};
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	unsetenv("PRONET_MODEL");
	unsetenv("PRONET_RULES_DIR");
	snprintf(dir, sizeof(dir), "%s/pronet-default-%ld", pronet_unit_tmpdir(), (long)getpid());
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	snprintf(file, sizeof(file), "%s/protos.txt", dir);
	write_file(file, "# none\n");
	snprintf(file, sizeof(file), "%s/thresholds.conf", dir);
	write_file(file, "default 0.5\n");

	/* None there: an error naming where it looked. */
	CU_ASSERT_EQUAL(d->init(&config, errbuf), PRONET_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, dir));

	snprintf(file, sizeof(file), "%s/default.pronet", dir);
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, file, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(d->init(&config, errbuf), PRONET_OK);
	d->deinit();

	remove(file);
	snprintf(file, sizeof(file), "%s/protos.txt", dir);
	remove(file);
	snprintf(file, sizeof(file), "%s/thresholds.conf", dir);
	remove(file);
	rmdir(dir);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"the descriptor describes the plugin", test_descriptor_describes_the_plugin},
    {"a bad model is an error, not a crash", test_bad_model_is_an_error_not_a_crash},
    {"a host drives the plugin through the descriptor", test_host_drives_plugin_through_descriptor},
    {"deinit while attached waits for the detach", test_deinit_waits_for_detach},
    {"a rules directory names classes and sets thresholds", test_rules_dir_names_and_thresholds},
    {"a rules directory gives the default model", test_rules_dir_gives_the_default_model},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	static const char *const names[] = {"PronetRegA", "PronetRegB"};
	struct pronet_model *model = fixture_model_new(names, 2, 5);
	char errbuf[PRONET_ERRBUF_SIZE];
	int status;

	snprintf(model_path, sizeof(model_path), "%s/pronet-registration-%ld.model",
	         pronet_unit_tmpdir(), (long)getpid());
	if (model == NULL || pronet_model_save(model, model_path, errbuf) != PRONET_OK) {
		fprintf(stderr, "plugin/registration: cannot write a test model\n");
		return 1;
	}
	pronet_model_free(model);
	status = pronet_unit_run("plugin/registration", tests);
	remove(model_path);
	return status;
}
