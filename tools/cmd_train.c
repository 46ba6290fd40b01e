/* pronet train: trains a new ProNet CNN on a dataset file and saves it.
 * Uses only the model API (core/model.h, core/train.h). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dataset.h"
#include "core/model.h"
#include "core/train.h"
#include "tools/cli_args.h"

int pronet_cmd_train(int argc, char **argv);

static void usage(FILE *out)
{
	struct pronet_cnn_config c;
	struct pronet_train_options t;

	pronet_cnn_config_default(&c);
	pronet_train_options_default(&t);
	fprintf(out,
	        "Usage: pronet train [OPTION]... DATASET -o MODEL\n"
	        "Train a new ProNet CNN on the labelled samples of DATASET (written by\n"
	        "'pronet label') and save it to MODEL. Classes are the dataset's labels\n"
	        "that have at least one sample, in the dataset's order.\n"
	        "\n"
	        "  -o, --output=MODEL        model file to write (required)\n"
	        "Model:\n"
	        "      --embed-dim=M         embedding dimension (default %u)\n"
	        "      --filters=T           filters per convolution width (default %u)\n"
	        "      --ngram-buckets=N     3-gram hash buckets (default %u)\n"
	        "      --batch-norm          batch normalisation on pooled features\n"
	        "      --dropout=P           dropout probability while training (default %g)\n"
	        "Training:\n"
	        "      --batch-size=B        samples per step (default %u)\n"
	        "      --steps=N             train for N mini-batch steps, or\n"
	        "      --epochs=N            for N passes over the dataset (default %u)\n"
	        "      --learning-rate=LR    Adam step size (default %g)\n"
	        "      --seed=S              seed for weights, shuffling, dropout (default %llu)\n"
	        "      --threads=N           worker threads (default %u)\n"
	        "  -q, --quiet               no progress line\n"
	        "  -h, --help                show this help and exit\n"
	        "\n"
	        "Progress (step, loss, accuracy) goes to standard error: one line updated in\n"
	        "place on a terminal, one line per report otherwise. The summary goes to\n"
	        "standard output. Exit status: 0 trained and saved, 1 error, 2 usage error.\n",
	        c.embed_dim, c.filters, c.ngram_buckets, (double)c.dropout, t.batch_size, t.epochs,
	        (double)t.learning_rate, (unsigned long long)t.seed, t.threads);
}

struct train_args {
	const char *dataset, *output;
	struct pronet_cnn_config config;
	struct pronet_train_options options;
	int quiet;
};

enum {
	OPT_EMBED_DIM = 256,
	OPT_FILTERS,
	OPT_NGRAM_BUCKETS,
	OPT_BATCH_NORM,
	OPT_DROPOUT,
	OPT_BATCH_SIZE,
	OPT_STEPS,
	OPT_EPOCHS,
	OPT_LEARNING_RATE,
	OPT_SEED,
	OPT_THREADS,
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"embed-dim", required_argument, NULL, OPT_EMBED_DIM},
    {"filters", required_argument, NULL, OPT_FILTERS},
    {"ngram-buckets", required_argument, NULL, OPT_NGRAM_BUCKETS},
    {"batch-norm", no_argument, NULL, OPT_BATCH_NORM},
    {"dropout", required_argument, NULL, OPT_DROPOUT},
    {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"learning-rate", required_argument, NULL, OPT_LEARNING_RATE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* One option; returns 0 if its value is bad (already reported). */
static int apply_option(int option, const char *value, struct train_args *a, int *steps_given,
                        int *epochs_given)
{
	struct pronet_cnn_config *c = &a->config;
	struct pronet_train_options *t = &a->options;

	switch (option) {
	case 'o':
		a->output = value;
		return 1;
	case 'q':
		a->quiet = 1;
		return 1;
	case OPT_BATCH_NORM:
		c->batch_norm = 1;
		return 1;
	case OPT_EMBED_DIM:
		return pronet_cli_parse_u32("train", "embed-dim", value, 1, PRONET_MAX_EMBED_DIM,
		                            &c->embed_dim);
	case OPT_FILTERS:
		return pronet_cli_parse_u32("train", "filters", value, 1, PRONET_MAX_FILTERS,
		                            &c->filters);
	case OPT_NGRAM_BUCKETS:
		return pronet_cli_parse_u32("train", "ngram-buckets", value,
		                            PRONET_MIN_NGRAM_BUCKETS, PRONET_MAX_NGRAM_BUCKETS,
		                            &c->ngram_buckets);
	case OPT_DROPOUT:
		return pronet_cli_parse_float("train", "dropout", value, 0.0f, 0.95f, &c->dropout);
	case OPT_BATCH_SIZE:
		return pronet_cli_parse_u32("train", "batch-size", value, 1, PRONET_TRAIN_MAX_BATCH,
		                            &t->batch_size);
	case OPT_STEPS:
		*steps_given = 1;
		return pronet_cli_parse_u32("train", "steps", value, 1, UINT32_MAX, &t->steps);
	case OPT_EPOCHS:
		*epochs_given = 1;
		return pronet_cli_parse_u32("train", "epochs", value, 1, UINT32_MAX, &t->epochs);
	case OPT_LEARNING_RATE:
		return pronet_cli_parse_float("train", "learning-rate", value, 1e-9f, 10.0f,
		                              &t->learning_rate);
	case OPT_SEED:
		return pronet_cli_parse_u64("train", "seed", value, &t->seed);
	case OPT_THREADS:
		return pronet_cli_parse_u32("train", "threads", value, 1, PRONET_TRAIN_MAX_THREADS,
		                            &t->threads);
	default:
		return 0;
	}
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct train_args *a)
{
	int option, steps_given = 0, epochs_given = 0;

	memset(a, 0, sizeof(*a));
	pronet_cnn_config_default(&a->config);
	pronet_train_options_default(&a->options);
	while ((option = getopt_long(argc, argv, "o:qh", long_options, NULL)) != -1) {
		if (option == 'h') {
			usage(stdout);
			return 0;
		}
		if (option == '?' ||
		    !apply_option(option, optarg, a, &steps_given, &epochs_given)) {
			fprintf(stderr, "Try 'pronet train --help'.\n");
			return 2;
		}
	}
	if (steps_given && epochs_given) {
		fprintf(stderr, "pronet train: --steps and --epochs exclude each other\n");
		return 2;
	}
	if (steps_given)
		a->options.epochs = 0;
	else
		a->options.steps = 0;
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
	fprintf(stderr, "%sstep %u/%u  loss %.4f  accuracy %.1f%%%s", state->tty ? "\r" : "",
	        p->step, p->total_steps, (double)p->loss, 100.0 * (double)p->accuracy,
	        state->tty ? "  " : "\n");
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

static int train_and_save(const struct train_args *a, const struct pronet_dataset *data)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	const char *names[PRONET_MAX_CLASSES];
	size_t num_classes;
	struct pronet_model *model = NULL;
	struct pronet_train_options options = a->options;
	struct progress_state state = {isatty(STDERR_FILENO), a->quiet, 0, {0}};

	if (data->num_samples == 0) {
		fprintf(stderr, "pronet train: %s: the dataset has no samples\n", a->dataset);
		return 1;
	}
	if (!collect_classes(data, names, &num_classes))
		return 1;
	if (options.progress_every == 0 || options.progress_every > 100)
		options.progress_every = 100;
	if (options.steps != 0 && options.steps < 20 * options.progress_every)
		options.progress_every = options.steps / 20 > 0 ? options.steps / 20 : 1;
	if (pronet_model_new(&a->config, names, num_classes, a->options.seed, &model, errbuf) !=
	        PRONET_OK ||
	    pronet_train(model, data, &options, report_progress, &state, errbuf) != PRONET_OK ||
	    pronet_model_save(model, a->output, errbuf) != PRONET_OK) {
		if (state.tty && state.reported && state.last.step != state.last.total_steps)
			fputc('\n', stderr);
		fprintf(stderr, "pronet train: %s\n", errbuf);
		pronet_model_free(model);
		return 1;
	}
	printf("model: %s\nclasses: %zu\nsamples: %zu\nsteps: %u\nseconds: %.1f\nfinal loss: %.4f\n"
	       "final accuracy: %.4f\n",
	       a->output, num_classes, data->num_samples, state.last.total_steps,
	       state.last.seconds, (double)state.last.loss, (double)state.last.accuracy);
	pronet_model_free(model);
	return 0;
}

int pronet_cmd_train(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct train_args args;
	struct pronet_dataset *data = NULL;
	int status = parse_args(argc, argv, &args);

	if (status >= 0)
		return status;
	if (pronet_dataset_load(args.dataset, &data, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet train: %s\n", errbuf);
		return 1;
	}
	status = train_and_save(&args, data);
	pronet_dataset_free(data);
	return status;
}
