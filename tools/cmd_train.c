/* pronet train: trains a new ProNet CNN on a dataset file and saves it.
 * Uses only the model API (core/model/model.h, core/train/train.h). */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/train/train.h"
#include "core/eval/eval.h"
#include "tools/cli_args.h"
#include "tools/dataset_filter.h"
#include "tools/train_args.h"

int pronet_cmd_train(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out, "Usage: pronet train [OPTION]... DATASET -o MODEL\n"
	             "Train a new ProNet CNN on the labelled samples of DATASET (written by\n"
	             "'pronet label') and save it to MODEL. Classes are the dataset's labels\n"
	             "that have at least one sample (and --min-flows flows), in the dataset's\n"
	             "order.\n"
	             "\n"
	             "  -o, --output=MODEL        model file to write (required)\n"
	             "      --calibrate           hold back a --validation share of the captures\n"
	             "                            (default 0.1) for early stopping, then fit the\n"
	             "                            temperature and per-class thresholds (for\n"
	             "                            --threshold-precision) on it; stored in MODEL\n"
	             "  -g, --groups=FILE         TSV 'capture<TAB>family': the validation share\n"
	             "                            keeps families whole\n"
	             "      --min-flows=N         leave out classes with fewer flows (listed)\n"
	             "  -q, --quiet               no progress line\n"
	             "  -h, --help                show this help and exit\n");
	pronet_cli_train_usage(out);
	fprintf(out,
	        "\n"
	        "Progress (step, loss, accuracy, and the validation loss when one was\n"
	        "measured) goes to standard error: one line updated in place on a\n"
	        "terminal, one line per report otherwise. The summary goes to\n"
	        "standard output. Exit status: 0 trained and saved, 1 error, 2 usage error.\n");
}

struct train_args {
	const char *dataset, *output, *groups;
	struct pronet_cli_train train;
	uint32_t min_flows;
	int quiet, calibrate;
};

enum {
	OPT_CALIBRATE = 512,
	OPT_MIN_FLOWS,
};

static const struct option own_options[] = {
    {"output", required_argument, NULL, 'o'}, {"calibrate", no_argument, NULL, OPT_CALIBRATE},
    {"groups", required_argument, NULL, 'g'}, {"min-flows", required_argument, NULL, OPT_MIN_FLOWS},
    {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
};

/* One option; returns 1 if parsed, 0 if its value is bad (reported). */
static int apply_option(int option, const char *value, struct train_args *a)
{
	switch (option) {
	case 'o':
		a->output = value;
		return 1;
	case 'g':
		a->groups = value;
		return 1;
	case 'q':
		a->quiet = 1;
		return 1;
	case OPT_CALIBRATE:
		a->calibrate = 1;
		return 1;
	case OPT_MIN_FLOWS:
		return pronet_cli_parse_u32("train", "min-flows", value, 0, UINT32_MAX,
		                            &a->min_flows);
	default:
		return option >= 256 && option < 512
		           ? pronet_cli_train_option("train", option, value, &a->train) == 1
		           : 0;
	}
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct train_args *a)
{
	struct option
	    table[sizeof(own_options) / sizeof(own_options[0]) + PRONET_CLI_TRAIN_OPTIONS + 1];
	size_t count = sizeof(own_options) / sizeof(own_options[0]);
	int option;

	memset(a, 0, sizeof(*a));
	if (!pronet_cli_train_defaults_for("train", argc, argv, &a->train))
		return 2;
	memcpy(table, own_options, sizeof(own_options));
	count = pronet_cli_train_add_options(table, count, &a->train);
	memset(&table[count], 0, sizeof(table[count]));
	while ((option = getopt_long(argc, argv, "o:g:qh", table, NULL)) != -1) {
		if (option == 'h') {
			usage(stdout);
			return 0;
		}
		if (option == '?' || !apply_option(option, optarg, a)) {
			fprintf(stderr, "Try 'pronet train --help'.\n");
			return 2;
		}
	}
	if (!pronet_cli_train_finish("train", &a->train))
		return 2;
	if (a->calibrate && !(a->train.validation_fraction > 0.0f))
		a->train.validation_fraction = 0.1f;
	if (a->train.reject_rare == PRONET_CLI_REJECT_CALIBRATE && !a->calibrate) {
		fprintf(stderr, "pronet train: --reject-rare=calibrate needs --calibrate\n");
		return 2;
	}
	if (optind != argc - 1 || a->output == NULL) {
		fprintf(stderr, "pronet train: %s\nTry 'pronet train --help'.\n",
		        optind >= argc      ? "no DATASET given"
		        : optind < argc - 1 ? "one DATASET expected"
		                            : "no -o MODEL given");
		return 2;
	}
	a->dataset = argv[optind];
	return -1;
}

struct progress_state {
	int tty, quiet, reported;
	struct pronet_train_progress last;
};

static void report_progress(const struct pronet_train_progress *p, void *user)
{
	struct progress_state *state = user;

	state->last = *p;
	state->reported = 1;
	if (state->quiet)
		return;
	fprintf(stderr, "%sstep %u/%u  loss %.4f  accuracy %.1f%%", state->tty ? "\r" : "", p->step,
	        p->total_steps, (double)p->loss, 100.0 * (double)p->accuracy);
	/* The validation curve, for choosing a step budget (isnan: not measured). */
	if (!isnan(p->validation_loss))
		fprintf(stderr, "  validation loss %.4f", (double)p->validation_loss);
	fputs(state->tty ? "  " : "\n", stderr);
	if (state->tty && p->step == p->total_steps)
		fputc('\n', stderr);
	fflush(stderr);
}

/* The dataset's labels with at least one sample, in dataset order. */
static int collect_classes(const struct pronet_dataset *data, const char **names, size_t *count)
{
	char *used = calloc(data->num_classes + 1, 1);

	if (used == NULL) {
		fprintf(stderr, "pronet train: out of memory\n");
		return 0;
	}
	for (size_t i = 0; i < data->num_samples; i++)
		used[data->samples[i].label] = 1;
	*count = 0;
	for (size_t i = 0; i < data->num_classes; i++) {
		if (!used[i])
			continue;
		if (*count == PRONET_MAX_CLASSES) {
			fprintf(stderr,
			        "pronet train: the dataset has more than %d labels in use\n",
			        PRONET_MAX_CLASSES);
			free(used);
			return 0;
		}
		names[(*count)++] = data->class_names[i];
	}
	free(used);
	return 1;
}

/* The validation share: whole captures (whole families with --groups)
 * chosen by the seed, as eval chooses them; the rest is trained on. With
 * --reject-rare=calibrate the reject class's samples are neither trained
 * nor validated on, but its validation flows stay for calibration. */
struct split {
	struct pronet_flows *flows;
	size_t *train, *validation, *validation_flows, *all;
	uint32_t *fold;
	size_t num_train, num_validation, num_validation_flows;
};

static void split_free(struct split *s)
{
	pronet_flows_free(s->flows);
	free(s->train);
	free(s->validation);
	free(s->validation_flows);
	free(s->all);
	free(s->fold);
}

static int split_validation(const struct train_args *a, const struct pronet_dataset *data,
                            struct split *s)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	uint32_t *group = NULL, k = (uint32_t)(1.0f / a->train.validation_fraction + 0.5f);
	size_t groups = 0, n;
	int ok = 0;

	memset(s, 0, sizeof(*s));
	if (pronet_flows_index(data, &s->flows, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet train: %s: %s\n", a->dataset, errbuf);
		return 0;
	}
	n = s->flows->num_flows;
	s->train = malloc((data->num_samples + 1) * sizeof(size_t));
	s->validation = malloc((data->num_samples + 1) * sizeof(size_t));
	s->validation_flows = malloc((n + 1) * sizeof(size_t));
	s->all = malloc((n + 1) * sizeof(size_t));
	s->fold = malloc((n + 1) * sizeof(uint32_t));
	group = calloc(data->num_captures + 1, sizeof(*group));
	if (!s->train || !s->validation || !s->validation_flows || !s->all || !s->fold || !group) {
		fprintf(stderr, "pronet train: out of memory\n");
		goto out;
	}
	if (a->groups != NULL && !pronet_cli_read_groups("train", a->groups, data, group, &groups))
		goto out;
	for (size_t f = 0; f < n; f++)
		s->all[f] = f;
	if (pronet_eval_assign_folds(s->flows, s->all, n, a->groups ? group : NULL, groups,
	                             PRONET_FOLD_BY_CAPTURE, k < 2 ? 2 : k, a->train.options.seed,
	                             s->fold, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet train: %s\n", errbuf);
		goto out;
	}
	for (size_t f = 0; f < n; f++) {
		int held = s->fold[f] == 0;

		if (held)
			s->validation_flows[s->num_validation_flows++] = f;
		if (a->train.reject_rare == PRONET_CLI_REJECT_CALIBRATE &&
		    strcasecmp(data->class_names[s->flows->label[f]], PRONET_REJECT_CLASS) == 0)
			continue;
		for (size_t i = s->flows->start[f]; i < s->flows->start[f + 1]; i++) {
			if (held)
				s->validation[s->num_validation++] = s->flows->samples[i];
			else
				s->train[s->num_train++] = s->flows->samples[i];
		}
	}
	ok = 1;
out:
	free(group);
	return ok;
}

static int train_and_save(const struct train_args *a, const struct pronet_dataset *data)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	const char *names[PRONET_MAX_CLASSES];
	size_t num_classes;
	struct pronet_model *model = NULL;
	struct pronet_train_options options = a->train.options;
	struct progress_state state = {isatty(STDERR_FILENO), a->quiet, 0, {0}};
	struct split split;
	int validating = a->train.validation_fraction > 0.0f;
	enum pronet_err err;

	memset(&split, 0, sizeof(split));
	if (data->num_samples == 0) {
		fprintf(stderr, "pronet train: %s: the dataset has no samples\n", a->dataset);
		return 1;
	}
	if (!collect_classes(data, names, &num_classes))
		return 1;
	if (validating && !split_validation(a, data, &split)) {
		split_free(&split);
		return 1;
	}
	if (validating) {
		options.train_indices = split.train;
		options.num_train = split.num_train;
		options.validation_indices = split.validation;
		options.num_validation = split.num_validation;
	}
	if (options.progress_every == 0 || options.progress_every > 100)
		options.progress_every = 100;
	if (options.steps != 0 && options.steps < 20 * options.progress_every)
		options.progress_every = options.steps / 20 > 0 ? options.steps / 20 : 1;
	err = pronet_model_new(a->train.arch, a->train.arch_config,
	                       pronet_arch_config_size(a->train.arch), names, num_classes,
	                       options.seed, &model, errbuf);
	if (err == PRONET_OK)
		err = pronet_train(model, data, &options, report_progress, &state, errbuf);
	if (err == PRONET_OK && a->calibrate)
		err = pronet_eval_calibrate(model, data, split.flows, split.validation_flows,
		                            split.num_validation_flows, PRONET_COMBINE_MEAN_LOGITS,
		                            0, a->train.threshold_precision, a->train.min_threshold,
		                            errbuf);
	if (err == PRONET_OK)
		err = pronet_model_save(model, a->output, errbuf);
	split_free(&split);
	if (err != PRONET_OK) {
		if (state.tty && state.reported && state.last.step != state.last.total_steps)
			fputc('\n', stderr);
		fprintf(stderr, "pronet train: %s\n", errbuf);
		pronet_model_free(model);
		return 1;
	}
	printf("model: %s\nclasses: %zu\nsamples: %zu\nsteps: %u\nseconds: %.1f\nfinal loss: %.4f\n"
	       "final accuracy: %.4f\nsamples per second: %.0f\n",
	       a->output, num_classes,
	       options.train_indices ? options.num_train : data->num_samples, state.last.step,
	       state.last.seconds, (double)state.last.loss, (double)state.last.accuracy,
	       state.last.seconds > 0 ? (double)state.last.samples_seen / state.last.seconds : 0.0);
	if (validating)
		printf("validation samples: %zu\nbest step: %u\n", options.num_validation,
		       state.last.best_step);
	if (a->calibrate)
		printf("temperature: %.4f\n", (double)pronet_model_temperature(model));
	pronet_model_free(model);
	return 0;
}

int pronet_cmd_train(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct train_args args;
	struct pronet_dataset *data = NULL, *kept = NULL;
	const char *dropped[PRONET_MAX_CLASSES];
	uint64_t dropped_flows[PRONET_MAX_CLASSES];
	size_t num_dropped;
	int status = parse_args(argc, argv, &args);

	if (status >= 0)
		return status;
	if (pronet_cli_train_load(&args.train, args.dataset, &data, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet train: %s\n", errbuf);
		return 1;
	}
	kept = pronet_cli_filter_min_flows(
	    "train", data, args.min_flows, args.train.reject_rare ? PRONET_REJECT_CLASS : NULL,
	    stderr, dropped, dropped_flows, PRONET_MAX_CLASSES, &num_dropped);
	status = kept != NULL ? train_and_save(&args, kept) : 1;
	pronet_dataset_free(kept);
	pronet_dataset_free(data);
	return status;
}
