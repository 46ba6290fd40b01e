/* pronet eval: k-fold cross-validation of the ProNet CNN on a dataset,
 * decided per flow, printed like the ProNet paper's Table 1, written as
 * JSON and pictures; with -m MODEL, that model scored as it is on the
 * dataset, in the same layout. The evaluations themselves are
 * core/eval/eval.c and core/eval/eval_model.c. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/data/dataset.h"
#include "core/eval/eval.h"
#include "core/eval/eval_model.h"
#include "core/model/flow_predict.h"
#include "tools/cli_args.h"
#include "tools/dataset_filter.h"
#include "tools/eval_report.h"
#include "tools/train_args.h"

int pronet_cmd_eval(int argc, char **argv);

#define MAX_FOCUS 64

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: pronet eval [OPTION]... DATASET\n"
	        "  or:  pronet eval -m MODEL [OPTION]... DATASET\n"
	        "Cross-validate the ProNet CNN on DATASET (written by 'pronet label'):\n"
	        "k folds that split whole captures (default) or whole flows, never packets;\n"
	        "each flow decided from its first payload packets. Prints per class\n"
	        "precision, recall and F1 as mean ± sd over the runs, macro and micro\n"
	        "averages and the confusion matrix.\n"
	        "With -m, score MODEL as it is (no training) on DATASET, each flow\n"
	        "decided as the plugin decides it (the model file's calibration and\n"
	        "thresholds), in the same layout; the dataset's classes the model does\n"
	        "not know are counted apart (how many abstained, as they should, and\n"
	        "what they were named). Only --combine, --flow-packets, --random-floor,\n"
	        "--focus, --json, --svg-dir, --stream and -q apply.\n"
	        "\n"
	        "  -m, --model=MODEL         score this model instead of cross-validating\n"
	        "  -k, --folds=K             folds (default 5)\n"
	        "  -r, --repeat=R            runs of K folds, each split anew (default 1)\n"
	        "      --by=capture|flow     what a fold keeps whole (default capture)\n"
	        "  -g, --groups=FILE         TSV 'capture<TAB>family' (a header line is\n"
	        "                            skipped): captures of a family share a fold;\n"
	        "                            captures match by file name\n"
	        "      --combine=HOW         a flow's packets: mean-logits (default),\n"
	        "                            mean-probabilities, first, or the logits\n"
	        "                            weighted by each packet's confidence:\n"
	        "                            weight-max (largest probability) or\n"
	        "                            weight-entropy (1 - normalised entropy)\n"
	        "      --flow-packets=N      use a flow's first N samples (default all)\n"
	        "      --min-flows=N         leave out classes with fewer flows (listed)\n"
	        "      --focus=A,B,...       also report the macro F1 over these classes\n"
	        "                            (given twice: over each set)\n"
	        "      --hold-out-class=NAME train without NAME; report how many of its\n"
	        "                            flows abstain (the open-set test)\n"
	        "      --random-floor=P      with abstention, flows whose bytes look like\n"
	        "                            uniform random ones are named only at\n"
	        "                            probability P or more (default %.2f, as the\n"
	        "                            plugin; 0: no such gate; above 1: never)\n"
	        "      --json=FILE           write the results as JSON\n"
	        "      --svg-dir=DIR         write DIR/confusion.svg and DIR/loss.svg\n"
	        "  -q, --quiet               no progress line\n"
	        "  -h, --help                show this help and exit\n",
	        (double)PRONET_RANDOM_FLOOR);
	pronet_cli_train_usage(out);
	fprintf(out, "\nA --validation share (default 0.1) of each fold's training captures is\n"
	             "held back for early stopping and calibration (temperature, thresholds\n"
	             "for --threshold-precision). Exit status: 0 done, 1 error, 2 usage error.\n");
}

enum {
	OPT_BY = 512,
	OPT_COMBINE,
	OPT_FLOW_PACKETS,
	OPT_MIN_FLOWS,
	OPT_FOCUS,
	OPT_HOLD_OUT,
	OPT_JSON,
	OPT_SVG_DIR,
	OPT_RANDOM_FLOOR,
};

static const struct option own_options[] = {
    {"model", required_argument, NULL, 'm'},
    {"folds", required_argument, NULL, 'k'},
    {"repeat", required_argument, NULL, 'r'},
    {"groups", required_argument, NULL, 'g'},
    {"by", required_argument, NULL, OPT_BY},
    {"combine", required_argument, NULL, OPT_COMBINE},
    {"flow-packets", required_argument, NULL, OPT_FLOW_PACKETS},
    {"min-flows", required_argument, NULL, OPT_MIN_FLOWS},
    {"focus", required_argument, NULL, OPT_FOCUS},
    {"hold-out-class", required_argument, NULL, OPT_HOLD_OUT},
    {"json", required_argument, NULL, OPT_JSON},
    {"svg-dir", required_argument, NULL, OPT_SVG_DIR},
    {"random-floor", required_argument, NULL, OPT_RANDOM_FLOOR},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
};

struct eval_args {
	const char *dataset, *groups, *json, *svg_dir, *hold_out;
	const char *model;        /* -m */
	char training_option[64]; /* the first option that trains, for -m's error */
	struct pronet_cli_train train;
	struct pronet_eval_options eval;
	uint32_t min_flows;
	char *focus_text[PRONET_EVAL_FOCUS_SETS];
	const char *focus[PRONET_EVAL_FOCUS_SETS][MAX_FOCUS];
	size_t num_focus[PRONET_EVAL_FOCUS_SETS], num_focus_sets;
	int quiet;
};

/* Each --focus adds a set (two at most: the 18 and the 14, say). */
static int parse_focus(struct eval_args *a, const char *text)
{
	char *save = NULL;
	size_t set = a->num_focus_sets;

	if (set == PRONET_EVAL_FOCUS_SETS) {
		fprintf(stderr, "pronet eval: --focus: more than %d sets\n",
		        PRONET_EVAL_FOCUS_SETS);
		return 0;
	}
	a->focus_text[set] = strdup(text);
	a->num_focus[set] = 0;
	if (a->focus_text[set] == NULL)
		return 0;
	a->num_focus_sets++;
	for (char *name = strtok_r(a->focus_text[set], ",", &save); name != NULL;
	     name = strtok_r(NULL, ",", &save)) {
		if (a->num_focus[set] == MAX_FOCUS) {
			fprintf(stderr, "pronet eval: --focus: more than %d classes\n", MAX_FOCUS);
			return 0;
		}
		a->focus[set][a->num_focus[set]++] = name;
	}
	return 1;
}

static int own_option(int option, const char *value, struct eval_args *a)
{
	switch (option) {
	case 'm':
		a->model = value;
		return 1;
	case 'k':
		return pronet_cli_parse_u32("eval", "folds", value, 2, 256, &a->eval.folds);
	case 'r':
		return pronet_cli_parse_u32("eval", "repeat", value, 1, 100, &a->eval.repeats);
	case 'g':
		a->groups = value;
		return 1;
	case 'q':
		a->quiet = 1;
		return 1;
	case OPT_BY:
		if (strcmp(value, "capture") == 0 || strcmp(value, "flow") == 0) {
			a->eval.by = value[0] == 'f' ? PRONET_FOLD_BY_FLOW : PRONET_FOLD_BY_CAPTURE;
			return 1;
		}
		fprintf(stderr, "pronet eval: --by: '%s' is not capture or flow\n", value);
		return 0;
	case OPT_COMBINE:
		if (strcmp(value, "mean-logits") == 0)
			a->eval.combine = PRONET_COMBINE_MEAN_LOGITS;
		else if (strcmp(value, "mean-probabilities") == 0)
			a->eval.combine = PRONET_COMBINE_MEAN_PROBABILITIES;
		else if (strcmp(value, "first") == 0)
			a->eval.combine = PRONET_COMBINE_FIRST_PACKET;
		else if (strcmp(value, "weight-max") == 0)
			a->eval.combine = PRONET_COMBINE_WEIGHT_MAX;
		else if (strcmp(value, "weight-entropy") == 0)
			a->eval.combine = PRONET_COMBINE_WEIGHT_ENTROPY;
		else {
			fprintf(stderr,
			        "pronet eval: --combine: '%s' is not mean-logits, "
			        "mean-probabilities, first, weight-max or "
			        "weight-entropy\n",
			        value);
			return 0;
		}
		return 1;
	case OPT_FLOW_PACKETS:
		return pronet_cli_parse_u32("eval", "flow-packets", value, 0, 64,
		                            &a->eval.flow_packets);
	case OPT_MIN_FLOWS:
		return pronet_cli_parse_u32("eval", "min-flows", value, 0, UINT32_MAX,
		                            &a->min_flows);
	case OPT_FOCUS:
		return parse_focus(a, value);
	case OPT_HOLD_OUT:
		a->hold_out = value;
		return 1;
	case OPT_RANDOM_FLOOR:
		return pronet_cli_parse_float("eval", "random-floor", value, 0.0f, 2.0f,
		                              &a->eval.random_floor);
	case OPT_JSON:
		a->json = value;
		return 1;
	case OPT_SVG_DIR:
		a->svg_dir = value;
		return 1;
	default:
		return 0;
	}
}

/* Options that mean training or folds, which -m has none of. */
static int trains(int option)
{
	return pronet_cli_train_option_trains(option) || option == 'k' || option == 'r' ||
	       option == 'g' || option == OPT_BY || option == OPT_MIN_FLOWS ||
	       option == OPT_HOLD_OUT;
}

/* "--NAME" of the option getopt_long just parsed into text[64] (index: its
 * entry when given long, else -1). */
static void option_name(const struct option *table, int option, int index, char *text)
{
	if (index >= 0)
		snprintf(text, 64, "--%s", table[index].name);
	else
		snprintf(text, 64, "-%c", option);
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct eval_args *a)
{
	struct option
	    table[sizeof(own_options) / sizeof(own_options[0]) + PRONET_CLI_TRAIN_OPTIONS + 1];
	size_t count = sizeof(own_options) / sizeof(own_options[0]);
	int option, index = -1;

	if (!pronet_cli_train_defaults_for("eval", argc, argv, &a->train))
		return 2;
	memcpy(table, own_options, sizeof(own_options));
	count = pronet_cli_train_add_options(table, count, &a->train);
	memset(&table[count], 0, sizeof(table[count]));
	a->train.validation_fraction = 0.1f;
	pronet_eval_options_default(&a->eval);
	while ((index = -1, option = getopt_long(argc, argv, "m:k:r:g:qh", table, &index)) != -1) {
		int parsed;

		if (option == 'h') {
			usage(stdout);
			return 0;
		}
		if (a->training_option[0] == '\0' && trains(option))
			option_name(table, option, index, a->training_option);
		parsed = option == '?' ? 0
		         : option >= 256 && option < 512
		             ? pronet_cli_train_option("eval", option, optarg, &a->train)
		             : own_option(option, optarg, a);
		if (parsed != 1) {
			fprintf(stderr, "Try 'pronet eval --help'.\n");
			return 2;
		}
	}
	if (a->model != NULL && a->training_option[0] != '\0') {
		fprintf(stderr,
		        "pronet eval: %s: -m scores a given model; it trains nothing and has no "
		        "folds\nTry 'pronet eval --help'.\n",
		        a->training_option);
		return 2;
	}
	if (!pronet_cli_train_finish("eval", &a->train))
		return 2;
	if (optind != argc - 1) {
		fprintf(stderr, "pronet eval: %s\nTry 'pronet eval --help'.\n",
		        optind >= argc ? "no DATASET given" : "one DATASET expected");
		return 2;
	}
	a->dataset = argv[optind];
	a->eval.arch = a->train.arch;
	a->eval.arch_config = a->train.arch_config;
	a->eval.train = a->train.options;
	a->eval.seed = a->train.options.seed;
	a->eval.validation_fraction = a->train.validation_fraction;
	a->eval.min_threshold = a->train.min_threshold;
	a->eval.threshold_precision = a->train.threshold_precision;
	return -1;
}

struct progress_state {
	int tty, quiet;
};

static void report_progress(uint32_t repeat, uint32_t fold, const struct pronet_train_progress *p,
                            void *user)
{
	struct progress_state *state = user;

	if (state->quiet)
		return;
	fprintf(stderr, "%srun %u fold %u: step %u/%u  loss %.4f  accuracy %.1f%%",
	        state->tty ? "\r" : "", repeat + 1, fold + 1, p->step, p->total_steps,
	        (double)p->loss, 100.0 * (double)p->accuracy);
	if (p->validation_loss == p->validation_loss)
		fprintf(stderr, "  validation %.4f (best at %u)", (double)p->validation_loss,
		        p->best_step);
	fputs(state->tty ? "   " : "\n", stderr);
	fflush(stderr);
}

static char *join_command(int argc, char **argv)
{
	/* "pronet", then " ARG" per argument, then the NUL. */
	size_t size = sizeof("pronet"), used;
	char *text;

	for (int i = 0; i < argc; i++)
		size += strlen(argv[i]) + 1;

	text = malloc(size);
	if (text == NULL)
		return NULL;
	used = (size_t)snprintf(text, size, "pronet");
	for (int i = 0; i < argc; i++)
		used += (size_t)snprintf(text + used, size - used, " %s", argv[i]);
	return text;
}

/* The outputs of a finished evaluation; 1 if one could not be written. */
static int report(struct eval_args *a, const struct pronet_eval_result *result,
                  const struct pronet_dataset *data, struct pronet_eval_report_context *context)
{
	int status = 0;

	pronet_eval_print_table(stdout, result, data, context);
	if (a->json != NULL && !pronet_eval_write_json(a->json, result, data, context))
		status = 1;
	if (a->svg_dir != NULL && !pronet_eval_write_svgs(a->svg_dir, result, data))
		status = 1;
	return status;
}

/* -m: the model as it is, on the whole dataset. */
static int evaluate_model(struct eval_args *a, const struct pronet_dataset *data,
                          struct pronet_eval_report_context *context)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = NULL;
	struct pronet_eval_result *result = NULL;
	int status;

	if (pronet_model_load(a->model, &model, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet eval: %s\n", errbuf);
		return 1;
	}
	if (pronet_eval_model(model, data, &a->eval, &result, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet eval: model %s on %s: %s\n", a->model, a->dataset, errbuf);
		pronet_model_free(model);
		return 1;
	}
	context->model_path = a->model;
	status = report(a, result, data, context);
	pronet_eval_result_free(result); /* its class names are the model's: free it first */
	pronet_model_free(model);
	return status;
}

static int evaluate(struct eval_args *a, const struct pronet_dataset *data,
                    struct pronet_eval_report_context *context)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_eval_result *result = NULL;
	struct progress_state state = {isatty(STDERR_FILENO), a->quiet};
	int status = 0;

	if (a->model != NULL)
		return evaluate_model(a, data, context);
	if (pronet_eval_run(data, &a->eval, report_progress, &state, &result, errbuf) !=
	    PRONET_OK) {
		if (state.tty && !a->quiet)
			fputc('\n', stderr);
		fprintf(stderr, "pronet eval: %s: %s\n", a->dataset, errbuf);
		return 1;
	}
	if (state.tty && !a->quiet)
		fputc('\n', stderr);
	status = report(a, result, data, context);
	pronet_eval_result_free(result);
	return status;
}

static int run(struct eval_args *a, const struct pronet_dataset *loaded, char *command)
{
	struct pronet_eval_report_context context;
	const char *dropped[PRONET_MAX_CLASSES * 4];
	uint64_t dropped_flows[PRONET_MAX_CLASSES * 4];
	struct pronet_dataset *data = NULL;
	uint32_t *group = NULL;
	int status = 1;

	memset(&context, 0, sizeof(context));
	data = pronet_cli_filter_min_flows(
	    "eval", loaded, a->min_flows, a->train.reject_rare ? PRONET_REJECT_CLASS : NULL, stderr,
	    dropped, dropped_flows, PRONET_MAX_CLASSES * 4, &context.num_dropped);
	if (data == NULL)
		return 1;
	if (a->groups != NULL) {
		group = calloc(data->num_captures + 1, sizeof(*group));
		if (group == NULL ||
		    !pronet_cli_read_groups("eval", a->groups, data, group, &a->eval.num_groups))
			goto out;
		a->eval.group_of_capture = group;
	}
	a->eval.untrained_calibrated = a->train.reject_rare == PRONET_CLI_REJECT_CALIBRATE;
	if (a->train.reject_rare >= PRONET_CLI_REJECT_CALIBRATE)
		for (size_t c = 0; c < data->num_classes; c++)
			if (strcasecmp(data->class_names[c], PRONET_REJECT_CLASS) == 0)
				a->eval.untrained_class = (int)c;
	if (a->hold_out != NULL) {
		for (size_t c = 0; c < data->num_classes; c++)
			if (strcmp(data->class_names[c], a->hold_out) == 0)
				a->eval.hold_out_class = (int)c;
		if (a->eval.hold_out_class < 0) {
			fprintf(stderr, "pronet eval: --hold-out-class: %s is not a class of %s\n",
			        a->hold_out, a->dataset);
			goto out;
		}
	}
	context.dataset_path = a->dataset;
	context.command_line = command;
	context.options = &a->eval;
	context.held_out_name = a->hold_out;
	for (size_t set = 0; set < PRONET_EVAL_FOCUS_SETS; set++) {
		context.focus[set] = a->num_focus[set] ? a->focus[set] : NULL;
		context.num_focus[set] = a->num_focus[set];
	}
	context.dropped = dropped;
	context.dropped_flows = dropped_flows;
	status = evaluate(a, data, &context);
out:
	free(group);
	pronet_dataset_free(data);
	return status;
}

int pronet_cmd_eval(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct eval_args args;
	struct pronet_dataset *data = NULL;
	char *command = join_command(argc, argv);
	int status;

	memset(&args, 0, sizeof(args));
	status = parse_args(argc, argv, &args);
	if (status < 0 && command == NULL) {
		fprintf(stderr, "pronet eval: out of memory\n");
		status = 1;
	}
	if (status < 0 &&
	    pronet_cli_train_load(&args.train, args.dataset, &data, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet eval: %s\n", errbuf);
		status = 1;
	}
	if (status < 0)
		status = run(&args, data, command);
	pronet_dataset_free(data);
	for (size_t set = 0; set < PRONET_EVAL_FOCUS_SETS; set++)
		free(args.focus_text[set]);
	free(command);
	return status;
}
