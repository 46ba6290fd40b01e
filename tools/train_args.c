#include "tools/train_args.h"

#include <stdlib.h>
#include <string.h>

#include "core/model/flow_predict.h"
#include "tools/cli_args.h"

enum {
	OPT_ARCH = 256,
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
	OPT_STREAM,
	OPT_ARCH_OPTION = 512 - PRONET_CLI_MAX_ARCH_OPTIONS, /* + index of the arch's option */
};

#define NUM_SHARED 16
static const struct option shared[NUM_SHARED] = {
    {"arch", required_argument, NULL, OPT_ARCH},
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
    {"stream", optional_argument, NULL, OPT_STREAM},
};

void pronet_cli_train_defaults(struct pronet_cli_train *t)
{
	memset(t, 0, sizeof(*t));
	t->arch = pronet_arch_find("pronet-cnn");
	pronet_arch_config_default(t->arch, t->arch_config);
	pronet_train_options_default(&t->options);
	t->options.validate_every = 200;
	t->options.patience = 5;
	t->threshold_precision = 0.97;
}

int pronet_cli_train_defaults_for(const char *command, int argc, char *const *argv,
                                  struct pronet_cli_train *t)
{
	const char *name = NULL;
	char names[256];

	pronet_cli_train_defaults(t);
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--arch") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strncmp(argv[i], "--arch=", 7) == 0)
			name = argv[i] + 7;
	}
	if (name == NULL)
		return 1;
	t->arch = pronet_arch_find(name);
	if (t->arch == NULL || pronet_arch_num_options(t->arch) > PRONET_CLI_MAX_ARCH_OPTIONS) {
		pronet_arch_list_names(names, sizeof(names));
		fprintf(stderr, "pronet %s: --arch: unknown architecture '%s' (known: %s)\n",
		        command, name, names);
		return 0;
	}
	pronet_arch_config_default(t->arch, t->arch_config);
	pronet_arch_training_defaults(t->arch, &t->options.batch_size, &t->options.learning_rate);
	return 1;
}

size_t pronet_cli_train_add_options(struct option *table, size_t at,
                                    const struct pronet_cli_train *t)
{
	for (size_t i = 0; i < NUM_SHARED; i++)
		table[at++] = shared[i];
	for (size_t i = 0; i < pronet_arch_num_options(t->arch); i++) {
		const struct pronet_arch_option *o = pronet_arch_option_at(t->arch, i);

		table[at].name = o->name;
		table[at].has_arg = o->type == PRONET_OPTION_FLAG ? no_argument : required_argument;
		table[at].flag = NULL;
		table[at].val = OPT_ARCH_OPTION + (int)i;
		at++;
	}
	return at;
}

/* One of the architecture's options, parsed by its descriptor's type and
 * bounds into its field of t->arch_config. */
static int model_option(const char *cmd, int option, const char *value, struct pronet_cli_train *t)
{
	const struct pronet_arch_option *o;
	unsigned char *field;
	uint32_t integer = 1;
	float real;

	if (option == OPT_ARCH) {
		if (pronet_arch_find(value) == t->arch)
			return 1;
		fprintf(stderr, "pronet %s: --arch: write it out in full, once\n", cmd);
		return 0;
	}
	if (option < OPT_ARCH_OPTION || option >= OPT_ARCH_OPTION + PRONET_CLI_MAX_ARCH_OPTIONS)
		return -1;
	o = pronet_arch_option_at(t->arch, (size_t)(option - OPT_ARCH_OPTION));
	if (o == NULL)
		return -1;
	field = t->arch_config + o->offset;
	switch (o->type) {
	case PRONET_OPTION_FLAG:
		break;
	case PRONET_OPTION_U32:
		if (!pronet_cli_parse_u32(cmd, o->name, value, (uint32_t)o->min, (uint32_t)o->max,
		                          &integer))
			return 0;
		break;
	case PRONET_OPTION_F32:
		if (!pronet_cli_parse_float(cmd, o->name, value, (float)o->min, (float)o->max,
		                            &real))
			return 0;
		memcpy(field, &real, sizeof(real));
		return 1;
	}
	memcpy(field, &integer, sizeof(integer));
	return 1;
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
	case OPT_STREAM:
		t->stream_mib = PRONET_DATASET_CACHE_DEFAULT >> 20;
		return value == NULL ||
		       pronet_cli_parse_u32(cmd, "stream", value, 1, 1u << 20, &t->stream_mib);
	default:
		return -1;
	}
}

int pronet_cli_train_option_trains(int option)
{
	return option >= 256 && option < 512 && option != OPT_STREAM;
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

/* NAME (summary), then "      --name=V  help (default x)" per option, in
 * the columns of the other options; continuation lines of a help text are
 * indented to its column. */
static void arch_usage(FILE *out, const struct pronet_arch_ops *arch)
{
	_Alignas(max_align_t) unsigned char config[PRONET_ARCH_CONFIG_MAX];
	char left[64], value[32];

	uint32_t batch = 0;
	float rate = 0.0f;

	pronet_arch_config_default(arch, config);
	fprintf(out, "    %s: %s\n", pronet_arch_name(arch), pronet_arch_summary(arch));
	pronet_arch_training_defaults(arch, &batch, &rate);
	if (batch != 0 || rate > 0.0f)
		fprintf(out, "%28s(its paper's training: batch size %u, learning rate %g)\n", "",
		        batch, (double)rate);
	for (size_t i = 0; i < pronet_arch_num_options(arch); i++) {
		const struct pronet_arch_option *o = pronet_arch_option_at(arch, i);
		const char *help = o->help, *newline;

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->value_name ? "=" : "",
		         o->value_name ? o->value_name : "");
		fprintf(out, "      %-22s", left);
		while ((newline = strchr(help, '\n')) != NULL) {
			fprintf(out, "%.*s\n%28s", (int)(newline - help), help, "");
			help = newline + 1;
		}
		pronet_arch_option_format(o, config, value, sizeof(value));
		if (o->type == PRONET_OPTION_FLAG)
			fprintf(out, "%s\n", help);
		else
			fprintf(out, "%s (default %s)\n", help, value);
	}
}

void pronet_cli_train_usage(FILE *out)
{
	struct pronet_cli_train d;

	pronet_cli_train_defaults(&d);
	fprintf(out,
	        "Model:\n"
	        "      --arch=NAME           model family (default pronet-cnn); its options:\n");
	for (size_t i = 0; i < pronet_arch_count(); i++)
		arch_usage(out, pronet_arch_at(i));
	fprintf(out,
	        "Training:\n"
	        "      --batch-size=B        samples (flows, for a flow family) per step\n"
	        "                            (default %u, or the family's above)\n"
	        "      --steps=N             train for N mini-batch steps, or\n"
	        "      --epochs=N            for N passes over the dataset (default %u)\n"
	        "      --learning-rate=LR    Adam step size (default %g, or the family's)\n"
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
	        "                            become one reject class '" PRONET_REJECT_CLASS
	        "' (never\n"
	        "                            named: its verdict abstains); 'train' (the\n"
	        "                            default) trains on them, 'calibrate' keeps them\n"
	        "                            out of training and counts them as mistakes\n"
	        "                            when calibrating the thresholds; eval also\n"
	        "                            takes 'test': neither, only tested on\n"
	        "      --stream[=MIB]        read the records from DATASET as training\n"
	        "                            needs them, through a cache of MIB MiB\n"
	        "                            (default 64), instead of loading it: for a\n"
	        "                            dataset larger than memory; the same models\n"
	        "                            and figures bit for bit\n",
	        d.options.batch_size, d.options.epochs, (double)d.options.learning_rate,
	        (unsigned long long)d.options.seed, d.options.threads, d.options.validate_every,
	        d.options.patience, d.threshold_precision);
}

enum pronet_err pronet_cli_train_load(const struct pronet_cli_train *t, const char *path,
                                      struct pronet_dataset **out, char *errbuf)
{
	return t->stream_mib != 0
	           ? pronet_dataset_load_streamed(path, (size_t)t->stream_mib << 20, out, errbuf)
	           : pronet_dataset_load(path, out, errbuf);
}
