/* pronet explain: what a ProNet CNN learned, from its folded tables
 * (core/arch/pronet_cnn/explain.h): per class, the byte values at each of
 * the 16 positions that push the model towards it, as text and SVG heat
 * maps; with a labelled dataset, each class's profile on its flows and
 * candidate signatures tested on them (tools/explain_signatures.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/pronet_cnn/explain.h"
#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/model/model.h"
#include "tools/cli_args.h"
#include "tools/explain_flow.h"
#include "tools/explain_signatures.h"
#include "tools/explain_svg.h"

int pronet_cmd_explain(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: pronet explain -m MODEL [OPTION]...\n"
	        "       pronet explain -m MODEL --flow=FLOW_ID [-c CLASS] CAPTURE\n"
	        "What a ProNet CNN model learned. Per class, the byte values at each of the\n"
	        "16 positions of a packet's payload that push the model towards the class:\n"
	        "the evidence S(i, b), in the class's centred logit (its logit minus the\n"
	        "mean of all; times 1/temperature, log p minus the mean log p), read off\n"
	        "the model's folded tables (embedding times kernel, batch norm and dense\n"
	        "folded): for each byte-view filter, the most byte b at position i adds to\n"
	        "the class through it, should its max-pool keep a window holding i; summed\n"
	        "over the filters. Each term is exact; whether those windows win depends\n"
	        "on the packet's other bytes, so S is what a byte can do, not what it does\n"
	        "in a given packet. The 3-gram view is left out (its hashed buckets are not\n"
	        "bytes). Max-pooling makes positions 4-11 alike; the edges differ.\n"
	        "\n"
	        "With --dataset, each class's flows in DATASET (by class name) are\n"
	        "profiled on their first payload packet: at each position the commonest\n"
	        "byte and its share of the flows, and the share of the class's evidence\n"
	        "there, from each packet's exact attribution (byte view exact, 3-grams\n"
	        "split in thirds over their bytes). A class whose evidence lies on bytes\n"
	        "fixed in >= %.0f%% of its flows (>= %d bytes, >= %.0f%% of the evidence)\n"
	        "gets a candidate signature, tested on every flow of DATASET for the flows\n"
	        "it would name, right and wrong, and printed as nDPI protos-file comment\n"
	        "lines (nDPI's protos rules take ports, host names and addresses, no\n"
	        "payload bytes) with the dissector test it amounts to.\n"
	        "\n"
	        "With --flow, the flow of CAPTURE whose flow_id (as `pronet classify` prints\n"
	        "it) is FLOW_ID: nDPI's verdict, the model's flow verdict as the plugin\n"
	        "decides it, and per recorded packet the exact part of each byte and 3-gram\n"
	        "in the centred logit of the flow's best class (or --class).\n"
	        "\n"
	        "  -m, --model=MODEL     the model (family pronet-cnn; required)\n"
	        "  -c, --class=NAME      only this class\n"
	        "  -k, --top=K           bytes listed per position, 1..16 (default 3)\n"
	        "  -d, --dataset=FILE    profile the classes on FILE (written by 'pronet\n"
	        "                        label') and test signature candidates on it\n"
	        "      --svg-dir=DIR     write DIR/explain-CLASS.svg, a heat map per class\n"
	        "  -f, --flow=FLOW_ID    explain this flow of CAPTURE\n"
	        "  -h, --help            show this help and exit\n"
	        "\n"
	        "Exit status: 0 done, 1 error, 2 usage error.\n",
	        100.0 * PRONET_SIGNATURE_SHARE, PRONET_SIGNATURE_MIN_BYTES,
	        100.0 * PRONET_SIGNATURE_CONCENTRATION);
}

enum { OPT_SVG_DIR = 512 };

struct explain_args {
	const char *model, *only_class, *dataset, *svg_dir;
	const char *capture; /* with --flow */
	int64_t flow_id;
	int by_flow;
	uint32_t top;
};

/* A flow_id as EVE prints it: a signed 64-bit decimal. */
static int parse_flow_id(const char *text, int64_t *out)
{
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0') {
		fprintf(stderr,
		        "pronet explain: --flow: '%s' is not a flow_id (a decimal number)\n", text);
		return 0;
	}
	*out = value;
	return 1;
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct explain_args *a)
{
	static const struct option options[] = {
	    {"model", required_argument, NULL, 'm'},
	    {"class", required_argument, NULL, 'c'},
	    {"top", required_argument, NULL, 'k'},
	    {"dataset", required_argument, NULL, 'd'},
	    {"svg-dir", required_argument, NULL, OPT_SVG_DIR},
	    {"flow", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int option;

	a->top = 3;
	while ((option = getopt_long(argc, argv, "m:c:k:d:f:h", options, NULL)) != -1) {
		switch (option) {
		case 'm':
			a->model = optarg;
			break;
		case 'c':
			a->only_class = optarg;
			break;
		case 'k':
			if (!pronet_cli_parse_u32("explain", "top", optarg, 1, 16, &a->top))
				return 2;
			break;
		case 'd':
			a->dataset = optarg;
			break;
		case OPT_SVG_DIR:
			a->svg_dir = optarg;
			break;
		case 'f':
			if (!parse_flow_id(optarg, &a->flow_id))
				return 2;
			a->by_flow = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'pronet explain --help'.\n");
			return 2;
		}
	}
	if (a->model == NULL || optind != argc - (a->by_flow ? 1 : 0)) {
		fprintf(stderr, "pronet explain: %s\nTry 'pronet explain --help'.\n",
		        a->model == NULL ? "no MODEL given (-m)"
		        : a->by_flow     ? "--flow takes one CAPTURE"
		                         : "unexpected argument");
		return 2;
	}
	if (a->by_flow && (a->dataset != NULL || a->svg_dir != NULL)) {
		fprintf(stderr, "pronet explain: --flow explains one flow: no --dataset or "
		                "--svg-dir with it\n");
		return 2;
	}
	if (a->by_flow)
		a->capture = argv[optind];
	return -1;
}

static void print_token(FILE *out, size_t token)
{
	if (token == PRONET_PADDING_TOKEN)
		fputs("pad    ", out);
	else if (isprint((int)token) && token != ' ')
		fprintf(out, "%02zx '%c' ", token, (int)token);
	else
		fprintf(out, "%02zx     ", token);
}

/* The top bytes per position by evidence. */
static void print_evidence(FILE *out, const char *name, size_t k, size_t classes,
                           const float *evidence, uint32_t top)
{
	fprintf(out,
	        "\nclass %s (%zu of %zu): evidence towards it by position, the %u largest "
	        "(centred logit)\n",
	        name, k + 1, classes, top);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++) {
		const float *row = evidence + i * PRONET_BYTE_VOCABULARY;
		char taken[PRONET_BYTE_VOCABULARY] = {0};

		fprintf(out, "  %2zu ", i);
		for (uint32_t n = 0; n < top; n++) {
			size_t best = PRONET_BYTE_VOCABULARY;

			for (size_t b = 0; b < PRONET_BYTE_VOCABULARY; b++)
				if (!taken[b] &&
				    (best == PRONET_BYTE_VOCABULARY || row[b] > row[best]))
					best = b;
			taken[best] = 1;
			fputs("  ", out);
			print_token(out, best);
			fprintf(out, "%+7.3f", (double)row[best]);
		}
		fputc('\n', out);
	}
}

struct explain_run {
	const struct explain_args *a;
	const struct pronet_model *model;
	const struct pronet_cnn_explainer *explainer;
	const struct pronet_dataset *data; /* or NULL */
	const struct pronet_flows *flows;
	float *evidence;
	size_t proposed;
};

/* The label of DATASET named like model class k, or -1. */
static int label_of(const struct pronet_dataset *data, const char *name)
{
	for (size_t l = 0; l < data->num_classes; l++)
		if (strcmp(data->class_names[l], name) == 0)
			return (int)l;
	return -1;
}

static int explain_class(struct explain_run *run, size_t k)
{
	const char *name = pronet_model_class_name(run->model, k);
	size_t classes = pronet_model_num_classes(run->model);
	struct pronet_class_profile profile;
	int label;

	pronet_cnn_explain_evidence(run->explainer, k, run->evidence);
	print_evidence(stdout, name, k, classes, run->evidence, run->a->top);
	if (run->a->svg_dir != NULL &&
	    !pronet_explain_write_svg(run->a->svg_dir, name, run->evidence))
		return 0;
	if (run->data == NULL)
		return 1;
	label = label_of(run->data, name);
	if (label < 0) {
		printf("\n%s: no flows in %s (not one of its classes)\n", name, run->a->dataset);
		return 1;
	}
	if (!pronet_class_profile_build(run->explainer, run->data, run->flows, k, (uint16_t)label,
	                                &profile)) {
		fprintf(stderr, "pronet explain: out of memory\n");
		return 0;
	}
	pronet_class_profile_print(stdout, &profile, name, run->data, run->a->dataset);
	run->proposed += profile.proposed != 0;
	return 1;
}

static int explain(struct explain_run *run)
{
	size_t classes = pronet_model_num_classes(run->model);
	int found = run->a->only_class == NULL;

	printf("pronet explain: %s (%zu classes)%s%s\n", run->a->model, classes,
	       run->data ? ", profiled on " : "", run->data ? run->a->dataset : "");
	for (size_t k = 0; k < classes; k++) {
		if (run->a->only_class != NULL &&
		    strcmp(pronet_model_class_name(run->model, k), run->a->only_class) != 0)
			continue;
		found = 1;
		if (!explain_class(run, k))
			return 1;
	}
	if (!found) {
		fprintf(stderr, "pronet explain: --class: %s is not a class of %s\n",
		        run->a->only_class, run->a->model);
		return 1;
	}
	if (run->data != NULL)
		printf("\nsignature candidates: %zu\n", run->proposed);
	return 0;
}

int pronet_cmd_explain(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct explain_args args;
	struct explain_run run;
	struct pronet_model *model = NULL;
	struct pronet_cnn_explainer *explainer = NULL;
	struct pronet_dataset *data = NULL;
	struct pronet_flows *flows = NULL;
	int status;

	memset(&args, 0, sizeof(args));
	memset(&run, 0, sizeof(run));
	status = parse_args(argc, argv, &args);
	if (status >= 0)
		return status;
	status = 1;
	if (pronet_model_load(args.model, &model, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet explain: %s\n", errbuf);
		goto out;
	}
	if (pronet_cnn_explainer_new(model, &explainer, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet explain: %s: %s\n", args.model, errbuf);
		goto out;
	}
	if (args.by_flow) {
		status = pronet_explain_flow(model, explainer, args.capture, args.flow_id,
		                             args.only_class, stdout);
		goto out;
	}
	if (args.dataset != NULL &&
	    (pronet_dataset_load(args.dataset, &data, errbuf) != PRONET_OK ||
	     pronet_flows_index(data, &flows, errbuf) != PRONET_OK)) {
		fprintf(stderr, "pronet explain: %s%s%s\n", data ? args.dataset : "",
		        data ? ": " : "", errbuf);
		goto out;
	}
	run.evidence = malloc(PRONET_PAYLOAD_BYTES * PRONET_BYTE_VOCABULARY * sizeof(float));
	if (run.evidence == NULL) {
		fprintf(stderr, "pronet explain: out of memory\n");
		goto out;
	}
	run.a = &args;
	run.model = model;
	run.explainer = explainer;
	run.data = data;
	run.flows = flows;
	status = explain(&run);
out:
	free(run.evidence);
	pronet_flows_free(flows);
	pronet_dataset_free(data);
	pronet_cnn_explainer_free(explainer);
	pronet_model_free(model);
	return status;
}
