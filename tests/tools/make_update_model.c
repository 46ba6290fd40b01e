/* make_update_model DATASET CLASS EPOCHS OUT: a ProNet CNN whose classes are
 * all of DATASET's but which is trained without a single sample of CLASS
 * (seed 1, one thread): a model that has a class it never learnt, for
 * classify_update.sh to show that `pronet classify --update` teaches it.
 * `pronet train` cannot make one: its classes are the labels with samples. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/train/train.h"

int main(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *data = NULL;
	struct pronet_model *model = NULL;
	struct pronet_train_options options;
	const char *names[PRONET_MAX_CLASSES];
	size_t *train = NULL, num_train = 0;
	int without = -1;

	if (argc != 5) {
		fprintf(stderr, "usage: make_update_model DATASET CLASS EPOCHS OUT\n");
		return 2;
	}
	if (pronet_dataset_load(argv[1], &data, errbuf) != PRONET_OK) {
		fprintf(stderr, "make_update_model: %s\n", errbuf);
		return 1;
	}
	for (size_t c = 0; c < data->num_classes && c < PRONET_MAX_CLASSES; c++) {
		names[c] = data->class_names[c];
		if (strcmp(names[c], argv[2]) == 0)
			without = (int)c;
	}
	train = malloc((data->num_samples + 1) * sizeof(*train));
	if (without < 0 || train == NULL) {
		fprintf(stderr, "make_update_model: %s: no class %s (or out of memory)\n", argv[1],
		        argv[2]);
		return 1;
	}
	for (size_t i = 0; i < data->num_samples; i++)
		if (data->samples[i].label != (uint16_t)without)
			train[num_train++] = i;
	pronet_train_options_default(&options);
	options.epochs = (uint32_t)strtoul(argv[3], NULL, 10);
	options.progress_every = 0;
	options.train_indices = train;
	options.num_train = num_train;
	if (pronet_model_new(pronet_arch_find("pronet-cnn"), NULL, 0, names, data->num_classes, 1,
	                     &model, errbuf) != PRONET_OK ||
	    pronet_train(model, data, &options, NULL, NULL, errbuf) != PRONET_OK ||
	    pronet_model_save(model, argv[4], errbuf) != PRONET_OK) {
		fprintf(stderr, "make_update_model: %s\n", errbuf);
		return 1;
	}
	printf("classes %zu, trained on %zu of %zu samples (none of %s)\n", data->num_classes,
	       num_train, data->num_samples, argv[2]);
	pronet_model_free(model);
	pronet_dataset_free(data);
	free(train);
	return 0;
}
