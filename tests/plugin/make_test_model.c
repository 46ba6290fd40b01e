/* Writes a small untrained model (seeded, so always the same file) for the
 * plugin's integration tests: make_test_model OUTPUT [CLASS...]. Classes
 * default to two names nDPI 4.2 does not know. */
#include "core/model/model.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	static const char *const default_names[] = {"PronetTestA", "PronetTestB"};
	const char *const *names = default_names;
	size_t num_classes = 2;
	struct pronet_cnn_config config;
	struct pronet_model *model;
	char errbuf[PRONET_ERRBUF_SIZE];

	if (argc < 2) {
		fprintf(stderr, "usage: make_test_model OUTPUT [CLASS...]\n");
		return 2;
	}
	if (argc > 2) {
		names = (const char *const *)&argv[2];
		num_classes = (size_t)(argc - 2);
	}
	pronet_cnn_config_default(&config);
	config.embed_dim = 8;
	config.filters = 4;
	if (pronet_model_new_cnn(&config, names, num_classes, 42, &model, errbuf) != PRONET_OK ||
	    pronet_model_save(model, argv[1], errbuf) != PRONET_OK) {
		fprintf(stderr, "make_test_model: %s\n", errbuf);
		return 1;
	}
	pronet_model_free(model);
	return 0;
}
