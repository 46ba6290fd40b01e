/* Tests of plugin/flow_state.c: per-direction limits, bounds, reuse of a
 * flow's memory, verdicts, and many threads at once. */
#include "plugin/flow_state.h"
#include "tests/unit.h"

#include <pthread.h>
#include <string.h>

/* Payload bytes: byte i is i, so a one-byte payload names itself. */
static const uint8_t byte_values[256] = {
#define ROW(r) r, r + 1, r + 2, r + 3, r + 4, r + 5, r + 6, r + 7
    ROW(0),   ROW(8),   ROW(16),  ROW(24),  ROW(32),  ROW(40),  ROW(48),  ROW(56),
    ROW(64),  ROW(72),  ROW(80),  ROW(88),  ROW(96),  ROW(104), ROW(112), ROW(120),
    ROW(128), ROW(136), ROW(144), ROW(152), ROW(160), ROW(168), ROW(176), ROW(184),
    ROW(192), ROW(200), ROW(208), ROW(216), ROW(224), ROW(232), ROW(240), ROW(248),
#undef ROW
};

/* A one-byte UDP/IPv4 packet 10.0.0.1:1000 -> 10.0.0.2:2000 (direction 0)
 * or back (direction 1) whose payload is `first_byte`. */
static struct pronet_packet packet_of(uint8_t first_byte, uint8_t direction)
{
	static const uint8_t client[4] = {10, 0, 0, 1}, server[4] = {10, 0, 0, 2};
	struct pronet_packet packet;

	memset(&packet, 0, sizeof(packet));
	packet.ip_version = 4;
	packet.l4_protocol = 17;
	memcpy(packet.src_addr, direction ? server : client, 4);
	memcpy(packet.dst_addr, direction ? client : server, 4);
	packet.src_port = direction ? 2000 : 1000;
	packet.dst_port = direction ? 1000 : 2000;
	packet.payload = &byte_values[first_byte];
	packet.payload_length = 1;
	return packet;
}

#define HOOK PRONET_RECORD_FROM_HOOK
#define DISSECTOR PRONET_RECORD_FROM_DISSECTOR

static void test_rejects_bad_capacity(void)
{
	struct pronet_flow_store *store = (struct pronet_flow_store *)&store;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL(pronet_flow_store_new(0, NULL, &store, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(store);
	CU_ASSERT_EQUAL(
	    pronet_flow_store_new((size_t)PRONET_FLOW_STORE_MAX_CAPACITY + 1, NULL, &store, errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "capacity"));
	pronet_flow_store_free(NULL);
}

static void test_records_per_direction_limit(void)
{
	struct pronet_flow_store *store;
	struct pronet_flow_record record;
	struct pronet_packet c2s = packet_of(0x11, 0), s2c = packet_of(0x22, 1);
	char errbuf[PRONET_ERRBUF_SIZE];
	int key;

	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(64, NULL, &store, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 1, DISSECTOR, &c2s, 2),
	                PRONET_RECORD_STORED);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 2, DISSECTOR, &c2s, 2),
	                PRONET_RECORD_STORED);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 3, DISSECTOR, &c2s, 2),
	                PRONET_RECORD_DIRECTION_FULL);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 4, DISSECTOR, &s2c, 2),
	                PRONET_RECORD_STORED);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 5, DISSECTOR, &s2c, 2),
	                PRONET_RECORD_ALL_FULL);
	CU_ASSERT(pronet_flow_store_snapshot(store, &key, &record));
	CU_ASSERT_EQUAL_FATAL(record.num_inputs, 4);
	/* In arrival order, each with its index among the flow's payload packets. */
	CU_ASSERT_EQUAL(record.inputs[0].bytes[0], 0x11);
	CU_ASSERT_EQUAL(record.inputs[0].payload_index, 0);
	CU_ASSERT_EQUAL(record.inputs[1].payload_index, 1);
	CU_ASSERT_EQUAL(record.inputs[2].bytes[0], 0x22);
	CU_ASSERT_EQUAL(record.inputs[2].payload_index, 3);
	CU_ASSERT_EQUAL(record.inputs[3].payload_index, 4);
	pronet_flow_store_free(store);
}

static void test_hooked_flow_ignores_the_dissector(void)
{
	struct pronet_flow_store *store;
	struct pronet_flow_record record;
	struct pronet_flow_endpoints ends;
	/* A server-first flow: the hook sees the server's greeting first. */
	struct pronet_packet greeting = packet_of(0x33, 1), reply = packet_of(0x44, 0);
	char errbuf[PRONET_ERRBUF_SIZE];
	int key, late;

	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(64, NULL, &store, errbuf), PRONET_OK);
	CU_ASSERT_FALSE(pronet_flow_store_endpoints(store, &key, &ends));
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 0, HOOK, &greeting, 2),
	                PRONET_RECORD_STORED);
	/* The same packet again from the dissector, inside nDPI's call. */
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 1, DISSECTOR, &greeting, 2),
	                PRONET_RECORD_HOOKED);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 1, HOOK, &reply, 2),
	                PRONET_RECORD_STORED);
	CU_ASSERT(pronet_flow_store_snapshot(store, &key, &record));
	CU_ASSERT_EQUAL_FATAL(record.num_inputs, 2);
	/* The greeting's sender started the flow: it is the client. */
	CU_ASSERT_EQUAL(record.inputs[0].bytes[0], 0x33);
	CU_ASSERT_EQUAL(record.inputs[0].direction, PRONET_DIR_CLIENT_TO_SERVER);
	CU_ASSERT_EQUAL(record.inputs[1].direction, PRONET_DIR_SERVER_TO_CLIENT);
	CU_ASSERT_EQUAL(record.inputs[1].payload_index, 1);
	CU_ASSERT_FATAL(pronet_flow_store_endpoints(store, &key, &ends));
	CU_ASSERT_EQUAL(ends.ip_version, 4);
	CU_ASSERT_EQUAL(ends.l4_protocol, 17);
	CU_ASSERT_EQUAL(ends.addr[PRONET_DIR_CLIENT_TO_SERVER][3], 2);
	CU_ASSERT_EQUAL(ends.port[PRONET_DIR_CLIENT_TO_SERVER], 2000);
	CU_ASSERT_EQUAL(ends.addr[PRONET_DIR_SERVER_TO_CLIENT][3], 1);
	CU_ASSERT_EQUAL(ends.port[PRONET_DIR_SERVER_TO_CLIENT], 1000);
	/* The hook never starts a flow after its first packet: its initiator
	 * would be a guess. Nothing is kept, nothing counted as a miss. */
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &late, 3, HOOK, &reply, 2),
	                PRONET_RECORD_LATE);
	CU_ASSERT_FALSE(pronet_flow_store_snapshot(store, &late, &record));
	CU_ASSERT_EQUAL(pronet_flow_store_misses(store), 0);
	/* Nor joins a flow the dissector started. */
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &late, 3, DISSECTOR, &reply, 2),
	                PRONET_RECORD_STORED);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &late, 4, HOOK, &reply, 2),
	                PRONET_RECORD_LATE);
	pronet_flow_store_free(store);
}

/* Exactly `capacity` flows fit, whatever lock stripe their keys hash to, and
 * every flow turned away is counted. */
static void test_pool_holds_exactly_its_capacity(void)
{
	static const size_t capacities[] = {1, 100, 128};
	struct pronet_packet input = packet_of(1, 0);
	char errbuf[PRONET_ERRBUF_SIZE];
	static char keys[4096][64]; /* flow-sized strides, as real flows are */

	for (size_t c = 0; c < sizeof(capacities) / sizeof(capacities[0]); c++) {
		struct pronet_flow_store *store;
		size_t stored = 0;

		CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(capacities[c], NULL, &store, errbuf),
		                      PRONET_OK);
		CU_ASSERT_EQUAL(pronet_flow_store_capacity(store), capacities[c]);
		for (size_t i = 0; i < 4096; i++)
			if (pronet_flow_store_record(store, keys[i], 1, DISSECTOR, &input, 1) !=
			    PRONET_RECORD_NO_SPACE)
				stored++;
		CU_ASSERT_EQUAL(stored, capacities[c]);
		CU_ASSERT_EQUAL(pronet_flow_store_in_use(store), stored);
		CU_ASSERT_EQUAL(pronet_flow_store_misses(store), 4096 - capacities[c]);
		for (size_t i = 0; i < 4096; i++)
			pronet_flow_store_forget(store, keys[i]);
		CU_ASSERT_EQUAL(pronet_flow_store_in_use(store), 0);
		/* Space comes back; a flow that is stored is no miss. */
		CU_ASSERT_EQUAL(pronet_flow_store_record(store, keys[0], 1, DISSECTOR, &input, 1),
		                PRONET_RECORD_STORED);
		CU_ASSERT_EQUAL(pronet_flow_store_misses(store), 4096 - capacities[c]);
		pronet_flow_store_free(store);
	}
}

static void test_reused_memory_starts_a_new_flow(void)
{
	struct pronet_flow_store *store;
	struct pronet_flow_record record;
	struct pronet_flow_verdict verdict = {.decided = 1, .abstained = 1};
	struct pronet_packet input = packet_of(7, 0);
	char errbuf[PRONET_ERRBUF_SIZE];
	int key;

	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(64, NULL, &store, errbuf), PRONET_OK);
	pronet_flow_store_record(store, &key, 9, DISSECTOR, &input, 1);
	pronet_flow_store_set_verdict(store, &key, &verdict);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 10, DISSECTOR, &input, 1),
	                PRONET_RECORD_DECIDED);
	/* Generation went back: the host freed the flow without telling us. */
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key, 1, DISSECTOR, &input, 2),
	                PRONET_RECORD_STORED);
	CU_ASSERT(pronet_flow_store_get_verdict(store, &key, &verdict));
	CU_ASSERT_FALSE(verdict.decided);
	CU_ASSERT(pronet_flow_store_snapshot(store, &key, &record));
	CU_ASSERT_EQUAL(record.num_inputs, 1);
	pronet_flow_store_free(store);
}

static void test_verdict_without_packets(void)
{
	struct pronet_flow_store *store;
	struct pronet_flow_verdict in = {.decided = 1, .ndpi_protocol = 300, .packets_used = 2};
	struct pronet_flow_verdict out;
	struct pronet_flow_record record;
	char errbuf[PRONET_ERRBUF_SIZE];
	int key, other;

	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(64, NULL, &store, errbuf), PRONET_OK);
	CU_ASSERT_FALSE(pronet_flow_store_get_verdict(store, &key, &out));
	CU_ASSERT_FALSE(pronet_flow_store_snapshot(store, &key, &record));
	CU_ASSERT_EQUAL(record.num_inputs, 0);
	pronet_flow_store_set_verdict(store, &key, &in);
	CU_ASSERT(pronet_flow_store_get_verdict(store, &key, &out));
	CU_ASSERT_EQUAL(out.ndpi_protocol, 300);
	CU_ASSERT_EQUAL(out.packets_used, 2);
	CU_ASSERT_FALSE(pronet_flow_store_get_verdict(store, &other, &out));
	pronet_flow_store_forget(store, &key);
	pronet_flow_store_forget(store, &key); /* idempotent */
	CU_ASSERT_FALSE(pronet_flow_store_get_verdict(store, &key, &out));
	pronet_flow_store_free(store);
}

#define THREADS 4
#define KEYS_PER_THREAD 500

struct worker {
	struct pronet_flow_store *store;
	char keys[KEYS_PER_THREAD];
	int failures;
};

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct pronet_packet input = packet_of(3, 0);
	struct pronet_flow_record record;

	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < KEYS_PER_THREAD; i++)
			if (pronet_flow_store_record(w->store, &w->keys[i], 1, DISSECTOR, &input,
			                             1) == PRONET_RECORD_NO_SPACE)
				w->failures++;
		for (int i = 0; i < KEYS_PER_THREAD; i++) {
			if (!pronet_flow_store_snapshot(w->store, &w->keys[i], &record) ||
			    record.num_inputs != 1)
				w->failures++;
			pronet_flow_store_forget(w->store, &w->keys[i]);
		}
	}
	return NULL;
}

static void test_threads_share_the_store(void)
{
	static struct worker workers[THREADS];
	pthread_t threads[THREADS];
	struct pronet_flow_store *store;
	char errbuf[PRONET_ERRBUF_SIZE];

	/* Room for every key even if the hash puts many in one stripe. */
	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(65536, NULL, &store, errbuf), PRONET_OK);
	for (int t = 0; t < THREADS; t++) {
		workers[t].store = store;
		workers[t].failures = 0;
		pthread_create(&threads[t], NULL, run_worker, &workers[t]);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(threads[t], NULL);
		CU_ASSERT_EQUAL(workers[t].failures, 0);
	}
	CU_ASSERT_EQUAL(pronet_flow_store_in_use(store), 0);
	pronet_flow_store_free(store);
}

/* A store records what its spec asks: 64 bytes of each packet's payload
 * here, each flow's in its own slots; a window of 0 with every packet
 * keeps payload-less packets as records without bytes. */
static void test_records_what_the_spec_asks(void)
{
	struct pronet_flow_store *store;
	static struct pronet_flow_record record; /* large: off the stack */
	struct pronet_input_spec spec, got;
	struct pronet_packet a = packet_of(0, 0), b = packet_of(100, 0), bare = packet_of(0, 1);
	char errbuf[PRONET_ERRBUF_SIZE];
	int key_a, key_b;

	pronet_input_spec_default(&spec);
	spec.window_bytes = 64;
	a.payload_length = b.payload_length = 100;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(4, &spec, &store, errbuf), PRONET_OK);
	pronet_flow_store_spec(store, &got);
	CU_ASSERT_EQUAL(got.window_bytes, 64);
	CU_ASSERT_EQUAL(pronet_flow_store_bytes_per_flow(store), 64 * PRONET_PLUGIN_MAX_INPUTS);
	for (uint32_t i = 0; i < 3; i++) { /* generation 0: the hook starts flows */
		CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key_a, i, HOOK, &a, 4),
		                PRONET_RECORD_STORED);
		CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key_b, i, HOOK, &b, 4),
		                PRONET_RECORD_STORED);
	}
	CU_ASSERT_FATAL(pronet_flow_store_snapshot(store, &key_a, &record));
	CU_ASSERT_EQUAL_FATAL(record.num_inputs, 3);
	for (uint32_t k = 0; k < 3; k++) {
		CU_ASSERT_EQUAL(record.inputs[k].length, 64);
		CU_ASSERT_EQUAL(record.inputs[k].payload_length, 100);
		CU_ASSERT_EQUAL(memcmp(record.inputs[k].bytes, &byte_values[0], 64), 0);
	}
	CU_ASSERT_FATAL(pronet_flow_store_snapshot(store, &key_b, &record));
	CU_ASSERT_EQUAL_FATAL(record.num_inputs, 3);
	CU_ASSERT_EQUAL(memcmp(record.inputs[2].bytes, &byte_values[100], 64), 0);
	pronet_flow_store_free(store);

	spec.window_bytes = 0;
	spec.flags = PRONET_SPEC_ALL_PACKETS;
	bare.payload_length = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(4, &spec, &store, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key_a, 0, HOOK, &a, 4),
	                PRONET_RECORD_STORED);
	CU_ASSERT_EQUAL(pronet_flow_store_record(store, &key_a, 1, HOOK, &bare, 4),
	                PRONET_RECORD_STORED);
	CU_ASSERT_FATAL(pronet_flow_store_snapshot(store, &key_a, &record));
	CU_ASSERT_EQUAL_FATAL(record.num_inputs, 2);
	CU_ASSERT_EQUAL(record.inputs[0].length, 0);
	CU_ASSERT_EQUAL(record.inputs[1].payload_index, PRONET_PAYLOAD_INDEX_NONE);
	pronet_flow_store_free(store);

	spec.window_bytes = PRONET_RECORD_MAX_BYTES + 1;
	CU_ASSERT_EQUAL(pronet_flow_store_new(4, &spec, &store, errbuf), PRONET_ERR_ARG);
}

/* Without bytes a flow keeps up to 1024 records (a histogram model's
 * windows): 1500 packets, three from the client then one from the server,
 * with K 1024 give the first 1024 in order and then ALL_FULL; a byte model's
 * store stays at 4 per direction whatever K the caller asks. */
static void test_records_without_bytes_go_to_1024(void)
{
	struct pronet_flow_store *store;
	static struct pronet_flow_record record; /* large: off the stack */
	struct pronet_input_spec spec;
	char errbuf[PRONET_ERRBUF_SIZE];
	int key, in_order = 1;
	enum pronet_record_status status = PRONET_RECORD_STORED;

	pronet_input_spec_default(&spec);
	spec.window_bytes = 0;
	spec.flags = PRONET_SPEC_ALL_PACKETS;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(2, &spec, &store, errbuf), PRONET_OK);
	for (uint32_t i = 0; i < 1500; i++) {
		struct pronet_packet p = packet_of((uint8_t)i, i % 4 == 3);

		p.wire_length = (uint16_t)(100 + i % 200);
		status = pronet_flow_store_record(store, &key, i, HOOK, &p, 1024);
		if (i == 1022)
			CU_ASSERT_EQUAL(status, PRONET_RECORD_STORED);
		if (i == 1023)
			CU_ASSERT_EQUAL(status, PRONET_RECORD_ALL_FULL);
	}
	CU_ASSERT_EQUAL(status, PRONET_RECORD_ALL_FULL);
	CU_ASSERT_FATAL(pronet_flow_store_snapshot(store, &key, &record));
	CU_ASSERT_EQUAL_FATAL(record.num_inputs, PRONET_PLUGIN_MAX_RECORDS);
	for (uint32_t k = 0; k < record.num_inputs; k++)
		in_order &= record.inputs[k].packet_index == k && record.inputs[k].length == 0 &&
		            record.inputs[k].wire_length == 100 + k % 200 &&
		            record.inputs[k].direction == (k % 4 == 3);
	CU_ASSERT(in_order);
	pronet_flow_store_free(store);

	/* A byte model's store: K 1024 is cut to 4 per direction. */
	spec.window_bytes = 16;
	CU_ASSERT_EQUAL_FATAL(pronet_flow_store_new(2, &spec, &store, errbuf), PRONET_OK);
	for (uint32_t i = 0; i < 40; i++) {
		struct pronet_packet p = packet_of((uint8_t)i, i % 4 == 3);

		pronet_flow_store_record(store, &key, i, HOOK, &p, 1024);
	}
	CU_ASSERT_FATAL(pronet_flow_store_snapshot(store, &key, &record));
	CU_ASSERT_EQUAL(record.num_inputs, 2 * PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION);
	CU_ASSERT_EQUAL(record.inputs[7].bytes[0], 15); /* the 4th server packet */
	pronet_flow_store_free(store);
}

static CU_TestInfo tests[] = {
    {"capacity 0 or above the maximum is refused", test_rejects_bad_capacity},
    {"packets are kept up to the per-direction limit", test_records_per_direction_limit},
    {"a hooked flow ignores the dissector; endpoints", test_hooked_flow_ignores_the_dissector},
    {"the pool holds exactly its capacity, counts misses", test_pool_holds_exactly_its_capacity},
    {"reused flow memory starts a new flow", test_reused_memory_starts_a_new_flow},
    {"verdicts are kept, found and forgotten", test_verdict_without_packets},
    {"threads record and forget at once", test_threads_share_the_store},
    {"a store records what its spec asks", test_records_what_the_spec_asks},
    {"records without bytes go to 1024 a flow", test_records_without_bytes_go_to_1024},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("plugin/flow_state", tests);
}
