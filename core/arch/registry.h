/* The architecture registry: every model family pronet knows, by name (the CLI's
 * `--arch NAME`) and by the numeric tag a model file stores. Each family describes
 * its hyperparameters as data (struct pronet_arch_option), so that a tool parses
 * `--OPTION VALUE` for any family without code of its own per family.
 *
 * The list itself is core/arch/registry.c; adding a family is a line there (and
 * its folder, core/arch/<family>/). Tags are reserved in docs/model-format.md.
 * The descriptor type is opaque here (core/arch/arch.h is internal). */
#ifndef PRONET_CORE_ARCH_REGISTRY_H
#define PRONET_CORE_ARCH_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

struct pronet_arch_ops;

/* NULL when no family has that name or tag. */
const struct pronet_arch_ops *pronet_arch_find(const char *name);
const struct pronet_arch_ops *pronet_arch_find_tag(uint32_t tag);
/* The families in registry order (help texts, `pronet info`, tests). */
size_t pronet_arch_count(void);
const struct pronet_arch_ops *pronet_arch_at(size_t index);
/* "pronet-cnn, logreg-bytes": the names joined by ", " into text[size]
 * (truncated to fit; always terminated when size > 0). */
void pronet_arch_list_names(char *text, size_t size);

const char *pronet_arch_name(const struct pronet_arch_ops *arch);
uint32_t pronet_arch_tag(const struct pronet_arch_ops *arch);
const char *pronet_arch_summary(const struct pronet_arch_ops *arch); /* one line */

/* A family's hyperparameters are one plain struct (struct pronet_cnn_config, ...)
 * of exactly this size; no family's is larger than PRONET_ARCH_CONFIG_MAX, so a
 * caller can hold any of them in a buffer of that size. */
#define PRONET_ARCH_CONFIG_MAX 256
size_t pronet_arch_config_size(const struct pronet_arch_ops *arch);
void pronet_arch_config_default(const struct pronet_arch_ops *arch, void *config);

enum pronet_option_type {
	PRONET_OPTION_U32 = 0, /* uint32_t, an integer in [min, max] */
	PRONET_OPTION_F32 = 1, /* float, a number in [min, max] */
	PRONET_OPTION_FLAG = 2 /* uint32_t set to 1 by the option, which takes no value */
};

/* One hyperparameter as data: `pronet train --arch X --NAME VALUE` sets it. */
struct pronet_arch_option {
	const char *name;       /* "embed-dim": the long option, without "--" */
	const char *value_name; /* "M" in the help text; NULL for a flag */
	const char *help;       /* one line; continuation lines start with spaces */
	enum pronet_option_type type;
	size_t offset; /* of the field in the family's config struct */
	double min, max;
};

/* The family's own training defaults, where its paper gives them: sets
 * *batch_size and *learning_rate when it has them, else leaves them. */
void pronet_arch_training_defaults(const struct pronet_arch_ops *arch, uint32_t *batch_size,
                                   float *learning_rate);

size_t pronet_arch_num_options(const struct pronet_arch_ops *arch);
const struct pronet_arch_option *pronet_arch_option_at(const struct pronet_arch_ops *arch,
                                                       size_t index);
/* Sets option `name` in config (the family's struct) from its text (NULL for a
 * flag). PRONET_ERR_ARG, with a sentence in errbuf, for an unknown option, a
 * value that is not a number or one outside the option's bounds. */
enum pronet_err pronet_arch_config_set(const struct pronet_arch_ops *arch, void *config,
                                       const char *name, const char *value, char *errbuf);
/* The option's current value in config as text ("50", "0.5", "yes"/"no"). */
void pronet_arch_option_format(const struct pronet_arch_option *option, const void *config,
                               char *text, size_t size);

#endif
