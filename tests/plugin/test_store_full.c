/* The plugin's flow store when a capture has more flows than it holds: its
 * own process, so that this test's attach is the first and sizes the store
 * (it is kept until exit, plugin/attach.c). */
#include "plugin/pronet_plugin.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#define STORE_FLOWS 5
#define FLOWS 8

static const char *const class_names[] = {"PronetFullAlpha", "PronetFullBeta"};

static void test_flows_past_the_store_are_counted_once(void)
{
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(class_names, 2, 11);
	struct ndpi_flow_struct *flows[FLOWS], *late;
	struct pronet_plugin_options options;
	struct pronet_plugin_result r;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t named = 0, without_state = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ndpi);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	options.max_flows = STORE_FLOWS;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(ndpi, model, &options, errbuf), PRONET_OK);
	ndpi_finalize_initialization(ndpi);
	CU_ASSERT_EQUAL(pronet_plugin_flow_misses(), 0);
	/* Three payload packets each: a flow that found no room is counted
	 * once, not per packet. */
	for (int i = 0; i < FLOWS; i++) {
		flows[i] = fixture_flow_new();
		for (int packet = 0; packet < 3; packet++)
			fixture_udp(ndpi, flows[i], 0x0a000001u, (uint16_t)(42000 + i), 0x0a000002u,
			            42999, fixture_opaque_payload, sizeof(fixture_opaque_payload));
	}
	CU_ASSERT_EQUAL(pronet_plugin_flows_in_use(), STORE_FLOWS);
	CU_ASSERT_EQUAL(pronet_plugin_flow_misses(), FLOWS - STORE_FLOWS);
	for (int i = 0; i < FLOWS; i++) {
		if (fixture_giveup(ndpi, flows[i]).app_protocol != NDPI_PROTOCOL_UNKNOWN)
			named++;
		if (pronet_plugin_flow_result(flows[i], &r) != PRONET_OK)
			without_state++;
	}
	/* The model saw the flows that had room, and only those. */
	CU_ASSERT_EQUAL(named, STORE_FLOWS);
	CU_ASSERT_EQUAL(without_state, FLOWS - STORE_FLOWS);
	/* Forgetting a flow makes room for the next one. */
	fixture_flow_free(flows[0]);
	late = fixture_flow_new();
	fixture_udp(ndpi, late, 0x0a000001u, 42100, 0x0a000002u, 42999, fixture_opaque_payload,
	            sizeof(fixture_opaque_payload));
	CU_ASSERT_EQUAL(pronet_plugin_flow_misses(), FLOWS - STORE_FLOWS);
	CU_ASSERT_NOT_EQUAL(fixture_giveup(ndpi, late).app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(late);
	for (int i = 1; i < FLOWS; i++)
		fixture_flow_free(flows[i]);
	CU_ASSERT_EQUAL(pronet_plugin_flows_in_use(), 0);
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"flows past the store are counted once and not classified",
     test_flows_past_the_store_are_counted_once},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("plugin/store_full", tests);
}
