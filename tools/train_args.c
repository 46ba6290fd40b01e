#include "tools/train_args.h"

#include <stdlib.h>
#include <string.h>

#include "core/model/flow_predict.h"
#include "tools/cli_args.h"

enum {
	OPT_EMBED_DIM = 256,
	OPT_FILTERS,
	OPT_NGRAM_BUCKETS,
	OPT_BATCH_NORM,
	OPT_DROPOUT,
	OPT_CONTEXT,
	OPT_BATCH_SIZE,
	OPT_STEPS,
	OPT_EPOCHS,
	OPT_LEARNING_RATE,
	OPT_SEED,
	OPT_THREADS,
	OPT_VALIDATION,
	OPT_VALIDATE_EVERY,
	OPT_PATIENCE,
	OPT_MAX_PER_CLASS,
	OPT_AUGMENT_BYTES,
	OPT_MIN_THRESHOLD,
	OPT_THRESHOLD_PRECISION,
	OPT_REJECT_RARE,
};

static const struct option shared[PRONET_CLI_TRAIN_OPTIONS] = {
    {"embed-dim", required_argument, NULL, OPT_EMBED_DIM},
    {"filters", required_argument, NULL, OPT_FILTERS},
    {"ngram-buckets", required_argument, NULL, OPT_NGRAM_BUCKETS},
    {"batch-norm", no_argument, NULL, OPT_BATCH_NORM},
    {"dropout", required_argument, NULL, OPT_DROPOUT},
    {"context", no_argument, NULL, OPT_CONTEXT},
    {"batch-size", required_argument, NULL, OPT_BATCH_SIZE},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"epochs", required_argument, NULL, OPT_EPOCHS},
    {"learning-rate", required_argument, NULL, OPT_LEARNING_RATE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"validation", required_argument, NULL, OPT_VALIDATION},
    {"validate-every", required_argument, NULL, OPT_VALIDATE_EVERY},
    {"patience", required_argument, NULL, OPT_PATIENCE},
    {"max-per-class", required_argument, NULL, OPT_MAX_PER_CLASS},
    {"augment-bytes", required_argument, NULL, OPT_AUGMENT_BYTES},
    {"min-threshold", required_argument, NULL, OPT_MIN_THRESHOLD},
    {"threshold-precision", required_argument, NULL, OPT_THRESHOLD_PRECISION},
    {"reject-rare", optional_argument, NULL, OPT_REJECT_RARE},
};

void pronet_cli_train_defaults(struct pronet_cli_train *t)
{
	memset(t, 0, sizeof(*t));
	pronet_cnn_config_default(&t->config);
	pronet_train_options_default(&t->options);
	t->options.validate_every = 200;
	t->options.patience = 5;
	t->threshold_precision = 0.97;
}

size_t pronet_cli_train_add_options(struct option *table, size_t at)
{
	for (size_t i = 0; i < PRONET_CLI_TRAIN_OPTIONS; i++)
		table[at++] = shared[i];
	return at;
}

static int model_option(const char *cmd, int option, const char *value, struct pronet_cli_train *t)
{
	struct pronet_cnn_config *c = &t->config;

	switch (option) {
	case OPT_BATCH_NORM:
		c->batch_norm = 1;
		return 1;
	case OPT_CONTEXT:
		c->context_features = 1;
		return 1;
	case OPT_EMBED_DIM:
		return pronet_cli_parse_u32(cmd, "embed-dim", value, 1, PRONET_MAX_EMBED_DIM,
		                            &c->embed_dim);
	case OPT_FILTERS:
		return pronet_cli_parse_u32(cmd, "filters", value, 1, PRONET_MAX_FILTERS,
		                            &c->filters);
	case OPT_NGRAM_BUCKETS:
		return pronet_cli_parse_u32(cmd, "ngram-buckets", value, PRONET_MIN_NGRAM_BUCKETS,
		                            PRONET_MAX_NGRAM_BUCKETS, &c->ngram_buckets);
	case OPT_DROPOUT:
		return pronet_cli_parse_float(cmd, "dropout", value, 0.0f, 0.95f, &c->dropout);
	default:
		return -1;
	}
}

int pronet_cli_train_option(const char *cmd, int option, const char *value,
                            struct pronet_cli_train *t)
{
	struct pronet_train_options *o = &t->options;
	int model = model_option(cmd, option, value, t);

	if (model >= 0)
		return model;
	switch (option) {
	case OPT_BATCH_SIZE:
		return pronet_cli_parse_u32(cmd, "batch-size", value, 1, PRONET_TRAIN_MAX_BATCH,
		                            &o->batch_size);
	case OPT_STEPS:
		t->steps_given = 1;
		return pronet_cli_parse_u32(cmd, "steps", value, 1, UINT32_MAX, &o->steps);
	case OPT_EPOCHS:
		t->epochs_given = 1;
		return pronet_cli_parse_u32(cmd, "epochs", value, 1, UINT32_MAX, &o->epochs);
	case OPT_LEARNING_RATE:
		return pronet_cli_parse_float(cmd, "learning-rate", value, 1e-9f, 10.0f,
		                              &o->learning_rate);
	case OPT_SEED:
		return pronet_cli_parse_u64(cmd, "seed", value, &o->seed);
	case OPT_THREADS:
		return pronet_cli_parse_u32(cmd, "threads", value, 1, PRONET_TRAIN_MAX_THREADS,
		                            &o->threads);
	case OPT_VALIDATION:
		return pronet_cli_parse_float(cmd, "validation", value, 0.0f, 0.5f,
		                              &t->validation_fraction);
	case OPT_VALIDATE_EVERY:
		return pronet_cli_parse_u32(cmd, "validate-every", value, 1, UINT32_MAX,
		                            &o->validate_every);
	case OPT_PATIENCE:
		return pronet_cli_parse_u32(cmd, "patience", value, 0, UINT32_MAX, &o->patience);
	case OPT_MAX_PER_CLASS:
		return pronet_cli_parse_u32(cmd, "max-per-class", value, 0, UINT32_MAX,
		                            &o->max_per_class);
	case OPT_MIN_THRESHOLD:
		return pronet_cli_parse_float(cmd, "min-threshold", value, 0.0f, 1.0f,
		                              &t->min_threshold);
	case OPT_THRESHOLD_PRECISION:
		/* Checked as a float, kept as the double the text says: the
		 * threshold search compares counts against precision * count. */
		if (pronet_cli_parse_float(cmd, "threshold-precision", value, 0.5f, 1.0f,
		                           &(float){0.0f}) != 1)
			return 0;
		t->threshold_precision = strtod(value, NULL);
		return 1;
	case OPT_REJECT_RARE:
		if (value == NULL || strcmp(value, "train") == 0)
			t->reject_rare = PRONET_CLI_REJECT_TRAIN;
		else if (strcmp(value, "calibrate") == 0)
			t->reject_rare = PRONET_CLI_REJECT_CALIBRATE;
		else if (strcmp(value, "test") == 0 && strcmp(cmd, "eval") == 0)
			t->reject_rare = PRONET_CLI_REJECT_TEST;
		else {
			fprintf(stderr,
			        "pronet %s: --reject-rare: '%s' is not train or calibrate%s\n", cmd,
			        value, strcmp(cmd, "eval") == 0 ? " or test" : "");
			return 0;
		}
		return 1;
	case OPT_AUGMENT_BYTES:
		return pronet_cli_parse_float(cmd, "augment-bytes", value, 0.0f, 0.5f,
		                              &o->augment_bytes);
	default:
		return -1;
	}
}

int pronet_cli_train_finish(const char *command, struct pronet_cli_train *t)
{
	if (t->steps_given && t->epochs_given) {
		fprintf(stderr, "pronet %s: --steps and --epochs exclude each other\n", command);
		return 0;
	}
	if (t->steps_given)
		t->options.epochs = 0;
	else
		t->options.steps = 0;
	return 1;
}

void pronet_cli_train_usage(FILE *out)
{
	struct pronet_cli_train d;

	pronet_cli_train_defaults(&d);
	fprintf(
	    out,
	    "Model:\n"
	    "      --embed-dim=M         embedding dimension (default %u)\n"
	    "      --filters=T           filters per convolution width (default %u)\n"
	    "      --ngram-buckets=N     3-gram hash buckets (default %u)\n"
	    "      --batch-norm          batch normalisation on pooled features\n"
	    "      --dropout=P           dropout probability while training (default %g)\n"
	    "      --context             add direction, packet index, transport and\n"
	    "                            payload length to the pooled features (not in\n"
	    "                            the paper; default off)\n"
	    "Training:\n"
	    "      --batch-size=B        samples per step (default %u)\n"
	    "      --steps=N             train for N mini-batch steps, or\n"
	    "      --epochs=N            for N passes over the dataset (default %u)\n"
	    "      --learning-rate=LR    Adam step size (default %g)\n"
	    "      --seed=S              seed for weights, shuffling, dropout (default %llu)\n"
	    "      --threads=N           worker threads (default %u)\n"
	    "      --max-per-class=N     class balancing: at most N samples of a class\n"
	    "                            per epoch, drawn afresh (default 0: all)\n"
	    "      --augment-bytes=P     replace each payload byte of a training sample\n"
	    "                            by a random one with probability P (default 0)\n"
	    "      --validation=F        hold back this share of the training captures\n"
	    "                            for early stopping and calibration\n"
	    "      --validate-every=N    steps between validation losses (default %u)\n"
	    "      --patience=N          stop after N validations without a new best\n"
	    "                            (default %u; 0: never stop early)\n"
	    "      --min-threshold=P     calibration: no class's abstention threshold\n"
	    "                            below P, also for classes validation never\n"
	    "                            names (default 0)\n"
	    "      --threshold-precision=P\n"
	    "                            calibration: each class's threshold is the\n"
	    "                            lowest at which the validation flows it names\n"
	    "                            are at least P right (0.5..1, default %g)\n"
	    "      --reject-rare[=train|calibrate]\n"
	    "                            the flows of the classes --min-flows leaves out\n"
	    "                            become one reject class '" PRONET_REJECT_CLASS "' (never\n"
	    "                            named: its verdict abstains); 'train' (the\n"
	    "                            default) trains on them, 'calibrate' keeps them\n"
	    "                            out of training and counts them as mistakes\n"
	    "                            when calibrating the thresholds; eval also\n"
	    "                            takes 'test': neither, only tested on\n",
	    d.config.embed_dim, d.config.filters, d.config.ngram_buckets, (double)d.config.dropout,
	    d.options.batch_size, d.options.epochs, (double)d.options.learning_rate,
	    (unsigned long long)d.options.seed, d.options.threads, d.options.validate_every,
	    d.options.patience, d.threshold_precision);
}
