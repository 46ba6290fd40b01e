/* Tests of plugin/endpoint_evidence.c: agreement, conflict, the two-hop
 * bound, L4 handling, bounded tables, threads. */
#include "plugin/endpoint_evidence.h"
#include "tests/unit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#define LOCAL 0x0a00020fu /* 10.0.2.15 */

static const struct pronet_endpoint_protocol gnutella = {0, 35};
static const struct pronet_endpoint_protocol ssdp = {0, 12};
static const struct pronet_endpoint_protocol tls_google = {91, 126};

static struct pronet_endpoint v4(uint32_t address, uint16_t port, uint8_t l4)
{
	struct pronet_endpoint end;

	memset(&end, 0, sizeof(end));
	end.ip_version = 4;
	end.l4_protocol = l4;
	end.port = port;
	end.addr[0] = (uint8_t)(address >> 24);
	end.addr[1] = (uint8_t)(address >> 16);
	end.addr[2] = (uint8_t)(address >> 8);
	end.addr[3] = (uint8_t)address;
	return end;
}

/* Peer n: 80.0.x.y on its own port. */
static struct pronet_endpoint peer(uint32_t n, uint8_t l4)
{
	return v4(0x50000000u + n, (uint16_t)(20000 + n), l4);
}

static void flow(struct pronet_endpoint ends[2], struct pronet_endpoint a, struct pronet_endpoint b)
{
	ends[0] = a;
	ends[1] = b;
}

static struct pronet_endpoint_evidence *evidence_new(uint32_t capacity)
{
	struct pronet_endpoint_evidence_options options;
	struct pronet_endpoint_evidence *evidence = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_endpoint_evidence_options_default(&options);
	options.max_endpoints = options.max_sockets = capacity;
	if (pronet_endpoint_evidence_new(&options, &evidence, errbuf) != PRONET_OK)
		return NULL;
	return evidence;
}

/* `n` DPI-named TCP flows from local ephemeral ports to `server`. */
static void name_flows_to(struct pronet_endpoint_evidence *evidence, struct pronet_endpoint server,
                          unsigned n, struct pronet_endpoint_protocol protocol, uint16_t first_port)
{
	struct pronet_endpoint ends[2];

	for (unsigned i = 0; i < n; i++) {
		flow(ends, v4(LOCAL, (uint16_t)(first_port + i), IPPROTO_TCP), server);
		pronet_endpoint_evidence_add_named(evidence, ends, protocol);
	}
}

static int same_protocol(struct pronet_endpoint_protocol a, struct pronet_endpoint_protocol b)
{
	return a.master == b.master && a.app == b.app;
}

static void test_rejects_bad_options(void)
{
	struct pronet_endpoint_evidence_options options;
	struct pronet_endpoint_evidence *evidence = (struct pronet_endpoint_evidence *)&options;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_endpoint_evidence_options_default(&options);
	options.min_agreement = 1; /* one flow is never agreement */
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_new(&options, &evidence, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(evidence);
	pronet_endpoint_evidence_options_default(&options);
	options.max_sockets = 8;
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_new(&options, &evidence, errbuf), PRONET_ERR_ARG);
	pronet_endpoint_evidence_options_default(&options);
	options.max_conflict_share = 0.5f;
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_new(&options, &evidence, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_new(NULL, &evidence, errbuf), PRONET_OK);
	pronet_endpoint_evidence_free(evidence);
	pronet_endpoint_evidence_free(NULL);
}

/* Hop 1 needs two DPI-named flows on the endpoint, not one. */
static void test_endpoint_needs_two_flows(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint server = v4(0x08080808u, 443, IPPROTO_TCP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	flow(ends, v4(LOCAL, 40000, IPPROTO_TCP), server);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	name_flows_to(evidence, server, 1, tls_google, 50000);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	name_flows_to(evidence, server, 1, tls_google, 50001);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	CU_ASSERT(same_protocol(p.protocol, tls_google));
	CU_ASSERT_EQUAL(p.agreeing, 2);
	CU_ASSERT_EQUAL(p.conflicting, 0);
	pronet_endpoint_evidence_free(evidence);
}

/* A peer's TCP and UDP on one port meet in the endpoints table. */
static void test_endpoint_ignores_l4(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	name_flows_to(evidence, peer(1, IPPROTO_TCP), 2, gnutella, 50000);
	flow(ends, v4(LOCAL, 28681, IPPROTO_UDP), peer(1, IPPROTO_UDP));
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	CU_ASSERT(same_protocol(p.protocol, gnutella));
	pronet_endpoint_evidence_free(evidence);
}

/* Other protocols on the entry: at most 10 % of its flows. */
static void test_conflict_share(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint a = v4(0x01010101u, 1900, IPPROTO_UDP);
	struct pronet_endpoint b = v4(0x02020202u, 1900, IPPROTO_UDP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	name_flows_to(evidence, a, 9, ssdp, 50000);
	name_flows_to(evidence, a, 1, gnutella, 50100); /* 1 of 10: still agreement */
	name_flows_to(evidence, b, 8, ssdp, 51000);
	name_flows_to(evidence, b, 2, gnutella, 51100); /* 2 of 10: conflict */
	flow(ends, v4(LOCAL, 40000, IPPROTO_UDP), a);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	CU_ASSERT(same_protocol(p.protocol, ssdp));
	CU_ASSERT_EQUAL(p.agreeing, 9);
	CU_ASSERT_EQUAL(p.conflicting, 1);
	flow(ends, v4(LOCAL, 40001, IPPROTO_UDP), b);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	pronet_endpoint_evidence_free(evidence);
}

/* Two ends proposing different protocols propose nothing, at any hop. */
static void test_ends_disagree(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint a = v4(0x01010101u, 7000, IPPROTO_UDP);
	struct pronet_endpoint b = v4(0x02020202u, 8000, IPPROTO_UDP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	name_flows_to(evidence, a, 3, ssdp, 50000);
	name_flows_to(evidence, b, 3, gnutella, 51000);
	flow(ends, a, b);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	pronet_endpoint_evidence_free(evidence);
}

/* The gnutella shape: peers named once each over TCP; the local UDP socket
 * talks to them (links) and to peers nobody named (hop 2). */
static void test_socket_hop(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint socket = v4(LOCAL, 28681, IPPROTO_UDP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;
	struct pronet_endpoint_stats stats;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	for (uint32_t n = 1; n <= 2; n++)
		name_flows_to(evidence, peer(n, IPPROTO_TCP), 1, gnutella, (uint16_t)(50000 + n));
	flow(ends, socket, peer(100, IPPROTO_UDP)); /* a peer nobody named */
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_link(evidence, ends), 0);
	flow(ends, socket, peer(1, IPPROTO_UDP));
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_link(evidence, ends), 1);
	/* One link is no agreement. */
	flow(ends, socket, peer(100, IPPROTO_UDP));
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	flow(ends, socket, peer(2, IPPROTO_UDP));
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_link(evidence, ends), 1);
	flow(ends, peer(100, IPPROTO_UDP), socket); /* either order of ends */
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_SOCKET);
	CU_ASSERT(same_protocol(p.protocol, gnutella));
	CU_ASSERT_EQUAL(p.agreeing, 2);
	/* The socket is (address, port, L4): the same port over TCP has none. */
	flow(ends, v4(LOCAL, 28681, IPPROTO_TCP), peer(100, IPPROTO_TCP));
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	pronet_endpoint_evidence_get_stats(evidence, &stats);
	CU_ASSERT_EQUAL(stats.named_flows, 2);
	CU_ASSERT_EQUAL(stats.links, 2);
	CU_ASSERT_EQUAL(stats.sockets_in_use, 1);
	pronet_endpoint_evidence_free(evidence);
}

/* Propagation stops at two hops: a flow named through a socket (hop 2)
 * leaves no evidence, so a third hop finds nothing. */
static void test_hop_bound(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint socket = v4(LOCAL, 28681, IPPROTO_UDP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	for (uint32_t n = 1; n <= 3; n++) {
		name_flows_to(evidence, peer(n, IPPROTO_TCP), 1, gnutella, (uint16_t)(50000 + n));
		flow(ends, socket, peer(n, IPPROTO_UDP));
		pronet_endpoint_evidence_link(evidence, ends);
	}
	/* Hop 2 names socket <-> peer 100 ... */
	flow(ends, socket, peer(100, IPPROTO_UDP));
	CU_ASSERT_EQUAL(pronet_endpoint_evidence_link(evidence, ends), 0);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL_FATAL(p.hop, PRONET_ENDPOINT_HOP_SOCKET);
	/* ... and peer 100's other flows, twice over, find nothing. */
	for (uint16_t port = 41000; port < 41002; port++) {
		flow(ends, v4(LOCAL, port, IPPROTO_UDP), peer(100, IPPROTO_UDP));
		CU_ASSERT_EQUAL(pronet_endpoint_evidence_link(evidence, ends), 0);
		pronet_endpoint_evidence_propose(evidence, ends, &p);
		CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	}
	pronet_endpoint_evidence_free(evidence);
}

/* Links that disagree on a socket propose nothing. */
static void test_socket_conflict(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint socket = v4(LOCAL, 5000, IPPROTO_UDP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	for (uint32_t n = 1; n <= 4; n++) {
		name_flows_to(evidence, peer(n, IPPROTO_UDP), 1, n <= 2 ? gnutella : ssdp,
		              (uint16_t)(50000 + n));
		flow(ends, socket, peer(n, IPPROTO_UDP));
		CU_ASSERT_EQUAL(pronet_endpoint_evidence_link(evidence, ends), 1);
	}
	flow(ends, socket, peer(100, IPPROTO_UDP));
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	pronet_endpoint_evidence_free(evidence);
}

/* IPv6 and IPv4 ends that share bytes are different endpoints. */
static void test_ipv6_is_its_own_key(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(1024);
	struct pronet_endpoint server = v4(0x20010db8u, 443, IPPROTO_TCP);
	struct pronet_endpoint server6 = server;
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	server6.ip_version = 6; /* 2001:db8:: */
	name_flows_to(evidence, server, 2, tls_google, 50000);
	flow(ends, v4(LOCAL, 40000, IPPROTO_TCP), server6);
	ends[0].ip_version = 6;
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_NONE);
	pronet_endpoint_evidence_free(evidence);
}

/* A full table evicts the weakest entry in the window and counts it; it
 * never holds more than its capacity, and strong evidence survives a flood
 * of one-flow endpoints. */
static void test_table_is_bounded(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(16);
	struct pronet_endpoint server = v4(0x08080808u, 53, IPPROTO_UDP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;
	struct pronet_endpoint_stats stats;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	name_flows_to(evidence, server, 5, ssdp, 50000);
	for (uint32_t n = 1; n <= 1000; n++) {
		flow(ends, peer(n, IPPROTO_UDP), peer(n + 5000, IPPROTO_UDP));
		pronet_endpoint_evidence_add_named(evidence, ends, gnutella);
	}
	pronet_endpoint_evidence_get_stats(evidence, &stats);
	CU_ASSERT(stats.endpoints_in_use <= 16);
	/* Distinct keys: the server, 5 local ports, 2000 peers. */
	CU_ASSERT_EQUAL(stats.evicted, 1 + 5 + 2000 - stats.endpoints_in_use);
	CU_ASSERT_EQUAL(stats.named_flows, 1005);
	flow(ends, v4(LOCAL, 40000, IPPROTO_UDP), server);
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	CU_ASSERT(same_protocol(p.protocol, ssdp));
	CU_ASSERT_EQUAL(p.agreeing, 5);
	pronet_endpoint_evidence_free(evidence);
}

static void *name_many(void *arg)
{
	struct pronet_endpoint_evidence *evidence = arg;

	name_flows_to(evidence, v4(0x08080808u, 53, IPPROTO_UDP), 1000, ssdp, 1000);
	return NULL;
}

static void test_threads(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(4096);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal p;
	pthread_t threads[4];

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	for (int t = 0; t < 4; t++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[t], NULL, name_many, evidence), 0);
	for (int t = 0; t < 4; t++)
		pthread_join(threads[t], NULL);
	flow(ends, v4(LOCAL, 40000, IPPROTO_UDP), v4(0x08080808u, 53, IPPROTO_UDP));
	pronet_endpoint_evidence_propose(evidence, ends, &p);
	CU_ASSERT_EQUAL(p.agreeing, 4000); /* no vote lost */
	pronet_endpoint_evidence_free(evidence);
}

static void test_clear_forgets_everything(void)
{
	struct pronet_endpoint_evidence *evidence = evidence_new(64);
	struct pronet_endpoint server = v4(LOCAL, 6346, IPPROTO_TCP);
	struct pronet_endpoint ends[2];
	struct pronet_endpoint_proposal proposal;
	struct pronet_endpoint_stats stats;

	CU_ASSERT_PTR_NOT_NULL_FATAL(evidence);
	name_flows_to(evidence, server, 3, gnutella, 50000);
	flow(ends, v4(0x0a000099u, 51000, IPPROTO_TCP), server);
	pronet_endpoint_evidence_propose(evidence, ends, &proposal);
	CU_ASSERT_EQUAL(proposal.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	pronet_endpoint_evidence_clear(evidence);
	pronet_endpoint_evidence_propose(evidence, ends, &proposal);
	CU_ASSERT_EQUAL(proposal.hop, PRONET_ENDPOINT_HOP_NONE);
	pronet_endpoint_evidence_get_stats(evidence, &stats);
	CU_ASSERT_EQUAL(stats.endpoints_in_use, 0);
	CU_ASSERT_EQUAL(stats.named_flows, 0);
	/* Still usable: the memory was kept. */
	name_flows_to(evidence, server, 2, ssdp, 52000);
	pronet_endpoint_evidence_propose(evidence, ends, &proposal);
	CU_ASSERT_EQUAL(proposal.hop, PRONET_ENDPOINT_HOP_ENDPOINT);
	CU_ASSERT_EQUAL(proposal.protocol.app, ssdp.app);
	pronet_endpoint_evidence_free(evidence);
}

int main(void)
{
	CU_TestInfo tests[] = {
	    {"rejects bad options", test_rejects_bad_options},
	    {"endpoint needs two flows", test_endpoint_needs_two_flows},
	    {"endpoint ignores L4", test_endpoint_ignores_l4},
	    {"conflict share", test_conflict_share},
	    {"ends disagree", test_ends_disagree},
	    {"socket hop", test_socket_hop},
	    {"hop bound", test_hop_bound},
	    {"socket conflict", test_socket_conflict},
	    {"IPv6 is its own key", test_ipv6_is_its_own_key},
	    {"table is bounded", test_table_is_bounded},
	    {"threads", test_threads},
	    {"clear forgets everything", test_clear_forgets_everything},
	    CU_TEST_INFO_NULL,
	};
	return pronet_unit_run("plugin/endpoint_evidence", tests);
}
