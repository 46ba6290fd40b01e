/* A threaded host, through the real plugin: several threads, each with its
 * own nDPI module attached, feed flows, give up, read the verdicts, forget
 * the flows, re-attach (same and changed settings) and detach, while the
 * others keep going - so that one thread's detach (the last one attached,
 * at times) or re-attach happens while other threads are inside the
 * dissector, the fallback or forget. Half the flows come through the
 * per-packet entry, with two SSDP flows a round that nDPI names by DPI, so
 * that the module's endpoint evidence is fed, linked and asked (and emptied
 * when a slot changes module) from every thread too. Built with --enable-thread-sanitizer
 * (CI's _ci/tsan), TSan checks every interleaving it sees; in the other
 * builds ASan, or plain crashes and wrong counts, catch a freed store. */
#include "plugin/pronet_plugin.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <pthread.h>
#include <stdio.h>

#define THREADS 4
#define ROUNDS 12
#define FLOWS 16

static const char *const class_names[] = {"PronetThreadA", "PronetThreadB"};
/* nDPI 4.2 names it SSDP by DPI on any UDP port. */
static const char ssdp_notify[] = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n\r\n";

/* nDPI 4.2's module set-up and tear-down are not documented as thread-safe:
 * hosts (ndpiReader) do them one at a time; so does this test. Everything
 * of the plugin's runs concurrently. */
static pthread_mutex_t ndpi_setup_lock = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	int index;
	const struct pronet_model *model;
	int failures;
	size_t named;
};

static struct ndpi_detection_module_struct *module_new(void)
{
	struct ndpi_detection_module_struct *ndpi;

	pthread_mutex_lock(&ndpi_setup_lock);
	ndpi = fixture_module_new();
	pthread_mutex_unlock(&ndpi_setup_lock);
	return ndpi;
}

static void module_free(struct ndpi_detection_module_struct *ndpi)
{
	pthread_mutex_lock(&ndpi_setup_lock);
	ndpi_exit_detection_module(ndpi);
	pthread_mutex_unlock(&ndpi_setup_lock);
}

static int attach(struct worker *w, struct ndpi_detection_module_struct *ndpi, uint32_t packets)
{
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_plugin_options_default(&options);
	options.threshold = 0.0f; /* every flow with payload is named */
	options.packets_per_direction = packets;
	if (pronet_plugin_attach(ndpi, w->model, &options, errbuf) == PRONET_OK)
		return 1;
	fprintf(stderr, "thread %d: %s\n", w->index, errbuf);
	return 0;
}

/* One round: a fresh module, FLOWS flows, a re-attach half-way. */
static void run_round(struct worker *w, int round)
{
	struct ndpi_detection_module_struct *ndpi = module_new();
	struct ndpi_flow_struct *flows[FLOWS];
	struct pronet_plugin_result r;

	if (ndpi == NULL || !attach(w, ndpi, 1)) {
		w->failures++;
		if (ndpi != NULL)
			module_free(ndpi);
		return;
	}
	/* DPI-named flows on another port of the server than the opaque
	 * ones', so that the evidence never names those (they must reach the
	 * model). */
	for (int i = 0; i < 2; i++) {
		struct ndpi_flow_struct *named = fixture_flow_new();
		uint16_t port = (uint16_t)(50000 + w->index * 1000 + round * 2 + i);

		if (fixture_udp_hooked(ndpi, named, 0x0a000001u + (uint32_t)w->index, port,
		                       0x0a0000feu, 30001, ssdp_notify, sizeof(ssdp_notify) - 1)
		        .app_protocol != NDPI_PROTOCOL_SSDP)
			w->failures++;
		fixture_flow_free(named);
	}
	for (int i = 0; i < FLOWS; i++) {
		uint16_t port = (uint16_t)(20000 + w->index * 4000 + round * FLOWS + i);
		ndpi_protocol (*feed)(struct ndpi_detection_module_struct *,
		                      struct ndpi_flow_struct *, uint32_t, uint16_t, uint32_t,
		                      uint16_t, const void *, size_t) =
		    i % 2 ? fixture_udp_hooked : fixture_udp;

		flows[i] = fixture_flow_new();
		if (i == FLOWS / 2) /* same settings: kept; then changed: replaced */
			w->failures += !attach(w, ndpi, 1) + !attach(w, ndpi, 2);
		for (int packet = 0; packet < 3; packet++)
			feed(ndpi, flows[i], 0x0a000001u + (uint32_t)w->index, port, 0x0a0000feu,
			     30000, fixture_opaque_payload, sizeof(fixture_opaque_payload));
		if (fixture_giveup(ndpi, flows[i]).app_protocol != NDPI_PROTOCOL_UNKNOWN)
			w->named++;
		if (pronet_plugin_flow_result(flows[i], &r) != PRONET_OK || !r.decided ||
		    r.label == NULL || r.packets_used == 0)
			w->failures++;
	}
	/* Detach before forgetting half the flows: their verdicts stay
	 * readable, and forgetting them must still work. */
	w->failures += pronet_plugin_detach(ndpi) != PRONET_OK;
	for (int i = 0; i < FLOWS; i++) {
		if (i % 2 == 0 && pronet_plugin_flow_result(flows[i], &r) != PRONET_OK)
			w->failures++;
		fixture_flow_free(flows[i]);
	}
	module_free(ndpi);
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;

	for (int round = 0; round < ROUNDS; round++)
		run_round(w, round);
	return NULL;
}

static void test_threads_attach_feed_detach(void)
{
	struct pronet_model *model = fixture_model_new(class_names, 2, 13);
	struct worker workers[THREADS];
	pthread_t threads[THREADS];
	size_t named = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (struct worker){.index = t, .model = model};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[t], NULL, run_worker, &workers[t]),
		                      0);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(threads[t], NULL);
		CU_ASSERT_EQUAL(workers[t].failures, 0);
		named += workers[t].named;
	}
	CU_ASSERT_EQUAL(named, (size_t)THREADS * ROUNDS * FLOWS);
	CU_ASSERT_EQUAL(pronet_plugin_flows_in_use(), 0);
	CU_ASSERT_EQUAL(pronet_plugin_flow_misses(), 0);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"threads attach, feed, give up, re-attach and detach at once",
     test_threads_attach_feed_detach},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("plugin/threads", tests);
}
