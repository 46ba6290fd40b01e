/* The one list of model families. Adding one is a line here, its folder
 * core/arch/<family>/ and one include in core/local.mk. */
#include "core/arch/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/arch.h"

extern const struct pronet_arch_ops pronet_arch_pronet_cnn;
extern const struct pronet_arch_ops pronet_arch_histogram_nb;
extern const struct pronet_arch_ops pronet_arch_histogram_lr;
extern const struct pronet_arch_ops pronet_arch_histogram_rf;
extern const struct pronet_arch_ops pronet_arch_deep_packet_cnn;
extern const struct pronet_arch_ops pronet_arch_deep_packet_sae;
extern const struct pronet_arch_ops pronet_arch_image_cnn;
extern const struct pronet_arch_ops pronet_arch_flow_cnn;

static const struct pronet_arch_ops *const archs[] = {
    &pronet_arch_pronet_cnn,   &pronet_arch_histogram_nb,    &pronet_arch_histogram_lr,
    &pronet_arch_histogram_rf, &pronet_arch_deep_packet_cnn, &pronet_arch_deep_packet_sae,
    &pronet_arch_image_cnn,    &pronet_arch_flow_cnn,
};

#define NUM_ARCHS (sizeof(archs) / sizeof(archs[0]))

const struct pronet_arch_ops *pronet_arch_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < NUM_ARCHS; i++)
		if (strcmp(archs[i]->name, name) == 0)
			return archs[i];
	return NULL;
}

const struct pronet_arch_ops *pronet_arch_find_tag(uint32_t tag)
{
	for (size_t i = 0; i < NUM_ARCHS; i++)
		if (archs[i]->tag == tag)
			return archs[i];
	return NULL;
}

size_t pronet_arch_count(void)
{
	return NUM_ARCHS;
}

const struct pronet_arch_ops *pronet_arch_at(size_t index)
{
	return index < NUM_ARCHS ? archs[index] : NULL;
}

void pronet_arch_list_names(char *text, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return;
	text[0] = '\0';
	for (size_t i = 0; i < NUM_ARCHS && used < size; i++) {
		int n = snprintf(text + used, size - used, "%s%s", i ? ", " : "", archs[i]->name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

const char *pronet_arch_name(const struct pronet_arch_ops *arch)
{
	return arch->name;
}

uint32_t pronet_arch_tag(const struct pronet_arch_ops *arch)
{
	return arch->tag;
}

const char *pronet_arch_summary(const struct pronet_arch_ops *arch)
{
	return arch->summary;
}

size_t pronet_arch_config_size(const struct pronet_arch_ops *arch)
{
	return arch->config_size;
}

void pronet_arch_config_default(const struct pronet_arch_ops *arch, void *config)
{
	memset(config, 0, arch->config_size);
	arch->config_default(config);
}

void pronet_arch_training_defaults(const struct pronet_arch_ops *arch, uint32_t *batch_size,
                                   float *learning_rate)
{
	if (arch->batch_size != 0)
		*batch_size = arch->batch_size;
	if (arch->learning_rate > 0.0f)
		*learning_rate = arch->learning_rate;
}

size_t pronet_arch_num_options(const struct pronet_arch_ops *arch)
{
	return arch->num_options;
}

const struct pronet_arch_option *pronet_arch_option_at(const struct pronet_arch_ops *arch,
                                                       size_t index)
{
	return index < arch->num_options ? &arch->options[index] : NULL;
}

/* strtod, with the whole text a number: "12x" and "" are refused. */
static int parse_number(const char *value, double *number)
{
	char *end = NULL;

	if (value == NULL || *value == '\0')
		return 0;
	*number = strtod(value, &end);
	return end != value && *end == '\0' && *number == *number;
}

enum pronet_err pronet_arch_config_set(const struct pronet_arch_ops *arch, void *config,
                                       const char *name, const char *value, char *errbuf)
{
	const struct pronet_arch_option *option = NULL;
	uint8_t *field;
	double number;

	for (size_t i = 0; name != NULL && i < arch->num_options; i++)
		if (strcmp(arch->options[i].name, name) == 0)
			option = &arch->options[i];
	if (option == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s has no option --%s", arch->name,
		                    name != NULL ? name : "(null)");
	field = (uint8_t *)config + option->offset;
	if (option->type == PRONET_OPTION_FLAG) {
		uint32_t on = 1;

		memcpy(field, &on, sizeof(on));
		return PRONET_OK;
	}
	if (!parse_number(value, &number) || number < option->min || number > option->max ||
	    (option->type == PRONET_OPTION_U32 && number != (double)(uint32_t)number))
		return pronet_error(
		    errbuf, PRONET_ERR_ARG,
		    option->type == PRONET_OPTION_U32 ? "--%s: '%s' is not an integer in %.0f..%.0f"
		                                      : "--%s: '%s' is not a number in %g..%g",
		    option->name, value != NULL ? value : "", option->min, option->max);
	if (option->type == PRONET_OPTION_U32) {
		uint32_t integer = (uint32_t)number;

		memcpy(field, &integer, sizeof(integer));
	} else {
		float real = (float)number;

		memcpy(field, &real, sizeof(real));
	}
	return PRONET_OK;
}

void pronet_arch_option_format(const struct pronet_arch_option *option, const void *config,
                               char *text, size_t size)
{
	const uint8_t *field = (const uint8_t *)config + option->offset;
	uint32_t integer;
	float real;

	switch (option->type) {
	case PRONET_OPTION_U32:
		memcpy(&integer, field, sizeof(integer));
		snprintf(text, size, "%u", integer);
		break;
	case PRONET_OPTION_F32:
		memcpy(&real, field, sizeof(real));
		snprintf(text, size, "%g", (double)real);
		break;
	case PRONET_OPTION_FLAG:
		memcpy(&integer, field, sizeof(integer));
		snprintf(text, size, "%s", integer ? "yes" : "no");
		break;
	}
}
