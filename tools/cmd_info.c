/* pronet info: describes a model file. Uses core/model/model.h, plus the first
 * bytes of the file for its format version (docs/model-format.md: "PRONETMD"
 * then a little-endian u32 version), which the model API does not expose. */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/model/model.h"

int pronet_cmd_info(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out, "Usage: pronet info MODEL\n"
	             "Describe a model file: format version, architecture, hyperparameters,\n"
	             "weight count, calibration and classes, as 'key: value' lines; then one\n"
	             "line per class: 'class: INDEX NAME threshold T'.\n"
	             "\n"
	             "  -h, --help     show this help and exit\n"
	             "\n"
	             "Exit status: 0 described, 1 the model could not be read, 2 usage error.\n");
}

/* The file's size and format version, read from its header. */
static int read_header(const char *path, long *size, uint32_t *version)
{
	FILE *file = fopen(path, "rb");
	uint8_t header[12];
	int ok;

	if (file == NULL)
		return 0;
	ok = fread(header, 1, sizeof(header), file) == sizeof(header) &&
	     fseek(file, 0, SEEK_END) == 0 && (*size = ftell(file)) >= 0;
	fclose(file);
	if (ok)
		*version = (uint32_t)header[8] | (uint32_t)header[9] << 8 |
		           (uint32_t)header[10] << 16 | (uint32_t)header[11] << 24;
	return ok;
}

static void print_pair(void *user, const char *key, const char *value)
{
	(void)user;
	printf("%s: %s\n", key, value);
}

/* The generic line, then the family's own (core/arch/arch.h describe). */
static void print_architecture(const struct pronet_model *model)
{
	const struct pronet_arch_ops *arch = pronet_model_arch(model);

	printf("architecture: %s (%s)\n", pronet_arch_name(arch), pronet_arch_summary(arch));
	pronet_model_describe(model, print_pair, NULL);
}

static void describe(const char *path, const struct pronet_model *model)
{
	size_t num_classes = pronet_model_num_classes(model), calibrated = 0;
	long size = 0;
	uint32_t version = 0;

	printf("file: %s\n", path);
	if (read_header(path, &size, &version))
		printf("file bytes: %ld\nformat version: %u\n", size, version);
	print_architecture(model);
	printf("weights: %zu\n", pronet_model_num_weights(model));
	for (size_t i = 0; i < num_classes; i++)
		calibrated += pronet_model_threshold(model, i) > 0.0f;
	printf("temperature: %g\n"
	       "calibrated thresholds: %zu of %zu classes\n"
	       "classes: %zu\n",
	       (double)pronet_model_temperature(model), calibrated, num_classes, num_classes);
	for (size_t i = 0; i < num_classes; i++)
		printf("class: %zu %s threshold %g\n", i, pronet_model_class_name(model, i),
		       (double)pronet_model_threshold(model, i));
}

int pronet_cmd_info(int argc, char **argv)
{
	static const struct option long_options[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_model *model = NULL;
	int option;

	while ((option = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		if (option == 'h') {
			usage(stdout);
			return 0;
		}
		fprintf(stderr, "Try 'pronet info --help'.\n");
		return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "pronet info: one MODEL expected\nTry 'pronet info --help'.\n");
		return 2;
	}
	if (pronet_model_load(argv[optind], &model, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet info: %s\n", errbuf);
		return 1;
	}
	describe(argv[optind], model);
	pronet_model_free(model);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pronet info: error writing standard output\n");
		return 1;
	}
	return 0;
}
