/* Tests of ndpi-glue/engine/ndpi_engine.c on crafted IPv4/UDP packets: a DNS query
 * and its response are named DNS by nDPI without giving up; an unknown
 * payload stays Unknown and goes through the replaceable give-up function
 * exactly once (at the end, or when the packet budget runs out); the setup
 * hook runs once; skipped packets are counted, not turned into flows; a
 * flow nDPI has no memory for is still reported, once, and counted; frames
 * whose time the capture clamped and packets whose IP length nDPI cannot
 * take whole are counted. */
#include "ndpi-glue/engine/ndpi_engine.h"
#include "tests/packet_bytes.h"
#include "tests/unit.h"

#include <netinet/in.h>
#include <string.h>

#define MAX_REPORTS 8

struct seen_report {
	char name[64];
	char confidence[32];
	uint8_t gave_up;
	uint32_t ndpi_packets;
	int inspected; /* the report carried nDPI's flow state */
	uint64_t packets;
	enum pronet_flow_end_reason reason;
	struct pronet_packet_record inputs[PRONET_FLOW_MAX_INPUTS]; /* bytes: input_bytes */
	uint8_t input_bytes[PRONET_FLOW_MAX_INPUTS][PRONET_PAYLOAD_BYTES];
	uint8_t num_inputs;
};

static struct seen_report reports[MAX_REPORTS];
static int num_reports;
static int giveup_calls;
static int setup_calls;

static void on_report(void *user, const struct pronet_flow_report *report)
{
	(void)user;
	if (num_reports < MAX_REPORTS) {
		struct seen_report *r = &reports[num_reports];
		snprintf(r->name, sizeof(r->name), "%s", report->name);
		snprintf(r->confidence, sizeof(r->confidence), "%s", report->confidence_name);
		r->gave_up = report->gave_up;
		r->ndpi_packets = report->ndpi_packets;
		r->inspected = report->ndpi_flow != NULL;
		r->packets = report->flow->packets[0] + report->flow->packets[1];
		r->reason = report->end_reason;
		/* Copies: the flow's records and their bytes are the table's. */
		memcpy(r->inputs, report->flow->inputs, sizeof(r->inputs));
		for (uint8_t i = 0; i < report->flow->num_inputs; i++) {
			memcpy(r->input_bytes[i], r->inputs[i].bytes, r->inputs[i].length);
			r->inputs[i].bytes = r->input_bytes[i];
		}
		r->num_inputs = report->flow->num_inputs;
	}
	num_reports++;
}

/* The give-up hook: counts, then asks nDPI as ndpiReader would. */
static ndpi_protocol counting_giveup(void *user, struct ndpi_detection_module_struct *ndpi,
                                     struct ndpi_flow_struct *flow, uint8_t enable_guess,
                                     uint8_t *protocol_was_guessed)
{
	CU_ASSERT_PTR_EQUAL(user, &giveup_calls);
	giveup_calls++;
	return ndpi_detection_giveup(ndpi, flow, enable_guess, protocol_was_guessed);
}

static enum pronet_err count_setup(void *user, struct ndpi_detection_module_struct *ndpi,
                                   char *errbuf)
{
	(void)errbuf;
	CU_ASSERT_PTR_NOT_NULL(ndpi);
	(*(int *)user)++;
	return PRONET_OK;
}

static struct pronet_ndpi_engine *new_engine(void)
{
	struct pronet_ndpi_engine_options options;
	struct pronet_ndpi_engine *engine = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_ndpi_engine_options_default(&options);
	options.flows.max_flows = 16;
	options.report = on_report;
	options.giveup = counting_giveup;
	options.giveup_user = &giveup_calls;
	options.setup = count_setup;
	options.setup_user = &setup_calls;
	num_reports = giveup_calls = setup_calls = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_ndpi_engine_new(&options, &engine, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(setup_calls, 1);
	return engine;
}

struct udp_frame {
	uint8_t bytes[20 + 8 + 256];
	struct pronet_packet packet;
};

/* An IPv4/UDP packet 10.0.0.src:sport -> 10.0.0.dst:dport carrying
 * `payload`, and its decoded form, as the decoders would fill it. */
static void build_udp(struct udp_frame *frame, uint8_t src, uint16_t sport, uint8_t dst,
                      uint16_t dport, const uint8_t *payload, size_t length, uint64_t time_us)
{
	uint8_t *ip = frame->bytes, *udp = frame->bytes + PACKET_IPV4_LENGTH;
	size_t total = PACKET_IPV4_LENGTH + 8 + length;
	memset(frame, 0, sizeof(*frame));
	packet_put_ipv4(ip, IPPROTO_UDP, total, 0x0a000000u | src, 0x0a000000u | dst);
	packet_put16(udp, sport);
	packet_put16(udp + 2, dport);
	packet_put16(udp + 4, (uint16_t)(8 + length));
	memcpy(udp + 8, payload, length);

	struct pronet_packet *p = &frame->packet;
	p->timestamp_us = time_us;
	p->l3 = ip;
	p->l3_length = total;
	p->wire_length = (uint32_t)(total + 14);
	p->ip_version = 4;
	p->l4_protocol = IPPROTO_UDP;
	memcpy(p->src_addr, ip + 12, 4);
	memcpy(p->dst_addr, ip + 16, 4);
	p->src_port = sport;
	p->dst_port = dport;
	p->payload = udp + 8;
	p->payload_length = length;
}

/* DNS query: example.com A IN, and its response (tests/packet_bytes.h). */
static const uint8_t dns_query[] = PACKET_DNS_QUERY;
static const uint8_t dns_response[] = PACKET_DNS_RESPONSE;

static void test_dns_is_detected_without_giving_up(void)
{
	struct pronet_ndpi_engine *engine = new_engine();
	struct udp_frame frame;
	build_udp(&frame, 9, 40000, 1, 53, dns_query, sizeof(dns_query), 1000000);
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	build_udp(&frame, 1, 53, 9, 40000, dns_response, sizeof(dns_response), 1020000);
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	CU_ASSERT_EQUAL(num_reports, 0); /* no timeouts: flows end at finish */
	pronet_ndpi_engine_finish(engine);
	CU_ASSERT_EQUAL_FATAL(num_reports, 1);
	CU_ASSERT_STRING_EQUAL(reports[0].name, "DNS");
	CU_ASSERT_STRING_EQUAL(reports[0].confidence, "DPI");
	CU_ASSERT_EQUAL(reports[0].gave_up, 0);
	CU_ASSERT_EQUAL(giveup_calls, 0);
	CU_ASSERT_EQUAL(reports[0].packets, 2);
	CU_ASSERT_EQUAL(reports[0].reason, PRONET_FLOW_END_FLUSH);
	/* The first payload bytes of each direction were kept for the model. */
	CU_ASSERT_EQUAL_FATAL(reports[0].num_inputs, 2);
	CU_ASSERT_EQUAL(reports[0].inputs[0].direction, PRONET_DIR_CLIENT_TO_SERVER);
	CU_ASSERT_EQUAL(memcmp(reports[0].inputs[0].bytes, dns_query, 16), 0);
	CU_ASSERT_EQUAL(reports[0].inputs[1].direction, PRONET_DIR_SERVER_TO_CLIENT);
	CU_ASSERT_EQUAL(reports[0].inputs[1].payload_index, 1);
	CU_ASSERT_EQUAL(reports[0].inputs[1].payload_length, sizeof(dns_response));
	struct pronet_ndpi_engine_stats stats;
	pronet_ndpi_engine_get_stats(engine, &stats);
	CU_ASSERT_EQUAL(stats.flows, 1);
	CU_ASSERT_EQUAL(stats.decoded, 2);
	CU_ASSERT_EQUAL(stats.gave_up, 0);
	pronet_ndpi_engine_free(engine);
}

/* 32 bytes no protocol starts with, on ports nDPI has no guess for. */
static const uint8_t noise[] = {0x9e, 0x01, 0x77, 0x3c, 0xd2, 0x55, 0x0b, 0xa8, 0x61, 0xf4, 0x2e,
                                0x93, 0x47, 0xc0, 0x1d, 0x8a, 0x36, 0xeb, 0x70, 0x05, 0xbf, 0x5a,
                                0x29, 0xd6, 0x84, 0x13, 0x6e, 0xf9, 0x42, 0xa7, 0x3b, 0xcc};

static void test_unknown_goes_through_giveup_once(void)
{
	struct pronet_ndpi_engine *engine = new_engine();
	struct udp_frame frame;
	for (int i = 0; i < 3; i++) {
		int reply = i == 1;
		build_udp(&frame, reply ? 2 : 1, reply ? 47001 : 47000, reply ? 1 : 2,
		          reply ? 47000 : 47001, noise, sizeof(noise), 1000000 + i);
		pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	}
	CU_ASSERT_EQUAL(giveup_calls, 0); /* not before the flow ends */
	pronet_ndpi_engine_finish(engine);
	CU_ASSERT_EQUAL(giveup_calls, 1);
	CU_ASSERT_EQUAL_FATAL(num_reports, 1);
	CU_ASSERT_STRING_EQUAL(reports[0].name, "Unknown");
	CU_ASSERT_EQUAL(reports[0].gave_up, 1);
	CU_ASSERT_EQUAL(reports[0].ndpi_packets, 3);
	pronet_ndpi_engine_finish(engine); /* nothing left: no second call */
	CU_ASSERT_EQUAL(giveup_calls, 1);
	CU_ASSERT_EQUAL(num_reports, 1);
	pronet_ndpi_engine_free(engine);
}

static void test_packet_budget_gives_up_early_once(void)
{
	struct pronet_ndpi_engine *engine = new_engine();
	struct udp_frame frame;
	/* UDP: nDPI sees 25 packets (ndpiReader: more than 24), then no more. */
	for (int i = 0; i < 40; i++) {
		build_udp(&frame, 1, 47000, 2, 47001, noise, sizeof(noise), 1000000 + i);
		pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
		if (i == 23)
			CU_ASSERT_EQUAL(giveup_calls, 0);
	}
	CU_ASSERT_EQUAL(giveup_calls, 1);
	pronet_ndpi_engine_finish(engine);
	CU_ASSERT_EQUAL(giveup_calls, 1);
	CU_ASSERT_EQUAL_FATAL(num_reports, 1);
	CU_ASSERT_EQUAL(reports[0].ndpi_packets, 25);
	CU_ASSERT_EQUAL(reports[0].packets, 40);
	CU_ASSERT_STRING_EQUAL(reports[0].name, "Unknown");
	pronet_ndpi_engine_free(engine);
}

static void test_skipped_packets_are_counted(void)
{
	struct pronet_ndpi_engine *engine = new_engine();
	struct udp_frame frame;
	build_udp(&frame, 1, 47000, 2, 47001, noise, sizeof(noise), 1000000);
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_TRUNCATED);
	frame.packet.flags |= PRONET_PACKET_F_SNAPPED;
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	pronet_ndpi_engine_finish(engine);
	CU_ASSERT_EQUAL(num_reports, 0);
	struct pronet_ndpi_engine_stats stats;
	pronet_ndpi_engine_get_stats(engine, &stats);
	CU_ASSERT_EQUAL(stats.packets, 2);
	CU_ASSERT_EQUAL(stats.skipped[PRONET_SKIP_TRUNCATED], 1);
	CU_ASSERT_EQUAL(stats.snapped, 1);
	CU_ASSERT_EQUAL(stats.flows, 0);
	pronet_ndpi_engine_free(engine);
}

/* An Ethernet frame of IPv6/UDP, 2001:db8::1:5000 -> 2001:db8::2:5001, with
 * the largest payload length IPv6 has without jumbograms (65,535): 65,575
 * bytes of IP, more than nDPI's 16-bit length takes. */
#define BIG_IP_LENGTH (40 + 65535)
static uint8_t big_frame[14 + BIG_IP_LENGTH];

static void build_big_ipv6(void)
{
	uint8_t *ip = big_frame + 14, *udp = ip + 40;
	memset(big_frame, 0, sizeof(big_frame));
	big_frame[0] = 0x02; /* locally administered MACs */
	big_frame[6] = 0x02;
	packet_put16(big_frame + 12, 0x86dd);
	ip[0] = 0x60;
	packet_put16(ip + 4, 65535); /* payload length */
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
	packet_put16(udp, 5000);
	packet_put16(udp + 2, 5001);
	packet_put16(udp + 4, 65535);
}

static void test_clamped_times_and_lengths_are_counted(void)
{
	struct pronet_ndpi_engine *engine = new_engine();
	struct pronet_ndpi_engine_stats stats;
	struct udp_frame frame;
	build_big_ipv6();
	struct pronet_raw_packet raw = {big_frame, sizeof(big_frame), sizeof(big_frame), 0, 1};
	CU_ASSERT_EQUAL(pronet_ndpi_engine_process_frame(engine, 1 /* DLT_EN10MB */, &raw),
	                PRONET_OK);
	raw.timestamp_clamped = 0;
	raw.timestamp_us = 1000000;
	CU_ASSERT_EQUAL(pronet_ndpi_engine_process_frame(engine, 1, &raw), PRONET_OK);
	build_udp(&frame, 1, 47000, 2, 47001, noise, sizeof(noise), 2000000);
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	pronet_ndpi_engine_get_stats(engine, &stats);
	CU_ASSERT_EQUAL(stats.packets, 3);
	CU_ASSERT_EQUAL(stats.decoded, 3);
	CU_ASSERT_EQUAL(stats.flows, 2);
	CU_ASSERT_EQUAL(stats.clamped_times, 1);
	CU_ASSERT_EQUAL(stats.clamped_lengths, 2);
	pronet_ndpi_engine_finish(engine);
	pronet_ndpi_engine_free(engine);
}

/* nDPI's flow allocator, made to fail (set_ndpi_flow_malloc). */
static void *no_flow_memory(size_t size)
{
	(void)size;
	return NULL;
}

static void test_flow_without_ndpi_memory_is_reported(void)
{
	struct pronet_ndpi_engine *engine = new_engine();
	struct udp_frame frame;
	set_ndpi_flow_malloc(no_flow_memory);
	for (int i = 0; i < 3; i++) {
		build_udp(&frame, 1, 47000, 2, 47001, noise, sizeof(noise), 1000000 + i);
		pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	}
	set_ndpi_flow_malloc(NULL); /* memory again: the next flow is inspected */
	build_udp(&frame, 9, 40000, 1, 53, dns_query, sizeof(dns_query), 1000010);
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	build_udp(&frame, 1, 53, 9, 40000, dns_response, sizeof(dns_response), 1000020);
	pronet_ndpi_engine_process_packet(engine, &frame.packet, PRONET_SKIP_NONE);
	pronet_ndpi_engine_finish(engine);
	CU_ASSERT_EQUAL_FATAL(num_reports, 2); /* in the order the flows started */
	CU_ASSERT_STRING_EQUAL(reports[0].name, "Unknown");
	CU_ASSERT_STRING_EQUAL(reports[0].confidence, "Unknown");
	CU_ASSERT_EQUAL(reports[0].inspected, 0);
	CU_ASSERT_EQUAL(reports[0].gave_up, 0);
	CU_ASSERT_EQUAL(reports[0].ndpi_packets, 0);
	CU_ASSERT_EQUAL(reports[0].packets, 3);
	CU_ASSERT_STRING_EQUAL(reports[1].name, "DNS");
	CU_ASSERT_EQUAL(reports[1].inspected, 1);
	CU_ASSERT_EQUAL(giveup_calls, 0); /* nothing to give up on: nDPI never saw it */
	struct pronet_ndpi_engine_stats stats;
	pronet_ndpi_engine_get_stats(engine, &stats);
	CU_ASSERT_EQUAL(stats.flows, 2);
	CU_ASSERT_EQUAL(stats.uninspected, 1);
	CU_ASSERT_EQUAL(stats.decoded, 5);
	CU_ASSERT_EQUAL(stats.ndpi_packets, 2);
	pronet_ndpi_engine_free(engine);
}

static void test_bad_options_are_refused(void)
{
	struct pronet_ndpi_engine_options options;
	struct pronet_ndpi_engine *engine = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_ndpi_engine_options_default(&options);
	CU_ASSERT_EQUAL(pronet_ndpi_engine_new(&options, &engine, errbuf), PRONET_ERR_ARG);
	options.report = on_report;
	options.protos_file = "/nonexistent/protos.txt";
	CU_ASSERT_EQUAL(pronet_ndpi_engine_new(&options, &engine, errbuf), PRONET_ERR_IO);
	CU_ASSERT_PTR_NULL(engine);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/protos.txt"));
	pronet_ndpi_engine_free(NULL);
}

static CU_TestInfo tests[] = {
    {"DNS query and response are DNS, no give-up", test_dns_is_detected_without_giving_up},
    {"unknown payload gives up once, at the end", test_unknown_goes_through_giveup_once},
    {"packet budget gives up early, once", test_packet_budget_gives_up_early_once},
    {"skipped and snapped packets are counted", test_skipped_packets_are_counted},
    {"a flow nDPI has no memory for is reported", test_flow_without_ndpi_memory_is_reported},
    {"bad options are refused", test_bad_options_are_refused},
    {"clamped times and IP lengths are counted", test_clamped_times_and_lengths_are_counted},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/ndpi_engine", tests);
}
