/* Test helper for tests/tools/label.sh: loads a dataset with the library's
 * loader (so a dataset `pronet label` wrote must load) and prints, one line
 * each, "class NAME SAMPLES FLOWS" (flows: distinct (capture, flow) pairs
 * with a sample of that class), "captures N", "duplicates N" (samples whose
 * bytes, length and label an earlier sample has) and "samples N". With
 * --flows it prints instead one line per flow, in dataset order:
 * "flow CAPTURE FLOW CLASS SAMPLES".
 *
 * Usage: dataset_summary [--flows] DATASET */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/dataset.h"

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Samples of one flow are consecutive in a labelled dataset. */
static void print_flows(const struct pronet_dataset *dataset)
{
	size_t start = 0;
	for (size_t i = 1; i <= dataset->num_samples; i++) {
		const struct pronet_sample *first = &dataset->samples[start];
		if (i < dataset->num_samples && dataset->samples[i].capture == first->capture &&
		    dataset->samples[i].flow == first->flow)
			continue;
		printf("flow %s %llu %s %zu\n", dataset->capture_names[first->capture],
		       (unsigned long long)first->flow, dataset->class_names[first->label],
		       i - start);
		start = i;
	}
}

static size_t count_duplicates(const struct pronet_dataset *dataset)
{
	size_t duplicates = 0;
	/* Quadratic, but test datasets are small enough. */
	for (size_t i = 0; i < dataset->num_samples; i++)
		for (size_t j = 0; j < i; j++) {
			const struct pronet_sample *a = &dataset->samples[i],
			                           *b = &dataset->samples[j];
			if (a->label == b->label && a->input.length == b->input.length &&
			    (a->input.length == 0 ||
			     memcmp(a->input.bytes, b->input.bytes, a->input.length) == 0)) {
				duplicates++;
				break;
			}
		}
	return duplicates;
}

int main(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *dataset;
	int flows_mode = argc == 3 && strcmp(argv[1], "--flows") == 0;
	if (argc != 2 && !flows_mode) {
		fprintf(stderr, "usage: dataset_summary [--flows] DATASET\n");
		return 2;
	}
	if (pronet_dataset_load(argv[argc - 1], &dataset, errbuf) != PRONET_OK) {
		fprintf(stderr, "dataset_summary: %s\n", errbuf);
		return 1;
	}
	if (flows_mode) {
		print_flows(dataset);
		pronet_dataset_free(dataset);
		return 0;
	}
	uint64_t *keys = malloc((dataset->num_samples + 1) * sizeof(*keys));
	if (keys == NULL)
		return 1;
	for (size_t c = 0; c < dataset->num_classes; c++) {
		size_t samples = 0, flows = 0;
		for (size_t i = 0; i < dataset->num_samples; i++)
			if (dataset->samples[i].label == c)
				keys[samples++] = ((uint64_t)dataset->samples[i].capture << 40) ^
				                  dataset->samples[i].flow;
		qsort(keys, samples, sizeof(*keys), compare_u64);
		for (size_t i = 0; i < samples; i++)
			flows += i == 0 || keys[i] != keys[i - 1];
		printf("class %s %zu %zu\n", dataset->class_names[c], samples, flows);
	}
	printf("captures %zu\n", dataset->num_captures);
	if (dataset->num_samples <= 100000)
		printf("duplicates %zu\n", count_duplicates(dataset));
	printf("samples %zu\n", dataset->num_samples);
	free(keys);
	pronet_dataset_free(dataset);
	return 0;
}
