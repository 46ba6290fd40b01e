/* Tests of core/data/flows.c: samples grouped by (capture, flow), each flow's
 * records in packet-index order, whatever the order they were appended in
 * and past index 255 (a v2 flow of every packet). */
#include <stdlib.h>
#include <string.h>

#include "core/data/flows.h"
#include "tests/unit.h"

#define RECORDS 300

static void test_long_flow_in_packet_order(void)
{
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_flows *flows = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	uint16_t label;
	uint32_t capture;

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_class(data, "dns", &label), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_intern_capture(data, "a.pcap", &capture), PRONET_OK);
	/* Flow 7's records appended backwards, and one record of flow 3 between. */
	for (size_t i = 0; i < RECORDS; i++) {
		struct pronet_sample sample = {.label = label, .capture = capture, .flow = 7};

		sample.input.packet_index = (uint32_t)(RECORDS - 1 - i);
		sample.input.l4_protocol = 17;
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
		if (i == 100) {
			sample.flow = 3;
			sample.input.packet_index = 0;
			CU_ASSERT_EQUAL_FATAL(pronet_dataset_append(data, &sample), PRONET_OK);
		}
	}
	CU_ASSERT_EQUAL_FATAL(pronet_flows_index(data, &flows, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(flows->num_flows, 2);
	CU_ASSERT_EQUAL(flows->start[1] - flows->start[0], 1); /* flow 3 first */
	CU_ASSERT_EQUAL(pronet_flows_longest(flows), RECORDS);
	for (size_t k = 0; k < RECORDS; k++)
		CU_ASSERT_EQUAL(
		    data->samples[flows->samples[flows->start[1] + k]].input.packet_index, k);
	pronet_flows_free(flows);
	pronet_dataset_free(data);
}

static CU_TestInfo tests[] = {
    {"a long flow's records in packet order", test_long_flow_in_packet_order},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("flows", tests);
}
