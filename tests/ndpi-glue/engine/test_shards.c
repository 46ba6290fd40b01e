/* Tests of ndpi-glue/engine/shards.c on crafted IPv4/UDP frames (DLT_RAW):
 * engines whose flow tables have different hash keys are refused (the
 * reader's hash of a key is handed to the engine's table as its own); and
 * 2 engines end the same flows as one engine over the same frames, each
 * flow on one engine whole (its query and response together), every
 * engine with some of them. */
#include "ndpi-glue/engine/ndpi_engine.h"
#include "ndpi-glue/engine/shards.h"
#include "tests/packet_bytes.h"
#include "tests/unit.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define DLT_RAW_HERE 12 /* DLT_RAW on Linux: the frame is the IP packet */
#define FLOWS 64

/* What one engine reported: each flow by its client port, with its packet
 * count and nDPI's name. Each engine writes its own log (on its thread). */
struct report_log {
	uint64_t packets[FLOWS];
	char name[FLOWS][64];
	int reports;
};

static void log_report(void *user, const struct pronet_flow_report *report)
{
	struct report_log *log = user;
	const struct pronet_flow *flow = report->flow;
	unsigned port = flow->key.port[flow->client_side];
	log->reports++;
	if (port < 5000 || port >= 5000 + FLOWS)
		return;
	log->packets[port - 5000] = flow->packets[0] + flow->packets[1];
	snprintf(log->name[port - 5000], sizeof(log->name[0]), "%s", report->name);
}

static void engine_options(struct pronet_ndpi_engine_options *options, struct report_log *log,
                           uint64_t key0)
{
	pronet_ndpi_engine_options_default(options);
	options->flows.max_flows = 2 * FLOWS;
	options->flows.hash_key[0] = key0;
	options->flows.hash_key[1] = 0x5eed;
	options->report = log_report;
	options->report_user = log;
}

/* DNS query (id 0x1234, example.com A IN) and its response (one A answer). */
static const uint8_t dns_query[] = PACKET_DNS_QUERY;
static const uint8_t dns_response[] = PACKET_DNS_RESPONSE;

/* An IPv4/UDP packet 10.0.0.1:port <-> 10.0.0.2:53 as a raw frame. */
static void build_frame(uint8_t *bytes, struct pronet_raw_packet *frame, uint16_t port,
                        int response, uint64_t time_us)
{
	const uint8_t *payload = response ? dns_response : dns_query;
	size_t length = response ? sizeof(dns_response) : sizeof(dns_query);
	size_t total = PACKET_IPV4_LENGTH + 8 + length;
	uint32_t client = 0x0a000001u, server = 0x0a000002u;
	uint8_t *udp = bytes + PACKET_IPV4_LENGTH;
	packet_put_ipv4(bytes, IPPROTO_UDP, total, response ? server : client,
	                response ? client : server);
	packet_put16(udp, response ? 53 : port);
	packet_put16(udp + 2, response ? port : 53);
	packet_put16(udp + 4, (uint16_t)(8 + length));
	memcpy(udp + 8, payload, length);
	memset(frame, 0, sizeof(*frame));
	frame->data = bytes;
	frame->caplen = frame->wire_length = (uint32_t)total;
	frame->timestamp_us = time_us;
}

static void test_other_hash_keys_are_refused(void)
{
	struct pronet_ndpi_engine_options options[2];
	struct report_log logs[2];
	struct pronet_ndpi_shards *shards = (struct pronet_ndpi_shards *)options;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	engine_options(&options[0], &logs[0], 1);
	engine_options(&options[1], &logs[1], 2);
	CU_ASSERT_EQUAL(pronet_ndpi_shards_new(options, 2, &shards, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(shards);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "hash key"));
}

static void test_two_engines_end_the_flows_of_one(void)
{
	struct pronet_ndpi_engine_options options[2];
	struct report_log *logs = calloc(3, sizeof(*logs)); /* 2 shards, then 1 engine */
	struct pronet_ndpi_shards *shards = NULL;
	struct pronet_ndpi_engine *engine = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	uint8_t bytes[PACKET_IPV4_LENGTH + 8 + sizeof(dns_response)];
	CU_ASSERT_PTR_NOT_NULL_FATAL(logs);
	engine_options(&options[0], &logs[0], 7);
	engine_options(&options[1], &logs[1], 7);
	CU_ASSERT_EQUAL_FATAL(pronet_ndpi_shards_new(options, 2, &shards, errbuf), PRONET_OK);
	engine_options(&options[0], &logs[2], 7);
	CU_ASSERT_EQUAL_FATAL(pronet_ndpi_engine_new(&options[0], &engine, errbuf), PRONET_OK);
	/* Every query first, then every response: each flow's two packets are
	 * FLOWS packets apart, across batch hand-overs of the shards. */
	for (int response = 0; response < 2; response++)
		for (uint16_t i = 0; i < FLOWS; i++) {
			struct pronet_raw_packet frame;
			build_frame(bytes, &frame, (uint16_t)(5000 + i), response,
			            1000000 + 1000 * (uint64_t)(response * FLOWS + i));
			CU_ASSERT_EQUAL(
			    pronet_ndpi_shards_process_frame(shards, DLT_RAW_HERE, &frame),
			    PRONET_OK);
			CU_ASSERT_EQUAL(
			    pronet_ndpi_engine_process_frame(engine, DLT_RAW_HERE, &frame),
			    PRONET_OK);
		}
	pronet_ndpi_shards_finish(shards);
	pronet_ndpi_engine_finish(engine);
	struct pronet_ndpi_engine_stats sharded, one;
	pronet_ndpi_shards_get_stats(shards, &sharded);
	pronet_ndpi_engine_get_stats(engine, &one);
	CU_ASSERT_EQUAL(sharded.flows, FLOWS);
	CU_ASSERT_EQUAL(one.flows, FLOWS);
	CU_ASSERT_EQUAL(sharded.decoded, 2 * FLOWS);
	/* 64 flows on 2 engines: each has some (the chance it has none is 2^-63). */
	CU_ASSERT(logs[0].reports > 0 && logs[1].reports > 0);
	CU_ASSERT_EQUAL(logs[0].reports + logs[1].reports, FLOWS);
	int same = 1;
	for (int i = 0; i < FLOWS; i++) {
		int on = logs[0].packets[i] != 0 ? 0 : 1;
		same &= logs[on].packets[i] == 2 && logs[1 - on].packets[i] == 0 &&
		        logs[2].packets[i] == 2 && strcmp(logs[on].name[i], logs[2].name[i]) == 0 &&
		        strcmp(logs[2].name[i], "DNS") == 0;
	}
	CU_ASSERT(same);
	pronet_ndpi_shards_free(shards);
	pronet_ndpi_engine_free(engine);
	free(logs);
}

static CU_TestInfo tests[] = {
    {"engines with other hash keys are refused", test_other_hash_keys_are_refused},
    {"2 engines end the flows of one", test_two_engines_end_the_flows_of_one},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/shards", tests);
}
