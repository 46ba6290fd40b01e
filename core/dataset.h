/* Labelled samples: what `pronet label` writes and `pronet train` reads.
 * File format: docs/dataset-format.md. The format is a stream of records, so
 * a writer needs no count up front and a reader can stop anywhere. */
#ifndef PRONET_CORE_DATASET_H
#define PRONET_CORE_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/input.h"

struct pronet_sample {
	struct pronet_input input;
	uint16_t label;   /* index into the dataset's class names */
	uint32_t capture; /* index into the dataset's capture names */
	uint64_t flow;    /* flow number within its capture */
};

/* An in-memory dataset. Owns its arrays and strings. */
struct pronet_dataset {
	struct pronet_sample *samples;
	size_t num_samples, samples_capacity;
	char **class_names;
	size_t num_classes;
	char **capture_names;
	size_t num_captures;
};

struct pronet_dataset *pronet_dataset_new(void);
void pronet_dataset_free(struct pronet_dataset *dataset);
/* Index of the class/capture named `name`, added if new. */
enum pronet_err pronet_dataset_intern_class(struct pronet_dataset *dataset, const char *name, uint16_t *index);
enum pronet_err pronet_dataset_intern_capture(struct pronet_dataset *dataset, const char *name, uint32_t *index);
enum pronet_err pronet_dataset_append(struct pronet_dataset *dataset, const struct pronet_sample *sample);

enum pronet_err pronet_dataset_load(const char *path, struct pronet_dataset **out, char *errbuf);
enum pronet_err pronet_dataset_load_buffer(const void *data, size_t size, const char *name,
					   struct pronet_dataset **out, char *errbuf);
/* Whole or not at all (temporary file + rename). */
enum pronet_err pronet_dataset_save(const struct pronet_dataset *dataset, const char *path, char *errbuf);

#endif
