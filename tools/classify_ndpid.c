/* nDPId-style flow events (tools/classify_ndpid.h). Field names, units and
 * order are nDPId's (times in microseconds); the "ndpi" object is what
 * nDPI's own serializer writes for the flow (ndpi_dpi2json, the function
 * nDPId calls), with the confidence added in nDPId's form. */
#include "config.h"

#include "tools/classify_ndpid.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* nDPId's default idle times (its config.h), said where pronet has none:
 * a capture's flows never time out, which nDPId's schema cannot say. */
#define NDPID_TCP_IDLE_US 7440000000ull
#define NDPID_UDP_IDLE_US 180000000ull
#define NDPID_ICMP_IDLE_US 120000000ull
#define NDPID_GENERIC_IDLE_US 600000000ull

static const char *event_name(enum classify_ndpid_event kind)
{
	switch (kind) {
	case CLASSIFY_NDPID_NEW:
		return "new";
	case CLASSIFY_NDPID_END:
		return "end";
	case CLASSIFY_NDPID_IDLE:
		return "idle";
	case CLASSIFY_NDPID_GUESSED:
		return "guessed";
	case CLASSIFY_NDPID_DETECTED:
		return "detected";
	case CLASSIFY_NDPID_NOT_DETECTED:
		return "not-detected";
	}
	return "invalid";
}

enum classify_ndpid_event classify_ndpid_event_of(const struct pronet_flow_report *report,
                                                  enum classify_source source)
{
	switch (report->stage) {
	case PRONET_FLOW_STAGE_NEW:
		return CLASSIFY_NDPID_NEW;
	case PRONET_FLOW_STAGE_DETECTED:
		return CLASSIFY_NDPID_DETECTED;
	case PRONET_FLOW_STAGE_GAVE_UP:
		/* Named at give-up, by nDPI's guess or by pronet: not by DPI. */
		return report->guessed || source == CLASSIFY_SOURCE_PRONET ||
		               source == CLASSIFY_SOURCE_PRONET_ENDPOINT ||
		               source == CLASSIFY_SOURCE_PRONET_FLOW
		           ? CLASSIFY_NDPID_GUESSED
		           : CLASSIFY_NDPID_NOT_DETECTED;
	case PRONET_FLOW_STAGE_END:
		break;
	}
	return report->flow->tcp_fin_or_rst ? CLASSIFY_NDPID_END : CLASSIFY_NDPID_IDLE;
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

static int add_u64(struct json_object *object, const char *key, uint64_t value)
{
	return add(object, key, json_object_new_uint64(value));
}

static uint64_t idle_time_us(const struct classify_ndpid_context *context, uint8_t l4_protocol)
{
	if (context->idle_timeout_us > 0)
		return context->idle_timeout_us;
	switch (l4_protocol) {
	case IPPROTO_TCP:
		return NDPID_TCP_IDLE_US;
	case IPPROTO_UDP:
		return NDPID_UDP_IDLE_US;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return NDPID_ICMP_IDLE_US;
	}
	return NDPID_GENERIC_IDLE_US;
}

/* nDPId's jsonize_flow: the flow's counters, src being the end that sent
 * its first packet. */
static int add_flow_fields(struct json_object *event, const struct classify_ndpid_context *context,
                           const struct pronet_flow_report *report, int finished)
{
	const struct pronet_flow *flow = report->flow;
	int64_t flow_id = classify_flow_id(flow);
	return add(event, "flow_id", json_object_new_int64(flow_id > 0 ? flow_id : 1)) |
	       add(event, "flow_state", json_object_new_string(finished ? "finished" : "info")) |
	       add_u64(event, "flow_src_packets_processed", flow->packets[0]) |
	       add_u64(event, "flow_dst_packets_processed", flow->packets[1]) |
	       add_u64(event, "flow_first_seen", flow->first_us) |
	       add_u64(event, "flow_src_last_pkt_time", flow->last_us_by_direction[0]) |
	       add_u64(event, "flow_dst_last_pkt_time", flow->last_us_by_direction[1]) |
	       add_u64(event, "flow_idle_time", idle_time_us(context, flow->key.l4_protocol)) |
	       add_u64(event, "flow_src_min_l4_payload_len", flow->payload_min[0]) |
	       add_u64(event, "flow_dst_min_l4_payload_len", flow->payload_min[1]) |
	       add_u64(event, "flow_src_max_l4_payload_len", flow->payload_max[0]) |
	       add_u64(event, "flow_dst_max_l4_payload_len", flow->payload_max[1]) |
	       add_u64(event, "flow_src_tot_l4_payload_len", flow->payload_bytes[0]) |
	       add_u64(event, "flow_dst_tot_l4_payload_len", flow->payload_bytes[1]) |
	       add(event, "midstream", json_object_new_int(flow->midstream)) |
	       add_u64(event, "thread_ts_usec", report->now_us);
}

static const char *l4_name(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmp6";
	}
	return NULL;
}

/* nDPId's jsonize_l3_l4. */
static int add_l3_l4(struct json_object *event, const struct pronet_flow *flow)
{
	const struct pronet_flow_key *key = &flow->key;
	int v6 = key->ip_version == 6, src = flow->client_side, dst = 1 - flow->client_side;
	char src_ip[INET6_ADDRSTRLEN] = "", dst_ip[INET6_ADDRSTRLEN] = "";
	int failed = 0;
	if (key->vlan_id != 0)
		failed |= add(event, "vlan_id", json_object_new_int(key->vlan_id));
	failed |= add(event, "l3_proto", json_object_new_string(v6 ? "ip6" : "ip4"));
	if (inet_ntop(v6 ? AF_INET6 : AF_INET, key->addr[src], src_ip, sizeof(src_ip)) == NULL ||
	    inet_ntop(v6 ? AF_INET6 : AF_INET, key->addr[dst], dst_ip, sizeof(dst_ip)) == NULL)
		return -1;
	if (v6) { /* as nDPId: ":0:" -> "::" */
		ndpi_patchIPv6Address(src_ip);
		ndpi_patchIPv6Address(dst_ip);
	}
	failed |= add(event, "src_ip", json_object_new_string(src_ip)) |
	          add(event, "dst_ip", json_object_new_string(dst_ip));
	/* Ports only where the protocol has them (schema: 1..65535). */
	if (key->port[src] != 0)
		failed |= add(event, "src_port", json_object_new_int(key->port[src]));
	if (key->port[dst] != 0)
		failed |= add(event, "dst_port", json_object_new_int(key->port[dst]));
	const char *l4 = l4_name(key->l4_protocol);
	return failed |
	       add(event, "l4_proto",
	           l4 != NULL ? json_object_new_string(l4) : json_object_new_int(key->l4_protocol));
}

/* nDPI's serializer output (a JSON object's members) as json-c; NULL if it
 * could not be made or read. */
static struct json_object *parse_serializer(ndpi_serializer *serializer)
{
	uint32_t length = 0;
	char *text = ndpi_serializer_get_buffer(serializer, &length);
	if (text == NULL || length == 0)
		return NULL;
	struct json_tokener *tokener = json_tokener_new();
	if (tokener == NULL)
		return NULL;
	struct json_object *object = json_tokener_parse_ex(tokener, text, (int)length);
	json_tokener_free(tokener);
	if (object != NULL && !json_object_is_type(object, json_type_object)) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

/* nDPI 4.2's own serialization of the flow (ndpi_dpi2json, as nDPId calls
 * it): {"ndpi": {proto, breed, category}, "dns": {...}, ...}, the
 * protocol's block beside "ndpi", where later nDPI versions (and nDPId's
 * schema) put it inside. NULL if it could not be made. */
static struct json_object *serialize_flow(const struct classify_ndpid_context *context,
                                          const struct pronet_flow_report *report)
{
	ndpi_serializer serializer;
	if (ndpi_init_serializer(&serializer, ndpi_serialization_format_json) != 0)
		return NULL;
	if (report->ndpi_flow != NULL) {
		ndpi_dpi2json(context->ndpi, report->ndpi_flow, report->protocol, &serializer);
	} else { /* a flow nDPI never saw: its protocol only */
		ndpi_serialize_start_of_block(&serializer, "ndpi");
		ndpi_serialize_proto(context->ndpi, &serializer, 0, report->protocol);
		ndpi_serialize_end_of_block(&serializer);
	}
	struct json_object *whole = parse_serializer(&serializer);
	ndpi_term_serializer(&serializer);
	struct json_object *ndpi;
	if (whole != NULL && (!json_object_object_get_ex(whole, "ndpi", &ndpi) ||
	                      !json_object_is_type(ndpi, json_type_object))) {
		json_object_put(whole);
		return NULL;
	}
	return whole;
}

/* nDPId's numbering of confidences (later nDPI's), from nDPI 4.2's. */
static int schema_confidence_id(ndpi_confidence_t confidence)
{
	switch (confidence) {
	case NDPI_CONFIDENCE_MATCH_BY_PORT:
		return 1;
	case NDPI_CONFIDENCE_MATCH_BY_IP:
		return 7;
	case NDPI_CONFIDENCE_DPI_CACHE:
		return 5;
	case NDPI_CONFIDENCE_DPI:
		return 6;
	default:
		return 0;
	}
}

/* nDPId's flow_risk: {"ID": {"risk", "severity", "risk_score": {"total",
 * "client", "server"}}} per risk of the flow (nDPI 4.2's IDs and names). */
static struct json_object *risk_object(ndpi_risk risks)
{
	struct json_object *object = json_object_new_object();
	int failed = object == NULL;
	for (int r = 1; !failed && r < NDPI_MAX_RISK; r++) {
		ndpi_risk bit = (ndpi_risk)1 << r;
		if (!(risks & bit))
			continue;
		uint16_t client = 0, server = 0;
		uint16_t total = ndpi_risk2score(bit, &client, &server);
		const ndpi_risk_info *info = ndpi_risk2severity((ndpi_risk_enum)r);
		struct json_object *entry = json_object_new_object();
		struct json_object *score = json_object_new_object();
		char id[8];
		snprintf(id, sizeof(id), "%d", r);
		failed =
		    add(object, id, entry) |
		    add(entry, "risk", json_object_new_string(ndpi_risk2str((ndpi_risk_enum)r))) |
		    add(entry, "severity",
		        json_object_new_string(info != NULL ? ndpi_severity2str(info->severity)
		                                            : "")) |
		    add(entry, "risk_score", score) |
		    add(score, "total", json_object_new_int(total)) |
		    add(score, "client", json_object_new_int(client)) |
		    add(score, "server", json_object_new_int(server));
		if (failed && entry == NULL)
			json_object_put(score);
	}
	if (failed) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

/* "91" or "7.178": nDPId's proto_id, the master's and the app's IDs. */
static struct json_object *protocol_id(ndpi_protocol protocol)
{
	char id[16];
	if (protocol.master_protocol != NDPI_PROTOCOL_UNKNOWN &&
	    protocol.master_protocol != protocol.app_protocol &&
	    protocol.app_protocol != NDPI_PROTOCOL_UNKNOWN)
		snprintf(id, sizeof(id), "%u.%u", protocol.master_protocol, protocol.app_protocol);
	else
		snprintf(id, sizeof(id), "%u",
		         protocol.app_protocol != NDPI_PROTOCOL_UNKNOWN ? protocol.app_protocol
		                                                        : protocol.master_protocol);
	return json_object_new_string(id);
}

/* The "ndpi" object in nDPId's shape: proto, proto_id, encrypted, breed,
 * category_id, category, confidence, flow_risk and hostname where the flow
 * has them, and the protocol's block (dns, tls, http...) inside it. */
static struct json_object *ndpi_object(const struct classify_ndpid_context *context,
                                       const struct pronet_flow_report *report)
{
	struct json_object *whole = serialize_flow(context, report), *from;
	if (whole == NULL || !json_object_object_get_ex(whole, "ndpi", &from)) {
		json_object_put(whole);
		return NULL;
	}
	struct json_object *ndpi = json_object_new_object(), *value;
	const struct ndpi_flow_struct *flow = report->ndpi_flow;
	int failed = ndpi == NULL;
	if (!failed && json_object_object_get_ex(from, "proto", &value))
		failed |= add(ndpi, "proto", json_object_get(value));
	failed |=
	    add(ndpi, "proto_id", protocol_id(report->protocol)) |
	    add(ndpi, "encrypted",
	        json_object_new_int(ndpi_is_encrypted_proto(context->ndpi, report->protocol)));
	if (!failed && json_object_object_get_ex(from, "breed", &value))
		failed |= add(ndpi, "breed", json_object_get(value));
	failed |= add(ndpi, "category_id", json_object_new_int((int)report->protocol.category));
	if (!failed && json_object_object_get_ex(from, "category", &value))
		failed |= add(ndpi, "category", json_object_get(value));
	struct json_object *confidence = json_object_new_object();
	char id[8];
	snprintf(id, sizeof(id), "%d", schema_confidence_id(report->confidence));
	failed |= add(ndpi, "confidence", confidence) |
	          (confidence != NULL
	               ? add(confidence, id, json_object_new_string(report->confidence_name))
	               : 0);
	if (flow != NULL && flow->risk != 0)
		failed |= add(ndpi, "flow_risk", risk_object(flow->risk));
	if (flow != NULL && flow->host_server_name[0] != '\0')
		failed |=
		    add(ndpi, "hostname",
		        json_object_new_string_len(
		            flow->host_server_name,
		            (int)strnlen(flow->host_server_name, sizeof(flow->host_server_name))));
	json_object_object_foreach(whole, key, block)
	{
		if (!failed && strcmp(key, "ndpi") != 0 &&
		    json_object_is_type(block, json_type_object))
			failed |= add(ndpi, key, json_object_get(block));
	}
	json_object_put(whole);
	if (failed) {
		json_object_put(ndpi);
		return NULL;
	}
	return ndpi;
}

/* pronet's verdict: the EVE event's "verdict", and "model" where the model
 * ran on recorded payload. */
static struct json_object *pronet_object(const struct pronet_flow_report *report,
                                         const struct pronet_plugin_result *result,
                                         enum classify_source source)
{
	struct json_object *object = classify_event_verdict_object(report, result, source);
	if (object != NULL && result != NULL && result->decided && result->packets_used > 0 &&
	    add(object, "model", classify_event_model_object(result)) != 0) {
		json_object_put(object);
		return NULL;
	}
	return object;
}

struct json_object *classify_ndpid_event_new(const struct classify_ndpid_context *context,
                                             enum classify_ndpid_event kind,
                                             const struct pronet_flow_report *report,
                                             const struct pronet_plugin_result *result,
                                             enum classify_source source)
{
	struct json_object *event = json_object_new_object();
	if (event == NULL)
		return NULL;
	int ended = kind == CLASSIFY_NDPID_END || kind == CLASSIFY_NDPID_IDLE;
	int failed = add(event, "flow_event_id", json_object_new_int((int)kind)) |
	             add(event, "flow_event_name", json_object_new_string(event_name(kind))) |
	             add(event, "thread_id", json_object_new_int((int)context->thread_id)) |
	             add_u64(event, "packet_id", report->packets_seen) |
	             add(event, "source", json_object_new_string(context->source)) |
	             add(event, "alias", json_object_new_string(context->alias));
	failed |= add_flow_fields(event, context, report, ended);
	failed |= add_l3_l4(event, report->flow);
	if (kind == CLASSIFY_NDPID_NEW || ended)
		/* pronet sends no packet events: at most 0 packets per flow. */
		failed |= add(event, "flow_datalink", json_object_new_int(context->datalink)) |
		          add(event, "flow_max_packets", json_object_new_int(0));
	if (kind != CLASSIFY_NDPID_NEW)
		failed |= add(event, "ndpi", ndpi_object(context, report)) |
		          add(event, "pronet", pronet_object(report, result, source));
	if (failed) {
		json_object_put(event);
		return NULL;
	}
	return event;
}
