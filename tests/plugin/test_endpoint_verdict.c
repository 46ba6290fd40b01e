/* Endpoint evidence wired into the plugin (plugin/packet_hook.c feeds it,
 * plugin/fallback.c asks it before the model): crafted UDP flows through the
 * per-packet entry of a fresh nDPI 4.2 module. The model's threshold is 1,
 * so only the endpoint can name a flow here. */
#include "plugin/attachment.h"
#include "plugin/pronet_plugin.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <string.h>

#define SERVER 0x0a000102u /* 10.0.1.2: where DPI-named flows meet */
#define PEER_A 0x0a000201u /* 10.0.2.1 */
#define PEER_B 0x0a000202u /* 10.0.2.2 */
#define CLIENT 0x0a000301u /* 10.0.3.1: its flows are Unknown */
#define LOCAL 0x0a00020fu  /* 10.0.2.15: a peer-to-peer host, one UDP port */
#define SERVER_PORT 41000
#define LOCAL_PORT 28681

/* nDPI 4.2 names both by DPI on any UDP port (asserted where used). */
static const char ssdp_notify[] = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                                  "NT: upnp:rootdevice\r\n\r\n";
static const char syslog_message[] = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed";

static const char *const class_names[] = {"PronetTestAlpha", "PronetTestBeta"};

struct setup {
	struct ndpi_detection_module_struct *ndpi;
	struct pronet_model *model;
};

static int setup_open(struct setup *s)
{
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	s->ndpi = fixture_module_new();
	s->model = fixture_model_new(class_names, 2, 11);
	if (s->ndpi == NULL || s->model == NULL)
		return 0;
	pronet_plugin_options_default(&options);
	options.threshold = 1.0f; /* the model never names: only the endpoint can */
	if (pronet_plugin_attach(s->ndpi, s->model, &options, errbuf) != PRONET_OK)
		return 0;
	ndpi_finalize_initialization(s->ndpi);
	return 1;
}

static void setup_close(struct setup *s)
{
	fixture_module_free(s->ndpi);
	pronet_model_free(s->model);
}

static struct pronet_endpoint_stats evidence_stats(struct ndpi_detection_module_struct *ndpi)
{
	const struct pronet_attachment *a = pronet_attachment_find(ndpi);
	struct pronet_endpoint_stats stats;

	memset(&stats, 0, sizeof(stats));
	if (a != NULL)
		pronet_endpoint_evidence_get_stats(a->evidence, &stats);
	return stats;
}

/* One DPI-named flow of `packets` packets from src:sport to dst:dport;
 * returns the app protocol nDPI named it with DPI, 0 otherwise. */
static uint16_t named_flow(struct ndpi_detection_module_struct *ndpi, uint32_t src, uint16_t sport,
                           uint32_t dst, uint16_t dport, const char *message, int packets)
{
	struct ndpi_flow_struct *flow = fixture_flow_new();
	ndpi_protocol result;
	uint16_t named = 0;

	for (int i = 0; i < packets; i++)
		result = fixture_udp_hooked(ndpi, flow, src, sport, dst, dport, message,
		                            strlen(message));
	if (flow->confidence == NDPI_CONFIDENCE_DPI)
		named = result.app_protocol;
	fixture_flow_free(flow);
	return named;
}

/* One opaque UDP packet from src:sport to dst:dport, then give-up; the flow
 * is left for the caller to read and free. */
static struct ndpi_flow_struct *unknown_flow(struct ndpi_detection_module_struct *ndpi,
                                             uint32_t src, uint16_t sport, uint32_t dst,
                                             uint16_t dport, ndpi_protocol *result)
{
	struct ndpi_flow_struct *flow = fixture_flow_new();

	fixture_udp_hooked(ndpi, flow, src, sport, dst, dport, fixture_opaque_payload,
	                   sizeof(fixture_opaque_payload));
	*result = fixture_giveup(ndpi, flow);
	return flow;
}

static void test_two_dpi_flows_name_later_unknown_flow(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow;
	struct pronet_plugin_result r;
	ndpi_protocol result;
	uint16_t ssdp;

	CU_ASSERT_FATAL(setup_open(&s));
	ssdp = named_flow(s.ndpi, PEER_A, 40001, SERVER, SERVER_PORT, ssdp_notify, 2);
	CU_ASSERT_EQUAL_FATAL(ssdp, NDPI_PROTOCOL_SSDP);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).named_flows, 1); /* once a flow, not a packet */
	CU_ASSERT_EQUAL(named_flow(s.ndpi, PEER_B, 40002, SERVER, SERVER_PORT, ssdp_notify, 1),
	                ssdp);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).named_flows, 2);

	flow = unknown_flow(s.ndpi, CLIENT, 40003, SERVER, SERVER_PORT, &result);
	CU_ASSERT_EQUAL(result.app_protocol, ssdp);
	CU_ASSERT_EQUAL(flow->detected_protocol_stack[0], ssdp);
	/* Correlation among sessions, as nDPI's own caches name flows: not
	 * a signature match, not the model's UNKNOWN. */
	CU_ASSERT_EQUAL(flow->confidence, PRONET_PLUGIN_ENDPOINT_CONFIDENCE);
	CU_ASSERT_EQUAL(flow->confidence, NDPI_CONFIDENCE_DPI_CACHE);
	CU_ASSERT_NOT_EQUAL(flow->confidence, NDPI_CONFIDENCE_DPI);
	CU_ASSERT_NOT_EQUAL(flow->confidence, PRONET_PLUGIN_CONFIDENCE);
	CU_ASSERT(flow->confidence < NDPI_CONFIDENCE_MAX);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.decided);
	CU_ASSERT_FALSE(r.abstained);
	CU_ASSERT_EQUAL(r.source, PRONET_PLUGIN_SOURCE_ENDPOINT);
	CU_ASSERT_EQUAL(r.decision, PRONET_FLOW_NAMED);
	CU_ASSERT_EQUAL(r.ndpi_protocol, ssdp);
	CU_ASSERT_EQUAL(r.endpoint.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	CU_ASSERT_EQUAL(r.endpoint.agreeing, 2);
	CU_ASSERT_EQUAL(r.endpoint.conflicting, 0);
	CU_ASSERT_DOUBLE_EQUAL(r.score, 1.0, 1e-6);
	CU_ASSERT_EQUAL(r.packets_used, 0); /* the model was not asked */
	/* A packet after the verdict: pronet's own verdict never feeds the
	 * evidence (it would spread the fallback's mistakes). */
	fixture_udp_hooked(s.ndpi, flow, CLIENT, 40003, SERVER, SERVER_PORT, fixture_opaque_payload,
	                   sizeof(fixture_opaque_payload));
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).named_flows, 2);
	fixture_flow_free(flow);

	/* The same flow to another port of the server: no evidence there. */
	flow = unknown_flow(s.ndpi, CLIENT, 40004, SERVER, SERVER_PORT + 1, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.abstained);
	CU_ASSERT_EQUAL(r.source, PRONET_PLUGIN_SOURCE_MODEL);
	CU_ASSERT_EQUAL(r.decision, PRONET_FLOW_BELOW_THRESHOLD);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_one_dpi_flow_is_not_enough(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow;
	ndpi_protocol result;

	CU_ASSERT_FATAL(setup_open(&s));
	CU_ASSERT_EQUAL(named_flow(s.ndpi, PEER_A, 40001, SERVER, SERVER_PORT, ssdp_notify, 3),
	                NDPI_PROTOCOL_SSDP);
	flow = unknown_flow(s.ndpi, CLIENT, 40003, SERVER, SERVER_PORT, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_conflicting_endpoint_names_nothing(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow;
	struct pronet_plugin_result r;
	ndpi_protocol result;

	CU_ASSERT_FATAL(setup_open(&s));
	/* Three SSDP flows and one Syslog on the endpoint: 25 % conflict. */
	for (uint16_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(named_flow(s.ndpi, PEER_A, (uint16_t)(40001 + i), SERVER,
		                           SERVER_PORT, ssdp_notify, 1),
		                NDPI_PROTOCOL_SSDP);
	CU_ASSERT_EQUAL(named_flow(s.ndpi, PEER_B, 40010, SERVER, SERVER_PORT, syslog_message, 1),
	                NDPI_PROTOCOL_SYSLOG);
	flow = unknown_flow(s.ndpi, CLIENT, 40020, SERVER, SERVER_PORT, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_EQUAL(flow->detected_protocol_stack[0], NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_NOT_EQUAL(flow->confidence, PRONET_PLUGIN_ENDPOINT_CONFIDENCE);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.abstained);
	CU_ASSERT_EQUAL(r.source, PRONET_PLUGIN_SOURCE_MODEL);
	fixture_flow_free(flow);
	setup_close(&s);
}

/* Gnutella's shape: a host's one UDP port talks to many peers, each of
 * which DPI named once (too few for hop 1); the host's Unknown flows link
 * its socket to them, and two links name its flows (hop 2), a flow to a
 * peer DPI never saw included. */
static void test_socket_hop_names_flow_to_new_peer(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow;
	struct pronet_plugin_result r;
	ndpi_protocol result;
	const uint32_t peers[3] = {0x50000001u, 0x50000002u, 0x50000003u};

	CU_ASSERT_FATAL(setup_open(&s));
	for (int i = 0; i < 2; i++)
		CU_ASSERT_EQUAL(named_flow(s.ndpi, peers[i], (uint16_t)(20001 + i), SERVER, 514,
		                           syslog_message, 1),
		                NDPI_PROTOCOL_SYSLOG);
	/* One link: not enough. */
	flow = unknown_flow(s.ndpi, LOCAL, LOCAL_PORT, peers[0], 20001, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).links, 1);
	fixture_flow_free(flow);
	/* The second link (this flow's own) makes two. */
	flow = unknown_flow(s.ndpi, LOCAL, LOCAL_PORT, peers[1], 20002, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_SYSLOG);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).links, 2);
	fixture_flow_free(flow);
	/* A peer with no DPI-named flow: no link, named by the socket. */
	flow = unknown_flow(s.ndpi, LOCAL, LOCAL_PORT, peers[2], 20003, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_SYSLOG);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).links, 2);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT_EQUAL(r.source, PRONET_PLUGIN_SOURCE_ENDPOINT);
	CU_ASSERT_EQUAL(r.endpoint.hop, PRONET_ENDPOINT_HOP_SOCKET);
	CU_ASSERT_EQUAL(r.endpoint.agreeing, 2);
	fixture_flow_free(flow);
	setup_close(&s);
}

/* A new module (another capture) does not inherit the evidence of the
 * module detached before it, though it may get the same slot. */
static void test_new_module_starts_without_evidence(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow;
	ndpi_protocol result;

	CU_ASSERT_FATAL(setup_open(&s));
	for (uint16_t i = 0; i < 2; i++)
		named_flow(s.ndpi, PEER_A, (uint16_t)(40001 + i), SERVER, SERVER_PORT, ssdp_notify,
		           1);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).named_flows, 2);
	setup_close(&s);

	CU_ASSERT_FATAL(setup_open(&s));
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).named_flows, 0);
	CU_ASSERT_EQUAL(evidence_stats(s.ndpi).endpoints_in_use, 0);
	flow = unknown_flow(s.ndpi, CLIENT, 40003, SERVER, SERVER_PORT, &result);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"two DPI flows name a later Unknown flow", test_two_dpi_flows_name_later_unknown_flow},
	    {"one DPI flow is not enough", test_one_dpi_flow_is_not_enough},
	    {"a conflicting endpoint names nothing", test_conflicting_endpoint_names_nothing},
	    {"the socket hop names a flow to a new peer", test_socket_hop_names_flow_to_new_peer},
	    {"a new module starts without evidence", test_new_module_starts_without_evidence},
	    CU_TEST_INFO_NULL,
	};

	return pronet_unit_run("plugin/endpoint_verdict", tests);
}
