/* Tests of plugin/fallback.c with the dissector attached to a fresh nDPI 4.2
 * module: nDPI's verdicts stand, Unknown flows get the model's verdict at or
 * above the threshold and stay Unknown below it. */
#include "core/model/flow_predict.h"
#include "plugin/attachment.h"
#include "plugin/pronet_plugin.h"
#include "tests/plugin/fixture.h"
#include "tests/unit.h"

#include <pthread.h>
#include <string.h>

#define CLIENT 0x0a000001u /* 10.0.0.1 */
#define SERVER 0x0a000002u /* 10.0.0.2 */

static const char *const class_names[] = {"PronetTestAlpha", "PronetTestBeta", "PronetTestGamma"};

struct setup {
	struct ndpi_detection_module_struct *ndpi;
	struct pronet_model *model;
};

static int setup_open(struct setup *s, float threshold, const float *class_thresholds)
{
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	s->ndpi = fixture_module_new();
	s->model = fixture_model_new(class_names, 3, 7);
	if (s->ndpi == NULL || s->model == NULL)
		return 0;
	pronet_plugin_options_default(&options);
	options.threshold = threshold;
	options.class_thresholds = class_thresholds;
	options.packets_per_direction = 1;
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

/* One opaque UDP packet, then give-up: what the host would see. */
static ndpi_protocol opaque_udp_flow(struct ndpi_detection_module_struct *ndpi,
                                     struct ndpi_flow_struct *flow)
{
	fixture_udp(ndpi, flow, CLIENT, 40001, SERVER, 40002, fixture_opaque_payload,
	            sizeof(fixture_opaque_payload));
	return fixture_giveup(ndpi, flow);
}

static void test_plain_ndpi_leaves_opaque_flow_unknown(void)
{
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct ndpi_flow_struct *flow = fixture_flow_new();
	ndpi_protocol result;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ndpi);
	ndpi_finalize_initialization(ndpi);
	result = opaque_udp_flow(ndpi, flow); /* not attached: the fallback does nothing */
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_EQUAL(result.master_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	fixture_module_free(ndpi);
}

static void test_model_names_unknown_flow_above_threshold(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	struct pronet_packet_record input;
	float probabilities[3];
	size_t best;
	ndpi_protocol result;

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	result = opaque_udp_flow(s.ndpi, flow);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.decided);
	CU_ASSERT_FALSE(r.abstained);
	CU_ASSERT_EQUAL(r.packets_used, 1);
	CU_ASSERT_EQUAL(r.num_top, 3);
	CU_ASSERT(r.top[0].probability >= r.top[1].probability);
	CU_ASSERT(r.top[1].probability >= r.top[2].probability);
	/* The verdict is the model's on the first 16 payload bytes. */
	memset(&input, 0, sizeof(input));
	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	memcpy(PRONET_UNIT_BYTES(input), fixture_opaque_payload, 16);
	input.length = 16;
	input.direction = PRONET_DIR_CLIENT_TO_SERVER;
	input.l4_protocol = IPPROTO_UDP;
	input.payload_length = sizeof(fixture_opaque_payload);
	CU_ASSERT_EQUAL_FATAL(pronet_model_predict(s.model, NULL, &input, probabilities, &best),
	                      PRONET_OK);
	CU_ASSERT_STRING_EQUAL(r.label, class_names[best]);
	CU_ASSERT_DOUBLE_EQUAL(r.probability, probabilities[best], 1e-6);
	/* ... under the class's name, a custom nDPI protocol. */
	CU_ASSERT_EQUAL(result.app_protocol, r.ndpi_protocol);
	CU_ASSERT(result.app_protocol >= NDPI_MAX_SUPPORTED_PROTOCOLS);
	CU_ASSERT_STRING_EQUAL(ndpi_get_proto_name(s.ndpi, result.app_protocol), class_names[best]);
	CU_ASSERT_EQUAL(flow->detected_protocol_stack[0], result.app_protocol);
	CU_ASSERT_EQUAL(flow->confidence, PRONET_PLUGIN_CONFIDENCE);
	/* A learned verdict claims no signature match, and stays in range. */
	CU_ASSERT_NOT_EQUAL(flow->confidence, NDPI_CONFIDENCE_DPI);
	CU_ASSERT(flow->confidence < NDPI_CONFIDENCE_MAX);
	fixture_flow_free(flow);
	setup_close(&s);
}

/* The probability the model gives the opaque flow (threshold 0 run). */
static float opaque_probability(size_t *best_class)
{
	struct setup s;
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	float p = -1.0f;

	if (setup_open(&s, 0.0f, NULL)) {
		opaque_udp_flow(s.ndpi, flow);
		if (pronet_plugin_flow_result(flow, &r) == PRONET_OK && r.label != NULL) {
			p = r.probability;
			for (size_t c = 0; c < 3; c++)
				if (strcmp(r.label, class_names[c]) == 0)
					*best_class = c;
		}
	}
	fixture_flow_free(flow);
	setup_close(&s);
	return p;
}

static void test_below_threshold_stays_unknown(void)
{
	size_t best = 0;
	float p = opaque_probability(&best);
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	ndpi_protocol result;
	struct setup s;

	CU_ASSERT_FATAL(p > 0.0f && p < 1.0f);
	CU_ASSERT_FATAL(setup_open(&s, p + (1.0f - p) / 2, NULL));
	result = opaque_udp_flow(s.ndpi, flow);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_EQUAL(flow->detected_protocol_stack[0], NDPI_PROTOCOL_UNKNOWN);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.decided);
	CU_ASSERT(r.abstained);
	CU_ASSERT_EQUAL(r.ndpi_protocol, 0);
	/* A second give-up does not change its mind. */
	result = fixture_giveup(s.ndpi, flow);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_at_threshold_labels(void)
{
	size_t best = 0;
	float p = opaque_probability(&best);
	struct ndpi_flow_struct *flow = fixture_flow_new();
	ndpi_protocol result;
	struct setup s;

	CU_ASSERT_FATAL(p > 0.0f);
	CU_ASSERT_FATAL(setup_open(&s, p, NULL));
	result = opaque_udp_flow(s.ndpi, flow);
	CU_ASSERT_STRING_EQUAL(ndpi_get_proto_name(s.ndpi, result.app_protocol), class_names[best]);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_per_class_threshold_wins(void)
{
	size_t best = 0;
	float p = opaque_probability(&best);
	float thresholds[3] = {-1.0f, -1.0f, -1.0f};
	struct ndpi_flow_struct *flow = fixture_flow_new();
	ndpi_protocol result;
	struct setup s;

	CU_ASSERT_FATAL(p > 0.0f && p < 1.0f);
	thresholds[best] = p + (1.0f - p) / 2; /* the default (0) would label */
	CU_ASSERT_FATAL(setup_open(&s, 0.0f, thresholds));
	result = opaque_udp_flow(s.ndpi, flow);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_model_calibration_threshold_applies(void)
{
	size_t best = 0;
	float p = opaque_probability(&best);
	float calibrated[3] = {0.0f, 0.0f, 0.0f};
	float rules[3] = {-1.0f, -1.0f, -1.0f};
	struct pronet_plugin_options options;
	struct ndpi_flow_struct *flow = fixture_flow_new(), *again = fixture_flow_new();
	char errbuf[PRONET_ERRBUF_SIZE];
	struct setup s;

	CU_ASSERT_FATAL(p > 0.0f && p < 1.0f);
	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	calibrated[best] = p + (1.0f - p) / 2;
	CU_ASSERT_EQUAL_FATAL(pronet_model_set_calibration(s.model, 1.0f, calibrated, errbuf),
	                      PRONET_OK);
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	options.packets_per_direction = 1;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(s.ndpi, s.model, &options, errbuf), PRONET_OK);
	/* The model file's threshold beats the default ... */
	CU_ASSERT_EQUAL(opaque_udp_flow(s.ndpi, flow).app_protocol, NDPI_PROTOCOL_UNKNOWN);
	/* ... and a rules file's threshold beats the model file's. */
	rules[best] = p;
	options.class_thresholds = rules;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(s.ndpi, s.model, &options, errbuf), PRONET_OK);
	CU_ASSERT_NOT_EQUAL(opaque_udp_flow(s.ndpi, again).app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	fixture_flow_free(again);
	setup_close(&s);
}

/* A model swap (pronet classify --update): re-attaching the module with
 * another model of the same classes between two flows makes the next flow
 * the new model's, with its generation; the verdict made before keeps the
 * old model's. The replaced model may be freed right after. */
static void test_reattaching_swaps_the_model(void)
{
	struct pronet_plugin_options options;
	struct pronet_plugin_result before, after;
	struct ndpi_flow_struct *first = fixture_flow_new(), *second = fixture_flow_new();
	struct pronet_model *other = fixture_model_new(class_names, 3, 8);
	char errbuf[PRONET_ERRBUF_SIZE];
	struct setup s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	opaque_udp_flow(s.ndpi, first);
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	options.packets_per_direction = 1;
	options.model_generation = 3;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(s.ndpi, other, &options, errbuf), PRONET_OK);
	pronet_model_free(s.model);
	s.model = other;
	opaque_udp_flow(s.ndpi, second);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(first, &before), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(second, &after), PRONET_OK);
	CU_ASSERT_EQUAL(before.model_generation, 0);
	CU_ASSERT_EQUAL(after.model_generation, 3);
	CU_ASSERT_EQUAL(after.packets_used, 1);
	/* The same payload, another model's weights. */
	CU_ASSERT_NOT_EQUAL(before.probability, after.probability);
	fixture_flow_free(first);
	fixture_flow_free(second);
	setup_close(&s);
}

static void test_ndpi_verdict_stands(void)
{
	static const char request[] =
	    "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n";
	struct ndpi_flow_struct *dns = fixture_flow_new(), *http = fixture_flow_new();
	ndpi_protocol result;
	struct setup s;

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL)); /* the model would label anything */
	fixture_udp(s.ndpi, dns, CLIENT, 40003, SERVER, 53, fixture_dns_query,
	            sizeof(fixture_dns_query));
	result = fixture_giveup(s.ndpi, dns);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_DNS);

	fixture_tcp(s.ndpi, http, CLIENT, 40004, SERVER, 80, TEST_TCP_SYN, 100, 0, NULL, 0);
	fixture_tcp(s.ndpi, http, SERVER, 80, CLIENT, 40004, TEST_TCP_SYN_ACK, 500, 101, NULL, 0);
	fixture_tcp(s.ndpi, http, CLIENT, 40004, SERVER, 80, TEST_TCP_ACK, 101, 501, NULL, 0);
	fixture_tcp(s.ndpi, http, CLIENT, 40004, SERVER, 80, TEST_TCP_PSH_ACK, 101, 501, request,
	            sizeof(request) - 1);
	result = fixture_giveup(s.ndpi, http);
	CU_ASSERT(result.app_protocol == NDPI_PROTOCOL_HTTP ||
	          result.master_protocol == NDPI_PROTOCOL_HTTP);
	fixture_flow_free(dns);
	fixture_flow_free(http);
	setup_close(&s);
}

static void test_tcp_flow_records_both_directions(void)
{
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	ndpi_protocol result;
	struct setup s;

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	fixture_tcp(s.ndpi, flow, CLIENT, 45000, SERVER, 45001, TEST_TCP_SYN, 100, 0, NULL, 0);
	fixture_tcp(s.ndpi, flow, SERVER, 45001, CLIENT, 45000, TEST_TCP_SYN_ACK, 500, 101, NULL,
	            0);
	fixture_tcp(s.ndpi, flow, CLIENT, 45000, SERVER, 45001, TEST_TCP_ACK, 101, 501, NULL, 0);
	fixture_tcp(s.ndpi, flow, CLIENT, 45000, SERVER, 45001, TEST_TCP_PSH_ACK, 101, 501,
	            fixture_opaque_payload, sizeof(fixture_opaque_payload));
	fixture_tcp(s.ndpi, flow, SERVER, 45001, CLIENT, 45000, TEST_TCP_PSH_ACK, 501, 125,
	            fixture_opaque_payload, 10);
	/* Only one packet per direction is kept (packets_per_direction = 1). */
	fixture_tcp(s.ndpi, flow, CLIENT, 45000, SERVER, 45001, TEST_TCP_PSH_ACK, 125, 511,
	            fixture_opaque_payload, sizeof(fixture_opaque_payload));
	result = fixture_giveup(s.ndpi, flow);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT_EQUAL(r.packets_used, 2);
	CU_ASSERT_EQUAL(result.app_protocol, r.ndpi_protocol);
	CU_ASSERT_NOT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_flow_without_payload_stays_unknown(void)
{
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	ndpi_protocol result;
	struct setup s;

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	fixture_tcp(s.ndpi, flow, CLIENT, 45002, SERVER, 45003, TEST_TCP_SYN, 100, 0, NULL, 0);
	result = fixture_giveup(s.ndpi, flow);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	/* The fallback ran and abstained: nothing was recorded. */
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.decided);
	CU_ASSERT(r.abstained);
	CU_ASSERT_EQUAL(r.packets_used, 0);
	CU_ASSERT_PTR_NULL(r.label);
	/* Give-up with no flow or no packets at all must not crash. */
	CU_ASSERT_EQUAL(fixture_giveup(s.ndpi, NULL).app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

static void test_unknown_class_never_labels(void)
{
	static const char *const names[] = {"Unknown"};
	struct ndpi_detection_module_struct *ndpi = fixture_module_new();
	struct pronet_model *model = fixture_model_new(names, 1, 3);
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(ndpi, model, &options, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(opaque_udp_flow(ndpi, flow).app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	fixture_module_free(ndpi);
	pronet_model_free(model);
}

/* Random-looking bytes carry no evidence of a protocol: below
 * PRONET_RANDOM_FLOOR the flow abstains even at threshold 0, where the same
 * model names the structured opaque flow (test above). */
static void test_random_looking_flow_abstains(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	ndpi_protocol result;

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	fixture_udp(s.ndpi, flow, CLIENT, 40011, SERVER, 40012, fixture_random_payload,
	            sizeof(fixture_random_payload));
	result = fixture_giveup(s.ndpi, flow);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT(r.decided);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.label);
	CU_ASSERT_FATAL(r.probability < PRONET_RANDOM_FLOOR); /* 3 classes, untrained */
	CU_ASSERT(r.abstained);
	CU_ASSERT_EQUAL(result.app_protocol, NDPI_PROTOCOL_UNKNOWN);
	fixture_flow_free(flow);
	setup_close(&s);
}

/* ndpiReader -n: one module per thread; the end-of-run give-up walks every
 * thread's flows through module 0. */
#define FLOWS_PER_THREAD 50

struct worker {
	struct ndpi_detection_module_struct *ndpi;
	struct ndpi_flow_struct *flows[FLOWS_PER_THREAD];
	uint16_t base_port;
};

static void *run_worker(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < FLOWS_PER_THREAD; i++) {
		w->flows[i] = fixture_flow_new();
		for (int packet = 0; packet < 3; packet++)
			fixture_udp(w->ndpi, w->flows[i], CLIENT, (uint16_t)(w->base_port + i),
			            SERVER, 40999, fixture_opaque_payload,
			            sizeof(fixture_opaque_payload));
	}
	return NULL;
}

static void test_module_per_thread_giveup_through_module_zero(void)
{
	struct worker workers[2];
	pthread_t threads[2];
	struct pronet_plugin_options options;
	struct pronet_model *model = fixture_model_new(class_names, 3, 7);
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t named = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	for (int t = 0; t < 2; t++) {
		workers[t].ndpi = fixture_module_new();
		workers[t].base_port = (uint16_t)(41000 + 1000 * t);
		CU_ASSERT_EQUAL_FATAL(
		    pronet_plugin_attach(workers[t].ndpi, model, &options, errbuf), PRONET_OK);
		ndpi_finalize_initialization(workers[t].ndpi);
	}
	for (int t = 0; t < 2; t++)
		pthread_create(&threads[t], NULL, run_worker, &workers[t]);
	for (int t = 0; t < 2; t++)
		pthread_join(threads[t], NULL);
	CU_ASSERT_EQUAL(pronet_plugin_flows_in_use(), 2 * FLOWS_PER_THREAD);
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < FLOWS_PER_THREAD; i++)
			if (fixture_giveup(workers[0].ndpi, workers[t].flows[i]).app_protocol !=
			    NDPI_PROTOCOL_UNKNOWN)
				named++;
	CU_ASSERT_EQUAL(named, 2 * FLOWS_PER_THREAD);
	for (int t = 0; t < 2; t++)
		for (int i = 0; i < FLOWS_PER_THREAD; i++)
			fixture_flow_free(workers[t].flows[i]);
	CU_ASSERT_EQUAL(pronet_plugin_flows_in_use(), 0);
	for (int t = 0; t < 2; t++)
		fixture_module_free(workers[t].ndpi);
	pronet_model_free(model);
}

/* The last detach and the model's free leave verdicts readable: the store
 * lives until exit and verdicts name classes from the plugin's own copy. */
static void test_verdict_outlives_detach_and_model(void)
{
	struct setup s;
	struct ndpi_flow_struct *flow = fixture_flow_new();
	struct pronet_plugin_result r;
	char label[PRONET_CLASS_NAME_MAX];

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	opaque_udp_flow(s.ndpi, flow);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.label);
	snprintf(label, sizeof(label), "%s", r.label);
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_detach(s.ndpi), PRONET_OK);
	pronet_model_free(s.model);
	s.model = NULL;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_flow_result(flow, &r), PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.label);
	CU_ASSERT_STRING_EQUAL(r.label, label);
	CU_ASSERT_STRING_EQUAL(r.top[0].label, label);
	CU_ASSERT(pronet_plugin_flows_in_use() >= 1);
	fixture_flow_free(flow);
	setup_close(&s);
}

/* Re-attaching with the same settings (the LD_PRELOAD shim does on every
 * ndpi_set_protocol_detection_bitmask2) keeps the published attachment; new
 * settings publish a new one and the old one stays readable. */
static void test_reattach_keeps_or_retires(void)
{
	struct setup s;
	struct pronet_plugin_options options;
	const struct pronet_attachment *first, *again, *changed;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_FATAL(setup_open(&s, 0.0f, NULL));
	first = pronet_attachment_find(s.ndpi);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	pronet_plugin_options_default(&options);
	options.threshold = 0.0f;
	options.packets_per_direction = 1;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(s.ndpi, s.model, &options, errbuf), PRONET_OK);
	again = pronet_attachment_find(s.ndpi);
	CU_ASSERT_PTR_EQUAL(again, first);
	options.packets_per_direction = 2;
	CU_ASSERT_EQUAL_FATAL(pronet_plugin_attach(s.ndpi, s.model, &options, errbuf), PRONET_OK);
	changed = pronet_attachment_find(s.ndpi);
	CU_ASSERT_PTR_NOT_EQUAL(changed, first);
	CU_ASSERT_EQUAL(changed->packets_per_direction, 2);
	/* A reader that loaded the old one before the change still reads it. */
	CU_ASSERT_EQUAL(first->packets_per_direction, 1);
	CU_ASSERT_PTR_EQUAL(first->ndpi, s.ndpi);
	CU_ASSERT_EQUAL(pronet_plugin_detach(s.ndpi), PRONET_OK);
	CU_ASSERT_PTR_NULL(pronet_attachment_find(s.ndpi));
	CU_ASSERT_EQUAL(changed->packets_per_direction, 2);
	setup_close(&s);
}

static CU_TestInfo tests[] = {
    {"re-attaching with another model swaps it, generation and all",
     test_reattaching_swaps_the_model},
    {"plain nDPI leaves the crafted opaque flow Unknown",
     test_plain_ndpi_leaves_opaque_flow_unknown},
    {"Unknown flow gets the model's verdict above threshold",
     test_model_names_unknown_flow_above_threshold},
    {"Unknown flow stays Unknown below threshold", test_below_threshold_stays_unknown},
    {"a probability equal to the threshold labels", test_at_threshold_labels},
    {"a per-class threshold overrides the default", test_per_class_threshold_wins},
    {"the model file's threshold, then the rules file's", test_model_calibration_threshold_applies},
    {"flows nDPI names keep nDPI's verdict", test_ndpi_verdict_stands},
    {"TCP flow: one packet per direction recorded", test_tcp_flow_records_both_directions},
    {"flow without payload stays Unknown", test_flow_without_payload_stays_unknown},
    {"a class named Unknown never labels", test_unknown_class_never_labels},
    {"a random-looking flow abstains below the floor", test_random_looking_flow_abstains},
    {"module per thread, give-up through module 0",
     test_module_per_thread_giveup_through_module_zero},
    {"a verdict outlives the detach and the model", test_verdict_outlives_detach_and_model},
    {"re-attach keeps the same settings, retires changed ones", test_reattach_keeps_or_retires},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("plugin/fallback", tests);
}
