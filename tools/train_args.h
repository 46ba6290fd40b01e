/* The model and training options shared by `pronet train` and `pronet eval`:
 * one table, one parser, one help text, so both commands train the same way. */
#ifndef PRONET_TOOLS_TRAIN_ARGS_H
#define PRONET_TOOLS_TRAIN_ARGS_H

#include <getopt.h>
#include <stdio.h>

#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/train/train.h"

enum pronet_cli_reject {
	PRONET_CLI_REJECT_NONE = 0,      /* rare classes are dropped */
	PRONET_CLI_REJECT_TRAIN = 1,     /* trained on as the reject class, and calibrated on */
	PRONET_CLI_REJECT_CALIBRATE = 2, /* not trained on; calibration's negatives only */
	PRONET_CLI_REJECT_TEST = 3,      /* eval: only tested on (what the others improve on) */
};

struct pronet_cli_train {
	/* --arch NAME (default pronet-cnn) and its config, set by its options */
	const struct pronet_arch_ops *arch;
	_Alignas(max_align_t) unsigned char arch_config[PRONET_ARCH_CONFIG_MAX];
	struct pronet_train_options options;
	int steps_given, epochs_given;
	float validation_fraction; /* held back for early stopping and calibration */
	float min_threshold;       /* calibration: no abstention threshold below this */
	/* calibration: thresholds aim at this precision on the validation flows; a
	 * double read from the option's text, so 0.97 means what it says */
	double threshold_precision;
	/* --reject-rare: the flows of classes --min-flows leaves out become one
	 * reject class (PRONET_REJECT_CLASS) instead of being dropped */
	enum pronet_cli_reject reject_rare;
	/* --stream[=MIB]: read the dataset's records through a cache of this
	 * many MiB as training needs them (0: load the dataset into memory) */
	uint32_t stream_mib;
};

/* Option values of the shared options are 256..511 (an architecture's own
 * options 448..511); a command's own use 512+. */
#define PRONET_CLI_MAX_ARCH_OPTIONS 64
#define PRONET_CLI_TRAIN_OPTIONS (16 + PRONET_CLI_MAX_ARCH_OPTIONS)

/* Defaults, with the architecture --arch names in argv (scanned before
 * getopt, since its options depend on it; default pronet-cnn). 0, with a
 * message listing the names, when --arch names none. */
int pronet_cli_train_defaults_for(const char *command, int argc, char *const *argv,
                                  struct pronet_cli_train *t);
void pronet_cli_train_defaults(struct pronet_cli_train *t);
/* Appends the shared options and t->arch's to table[at..]; returns the new count. */
size_t pronet_cli_train_add_options(struct option *table, size_t at,
                                    const struct pronet_cli_train *t);
/* 1 parsed, 0 bad value (reported), -1 not a shared option. */
int pronet_cli_train_option(const char *command, int option, const char *value,
                            struct pronet_cli_train *t);
/* 1 if a shared option changes what is trained (all but --stream, which
 * says only how the dataset is read), for `pronet eval -m`'s refusal. */
int pronet_cli_train_option_trains(int option);
/* After parsing: --steps and --epochs exclude each other. 0 on error. */
int pronet_cli_train_finish(const char *command, struct pronet_cli_train *t);
void pronet_cli_train_usage(FILE *out);
/* DATASET as --stream says: streamed through its cache, or into memory. */
enum pronet_err pronet_cli_train_load(const struct pronet_cli_train *t, const char *path,
                                      struct pronet_dataset **out, char *errbuf);

#endif
