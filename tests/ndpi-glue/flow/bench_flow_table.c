/* The flow table under a collision flood, timed (run by `make bench`):
 *
 *   bench_flow_table [FLOWS]   (default 20000)
 *
 * FLOWS flows crafted to share one bucket of a 65,536-bucket table under the
 * old unkeyed FNV-1a (tests/ndpi-glue/flow/fnv_collisions.h), and FLOWS ordinary
 * flows (sources counting up, as tests/tools/make_flood writes them), each
 * sent two packets (one creates the flow, one finds it) through
 * pronet_flow_table_update with a key drawn from the OS. Prints CPU time per
 * packet and the table's probes per lookup and longest chain for each. With
 * the keyed hash the two rows match; under FNV-1a the flood's cost grew with
 * FLOWS (a chain walk per packet). Numbers only; no pass/fail here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "ndpi-glue/flow/flow_table.h"
#include "tests/ndpi-glue/flow/fnv_collisions.h"

#define TABLE_FLOWS 65536 /* the CLI's default --max-flows: 2^16 buckets */
#define TABLE_BITS 16

static void on_end(void *user, struct pronet_flow *flow, enum pronet_flow_end_reason reason)
{
	(void)user, (void)flow, (void)reason;
}

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs every packet twice through a fresh table; prints one row. */
static int run(const char *name, const struct pronet_packet *packets, size_t count,
               const uint64_t key[2])
{
	struct pronet_flow_table_options options;
	struct pronet_flow_table *table;
	struct pronet_flow_table_stats stats;
	char errbuf[PRONET_ERRBUF_SIZE];
	pronet_flow_table_options_default(&options);
	options.max_flows = TABLE_FLOWS;
	options.hash_key[0] = key[0];
	options.hash_key[1] = key[1];
	if (pronet_flow_table_new(&options, on_end, NULL, &table, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_flow_table: %s\n", errbuf);
		return 0;
	}
	double start = cpu_now();
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < count; i++) {
			struct pronet_flow *flow;
			enum pronet_direction direction;
			int created;
			struct pronet_packet p = packets[i];
			p.timestamp_us += (uint64_t)pass;
			if (pronet_flow_table_update(table, &p, &flow, &direction, &created) !=
			    PRONET_OK) {
				fprintf(stderr, "bench_flow_table: update failed\n");
				pronet_flow_table_free(table);
				return 0;
			}
		}
	double seconds = cpu_now() - start;
	pronet_flow_table_get_stats(table, &stats);
	printf("%-44s %10.1f ns/packet  %6.2f probes/lookup  longest chain %llu\n", name,
	       seconds * 1e9 / (2.0 * (double)count), (double)stats.probes / (double)stats.lookups,
	       (unsigned long long)stats.longest_chain);
	pronet_flow_table_free(table);
	return 1;
}

int main(int argc, char **argv)
{
	size_t flows = 20000;
	uint64_t key[2];
	if (argc > 2 || (argc == 2 && (flows = strtoul(argv[1], NULL, 10)) == 0) ||
	    flows > TABLE_FLOWS) {
		fprintf(stderr, "usage: bench_flow_table [FLOWS] (1..%d)\n", TABLE_FLOWS);
		return 2;
	}
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
		fprintf(stderr, "bench_flow_table: getrandom: %s\n", strerror(errno));
		return 1;
	}
	struct pronet_packet *flood = calloc(flows, sizeof(*flood));
	struct pronet_packet *normal = calloc(flows, sizeof(*normal));
	if (flood == NULL || normal == NULL) {
		fprintf(stderr, "bench_flow_table: no memory for %zu packets\n", flows);
		return 1;
	}
	if (pronet_test_fnv_colliding_packets(TABLE_BITS, 1000, flood, flows) != flows) {
		fprintf(stderr, "bench_flow_table: could not craft %zu colliding flows\n", flows);
		return 1;
	}
	/* Ordinary flows: the crafted packets' shape, sources counting up. */
	for (size_t i = 0; i < flows; i++) {
		normal[i] = flood[0];
		normal[i].src_addr[1] = (uint8_t)(i >> 12);
		normal[i].src_addr[2] = (uint8_t)(i >> 4);
		normal[i].src_addr[3] = (uint8_t)(i & 0xf);
		normal[i].src_port = (uint16_t)(1024 + (i & 0xf) * 3000);
	}
	printf("bench_flow_table: %zu flows x 2 packets, table of %d slots, keyed hash\n", flows,
	       TABLE_FLOWS);
	int ok = run("flow table, distinct flows", normal, flows, key) &&
	         run("flow table, flood colliding under FNV-1a", flood, flows, key);
	free(flood);
	free(normal);
	return ok ? 0 : 1;
}
