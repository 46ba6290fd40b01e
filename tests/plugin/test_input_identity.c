/* The model's inputs through `pronet label`'s path (the nDPI engine and its
 * flow table) and through `pronet classify`'s plugin path (the engine with
 * the plugin attached and its per-packet entry, the recorded inputs the
 * give-up fallback hands the model) are byte for byte the same, for every
 * flow whose packets all reached nDPI; for a flow nDPI finished early the
 * plugin's inputs are the first ones of the flow table's. Checked on crafted
 * flows (IPv6 and IPv4, server-first TCP with the client on the higher port,
 * TCP retransmissions, a duplicated UDP datagram) and on tests/data's
 * captures. */
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/attachment.h"
#include "plugin/pronet_plugin.h"
#include "tests/packet_bytes.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FLOWS 256

static const char *const class_names[] = {"PronetSameAlpha", "PronetSameBeta"};

struct seen_flow {
	struct pronet_flow_key key;
	struct pronet_packet_record inputs[PRONET_FLOW_MAX_INPUTS]; /* bytes: input_bytes */
	uint8_t input_bytes[PRONET_FLOW_MAX_INPUTS][PRONET_PAYLOAD_BYTES];
	uint32_t num_inputs;
	int all_packets_to_ndpi;
	uint32_t retransmissions;
	uint8_t client_side;
};

/* Copies of the records and their bytes (the flow's slot is reused). */
static void keep_inputs(struct seen_flow *seen, const struct pronet_packet_record *inputs,
                        uint32_t count)
{
	for (uint32_t k = 0; k < count && k < PRONET_FLOW_MAX_INPUTS; k++) {
		seen->inputs[k] = inputs[k];
		memcpy(seen->input_bytes[k], inputs[k].bytes, inputs[k].length);
		seen->inputs[k].bytes = seen->input_bytes[k];
	}
	seen->num_inputs = count;
}

/* Two records alike in every field and byte, but for their bytes' addresses
 * and two fields a plugin cannot know as the flow table does: the time
 * (nDPI hands the plugin milliseconds) and packet_index (the dissector sees
 * only the packets nDPI dispatches to it). What the models read is compared
 * whole. */
static int same_inputs(const struct pronet_packet_record *a, const struct pronet_packet_record *b,
                       size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct pronet_packet_record x = a[k], y = b[k];

		if (x.length != y.length || memcmp(x.bytes, y.bytes, x.length) != 0)
			return 0;
		x.bytes = y.bytes = NULL;
		x.timestamp_us = y.timestamp_us = 0;
		x.packet_index = y.packet_index = 0;
		if (memcmp(&x, &y, sizeof(x)) != 0)
			return 0;
	}
	return 1;
}

struct run {
	struct seen_flow flows[MAX_FLOWS];
	size_t num_flows;
	int plugin; /* 1: classify's path, 0: label's */
	const struct pronet_model *model;
};

static void on_report(void *user, const struct pronet_flow_report *report)
{
	struct run *run = user;
	const struct pronet_flow *flow = report->flow;
	struct seen_flow *seen;

	if (run->num_flows >= MAX_FLOWS)
		return;
	seen = &run->flows[run->num_flows++];
	memset(seen, 0, sizeof(*seen));
	seen->key = flow->key;
	seen->client_side = flow->client_side;
	seen->retransmissions = flow->builder.retransmissions;
	seen->all_packets_to_ndpi = report->ndpi_packets == flow->packets[0] + flow->packets[1];
	if (!run->plugin) {
		keep_inputs(seen, flow->inputs, flow->num_inputs);
	} else if (report->ndpi_flow != NULL) {
		struct pronet_flow_record record;

		if (pronet_flow_store_snapshot(pronet_attachment_store(), report->ndpi_flow,
		                               &record)) {
			keep_inputs(seen, record.inputs, record.num_inputs);
		}
		pronet_plugin_flow_forget(report->ndpi_flow);
	}
}

static enum pronet_err attach_plugin(void *user, struct ndpi_detection_module_struct *ndpi,
                                     char *errbuf)
{
	const struct run *run = user;

	return pronet_plugin_attach(ndpi, run->model, NULL, errbuf);
}

static ndpi_protocol hooked_process_packet(void *user, struct ndpi_detection_module_struct *ndpi,
                                           struct ndpi_flow_struct *flow,
                                           const unsigned char *packet, unsigned short length,
                                           uint64_t time_ms)
{
	(void)user;
	return pronet_plugin_process_packet(ndpi, flow, packet, length, time_ms);
}

static ndpi_protocol plugin_giveup(void *user, struct ndpi_detection_module_struct *ndpi,
                                   struct ndpi_flow_struct *flow, uint8_t enable_guess,
                                   uint8_t *protocol_was_guessed)
{
	(void)user;
	return pronet_plugin_detection_giveup(ndpi, flow, enable_guess, protocol_was_guessed);
}

/* An engine as `pronet label` (plugin 0) or `pronet classify` (plugin 1)
 * sets it up. */
static struct pronet_ndpi_engine *engine_new(struct run *run)
{
	struct pronet_ndpi_engine_options options;
	struct pronet_ndpi_engine *engine = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_ndpi_engine_options_default(&options);
	options.flows.max_flows = 1024;
	options.report = on_report;
	options.report_user = run;
	if (run->plugin) {
		options.setup = attach_plugin;
		options.setup_user = run;
		options.giveup = plugin_giveup;
		options.process_packet = hooked_process_packet;
	}
	if (pronet_ndpi_engine_new(&options, &engine, errbuf) != PRONET_OK)
		fprintf(stderr, "engine: %s\n", errbuf);
	return engine;
}

static void engine_free(struct pronet_ndpi_engine *engine)
{
	pronet_ndpi_engine_finish(engine);
	if (pronet_plugin_is_attached(pronet_ndpi_engine_module(engine)))
		pronet_plugin_detach(pronet_ndpi_engine_module(engine));
	pronet_ndpi_engine_free(engine);
}

/* What the comparison found over one pair of runs. */
struct agreement {
	size_t flows, identical, prefix, differing, ipv6, with_retransmissions;
};

static struct agreement compare(const struct run *label, const struct run *classify)
{
	struct agreement a = {0};

	CU_ASSERT_EQUAL_FATAL(label->num_flows, classify->num_flows);
	for (size_t i = 0; i < label->num_flows; i++) {
		const struct seen_flow *l = &label->flows[i], *c = &classify->flows[i];
		size_t n = c->num_inputs;

		CU_ASSERT_EQUAL_FATAL(memcmp(&l->key, &c->key, sizeof(l->key)), 0);
		a.flows++;
		a.ipv6 += l->key.ip_version == 6;
		a.with_retransmissions += l->retransmissions > 0;
		if (n == l->num_inputs && same_inputs(l->inputs, c->inputs, n))
			a.identical++;
		else if (!c->all_packets_to_ndpi && n < l->num_inputs &&
		         same_inputs(l->inputs, c->inputs, n))
			a.prefix++;
		else
			a.differing++;
	}
	return a;
}

/* --- crafted flows ------------------------------------------------------ */

#define IPV6_HEADER 40
#define TCP_HEADER 20
#define UDP_HEADER 8

struct endpoint {
	uint8_t addr[16];
	uint16_t port;
};

static const struct endpoint v6_client = {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x01}, 40000};
static const struct endpoint v6_server = {{0x20, 0x01, 0x0d, 0xb8, [15] = 0x02}, 51000};
static const struct endpoint v4_client = {{192, 0, 2, 1}, 60000};
static const struct endpoint v4_server = {{192, 0, 2, 2}, 47999};

/* One IPv6 (ip_version 6) or IPv4 packet with a TCP or UDP header and
 * `payload`, handed to both engines at time `t_us`. */
static void send_packet(struct pronet_ndpi_engine *const engines[2], int ip_version,
                        uint8_t protocol, const struct endpoint *src, const struct endpoint *dst,
                        uint8_t tcp_flags, uint32_t seq, uint32_t ack, const void *payload,
                        size_t length, uint64_t t_us)
{
	uint8_t bytes[256];
	size_t ip = ip_version == 6 ? IPV6_HEADER : PACKET_IPV4_LENGTH;
	size_t l4 = protocol == 6 ? TCP_HEADER : UDP_HEADER;
	uint8_t *t = bytes + ip;
	struct pronet_packet packet;
	enum pronet_packet_skip skip;

	memset(bytes, 0, sizeof(bytes));
	if (ip_version == 6) {
		bytes[0] = 0x60; /* version 6, no traffic class or flow label */
		packet_put16(bytes + 4, (uint16_t)(l4 + length));
		bytes[6] = protocol; /* next header */
		bytes[7] = 64;       /* hop limit */
		memcpy(bytes + 8, src->addr, 16);
		memcpy(bytes + 24, dst->addr, 16);
	} else {
		packet_put_ipv4(bytes, protocol, ip + l4 + length,
		                (uint32_t)src->addr[0] << 24 | src->addr[1] << 16 |
		                    src->addr[2] << 8 | src->addr[3],
		                (uint32_t)dst->addr[0] << 24 | dst->addr[1] << 16 |
		                    dst->addr[2] << 8 | dst->addr[3]);
	}
	packet_put16(t, src->port);
	packet_put16(t + 2, dst->port);
	if (protocol == 6) { /* TCP: seq, ack, data offset 5 words, flags, window */
		packet_put32(t + 4, seq);
		packet_put32(t + 8, ack);
		t[12] = 5 << 4;
		t[13] = tcp_flags;
		packet_put16(t + 14, 65535);
	} else { /* UDP: length */
		packet_put16(t + 4, (uint16_t)(UDP_HEADER + length));
	}
	if (length > 0) /* memcpy's source must not be NULL, even for 0 bytes */
		memcpy(t + l4, payload, length);
	for (int e = 0; e < 2; e++) {
		CU_ASSERT_EQUAL_FATAL(
		    pronet_decode_l3(bytes, ip + l4 + length, t_us, &packet, &skip), PRONET_OK);
		CU_ASSERT_EQUAL_FATAL(skip, PRONET_SKIP_NONE);
		pronet_ndpi_engine_process_packet(engines[e], &packet, PRONET_SKIP_NONE);
	}
}

/* Payloads no nDPI dissector names: a made-up server-first protocol. */
static const uint8_t greeting[] = {0xb7, 0x11, 0x0e, 0x5a, 'H',  'E',  'L',  'O',  0x01, 0x02,
                                   0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
static const uint8_t request[] = {0xb7, 0x11, 0x0e, 0x5b, 'R',  'E',  'Q',  '1',  0x10,
                                  0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0};
static const uint8_t reply[] = {0xb7, 0x11, 0x0e, 0x5c, 'R',  'E',  'P',  '1',  0xaa, 0xbb, 0xcc,
                                0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66};

/* A server-first TCP flow: handshake, the server's greeting (sent twice:
 * a retransmission), the client's request, the server's reply (twice), the
 * client's second request. The client has the lower port. */
static void server_first_tcp(struct pronet_ndpi_engine *const e[2], int ip_version,
                             const struct endpoint *client, const struct endpoint *server,
                             uint64_t t)
{
	const uint32_t c = 1000, s = 5000; /* initial sequence numbers */

	send_packet(e, ip_version, 6, client, server, TEST_TCP_SYN, c, 0, NULL, 0, t);
	send_packet(e, ip_version, 6, server, client, TEST_TCP_SYN_ACK, s, c + 1, NULL, 0, t + 10);
	send_packet(e, ip_version, 6, client, server, TEST_TCP_ACK, c + 1, s + 1, NULL, 0, t + 20);
	send_packet(e, ip_version, 6, server, client, TEST_TCP_PSH_ACK, s + 1, c + 1, greeting,
	            sizeof(greeting), t + 30);
	send_packet(e, ip_version, 6, server, client, TEST_TCP_PSH_ACK, s + 1, c + 1, greeting,
	            sizeof(greeting), t + 300);
	send_packet(e, ip_version, 6, client, server, TEST_TCP_PSH_ACK, c + 1,
	            s + 1 + sizeof(greeting), request, sizeof(request), t + 400);
	send_packet(e, ip_version, 6, server, client, TEST_TCP_PSH_ACK, s + 1 + sizeof(greeting),
	            c + 1 + sizeof(request), reply, sizeof(reply), t + 500);
	send_packet(e, ip_version, 6, server, client, TEST_TCP_PSH_ACK, s + 1 + sizeof(greeting),
	            c + 1 + sizeof(request), reply, sizeof(reply), t + 900);
	send_packet(e, ip_version, 6, client, server, TEST_TCP_PSH_ACK, c + 1 + sizeof(request),
	            s + 1 + sizeof(greeting) + sizeof(reply), request, sizeof(request), t + 1000);
}

static void test_crafted_flows_give_identical_inputs(void)
{
	struct pronet_model *model = fixture_model_new(class_names, 2, 5);
	static struct run label, classify;
	struct pronet_ndpi_engine *engines[2];
	struct agreement a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	memset(&label, 0, sizeof(label));
	memset(&classify, 0, sizeof(classify));
	classify.plugin = 1;
	classify.model = model;
	engines[0] = engine_new(&label);
	engines[1] = engine_new(&classify);
	CU_ASSERT_PTR_NOT_NULL_FATAL(engines[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(engines[1]);
	server_first_tcp(engines, 6, &v6_client, &v6_server, 1000000);
	server_first_tcp(engines, 4, &v4_client, &v4_server, 2000000);
	/* UDP over IPv6 from the lower port, one datagram duplicated (UDP has
	 * no sequence numbers: both copies count). */
	send_packet(engines, 6, 17, &v6_client, &v6_server, 0, 0, 0, request, sizeof(request),
	            3000000);
	send_packet(engines, 6, 17, &v6_client, &v6_server, 0, 0, 0, request, sizeof(request),
	            3000100);
	send_packet(engines, 6, 17, &v6_server, &v6_client, 0, 0, 0, reply, sizeof(reply), 3000200);
	engine_free(engines[0]);
	engine_free(engines[1]);

	a = compare(&label, &classify);
	CU_ASSERT_EQUAL(a.flows, 3);
	CU_ASSERT_EQUAL(a.identical, 3);
	CU_ASSERT_EQUAL(a.differing, 0);
	CU_ASSERT_EQUAL(a.with_retransmissions, 2);
	/* What the builder keeps of the IPv6 server-first flow: the server
	 * that sent the SYN-ACK is the responder, so its greeting goes server
	 * to client and is input 0; the two retransmissions are skipped. */
	CU_ASSERT_EQUAL_FATAL(label.flows[0].num_inputs, 4);
	CU_ASSERT_EQUAL(label.flows[0].inputs[0].direction, PRONET_DIR_SERVER_TO_CLIENT);
	CU_ASSERT_EQUAL(label.flows[0].inputs[0].payload_index, 0);
	CU_ASSERT_EQUAL(label.flows[0].inputs[1].direction, PRONET_DIR_CLIENT_TO_SERVER);
	CU_ASSERT_EQUAL(label.flows[0].inputs[2].direction, PRONET_DIR_SERVER_TO_CLIENT);
	CU_ASSERT_EQUAL(label.flows[0].inputs[2].payload_index, 2);
	CU_ASSERT_EQUAL(label.flows[0].inputs[3].payload_index, 3);
	pronet_model_free(model);
}

static void test_captures_give_identical_inputs(void)
{
	static const char *const captures[] = {"loopback-ipv6.pcap", "loopback-unknown.pcap",
	                                       "loopback-mixed.pcap"};
	const char *top = getenv("top_srcdir");
	struct pronet_model *model = fixture_model_new(class_names, 2, 5);
	static struct run label, classify;
	size_t ipv6 = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		char path[4096], errbuf[PRONET_ERRBUF_SIZE];
		struct pronet_ndpi_engine *engines[2];
		struct agreement a;

		snprintf(path, sizeof(path), "%s/tests/data/%s", top != NULL ? top : ".",
		         captures[i]);
		memset(&label, 0, sizeof(label));
		memset(&classify, 0, sizeof(classify));
		classify.plugin = 1;
		classify.model = model;
		engines[0] = engine_new(&label);
		engines[1] = engine_new(&classify);
		CU_ASSERT_PTR_NOT_NULL_FATAL(engines[0]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(engines[1]);
		for (int e = 0; e < 2; e++)
			CU_ASSERT_EQUAL_FATAL(
			    pronet_ndpi_engine_process_file(engines[e], path, errbuf), PRONET_OK);
		engine_free(engines[0]);
		engine_free(engines[1]);
		a = compare(&label, &classify);
		CU_ASSERT(a.flows > 20);
		CU_ASSERT_EQUAL(a.differing, 0);
		CU_ASSERT(a.identical > 0);
		if (a.differing != 0)
			fprintf(stderr, "%s: %zu of %zu flows differ\n", captures[i], a.differing,
			        a.flows);
		ipv6 += a.ipv6;
	}
	CU_ASSERT(ipv6 > 20);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"crafted IPv6/IPv4 flows: label's and classify's inputs are identical",
     test_crafted_flows_give_identical_inputs},
    {"tests/data captures: label's and classify's inputs are identical",
     test_captures_give_identical_inputs},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("plugin/input_identity", tests);
}
