/* pronet predict: classifies payload prefixes given as hex on standard
 * input, one per line, with a trained model. Uses only core/model/model.h. */
#include "config.h"

#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/record.h"
#include "core/model/model.h"
#include "tools/cli_args.h"

int pronet_cmd_predict(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: pronet predict -m MODEL [OPTION]...\n"
	    "Classify packet payloads read from standard input as hex, one payload per\n"
	    "line (spaces, tabs and colons between digits are ignored; blank lines and\n"
	    "lines starting with '#' are skipped). Only the first %d bytes are used; the\n"
	    "full byte count is given to the model as the payload length.\n"
	    "\n"
	    "  -m, --model=MODEL      model file (required)\n"
	    "  -k, --top=K            classes listed per line (default 3)\n"
	    "      --udp              payloads are UDP (default TCP)\n"
	    "      --server           payloads are server-to-client (default client-to-server)\n"
	    "  -h, --help             show this help and exit\n"
	    "\n"
	    "Output: one line per payload, tab-separated:\n"
	    "  LABEL<TAB>PROBABILITY<TAB>top: NAME=P NAME=P ...\n"
	    "where LABEL is the most probable class. A line that is not hex gives\n"
	    "  -<TAB>0<TAB>error: PROBLEM\n"
	    "on standard output (so output lines follow input lines) and a message naming\n"
	    "the line number on standard error.\n"
	    "Exit status: 0 all lines classified, 1 a line was bad or the model could not\n"
	    "be read, 2 usage error.\n",
	    PRONET_PAYLOAD_BYTES);
}

struct predict_args {
	const char *model;
	uint32_t top;
	uint8_t l4_protocol, direction;
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
	while ((option = getopt_long(argc, argv, "m:k:h", long_options, NULL)) != -1) {
		switch (option) {
		case 'm':
			a->model = optarg;
			break;
		case 'u':
			a->l4_protocol = IPPROTO_UDP;
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

/* Parses one line of hex into input. Returns NULL, or a problem (written
 * into problem[size]). A blank or comment line sets *skip. */
static const char *parse_hex(const char *line, struct pronet_packet_record *input,
                             uint8_t window[PRONET_PAYLOAD_BYTES], int *skip, char *problem,
                             size_t size)
{
	size_t bytes = 0, digits = 0, column = 0;
	int high = 0;

	memset(input, 0, sizeof(*input));
	input->bytes = window;
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
		if (bytes < PRONET_PAYLOAD_BYTES)
			window[bytes] = (uint8_t)(high << 4 | value);
		bytes++;
	}
	if (digits == 0) {
		*skip = 1;
		return NULL;
	}
	if (digits % 2 != 0) {
		snprintf(problem, size, "odd number of hex digits (%zu)", digits);
		return problem;
	}
	input->length = (uint8_t)(bytes < PRONET_PAYLOAD_BYTES ? bytes : PRONET_PAYLOAD_BYTES);
	input->payload_length = (uint16_t)(bytes < UINT16_MAX ? bytes : UINT16_MAX);
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

static int predict_lines(const struct pronet_model *model, struct pronet_workspace *workspace,
                         const struct predict_args *a)
{
	float probabilities[PRONET_MAX_CLASSES];
	char *line = NULL, problem[128];
	size_t capacity = 0, best;
	unsigned long number = 0;
	int status = 0;

	while (getline(&line, &capacity, stdin) != -1) {
		struct pronet_packet_record input;
		uint8_t window[PRONET_PAYLOAD_BYTES];
		int skip;
		const char *bad = parse_hex(line, &input, window, &skip, problem, sizeof(problem));
		enum pronet_err err;

		number++;
		if (skip)
			continue;
		input.l4_protocol = a->l4_protocol;
		input.direction = a->direction;
		err = bad != NULL
		          ? PRONET_ERR_PARSE
		          : pronet_model_predict(model, workspace, &input, probabilities, &best);
		if (bad == NULL && err != PRONET_OK)
			bad = pronet_strerror(err);
		if (bad != NULL) {
			printf("-\t0\terror: %s\n", bad);
			fprintf(stderr, "pronet predict: stdin:%lu: %s\n", number, bad);
			status = 1;
			continue;
		}
		print_prediction(model, probabilities, best, a->top);
	}
	free(line);
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
	int status = parse_args(argc, argv, &args);

	if (status >= 0)
		return status;
	if (pronet_model_load(args.model, &model, errbuf) != PRONET_OK ||
	    pronet_workspace_new(model, &workspace, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet predict: %s\n", errbuf);
		pronet_model_free(model);
		return 1;
	}
	if (pronet_model_is_per_flow(model)) {
		fprintf(stderr, "pronet predict: %s: a %s model decides whole flows, not packets\n",
		        args.model, pronet_arch_name(pronet_model_arch(model)));
		status = 1;
	} else {
		status = predict_lines(model, workspace, &args);
	}
	pronet_workspace_free(workspace);
	pronet_model_free(model);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pronet predict: error writing standard output\n");
		status = 1;
	}
	return status;
}
