/* `pronet classify` flow events as JSON (tools/classify_event.h). */
#include "config.h"

#include "tools/classify_event.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const source_names[CLASSIFY_SOURCE_COUNT_] = {"ndpi", "pronet", "none",
                                                                 "pronet-endpoint", "pronet-flow"};

const char *classify_source_name(enum classify_source source)
{
	return source < CLASSIFY_SOURCE_COUNT_ ? source_names[source] : "?";
}

enum classify_source classify_source_of(const struct pronet_flow_report *report,
                                        const struct pronet_plugin_result *result)
{
	/* The fallback sets a protocol only on flows nDPI left Unknown, so a
	 * protocol it set is pronet's, not nDPI's. */
	if (result != NULL && result->decided && !result->abstained && result->ndpi_protocol != 0) {
		if (result->source == PRONET_PLUGIN_SOURCE_ENDPOINT)
			return CLASSIFY_SOURCE_PRONET_ENDPOINT;
		if (result->source == PRONET_PLUGIN_SOURCE_FLOW_MODEL)
			return CLASSIFY_SOURCE_PRONET_FLOW;
		return CLASSIFY_SOURCE_PRONET;
	}
	if (report->protocol.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    report->protocol.master_protocol != NDPI_PROTOCOL_UNKNOWN)
		return CLASSIFY_SOURCE_NDPI;
	return CLASSIFY_SOURCE_NONE;
}

/* 64-bit FNV-1a. */
static uint64_t hash_bytes(uint64_t hash, const void *data, size_t size)
{
	const uint8_t *bytes = data;
	for (size_t i = 0; i < size; i++) {
		hash ^= bytes[i];
		hash *= 0x100000001b3ull;
	}
	return hash;
}

int64_t classify_flow_id(const struct pronet_flow *flow)
{
	const struct pronet_flow_key *key = &flow->key;
	uint64_t hash = 0xcbf29ce484222325ull;
	uint8_t head[4] = {key->ip_version, key->l4_protocol, (uint8_t)(key->vlan_id >> 8),
	                   (uint8_t)key->vlan_id};
	uint8_t ports[4] = {(uint8_t)(key->port[0] >> 8), (uint8_t)key->port[0],
	                    (uint8_t)(key->port[1] >> 8), (uint8_t)key->port[1]};
	uint8_t first[8];
	for (int i = 0; i < 8; i++)
		first[i] = (uint8_t)(flow->first_us >> (8 * i));
	hash = hash_bytes(hash, head, sizeof(head));
	hash = hash_bytes(hash, key->addr, sizeof(key->addr));
	hash = hash_bytes(hash, ports, sizeof(ports));
	hash = hash_bytes(hash, first, sizeof(first));
	return (int64_t)(hash & INT64_MAX);
}

void classify_format_timestamp(uint64_t microseconds, char *out, size_t size)
{
	time_t seconds = (time_t)(microseconds / 1000000u);
	struct tm tm;
	char date[32];
	if (gmtime_r(&seconds, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(date, sizeof(date), "1970-01-01T00:00:00");
	snprintf(out, size, "%s.%06u+0000", date, (unsigned)(microseconds % 1000000u));
}

int classify_event_context_set_capture(struct classify_event_context *context, const char *name,
                                       int live)
{
	classify_event_context_clear_capture(context);
	context->capture_name = json_object_new_string(name);
	if (context->capture_name == NULL)
		return -1;
	context->capture_key = live ? "in_iface" : "pcap_filename";
	return 0;
}

void classify_event_context_clear_capture(struct classify_event_context *context)
{
	json_object_put(context->capture_name);
	context->capture_name = NULL;
	context->capture_key = NULL;
}

/* Suricata's names for IP protocols. */
static const char *ip_protocol_name(uint8_t protocol, char *buffer, size_t size)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "IPv6-ICMP";
	case IPPROTO_IGMP:
		return "IGMP";
	case IPPROTO_SCTP:
		return "SCTP";
	case IPPROTO_GRE:
		return "GRE";
	case 112:
		return "VRRP";
	}
	snprintf(buffer, size, "%u", protocol);
	return buffer;
}

static const char *end_reason_name(enum pronet_flow_end_reason reason)
{
	switch (reason) {
	case PRONET_FLOW_END_IDLE:
		return "timeout";
	case PRONET_FLOW_END_ACTIVE:
		return "active-timeout";
	case PRONET_FLOW_END_EVICTED:
		return "evicted";
	case PRONET_FLOW_END_FLUSH:
		return "shutdown";
	}
	return "unknown";
}

/* json_object_object_add that tolerates a NULL value (out of memory): the
 * caller checks the whole object once at the end. */
static int add(struct json_object *object, const char *key, struct json_object *value)
{
	if (value == NULL)
		return -1;
	json_object_object_add(object, key, value);
	return 0;
}

/* A probability with 4 decimals, not json-c's 17 significant digits. */
static struct json_object *new_probability(float probability)
{
	char text[16];
	snprintf(text, sizeof(text), "%.4f", (double)probability);
	return json_object_new_double_s((double)probability, text);
}

static int add_address(struct json_object *event, const struct pronet_flow_key *key, int side,
                       const char *ip_key, const char *port_key)
{
	char text[INET6_ADDRSTRLEN];
	if (inet_ntop(key->ip_version == 6 ? AF_INET6 : AF_INET, key->addr[side], text,
	              sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	return add(event, ip_key, json_object_new_string(text)) |
	       add(event, port_key, json_object_new_int(key->port[side]));
}

/* `start` is the event's timestamp, already formatted: the flow starts then. */
static struct json_object *flow_object(const struct pronet_flow_report *report, const char *start)
{
	const struct pronet_flow *flow = report->flow;
	char end[40];
	struct json_object *object = json_object_new_object();
	if (object == NULL)
		return NULL;
	classify_format_timestamp(flow->last_us, end, sizeof(end));
	int failed =
	    add(object, "pkts_toserver", json_object_new_int64((int64_t)flow->packets[0])) |
	    add(object, "pkts_toclient", json_object_new_int64((int64_t)flow->packets[1])) |
	    add(object, "bytes_toserver", json_object_new_int64((int64_t)flow->bytes[0])) |
	    add(object, "bytes_toclient", json_object_new_int64((int64_t)flow->bytes[1])) |
	    add(object, "start", json_object_new_string(start)) |
	    add(object, "end", json_object_new_string(end)) |
	    add(object, "reason", json_object_new_string(end_reason_name(report->end_reason)));
	if (failed) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

/* nDPI's own verdict: Unknown where the model named the flow (the fallback
 * only runs on flows nDPI left Unknown). */
static struct json_object *ndpi_object(const struct classify_event_context *context,
                                       const struct pronet_flow_report *report,
                                       enum classify_source source)
{
	struct json_object *object = json_object_new_object();
	int own = source == CLASSIFY_SOURCE_NDPI || source == CLASSIFY_SOURCE_NONE;
	if (object == NULL)
		return NULL;
	const char *category =
	    own ? report->category_name
	        : ndpi_category_get_name(context->ndpi, NDPI_PROTOCOL_CATEGORY_UNSPECIFIED);
	int failed =
	    add(object, "protocol", json_object_new_string(own ? report->name : "Unknown")) |
	    add(object, "master", json_object_new_string(own ? report->master_name : "Unknown")) |
	    add(object, "app", json_object_new_string(own ? report->app_name : "Unknown")) |
	    add(object, "category", json_object_new_string(category != NULL ? category : "")) |
	    add(object, "confidence",
	        json_object_new_string(own ? report->confidence_name
	                                   : ndpi_confidence_get_name(NDPI_CONFIDENCE_UNKNOWN)));
	if (failed) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

struct json_object *classify_event_model_object(const struct pronet_plugin_result *result)
{
	struct json_object *object = json_object_new_object();
	struct json_object *top = json_object_new_array();
	int failed = object == NULL || top == NULL;
	for (size_t k = 0; !failed && k < result->num_top; k++) {
		struct json_object *entry = json_object_new_object();
		failed = entry == NULL ||
		         add(entry, "label", json_object_new_string(result->top[k].label)) |
		             add(entry, "probability", new_probability(result->top[k].probability));
		if (!failed)
			failed = json_object_array_add(top, entry) != 0;
		else
			json_object_put(entry);
	}
	if (failed) {
		json_object_put(object);
		json_object_put(top);
		return NULL;
	}
	failed = add(object, "label", json_object_new_string(result->label ? result->label : "")) |
	         add(object, "probability", new_probability(result->probability)) |
	         add(object, "top", top) |
	         add(object, "packets_used", json_object_new_int((int)result->packets_used)) |
	         add(object, "abstained", json_object_new_boolean(result->abstained));
	if (failed) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

/* Suricata's app_proto: lower case; "failed" when nothing was found. */
static struct json_object *app_proto(const struct pronet_flow_report *report,
                                     enum classify_source source)
{
	char name[64];
	const char *from = report->protocol.master_protocol != NDPI_PROTOCOL_UNKNOWN
	                       ? report->master_name
	                       : report->app_name;
	if (source == CLASSIFY_SOURCE_NONE || from == NULL)
		from = "failed";
	size_t i = 0;
	for (; from[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)from[i]);
	name[i] = '\0';
	return json_object_new_string(name);
}

/* Why the fallback left a flow Unknown (docs/classify-events.md). */
static const char *abstain_name(const struct pronet_plugin_result *result)
{
	if (result->packets_used == 0)
		return "no-payload";
	switch (result->decision) {
	case PRONET_FLOW_NAMED:
		break;
	case PRONET_FLOW_BELOW_THRESHOLD:
		return "below-threshold";
	case PRONET_FLOW_REJECTED:
		return "rejected";
	case PRONET_FLOW_RANDOM:
		return "random-looking";
	}
	return "below-threshold";
}

/* The endpoint evidence a verdict of that source rests on. */
static struct json_object *endpoint_object(const struct pronet_plugin_result *result)
{
	struct json_object *object = json_object_new_object();
	if (object == NULL)
		return NULL;
	if (add(object, "hop",
	        json_object_new_string(result->endpoint.hop == 1 ? "endpoint" : "socket")) |
	    add(object, "agreeing", json_object_new_int64(result->endpoint.agreeing)) |
	    add(object, "conflicting", json_object_new_int64(result->endpoint.conflicting))) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

struct json_object *classify_event_verdict_object(const struct pronet_flow_report *report,
                                                  const struct pronet_plugin_result *result,
                                                  enum classify_source source)
{
	struct json_object *object = json_object_new_object();
	if (object == NULL)
		return NULL;
	const char *protocol = source == CLASSIFY_SOURCE_NONE ? "Unknown" : report->name;
	int failed = add(object, "protocol", json_object_new_string(protocol)) |
	             add(object, "source", json_object_new_string(classify_source_name(source)));
	/* Where pronet decided: the score its decision weighed, and why it
	 * abstained. */
	if (result != NULL && result->decided && source != CLASSIFY_SOURCE_NDPI) {
		if (source != CLASSIFY_SOURCE_NONE || result->packets_used > 0)
			failed |= add(object, "score", new_probability(result->score));
		/* When the verdict arrived: the fallback runs at nDPI's give-up,
		 * right after the flow's last packet handed to nDPI. */
		failed |= add(object, "after_packets", json_object_new_int64(report->ndpi_packets));
		if (source == CLASSIFY_SOURCE_NONE)
			failed |=
			    add(object, "abstain", json_object_new_string(abstain_name(result)));
		if (source == CLASSIFY_SOURCE_PRONET_ENDPOINT)
			failed |= add(object, "endpoint", endpoint_object(result));
	}
	if (failed) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

struct json_object *classify_event_new(const struct classify_event_context *context,
                                       const struct pronet_flow_report *report,
                                       const struct pronet_plugin_result *result,
                                       enum classify_source source)
{
	const struct pronet_flow *flow = report->flow;
	char timestamp[40], number[8];
	struct json_object *event = json_object_new_object();
	if (event == NULL)
		return NULL;
	classify_format_timestamp(flow->first_us, timestamp, sizeof(timestamp));
	int failed = add(event, "timestamp", json_object_new_string(timestamp)) |
	             add(event, "flow_id", json_object_new_int64(classify_flow_id(flow)));
	if (context->capture_name != NULL)
		failed |= add(event, context->capture_key, json_object_get(context->capture_name));
	failed |= add(event, "event_type", json_object_new_string("flow"));
	if (flow->key.vlan_id != 0) {
		struct json_object *vlan = json_object_new_array();
		failed |= add(event, "vlan", vlan);
		if (vlan != NULL)
			failed |=
			    json_object_array_add(vlan, json_object_new_int(flow->key.vlan_id));
	}
	failed |= add_address(event, &flow->key, flow->client_side, "src_ip", "src_port");
	failed |= add_address(event, &flow->key, 1 - flow->client_side, "dest_ip", "dest_port");
	failed |= add(event, "proto",
	              json_object_new_string(
	                  ip_protocol_name(flow->key.l4_protocol, number, sizeof(number))));
	failed |= add(event, "app_proto", app_proto(report, source));
	failed |= add(event, "flow", flow_object(report, timestamp));
	failed |= add(event, "ndpi", ndpi_object(context, report, source));
	/* Only where the model was consulted: it ran on recorded payload. */
	if (result != NULL && result->decided && result->packets_used > 0)
		failed |= add(event, "pronet", classify_event_model_object(result));
	/* With --update: which model answered (docs/online-update.md). */
	struct json_object *model = NULL;
	if (context->model_generations && json_object_object_get_ex(event, "pronet", &model))
		failed |= add(model, "model_generation",
		              json_object_new_int64((int64_t)result->model_generation));
	failed |= add(event, "verdict", classify_event_verdict_object(report, result, source));
	if (failed) {
		json_object_put(event);
		return NULL;
	}
	return event;
}
