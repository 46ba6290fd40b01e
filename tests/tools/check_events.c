/* Test helper for tests/tools/classify.sh: reads `pronet classify` output
 * and checks every line with json-c. Each line must be one whole JSON object
 * (nothing after it) with the EVE fields classify documents, and:
 *   - event_type is "flow"; timestamp looks like 2021-06-01T12:00:00.123456+0000;
 *   - verdict.source is ndpi, pronet, pronet-flow, pronet-endpoint or none;
 *   - source pronet-endpoint only where ndpi.protocol is "Unknown", with a
 *     verdict.endpoint object and a verdict.score;
 *   - source pronet (a packet model) or pronet-flow (a per-flow model) only
 *     where ndpi.protocol is "Unknown", and then the pronet object is there,
 *     not abstained, its label's probability set;
 *   - where pronet decided (a source but ndpi, or a pronet object),
 *     verdict.after_packets is at least 1 and at most the flow's packets;
 *   - source ndpi only where ndpi.protocol is not "Unknown";
 *   - a pronet object only where ndpi.protocol is "Unknown" (the model is
 *     consulted only then), with at most 3 top entries in falling order.
 * Prints "lines N", "source ndpi N", "source pronet N", "source none N",
 * "consulted N", "source pronet-endpoint N", "source pronet-flow N"; exit
 * status 1 naming the first bad line.
 *
 * Usage: check_events FILE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static int bad(unsigned long line, const char *why)
{
	fprintf(stderr, "check_events: line %lu: %s\n", line, why);
	return 1;
}

static const char *string_at(struct json_object *object, const char *key, const char *inner)
{
	struct json_object *value;
	if (!json_object_object_get_ex(object, key, &value))
		return NULL;
	if (inner != NULL && !json_object_object_get_ex(value, inner, &value))
		return NULL;
	return json_object_is_type(value, json_type_string) ? json_object_get_string(value) : NULL;
}

static int has(struct json_object *object, const char *key, enum json_type type)
{
	struct json_object *value;
	return json_object_object_get_ex(object, key, &value) && json_object_is_type(value, type);
}

static int timestamp_ok(const char *text)
{
	/* YYYY-MM-DDTHH:MM:SS.uuuuuu+0000 */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddd+dddd";
	if (text == NULL || strlen(text) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i] != '\0'; i++)
		if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i])
			return 0;
	return 1;
}

/* 0 if the pronet object is well formed. */
static int check_pronet(struct json_object *pronet, int named, unsigned long line)
{
	struct json_object *top, *abstained;
	if (!has(pronet, "label", json_type_string) ||
	    !has(pronet, "probability", json_type_double) ||
	    !has(pronet, "packets_used", json_type_int) ||
	    !json_object_object_get_ex(pronet, "abstained", &abstained) ||
	    !json_object_object_get_ex(pronet, "top", &top) ||
	    !json_object_is_type(top, json_type_array))
		return bad(line, "pronet object lacks a field");
	size_t n = json_object_array_length(top);
	if (n == 0 || n > 3)
		return bad(line, "pronet.top does not have 1 to 3 entries");
	double previous = 2.0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *entry = json_object_array_get_idx(top, i), *p;
		if (!json_object_object_get_ex(entry, "probability", &p))
			return bad(line, "pronet.top entry without probability");
		double value = json_object_get_double(p);
		if (value > previous || value < 0.0 || value > 1.0)
			return bad(line, "pronet.top not in falling order within [0, 1]");
		previous = value;
	}
	if (named && json_object_get_boolean(abstained))
		return bad(line, "source pronet but the model abstained");
	return 0;
}

/* verdict.after_packets where pronet decided: the verdict came at nDPI's
 * give-up, after at least one and at most all of the flow's packets. A flow
 * nobody named where nDPI never gave up (the model not asked) may lack it. */
static int check_after_packets(struct json_object *event, int required, unsigned long line)
{
	struct json_object *verdict, *after, *flow, *to_server, *to_client;
	if (!json_object_object_get_ex(event, "verdict", &verdict) ||
	    !json_object_object_get_ex(verdict, "after_packets", &after))
		return required ? bad(line, "pronet decided without verdict.after_packets") : 0;
	if (!json_object_object_get_ex(event, "flow", &flow) ||
	    !json_object_object_get_ex(flow, "pkts_toserver", &to_server) ||
	    !json_object_object_get_ex(flow, "pkts_toclient", &to_client))
		return bad(line, "flow packet counts missing");
	int64_t packets = json_object_get_int64(to_server) + json_object_get_int64(to_client);
	int64_t value = json_object_get_int64(after);
	if (!json_object_is_type(after, json_type_int) || value < 1 || value > packets)
		return bad(line, "verdict.after_packets is not within 1..the flow's packets");
	return 0;
}

static int check_line(char *text, unsigned long line, unsigned long *counts)
{
	struct json_tokener *tokener = json_tokener_new();
	size_t length = strlen(text);
	if (length > 0 && text[length - 1] == '\n')
		text[--length] = '\0';
	struct json_object *event = json_tokener_parse_ex(tokener, text, (int)length);
	int status = 0;
	if (event == NULL || json_tokener_get_error(tokener) != json_tokener_success ||
	    json_tokener_get_parse_end(tokener) != length)
		status = bad(line, "not one whole JSON value");
	else if (!json_object_is_type(event, json_type_object))
		status = bad(line, "not a JSON object");
	json_tokener_free(tokener);
	if (status != 0) {
		json_object_put(event);
		return status;
	}
	const char *event_type = string_at(event, "event_type", NULL);
	const char *ndpi = string_at(event, "ndpi", "protocol");
	const char *source = string_at(event, "verdict", "source");
	const char *verdict = string_at(event, "verdict", "protocol");
	struct json_object *pronet = NULL;
	int consulted = json_object_object_get_ex(event, "pronet", &pronet);
	if (event_type == NULL || strcmp(event_type, "flow") != 0)
		status = bad(line, "event_type is not \"flow\"");
	else if (!timestamp_ok(string_at(event, "timestamp", NULL)))
		status = bad(line, "timestamp is not ISO 8601 with microseconds and offset");
	else if (!has(event, "flow_id", json_type_int) || !has(event, "src_port", json_type_int) ||
	         !has(event, "dest_port", json_type_int) || !string_at(event, "src_ip", NULL) ||
	         !string_at(event, "dest_ip", NULL) || !string_at(event, "proto", NULL) ||
	         !string_at(event, "app_proto", NULL))
		status = bad(line, "a flow field is missing");
	else if (ndpi == NULL || source == NULL || verdict == NULL ||
	         !string_at(event, "ndpi", "master") || !string_at(event, "ndpi", "app") ||
	         !string_at(event, "ndpi", "category") || !string_at(event, "ndpi", "confidence"))
		status = bad(line, "ndpi or verdict field missing");
	else if (strcmp(source, "pronet") == 0 || strcmp(source, "pronet-flow") == 0) {
		if (strcmp(ndpi, "Unknown") != 0)
			status = bad(line, "source pronet where nDPI named the flow");
		else if (!consulted)
			status = bad(line, "source pronet without a pronet object");
		else
			status = check_pronet(pronet, 1, line);
		counts[strcmp(source, "pronet") == 0 ? 1 : 5]++;
	} else if (strcmp(source, "ndpi") == 0) {
		if (strcmp(ndpi, "Unknown") == 0)
			status = bad(line, "source ndpi where nDPI said Unknown");
		counts[0]++;
	} else if (strcmp(source, "none") == 0) {
		if (strcmp(ndpi, "Unknown") != 0 || strcmp(verdict, "Unknown") != 0)
			status = bad(line, "source none for a named flow");
		counts[2]++;
	} else if (strcmp(source, "pronet-endpoint") == 0) {
		struct json_object *verdict_object, *endpoint, *score;
		if (strcmp(ndpi, "Unknown") != 0)
			status = bad(line, "source pronet-endpoint where nDPI named the flow");
		else if (!json_object_object_get_ex(event, "verdict", &verdict_object) ||
		         !json_object_object_get_ex(verdict_object, "endpoint", &endpoint) ||
		         !json_object_is_type(endpoint, json_type_object) ||
		         !json_object_object_get_ex(verdict_object, "score", &score))
			status =
			    bad(line, "source pronet-endpoint without verdict.endpoint and score");
		counts[4]++;
	} else {
		status = bad(line, "verdict.source is not ndpi, pronet, pronet-flow, "
		                   "pronet-endpoint or none");
	}
	if (status == 0 && (consulted || strcmp(source, "ndpi") != 0))
		status = check_after_packets(event, consulted || strcmp(source, "none") != 0, line);
	if (status == 0 && consulted) {
		if (strcmp(ndpi, "Unknown") != 0)
			status = bad(line, "the model was consulted where nDPI named the flow");
		else if (strcmp(source, "pronet") != 0)
			status = check_pronet(pronet, 0, line);
		counts[3]++;
	}
	json_object_put(event);
	return status;
}

int main(int argc, char **argv)
{
	unsigned long counts[6] = {0, 0, 0, 0, 0, 0}, line = 0;
	char *text = NULL;
	size_t capacity = 0;
	ssize_t got;
	if (argc != 2) {
		fprintf(stderr, "usage: check_events FILE\n");
		return 2;
	}
	FILE *file = fopen(argv[1], "r");
	if (file == NULL) {
		perror(argv[1]);
		return 1;
	}
	int status = 0;
	while (status == 0 && (got = getline(&text, &capacity, file)) != -1) {
		line++;
		if (got == 0 || text[got - 1] != '\n')
			status = bad(line, "a line without its newline (half-written)");
		else
			status = check_line(text, line, counts);
	}
	free(text);
	fclose(file);
	printf("lines %lu\nsource ndpi %lu\nsource pronet %lu\nsource none %lu\nconsulted %lu\n"
	       "source pronet-endpoint %lu\nsource pronet-flow %lu\n",
	       line, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
	return status;
}
