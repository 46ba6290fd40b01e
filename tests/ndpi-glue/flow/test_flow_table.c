/* Tests of ndpi-glue/flow/flow_table.c: both directions make one flow, VLANs and
 * protocols separate flows, idle and active expiry in deadline order driven
 * by packet time, a full table evicts (or refuses) and counts, and the
 * first K payload prefixes are kept per direction with their index, records
 * without bytes go up to 1024 per flow, and flows crafted to collide under
 * the old unkeyed hash spread; the update given the key's hash is the
 * update. */
#include "ndpi-glue/flow/flow_table.h"
#include "tests/ndpi-glue/flow/fnv_collisions.h"
#include "tests/unit.h"

#include <netinet/in.h>
#include <string.h>

#define MAX_ENDED 64

struct ended {
	struct pronet_flow flow;
	enum pronet_flow_end_reason reason;
};

static struct ended ended[MAX_ENDED];
static int num_ended;

static void on_end(void *user, struct pronet_flow *flow, enum pronet_flow_end_reason reason)
{
	(void)user;
	if (num_ended < MAX_ENDED) {
		ended[num_ended].flow = *flow;
		ended[num_ended].reason = reason;
	}
	num_ended++;
}

/* A UDP/IPv4 packet 10.0.0.<a>:<pa> -> 10.0.0.<b>:<pb> at time t (us). */
static struct pronet_packet udp_packet(uint8_t a, uint16_t pa, uint8_t b, uint16_t pb, uint64_t t)
{
	struct pronet_packet p;
	memset(&p, 0, sizeof(p));
	p.timestamp_us = t;
	p.ip_version = 4;
	p.l4_protocol = IPPROTO_UDP;
	p.src_addr[0] = 10, p.src_addr[3] = a;
	p.dst_addr[0] = 10, p.dst_addr[3] = b;
	p.src_port = pa;
	p.dst_port = pb;
	p.wire_length = 60;
	return p;
}

static struct pronet_flow_table *new_table(uint32_t max_flows, uint64_t idle, uint64_t active,
                                           enum pronet_flow_full_policy when_full)
{
	struct pronet_flow_table_options options;
	struct pronet_flow_table *table = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_flow_table_options_default(&options);
	options.max_flows = max_flows;
	options.idle_timeout_us = idle;
	options.active_timeout_us = active;
	options.when_full = when_full;
	num_ended = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                      PRONET_OK);
	return table;
}

static struct pronet_flow *update(struct pronet_flow_table *table, struct pronet_packet p,
                                  enum pronet_direction *direction, int *created)
{
	struct pronet_flow *flow = NULL;
	CU_ASSERT_EQUAL(pronet_flow_table_update(table, &p, &flow, direction, created), PRONET_OK);
	return flow;
}

static void test_both_directions_one_flow(void)
{
	struct pronet_flow_table *table = new_table(16, 0, 0, PRONET_FLOW_FULL_EVICT_IDLEST);
	enum pronet_direction dir;
	int created;
	/* The client is the higher address: normalisation must not make it side 0's. */
	struct pronet_flow *first = update(table, udp_packet(9, 5000, 2, 53, 100), &dir, &created);
	CU_ASSERT_TRUE(created);
	CU_ASSERT_EQUAL(dir, PRONET_DIR_CLIENT_TO_SERVER);
	struct pronet_flow *reply = update(table, udp_packet(2, 53, 9, 5000, 200), &dir, &created);
	CU_ASSERT_FALSE(created);
	CU_ASSERT_PTR_EQUAL(first, reply);
	CU_ASSERT_EQUAL(dir, PRONET_DIR_SERVER_TO_CLIENT);
	update(table, udp_packet(9, 5000, 2, 53, 300), &dir, &created);
	CU_ASSERT_EQUAL(dir, PRONET_DIR_CLIENT_TO_SERVER);
	CU_ASSERT_EQUAL(first->packets[PRONET_DIR_CLIENT_TO_SERVER], 2);
	CU_ASSERT_EQUAL(first->packets[PRONET_DIR_SERVER_TO_CLIENT], 1);
	CU_ASSERT_EQUAL(first->key.addr[first->client_side][3], 9);
	CU_ASSERT_EQUAL(first->key.port[first->client_side], 5000);
	CU_ASSERT_EQUAL(first->first_us, 100);
	CU_ASSERT_EQUAL(first->last_us, 300);
	/* Same addresses, ports swapped between the ends: another flow. */
	update(table, udp_packet(9, 53, 2, 5000, 400), &dir, &created);
	CU_ASSERT_TRUE(created);
	/* Same ends, TCP: another flow. */
	struct pronet_packet tcp = udp_packet(9, 5000, 2, 53, 500);
	tcp.l4_protocol = IPPROTO_TCP;
	update(table, tcp, &dir, &created);
	CU_ASSERT_TRUE(created);
	struct pronet_flow_table_stats stats;
	pronet_flow_table_get_stats(table, &stats);
	CU_ASSERT_EQUAL(stats.flows_created, 3);
	CU_ASSERT_EQUAL(stats.flows_active, 3);
	pronet_flow_table_flush(table);
	CU_ASSERT_EQUAL(num_ended, 3);
	CU_ASSERT_EQUAL(ended[0].reason, PRONET_FLOW_END_FLUSH);
	CU_ASSERT_EQUAL(ended[0].flow.first_us, 100); /* flush goes in start order */
	CU_ASSERT_EQUAL(ended[2].flow.first_us, 500);
	pronet_flow_table_free(table);
}

static void test_vlan_separates_flows(void)
{
	struct pronet_flow_table *table = new_table(16, 0, 0, PRONET_FLOW_FULL_EVICT_IDLEST);
	enum pronet_direction dir;
	int created;
	struct pronet_packet p = udp_packet(1, 1000, 2, 2000, 10);
	struct pronet_flow *untagged = update(table, p, &dir, &created);
	p.vlan_id = 7;
	struct pronet_flow *tagged = update(table, p, &dir, &created);
	CU_ASSERT_TRUE(created);
	CU_ASSERT_PTR_NOT_EQUAL(untagged, tagged);
	CU_ASSERT_EQUAL(tagged->key.vlan_id, 7);
	struct pronet_packet reply = udp_packet(2, 2000, 1, 1000, 20);
	reply.vlan_id = 7;
	CU_ASSERT_PTR_EQUAL(update(table, reply, &dir, &created), tagged);
	CU_ASSERT_EQUAL(dir, PRONET_DIR_SERVER_TO_CLIENT);
	pronet_flow_table_free(table);
}

static void test_idle_and_active_expiry_in_deadline_order(void)
{
	/* idle 100 us, active 250 us. */
	struct pronet_flow_table *table = new_table(16, 100, 250, PRONET_FLOW_FULL_EVICT_IDLEST);
	enum pronet_direction dir;
	int created;
	update(table, udp_packet(1, 1, 2, 2, 0), &dir, &created);   /* A */
	update(table, udp_packet(3, 3, 4, 4, 10), &dir, &created);  /* B */
	update(table, udp_packet(1, 1, 2, 2, 90), &dir, &created);  /* A again */
	update(table, udp_packet(5, 5, 6, 6, 150), &dir, &created); /* C; B idle since 110 */
	CU_ASSERT_EQUAL_FATAL(num_ended, 1);
	CU_ASSERT_EQUAL(ended[0].flow.key.addr[0][3], 3);
	CU_ASSERT_EQUAL(ended[0].reason, PRONET_FLOW_END_IDLE);
	/* Keep A busy until its active deadline (250) passes; C idles at 250 too,
	 * A's active deadline and C's idle deadline tie: idle first, then A. */
	update(table, udp_packet(2, 2, 1, 1, 180), &dir, &created);
	update(table, udp_packet(1, 1, 2, 2, 240), &dir, &created);
	pronet_flow_table_expire(table, 251);
	CU_ASSERT_EQUAL_FATAL(num_ended, 3);
	CU_ASSERT_EQUAL(ended[1].flow.key.addr[0][3], 5);
	CU_ASSERT_EQUAL(ended[1].reason, PRONET_FLOW_END_IDLE);
	CU_ASSERT_EQUAL(ended[2].flow.key.addr[0][3], 1);
	CU_ASSERT_EQUAL(ended[2].reason, PRONET_FLOW_END_ACTIVE);
	CU_ASSERT_EQUAL(ended[2].flow.packets[PRONET_DIR_SERVER_TO_CLIENT], 1);
	/* Not before the deadline: a flow seen at 300 survives until 401. */
	update(table, udp_packet(7, 7, 8, 8, 300), &dir, &created);
	pronet_flow_table_expire(table, 400);
	CU_ASSERT_EQUAL(num_ended, 3);
	/* A packet from the past counts at the newest time seen: nothing breaks. */
	update(table, udp_packet(7, 7, 8, 8, 5), &dir, &created);
	pronet_flow_table_expire(table, 401);
	CU_ASSERT_EQUAL(num_ended, 4);
	struct pronet_flow_table_stats stats;
	pronet_flow_table_get_stats(table, &stats);
	CU_ASSERT_EQUAL(stats.ended_idle, 3);
	CU_ASSERT_EQUAL(stats.ended_active, 1);
	CU_ASSERT_EQUAL(stats.flows_active, 0);
	pronet_flow_table_free(table);
}

static void test_full_table_evicts_idlest(void)
{
	struct pronet_flow_table *table = new_table(3, 0, 0, PRONET_FLOW_FULL_EVICT_IDLEST);
	enum pronet_direction dir;
	int created;
	update(table, udp_packet(1, 1, 2, 2, 1), &dir, &created);
	update(table, udp_packet(3, 3, 4, 4, 2), &dir, &created);
	update(table, udp_packet(5, 5, 6, 6, 3), &dir, &created);
	update(table, udp_packet(2, 2, 1, 1, 4), &dir, &created); /* first flow now recent */
	update(table, udp_packet(7, 7, 8, 8, 5), &dir, &created);
	CU_ASSERT_TRUE(created);
	CU_ASSERT_EQUAL_FATAL(num_ended, 1);
	CU_ASSERT_EQUAL(ended[0].reason, PRONET_FLOW_END_EVICTED);
	CU_ASSERT_EQUAL(ended[0].flow.key.addr[0][3], 3);
	update(table, udp_packet(9, 9, 10, 10, 6), &dir, &created);
	CU_ASSERT_EQUAL_FATAL(num_ended, 2);
	CU_ASSERT_EQUAL(ended[1].flow.key.addr[0][3], 5);
	/* The evicted flow comes back as a new flow. */
	update(table, udp_packet(3, 3, 4, 4, 7), &dir, &created);
	CU_ASSERT_TRUE(created);
	struct pronet_flow_table_stats stats;
	pronet_flow_table_get_stats(table, &stats);
	CU_ASSERT_EQUAL(stats.evicted, 3);
	CU_ASSERT_EQUAL(stats.flows_active, 3);
	CU_ASSERT_EQUAL(stats.flows_created, 6);
	pronet_flow_table_free(table);
}

static void test_full_table_refuses_when_asked(void)
{
	struct pronet_flow_table *table = new_table(2, 0, 0, PRONET_FLOW_FULL_REFUSE);
	enum pronet_direction dir;
	int created;
	struct pronet_flow *flow;
	update(table, udp_packet(1, 1, 2, 2, 1), &dir, &created);
	update(table, udp_packet(3, 3, 4, 4, 2), &dir, &created);
	struct pronet_packet third = udp_packet(5, 5, 6, 6, 3);
	CU_ASSERT_EQUAL(pronet_flow_table_update(table, &third, &flow, &dir, &created),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NULL(flow);
	/* Existing flows still update. */
	CU_ASSERT_PTR_NOT_NULL(update(table, udp_packet(2, 2, 1, 1, 4), &dir, &created));
	struct pronet_flow_table_stats stats;
	pronet_flow_table_get_stats(table, &stats);
	CU_ASSERT_EQUAL(stats.refused_packets, 1);
	CU_ASSERT_EQUAL(stats.evicted, 0);
	CU_ASSERT_EQUAL(num_ended, 0);
	pronet_flow_table_free(table);
}

static void test_keeps_k_prefixes_per_direction(void)
{
	struct pronet_flow_table *table = new_table(4, 0, 0, PRONET_FLOW_FULL_EVICT_IDLEST);
	enum pronet_direction dir;
	int created;
	struct pronet_flow *flow = NULL;
	/* Payload byte 0 says which packet it is: 'c'lient or 's'erver, then
	 * its number; every payload is 20 bytes long, so 16 are kept. */
	uint8_t payload[20];
	memset(payload, 0xab, sizeof(payload));
	for (int i = 0; i < 12; i++) {
		/* c0 c1 s2 c3 c4 s5 c6 c7 s8 ... : 8 client, 4 server payload packets. */
		int from_server = i % 3 == 2;
		struct pronet_packet p =
		    from_server ? udp_packet(2, 53, 1, 9, 10 + i) : udp_packet(1, 9, 2, 53, 10 + i);
		payload[0] = from_server ? 's' : 'c';
		payload[1] = (uint8_t)i;
		p.payload = payload;
		p.payload_length = sizeof(payload);
		flow = update(table, p, &dir, &created);
		/* An empty packet in between (a TCP ACK, say) is no payload packet. */
		struct pronet_packet empty = udp_packet(1, 9, 2, 53, 10 + i);
		update(table, empty, &dir, &created);
	}
	CU_ASSERT_EQUAL_FATAL(flow->num_inputs, 8);
	CU_ASSERT_EQUAL(flow->inputs_per_direction[PRONET_DIR_CLIENT_TO_SERVER], 4);
	CU_ASSERT_EQUAL(flow->inputs_per_direction[PRONET_DIR_SERVER_TO_CLIENT], 4);
	CU_ASSERT_EQUAL(flow->builder.payload_packets, 12);
	int client = 0;
	for (uint32_t i = 0; i < flow->num_inputs; i++) {
		const struct pronet_packet_record *in = &flow->inputs[i];
		CU_ASSERT_EQUAL(in->length, 16);
		CU_ASSERT_EQUAL(in->payload_length, 20);
		CU_ASSERT_EQUAL(in->l4_protocol, IPPROTO_UDP);
		CU_ASSERT_EQUAL(in->bytes[1], in->payload_index);
		CU_ASSERT_EQUAL(in->bytes[0],
		                in->direction == PRONET_DIR_CLIENT_TO_SERVER ? 'c' : 's');
		CU_ASSERT_EQUAL(in->bytes[15], 0xab);
		client += in->direction == PRONET_DIR_CLIENT_TO_SERVER;
	}
	CU_ASSERT_EQUAL(client, 4);
	/* Client packets 0 1 3 4 were kept; server packets 2 5 8 11. */
	CU_ASSERT_EQUAL(flow->inputs[4].payload_index, 4);
	CU_ASSERT_EQUAL(flow->inputs[6].payload_index, 8);
	CU_ASSERT_EQUAL(flow->inputs[7].payload_index, 11);
	/* A short payload keeps its length and zeroes the rest. */
	struct pronet_packet p = udp_packet(5, 5, 6, 6, 100);
	p.payload = (const uint8_t *)"hi";
	p.payload_length = 2;
	flow = update(table, p, &dir, &created);
	CU_ASSERT_EQUAL(flow->inputs[0].length, 2);
	pronet_flow_table_free(table);
}

/* A table recording sizes and times only (window 0, every packet), as the
 * histogram models' datasets are labelled: K per direction up to 1024. */
static struct pronet_flow_table *new_size_table(uint32_t max_flows, uint32_t k,
                                                uint32_t max_records)
{
	struct pronet_flow_table_options options;
	struct pronet_flow_table *table = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_flow_table_options_default(&options);
	options.max_flows = max_flows;
	options.inputs_per_direction = k;
	options.window_bytes = 0;
	options.record_flags = PRONET_SPEC_ALL_PACKETS;
	options.max_records = max_records;
	num_ended = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                      PRONET_OK);
	return table;
}

/* Packet i of a long flow: three from the client, then one from the
 * server, each 100 + i % 200 bytes on the wire, 1 ms apart. */
static struct pronet_packet long_flow_packet(int i)
{
	int from_server = i % 4 == 3;
	struct pronet_packet p = from_server ? udp_packet(2, 53, 1, 9, 1000 * (uint64_t)i)
	                                     : udp_packet(1, 9, 2, 53, 1000 * (uint64_t)i);
	p.wire_length = (uint16_t)(100 + i % 200);
	return p;
}

static void test_sizes_only_records_first_1024(void)
{
	/* K 800: capacity min(1600, 1024). 1500 packets: the first 1024 are
	 * kept in arrival order (768 client, 256 server: neither direction
	 * reaches 800), the rest counted, nothing dropped. */
	struct pronet_flow_table *table = new_size_table(2, 800, 0);
	struct pronet_flow_table_stats stats;
	enum pronet_direction dir;
	int created;
	struct pronet_flow *flow = NULL;
	for (int i = 0; i < 1500; i++)
		flow = update(table, long_flow_packet(i), &dir, &created);
	CU_ASSERT_EQUAL_FATAL(flow->num_inputs, PRONET_FLOW_MAX_RECORDS);
	CU_ASSERT_EQUAL(flow->input_capacity, 1024);
	CU_ASSERT_EQUAL(flow->inputs_per_direction[PRONET_DIR_CLIENT_TO_SERVER], 768);
	CU_ASSERT_EQUAL(flow->inputs_per_direction[PRONET_DIR_SERVER_TO_CLIENT], 256);
	CU_ASSERT_EQUAL(flow->records_dropped, 0);
	CU_ASSERT_EQUAL(flow->packets[0] + flow->packets[1], 1500);
	int in_order = 1;
	for (uint32_t i = 0; i < flow->num_inputs; i++) {
		const struct pronet_packet_record *in = &flow->inputs[i];
		in_order &=
		    in->packet_index == i && in->length == 0 && in->wire_length == 100 + i % 200 &&
		    in->timestamp_us == 1000 * (uint64_t)i &&
		    in->direction ==
		        (i % 4 == 3 ? PRONET_DIR_SERVER_TO_CLIENT : PRONET_DIR_CLIENT_TO_SERVER);
	}
	CU_ASSERT(in_order);
	pronet_flow_table_get_stats(table, &stats);
	CU_ASSERT_EQUAL(stats.records_dropped, 0);
	/* A second flow in the other slot has its own region. */
	struct pronet_packet other = udp_packet(7, 7, 8, 8, 2000000);
	struct pronet_flow *second = update(table, other, &dir, &created);
	CU_ASSERT(created);
	CU_ASSERT_EQUAL(second->num_inputs, 1);
	CU_ASSERT(second->inputs >= flow->inputs + 1024 || second->inputs + 1024 <= flow->inputs);
	CU_ASSERT_EQUAL(flow->inputs[0].packet_index, 0);
	pronet_flow_table_flush(table);
	CU_ASSERT_EQUAL(num_ended, 2);
	CU_ASSERT_EQUAL(ended[0].flow.num_inputs, 1024);
	pronet_flow_table_free(table);

	/* K 5 per direction: 5 client and 5 server, the rest of each side
	 * counted but not kept (not dropped either). */
	table = new_size_table(1, 5, 0);
	for (int i = 0; i < 40; i++)
		flow = update(table, long_flow_packet(i), &dir, &created);
	CU_ASSERT_EQUAL(flow->num_inputs, 10);
	CU_ASSERT_EQUAL(flow->inputs_per_direction[PRONET_DIR_SERVER_TO_CLIENT], 5);
	CU_ASSERT_EQUAL(flow->inputs[9].packet_index, 19); /* the 5th server packet */
	CU_ASSERT_EQUAL(flow->records_dropped, 0);
	pronet_flow_table_free(table);

	/* A budget of 300 records (all flows together) drops the rest and
	 * counts them; a flow that ends gives its records back. */
	table = new_size_table(2, 1024, 300);
	for (int i = 0; i < 400; i++)
		flow = update(table, long_flow_packet(i), &dir, &created);
	CU_ASSERT_EQUAL(flow->num_inputs, 300);
	CU_ASSERT_EQUAL(flow->records_dropped, 100);
	pronet_flow_table_flush(table);
	for (int i = 0; i < 400; i++)
		flow = update(table, long_flow_packet(i), &dir, &created);
	CU_ASSERT_EQUAL(flow->num_inputs, 300);
	pronet_flow_table_free(table);
}

static void test_bad_options_are_refused(void)
{
	struct pronet_flow_table_options options;
	struct pronet_flow_table *table = (struct pronet_flow_table *)&options;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_flow_table_options_default(&options);
	options.max_flows = 0;
	CU_ASSERT_EQUAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(table);
	pronet_flow_table_options_default(&options);
	options.inputs_per_direction = PRONET_FLOW_MAX_INPUTS_PER_DIRECTION + 1;
	CU_ASSERT_EQUAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "per direction"));
	/* Records without bytes: up to 1024 per direction, not 1025. */
	options.window_bytes = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                      PRONET_OK);
	pronet_flow_table_free(table);
	options.inputs_per_direction = PRONET_FLOW_MAX_RECORDS + 1;
	CU_ASSERT_EQUAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "1..1024"));
	/* 2^26 flows of 1024 records would reserve 2.5 TiB: refused, named. */
	options.inputs_per_direction = PRONET_FLOW_MAX_RECORDS;
	options.max_flows = 1u << 26;
	CU_ASSERT_EQUAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "MiB of records"));
	CU_ASSERT_PTR_NULL(table);
	pronet_flow_table_free(NULL);
}

/* A collision flood: 512 flows crafted so that unkeyed FNV-1a puts them all
 * in one of the table's 1024 buckets (as an attacker can under classify -i).
 * Under the keyed hash they spread like any flows: 512 into 1024 buckets
 * gives chains of a few; the old hash walked a chain of 511 for the last
 * one, and about 256 keys per lookup overall. Both seeds must spread them,
 * and both directions of a flow must still find it. */
#define FLOOD_FLOWS 512
static void test_collision_flood_spreads(void)
{
	static struct pronet_packet flood[FLOOD_FLOWS];
	const uint64_t seeds[][2] = {{1, 2}, {0x9e3779b97f4a7c15ull, 0xd1b54a32d192ed03ull}};
	size_t n = pronet_test_fnv_colliding_packets(10, 1000, flood, FLOOD_FLOWS);
	CU_ASSERT_EQUAL_FATAL(n, FLOOD_FLOWS);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(pronet_test_fnv_bucket(&flood[i], 10), 0);
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		struct pronet_flow_table_options options;
		struct pronet_flow_table *table = NULL;
		struct pronet_flow_table_stats stats;
		char errbuf[PRONET_ERRBUF_SIZE];
		enum pronet_direction dir;
		int created, all_created = 1;
		pronet_flow_table_options_default(&options);
		options.max_flows = 1024; /* 1024 buckets: the crafted 10-bit mask */
		options.hash_key[0] = seeds[s][0];
		options.hash_key[1] = seeds[s][1];
		num_ended = 0;
		CU_ASSERT_EQUAL_FATAL(pronet_flow_table_new(&options, on_end, NULL, &table, errbuf),
		                      PRONET_OK);
		for (size_t i = 0; i < n; i++) {
			update(table, flood[i], &dir, &created);
			all_created &= created;
		}
		CU_ASSERT(all_created);
		pronet_flow_table_get_stats(table, &stats);
		CU_ASSERT_EQUAL(stats.flows_created, FLOOD_FLOWS);
		CU_ASSERT_EQUAL(stats.lookups, FLOOD_FLOWS);
		CU_ASSERT(stats.longest_chain <= 8);
		CU_ASSERT(stats.probes <= 2 * FLOOD_FLOWS);
		/* The reply of each flow finds it (normalisation kept). */
		for (size_t i = 0; i < n; i++) {
			struct pronet_packet reply = flood[i];
			memcpy(reply.src_addr, flood[i].dst_addr, sizeof(reply.src_addr));
			memcpy(reply.dst_addr, flood[i].src_addr, sizeof(reply.dst_addr));
			reply.src_port = flood[i].dst_port;
			reply.dst_port = flood[i].src_port;
			update(table, reply, &dir, &created);
			CU_ASSERT_FALSE(created);
			CU_ASSERT_EQUAL(dir, PRONET_DIR_SERVER_TO_CLIENT);
		}
		pronet_flow_table_get_stats(table, &stats);
		CU_ASSERT_EQUAL(stats.flows_created, FLOOD_FLOWS);
		CU_ASSERT(stats.longest_chain <= 8);
		pronet_flow_table_free(table);
	}
}

/* What a flow ended with, recorded apart from the table's memory: the
 * fields a caller reads, and its records' bytes and indices. */
struct flow_summary {
	struct pronet_flow_key key;
	enum pronet_flow_end_reason reason;
	uint8_t client_side;
	uint64_t first_us, last_us, packets[2], bytes[2];
	uint32_t num_inputs, inputs_per_direction[2];
	uint8_t record_bytes[8][16];
	uint16_t payload_index[8];
};

#define MAX_LOGGED 1024

struct end_log {
	struct flow_summary flows[MAX_LOGGED];
	int count;
};

static void log_end(void *user, struct pronet_flow *flow, enum pronet_flow_end_reason reason)
{
	struct end_log *log = user;
	if (log->count >= MAX_LOGGED) {
		log->count++;
		return;
	}
	struct flow_summary *out = &log->flows[log->count++];
	memset(out, 0, sizeof(*out));
	out->key = flow->key;
	out->reason = reason;
	out->client_side = flow->client_side;
	out->first_us = flow->first_us;
	out->last_us = flow->last_us;
	memcpy(out->packets, flow->packets, sizeof(out->packets));
	memcpy(out->bytes, flow->bytes, sizeof(out->bytes));
	out->num_inputs = flow->num_inputs;
	memcpy(out->inputs_per_direction, flow->inputs_per_direction,
	       sizeof(out->inputs_per_direction));
	for (uint32_t i = 0; i < flow->num_inputs && i < 8; i++) {
		memcpy(out->record_bytes[i], flow->inputs[i].bytes, flow->inputs[i].length);
		out->payload_index[i] = flow->inputs[i].payload_index;
	}
}

/* The hashed update is the update: the same packets through a table that
 * hashes each key itself and one given the key's hash (computed as a
 * sharding reader computes it) end the same flows, in the same order, for
 * the same reasons, with the same counts and records, and both tables
 * count the same. The packets are 12 flows' worth of both directions with
 * payloads, in a table of 8 slots with idle and active timeouts, so that
 * flows are created, found, idled, aged and evicted (about 200 flows end). */
static void test_hashed_update_is_the_update(void)
{
	const uint64_t seed[2] = {0x0123456789abcdefull, 0xfedcba9876543210ull};
	struct pronet_flow_table_options options;
	struct pronet_flow_table *plain = NULL, *hashed = NULL;
	static struct end_log plain_log, hashed_log;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_flow_table_options_default(&options);
	options.max_flows = 8;
	options.idle_timeout_us = 400;
	options.active_timeout_us = 1000;
	options.hash_key[0] = seed[0];
	options.hash_key[1] = seed[1];
	memset(&plain_log, 0, sizeof(plain_log));
	memset(&hashed_log, 0, sizeof(hashed_log));
	CU_ASSERT_EQUAL_FATAL(pronet_flow_table_new(&options, log_end, &plain_log, &plain, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_flow_table_new(&options, log_end, &hashed_log, &hashed, errbuf), PRONET_OK);
	uint8_t payload[24];
	uint32_t state = 1; /* a fixed LCG: the same packets every run */
	int same = 1, created_any = 0;
	for (int i = 0; i < 600; i++) {
		state = state * 1103515245u + 12345u;
		uint8_t flow_number = (uint8_t)((state >> 16) % 12);
		int reply = (state >> 8) & 1;
		uint64_t t = 20 * (uint64_t)i + ((state >> 4) & 7); /* may step back a little */
		struct pronet_packet p = reply ? udp_packet((uint8_t)(100 + flow_number), 53, 1,
		                                            (uint16_t)(4000 + flow_number), t)
		                               : udp_packet(1, (uint16_t)(4000 + flow_number),
		                                            (uint8_t)(100 + flow_number), 53, t);
		memset(payload, (int)(state >> 24), sizeof(payload));
		payload[0] = (uint8_t)i;
		p.payload = payload;
		p.payload_length = (state >> 12) % 3 == 0 ? 0 : sizeof(payload);
		if (p.payload_length == 0)
			p.payload = NULL;

		struct pronet_flow_key key;
		uint8_t side;
		pronet_flow_key_make(&p, &key, &side);
		uint32_t hash = pronet_flow_key_hash(seed, &key);
		struct pronet_flow *a = NULL, *b = NULL;
		enum pronet_direction dir_a, dir_b;
		int created_a, created_b;
		CU_ASSERT_EQUAL(pronet_flow_table_update(plain, &p, &a, &dir_a, &created_a),
		                PRONET_OK);
		CU_ASSERT_EQUAL(
		    pronet_flow_table_update_hashed(hashed, &p, hash, &b, &dir_b, &created_b),
		    PRONET_OK);
		same &= a != NULL && b != NULL && dir_a == dir_b && created_a == created_b &&
		        a->packets[0] == b->packets[0] && a->packets[1] == b->packets[1];
		created_any += created_b;
	}
	CU_ASSERT(same);
	pronet_flow_table_flush(plain);
	pronet_flow_table_flush(hashed);
	struct pronet_flow_table_stats plain_stats, hashed_stats;
	pronet_flow_table_get_stats(plain, &plain_stats);
	pronet_flow_table_get_stats(hashed, &hashed_stats);
	CU_ASSERT_EQUAL(memcmp(&plain_stats, &hashed_stats, sizeof(plain_stats)), 0);
	/* The run exercised what it says it does. */
	CU_ASSERT(hashed_stats.ended_idle > 0);
	CU_ASSERT(hashed_stats.ended_active > 0);
	CU_ASSERT(hashed_stats.evicted > 0);
	CU_ASSERT(hashed_stats.flows_created == (uint64_t)created_any);
	CU_ASSERT_EQUAL_FATAL(plain_log.count, hashed_log.count);
	CU_ASSERT_FATAL(hashed_log.count <= MAX_LOGGED);
	CU_ASSERT(hashed_log.count > 12);
	CU_ASSERT_EQUAL(memcmp(plain_log.flows, hashed_log.flows,
	                       (size_t)hashed_log.count * sizeof(hashed_log.flows[0])),
	                0);
	pronet_flow_table_free(plain);
	pronet_flow_table_free(hashed);

	/* The given hash is the one used: a reply given another bucket's hash
	 * (as from a reader under another hash key) is not found, and makes a
	 * second flow, which is why the shards refuse tables of other keys. */
	hashed = new_table(16, 0, 0, PRONET_FLOW_FULL_EVICT_IDLEST);
	struct pronet_packet p = udp_packet(1, 1000, 2, 53, 10);
	struct pronet_packet reply = udp_packet(2, 53, 1, 1000, 20);
	struct pronet_flow *flow;
	enum pronet_direction dir;
	int created;
	CU_ASSERT_EQUAL(pronet_flow_table_update_hashed(hashed, &p, 5, &flow, &dir, &created),
	                PRONET_OK);
	CU_ASSERT_TRUE(created);
	CU_ASSERT_EQUAL(pronet_flow_table_update_hashed(hashed, &reply, 5, &flow, &dir, &created),
	                PRONET_OK);
	CU_ASSERT_FALSE(created);
	CU_ASSERT_EQUAL(pronet_flow_table_update_hashed(hashed, &reply, 6, &flow, &dir, &created),
	                PRONET_OK);
	CU_ASSERT_TRUE(created);
	pronet_flow_table_free(hashed);
}

/* The hash's values are pinned: its words are read as SipHash reads them
 * (little-endian, whatever the load), so a faster load may not change one
 * bit. A key of bytes 0..39 under the key words of bytes 0..15, and a zero
 * key under 0, 0; the values are those of the byte-by-byte reading. */
static void test_key_hash_known_answers(void)
{
	struct pronet_flow_key key;
	uint8_t *bytes = (uint8_t *)&key;
	const uint64_t counting[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
	const uint64_t zero[2] = {0, 0};
	for (size_t i = 0; i < sizeof(key); i++)
		bytes[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(pronet_flow_key_hash(counting, &key), 0x99e41531u);
	memset(&key, 0, sizeof(key));
	CU_ASSERT_EQUAL(pronet_flow_key_hash(zero, &key), 0xcf29c4b2u);
}

static CU_TestInfo tests[] = {
    {"both directions hit one flow; client remembered", test_both_directions_one_flow},
    {"VLAN separates flows", test_vlan_separates_flows},
    {"idle and active expiry in deadline order", test_idle_and_active_expiry_in_deadline_order},
    {"a full table evicts the idlest flow and counts", test_full_table_evicts_idlest},
    {"a full table refuses when asked and counts", test_full_table_refuses_when_asked},
    {"first K payload prefixes per direction", test_keeps_k_prefixes_per_direction},
    {"sizes only: a flow's first 1024 packets", test_sizes_only_records_first_1024},
    {"bad options are refused", test_bad_options_are_refused},
    {"flows colliding under unkeyed FNV-1a spread", test_collision_flood_spreads},
    {"the hashed update is the update", test_hashed_update_is_the_update},
    {"the key hash's known answers", test_key_hash_known_answers},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/flow_table", tests);
}
