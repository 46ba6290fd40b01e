/* pronet predict: classifies packets given as hex on standard input, one per
 * line, with a trained model: payloads for a model that reads payload bytes,
 * whole IP packets for one that reads from the IP header on (deep-packet-*,
 * image-cnn), whose records are made as the flow table makes them
 * (pronet_decode_l3, pronet_record_from_packet: addresses and checksums
 * zeroed), so that a packet gets here the verdict it gets in a capture. */
#include "config.h"

#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/input_spec.h"
#include "core/data/record.h"
#include "core/model/model.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/input_builder.h"
#include "tools/cli_args.h"

int pronet_cmd_predict(int argc, char **argv);

static void usage(FILE *out)
{
	fputs("Usage: pronet predict -m MODEL [OPTION]...\n"
	      "Classify packets read from standard input as hex, one packet per line\n"
	      "(spaces, tabs and colons between digits are ignored; blank lines and lines\n"
	      "starting with '#' are skipped). A line holds what the model reads (`pronet\n"
	      "info MODEL`, its input line):\n"
	      "  payload bytes (pronet-cnn, the default model): a packet's L4 payload; the\n"
	      "    bytes past the model's window (16 for pronet-cnn) are not read, and the\n"
	      "    full byte count is given to the model as the payload length;\n"
	      "  bytes from the IP header on (deep-packet-cnn, deep-packet-sae, image-cnn):\n"
	      "    a whole IPv4 or IPv6 packet, decoded as in a capture, its addresses and\n"
	      "    checksums zeroed as the flow table zeroes them; its header gives the\n"
	      "    transport, so --udp is refused.\n"
	      "A model that decides whole flows (flow-cnn, histogram-*) is refused.\n"
	      "\n"
	      "  -m, --model=MODEL      model file (required)\n"
	      "  -k, --top=K            classes listed per line (default 3)\n"
	      "      --udp              payloads are UDP (default TCP)\n"
	      "      --server           packets are server-to-client (default client-to-server)\n"
	      "  -h, --help             show this help and exit\n"
	      "\n"
	      "Output: one line per packet, tab-separated:\n"
	      "  LABEL<TAB>PROBABILITY<TAB>top: NAME=P NAME=P ...\n"
	      "where LABEL is the most probable class. A line that is not hex, or not an IP\n"
	      "packet for a model that reads one, gives\n"
	      "  -<TAB>0<TAB>error: PROBLEM\n"
	      "on standard output (so output lines follow input lines) and a message naming\n"
	      "the line number on standard error.\n"
	      "Exit status: 0 all lines classified, 1 a line was bad or the model could not\n"
	      "be read, 2 usage error.\n",
	      out);
}

struct predict_args {
	const char *model;
	uint32_t top;
	uint8_t l4_protocol, direction;
	int udp_given;
};

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct predict_args *a)
{
	static const struct option long_options[] = {
	    {"model", required_argument, NULL, 'm'}, {"top", required_argument, NULL, 'k'},
	    {"udp", no_argument, NULL, 'u'},         {"server", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	int option;

	a->model = NULL;
	a->top = 3;
	a->l4_protocol = IPPROTO_TCP;
	a->direction = PRONET_DIR_CLIENT_TO_SERVER;
	a->udp_given = 0;
	while ((option = getopt_long(argc, argv, "m:k:h", long_options, NULL)) != -1) {
		switch (option) {
		case 'm':
			a->model = optarg;
			break;
		case 'u':
			a->l4_protocol = IPPROTO_UDP;
			a->udp_given = 1;
			break;
		case 's':
			a->direction = PRONET_DIR_SERVER_TO_CLIENT;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'k':
			if (pronet_cli_parse_u32("predict", "top", optarg, 1, PRONET_MAX_CLASSES,
			                         &a->top))
				break;
			/* fall through */
		default:
			fprintf(stderr, "Try 'pronet predict --help'.\n");
			return 2;
		}
	}
	if (a->model == NULL || optind != argc) {
		fprintf(stderr, "pronet predict: %s\nTry 'pronet predict --help'.\n",
		        a->model == NULL ? "no -m MODEL given"
		                         : "unexpected argument (payloads come on standard input)");
		return 2;
	}
	return -1;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One input line's bytes: the first `capacity` kept, `count` all of them. */
struct hex_bytes {
	uint8_t *bytes;
	size_t capacity, count;
};

/* Parses one line of hex into out. Returns NULL, or a problem (written into
 * problem[size]). A blank or comment line sets *skip. */
static const char *parse_hex(const char *line, struct hex_bytes *out, int *skip, char *problem,
                             size_t size)
{
	size_t digits = 0, column = 0;
	int high = 0;

	out->count = 0;
	*skip = 0;
	for (const char *p = line; *p != '\0' && *p != '\n'; p++, column++) {
		int value = hex_value(*p);

		if (*p == ' ' || *p == '\t' || *p == ':' || *p == '\r')
			continue;
		if (*p == '#' && digits == 0)
			break;
		if (value < 0) {
			snprintf(problem, size, "'%c' at column %zu is not a hex digit", *p,
			         column + 1);
			return problem;
		}
		if (digits++ % 2 == 0) {
			high = value;
			continue;
		}
		if (out->count < out->capacity)
			out->bytes[out->count] = (uint8_t)(high << 4 | value);
		out->count++;
	}
	if (digits == 0) {
		*skip = 1;
		return NULL;
	}
	if (digits % 2 != 0) {
		snprintf(problem, size, "odd number of hex digits (%zu)", digits);
		return problem;
	}
	return NULL;
}

/* A payload line's record: the model's window of it, the whole count as the
 * payload length. */
static void payload_record(const struct hex_bytes *line, const struct pronet_input_spec *spec,
                           const struct predict_args *a, struct pronet_packet_record *record)
{
	size_t kept = line->count < spec->window_bytes ? line->count : spec->window_bytes;

	memset(record, 0, sizeof(*record));
	record->bytes = line->bytes;
	record->length = (uint16_t)kept;
	record->payload_length = (uint16_t)(line->count < UINT16_MAX ? line->count : UINT16_MAX);
	record->l4_protocol = a->l4_protocol;
	record->direction = a->direction;
	record->layer = PRONET_LAYER_PAYLOAD;
}

/* An IP packet line's record, made as the flow table makes a packet's (as
 * the first of its flow). Returns NULL, or a problem. */
static const char *l3_record(const struct hex_bytes *line, const struct pronet_input_spec *spec,
                             const struct predict_args *a, uint8_t *window,
                             struct pronet_packet_record *record, char *problem, size_t size)
{
	struct pronet_packet packet;
	enum pronet_packet_skip skip = PRONET_SKIP_NONE;

	if (line->count > line->capacity) {
		snprintf(problem, size, "%zu bytes: an IP packet is at most %zu", line->count,
		         line->capacity);
		return problem;
	}
	if (pronet_decode_l3(line->bytes, line->count, 0, &packet, &skip) != PRONET_OK ||
	    skip != PRONET_SKIP_NONE) {
		snprintf(problem, size, "not an IP packet pronet reads (%s)",
		         pronet_packet_skip_name(skip));
		return problem;
	}
	pronet_record_from_packet(&packet, (enum pronet_direction)a->direction, 0,
	                          packet.payload_length > 0 ? 0 : PRONET_PAYLOAD_INDEX_NONE, spec,
	                          window, record);
	return NULL;
}

/* Prints LABEL<TAB>P<TAB>top: a=p b=p ... for one prediction. */
static void print_prediction(const struct pronet_model *model, const float *probabilities,
                             size_t best, uint32_t top)
{
	size_t num_classes = pronet_model_num_classes(model);
	char shown[PRONET_MAX_CLASSES] = {0};

	printf("%s\t%.6f\ttop:", pronet_model_class_name(model, best), (double)probabilities[best]);
	for (uint32_t k = 0; k < top && k < num_classes; k++) {
		size_t pick = num_classes;

		for (size_t i = 0; i < num_classes; i++)
			if (!shown[i] &&
			    (pick == num_classes || probabilities[i] > probabilities[pick]))
				pick = i;
		shown[pick] = 1;
		printf(" %s=%.4f", pronet_model_class_name(model, pick),
		       (double)probabilities[pick]);
	}
	putchar('\n');
}

/* The longest line an IP packet can be (its total length is 16 bits). */
#define MAX_LINE_BYTES 65535

/* line_bytes[MAX_LINE_BYTES] holds a line's bytes, window[the model's
 * window] an IP packet's record. */
static int predict_lines(const struct pronet_model *model, struct pronet_workspace *workspace,
                         const struct predict_args *a, const struct pronet_input_spec *spec,
                         uint8_t *line_bytes, uint8_t *window)
{
	float probabilities[PRONET_MAX_CLASSES];
	char *text = NULL, problem[128];
	size_t capacity = 0, best;
	unsigned long number = 0;
	int status = 0;
	int l3 = spec->layer == PRONET_LAYER_L3;
	struct hex_bytes line = {line_bytes, l3 ? MAX_LINE_BYTES : spec->window_bytes, 0};

	while (getline(&text, &capacity, stdin) != -1) {
		struct pronet_packet_record input;
		int skip;
		const char *bad = parse_hex(text, &line, &skip, problem, sizeof(problem));

		number++;
		if (skip)
			continue;
		if (bad == NULL && l3)
			bad = l3_record(&line, spec, a, window, &input, problem, sizeof(problem));
		else if (bad == NULL)
			payload_record(&line, spec, a, &input);
		if (bad == NULL) {
			enum pronet_err err =
			    pronet_model_predict(model, workspace, &input, probabilities, &best);
			if (err != PRONET_OK)
				bad = pronet_strerror(err);
		}
		if (bad != NULL) {
			printf("-\t0\terror: %s\n", bad);
			fprintf(stderr, "pronet predict: stdin:%lu: %s\n", number, bad);
			status = 1;
			continue;
		}
		print_prediction(model, probabilities, best, a->top);
	}
	free(text);
	if (ferror(stdin)) {
		fprintf(stderr, "pronet predict: error reading standard input\n");
		status = 1;
	}
	return status;
}

int pronet_cmd_predict(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct predict_args args;
	struct pronet_model *model = NULL;
	struct pronet_workspace *workspace = NULL;
	struct pronet_input_spec spec;
	uint8_t *line_bytes = NULL, *window = NULL;
	int status = parse_args(argc, argv, &args);

	if (status >= 0)
		return status;
	if (pronet_model_load(args.model, &model, errbuf) != PRONET_OK ||
	    pronet_workspace_new(model, &workspace, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet predict: %s\n", errbuf);
		pronet_model_free(model);
		return 1;
	}
	pronet_model_input_spec(model, &spec);
	if (pronet_model_is_per_flow(model)) {
		fprintf(stderr, "pronet predict: %s: a %s model decides whole flows, not packets\n",
		        args.model, pronet_arch_name(pronet_model_arch(model)));
		status = 1;
	} else if (spec.layer == PRONET_LAYER_L3 && args.udp_given) {
		fprintf(
		    stderr,
		    "pronet predict: %s reads packets from the IP header on, whose header gives "
		    "the transport: --udp is not for it\nTry 'pronet predict --help'.\n",
		    args.model);
		status = 2;
	} else if ((line_bytes = malloc(MAX_LINE_BYTES)) == NULL ||
	           (window = malloc(spec.window_bytes > 0 ? spec.window_bytes : 1)) == NULL) {
		fprintf(stderr, "pronet predict: out of memory\n");
		status = 1;
	} else {
		status = predict_lines(model, workspace, &args, &spec, line_bytes, window);
	}
	free(line_bytes);
	free(window);
	pronet_workspace_free(workspace);
	pronet_model_free(model);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pronet predict: error writing standard output\n");
		status = 1;
	}
	return status;
}
