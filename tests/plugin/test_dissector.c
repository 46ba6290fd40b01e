/* Tests of plugin/dissector.c and plugin/attach.c: the entry in nDPI's
 * callback tables, the protocol names, and attach/detach. Reads the module's
 * tables, hence NDPI_LIB_COMPILATION (the plugin checks the layout). */
#define NDPI_LIB_COMPILATION
#include "plugin/attachment.h"
#include "plugin/pronet_plugin.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <string.h>

/* "PPStream" is built into nDPI 4.2 (ID 54); the others are not. */
static const char *const class_names[] = {"PronetTestAlpha", "PPStream", "Unknown"};

struct sizes {
	uint32_t all, tcp_payload, tcp_no_payload, udp, other;
};

static struct sizes sizes_of(const struct ndpi_detection_module_struct *ndpi)
{
	struct sizes s = {ndpi->callback_buffer_size, ndpi->callback_buffer_size_tcp_payload,
	                  ndpi->callback_buffer_size_tcp_no_payload, ndpi->callback_buffer_size_udp,
	                  ndpi->callback_buffer_size_non_tcp_udp};
	return s;
}

static void test_attach_before_bitmask2_is_refused(void)
{
	struct ndpi_detection_module_struct *ndpi = ndpi_init_detection_module(ndpi_no_prefs);
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	char errbuf[PRONET_ERRBUF_SIZE] = "";

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, NULL, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "bitmask2"));
	CU_ASSERT_FALSE(pronet_plugin_is_attached(ndpi));
	CU_ASSERT_EQUAL(pronet_plugin_attach(NULL, model, NULL, errbuf), PRONET_ERR_ARG);
	ndpi_exit_detection_module(ndpi);
	pronet_model_free(model);
}

static void test_attach_appends_one_entry_to_tcp_and_udp_tables(void)
{
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	char errbuf[PRONET_ERRBUF_SIZE];
	struct sizes before = sizes_of(ndpi), after;
	int dissector_id;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(ndpi, model, NULL, errbuf), PRONET_OK);
	after = sizes_of(ndpi);
	CU_ASSERT_EQUAL(after.all, before.all + 1);
	CU_ASSERT_EQUAL(after.tcp_payload, before.tcp_payload + 1);
	CU_ASSERT_EQUAL(after.udp, before.udp + 1);
	CU_ASSERT_EQUAL(after.tcp_no_payload, before.tcp_no_payload);
	CU_ASSERT_EQUAL(after.other, before.other);
	/* Last in each table, under its own custom ID, never a built-in one. */
	dissector_id = ndpi_get_protocol_id(ndpi, PRONET_PLUGIN_DISSECTOR_NAME);
	CU_ASSERT(dissector_id >= NDPI_MAX_SUPPORTED_PROTOCOLS);
	CU_ASSERT_EQUAL(ndpi->callback_buffer_udp[after.udp - 1].ndpi_protocol_id, dissector_id);
	CU_ASSERT_EQUAL(ndpi->callback_buffer_tcp_payload[after.tcp_payload - 1].ndpi_protocol_id,
	                dissector_id);
	CU_ASSERT_PTR_NOT_NULL(ndpi->callback_buffer_udp[after.udp - 1].func);

	/* Attaching again (a host's second setup) adds nothing. */
	CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, NULL, errbuf), PRONET_OK);
	after = sizes_of(ndpi);
	CU_ASSERT_EQUAL(after.all, before.all + 1);
	CU_ASSERT_EQUAL(after.udp, before.udp + 1);

	/* Detach restores the tables. */
	CU_ASSERT_EQUAL(pronet_plugin_detach(ndpi), PRONET_OK);
	after = sizes_of(ndpi);
	CU_ASSERT_EQUAL(after.all, before.all);
	CU_ASSERT_EQUAL(after.tcp_payload, before.tcp_payload);
	CU_ASSERT_EQUAL(after.udp, before.udp);
	CU_ASSERT_EQUAL(pronet_plugin_detach(ndpi), PRONET_ERR_NOT_FOUND);
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

static void test_bitmask2_wipes_and_reregister_restores(void)
{
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	char errbuf[PRONET_ERRBUF_SIZE];
	NDPI_PROTOCOL_BITMASK all;
	struct sizes before = sizes_of(ndpi);

	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(ndpi, model, NULL, errbuf), PRONET_OK);
	NDPI_BITMASK_SET_ALL(all);
	ndpi_set_protocol_detection_bitmask2(ndpi, &all);
	CU_ASSERT_EQUAL(sizes_of(ndpi).udp, before.udp);
	pronet_plugin_reregister(ndpi);
	pronet_plugin_reregister(ndpi);
	CU_ASSERT_EQUAL(sizes_of(ndpi).udp, before.udp + 1);
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

static void test_classes_are_named_in_ndpi(void)
{
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	char errbuf[PRONET_ERRBUF_SIZE];
	u_int before = ndpi_get_num_supported_protocols(ndpi);
	int alpha;

	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(ndpi, model, NULL, errbuf), PRONET_OK);
	/* Two new custom protocols: the dissector's and PronetTestAlpha;
	 * PPStream is nDPI's own, Unknown is not a protocol. */
	CU_ASSERT_EQUAL(ndpi_get_num_supported_protocols(ndpi), before + 2);
	alpha = ndpi_get_protocol_id(ndpi, "PronetTestAlpha");
	CU_ASSERT(alpha >= NDPI_MAX_SUPPORTED_PROTOCOLS);
	CU_ASSERT_STRING_EQUAL(ndpi_get_proto_name(ndpi, (u_int16_t)alpha), "PronetTestAlpha");
	CU_ASSERT_EQUAL(ndpi_get_protocol_id(ndpi, "PPStream"), NDPI_PROTOCOL_PPSTREAM);
	ndpi_finalize_initialization(ndpi);
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

static void test_protos_names_override_class_names(void)
{
	static const char *const names[] = {"PronetRenamed", NULL, NULL};
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_plugin_options_default(&options);
	options.class_protocol_names = names;
	ndpi_finalize_initialization(ndpi); /* attaching after finalize works too */
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(ndpi, model, &options, errbuf), PRONET_OK);
	CU_ASSERT(ndpi_get_protocol_id(ndpi, "PronetRenamed") >= NDPI_MAX_SUPPORTED_PROTOCOLS);
	CU_ASSERT_EQUAL(ndpi_get_protocol_id(ndpi, "PronetTestAlpha"), -1);
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

static void test_bad_options_are_refused(void)
{
	static const char *const bad_names[] = {"bad name/with space", NULL, NULL};
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_plugin_options_default(&options);
	options.threshold = 1.5f;
	CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, &options, errbuf), PRONET_ERR_ARG);
	pronet_plugin_options_default(&options);
	/* 5 per direction: a model that reads bytes records at most 4. */
	options.packets_per_direction = PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION + 1;
	CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, &options, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not in 1..4"));
	pronet_plugin_options_default(&options);
	options.class_protocol_names = bad_names;
	CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, &options, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_FALSE(pronet_plugin_is_attached(ndpi));
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

/* The names the plugin used to take and a protos file refused ('.', '+',
 * "Unknown" as a custom name): one rule now (rules/rules_file.h). */
static void test_names_follow_the_protos_rule(void)
{
	static const char *const refused[] = {"Pronet.Dotted", "Pronet+Plus", "unknown"};
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 3, 1);
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];
	const char *custom[1];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const char *renamed[3] = {refused[i], NULL, NULL};

		pronet_plugin_options_default(&options);
		custom[0] = refused[i];
		options.custom_protocol_names = custom;
		options.num_custom_protocol_names = 1;
		CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, &options, errbuf),
		                PRONET_ERR_ARG);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, refused[i]));
		if (i < 2) { /* a class renamed "unknown" just never labels */
			pronet_plugin_options_default(&options);
			options.class_protocol_names = renamed;
			CU_ASSERT_EQUAL(pronet_plugin_attach(ndpi, model, &options, errbuf),
			                PRONET_ERR_ARG);
		}
		/* Not created ("unknown" is nDPI's 0). */
		CU_ASSERT(ndpi_get_protocol_id(ndpi, (char *)refused[i]) <= 0);
	}
	CU_ASSERT_FALSE(pronet_plugin_is_attached(ndpi));
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

/* Attach refuses a libndpi whose API version, module size or flow size is
 * not the headers'; the check, given each mismatch. */
static void test_layout_mismatch_is_refused(void)
{
	struct pronet_ndpi_layout library, compiled, other;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_dissector_library_layout(&library);
	pronet_dissector_compiled_layout(&compiled);
	CU_ASSERT_EQUAL(compiled.api_version, NDPI_API_VERSION);
	CU_ASSERT_EQUAL(compiled.flow_size, SIZEOF_FLOW_STRUCT);
	/* Debian's libndpi 4.2 is what we were built with. */
	CU_ASSERT_EQUAL(pronet_dissector_check_layout(&library, &compiled, errbuf), PRONET_OK);
	other = compiled;
	other.api_version++;
	CU_ASSERT_EQUAL(pronet_dissector_check_layout(&other, &compiled, errbuf),
	                PRONET_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "API version"));
	other = compiled;
	other.module_size += 8;
	CU_ASSERT_EQUAL(pronet_dissector_check_layout(&other, &compiled, errbuf),
	                PRONET_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "detection module"));
	other = compiled;
	other.flow_size -= 8;
	CU_ASSERT_EQUAL(pronet_dissector_check_layout(&other, &compiled, errbuf),
	                PRONET_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "flow struct"));
}

static CU_TestInfo tests[] = {
    {"attach before bitmask2 is refused", test_attach_before_bitmask2_is_refused},
    {"attach appends one entry to the TCP and UDP tables",
     test_attach_appends_one_entry_to_tcp_and_udp_tables},
    {"bitmask2 wipes the entry; reregister restores it once",
     test_bitmask2_wipes_and_reregister_restores},
    {"classes are named in nDPI", test_classes_are_named_in_ndpi},
    {"protos names override class names", test_protos_names_override_class_names},
    {"bad options are refused", test_bad_options_are_refused},
    {"protocol names follow the protos file's rule", test_names_follow_the_protos_rule},
    {"a libndpi of another layout is refused", test_layout_mismatch_is_refused},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("plugin/dissector", tests);
}
