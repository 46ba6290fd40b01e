/* Test helper for tests/tools/label.sh: loads a dataset with the library's
 * loader (so a dataset `pronet label` wrote must load) and prints, one line
 * each, "class NAME SAMPLES FLOWS" (flows: distinct (capture, flow) pairs
 * with a sample of that class), "captures N", "duplicates N" (samples whose
 * bytes, length and label an earlier sample has) and "samples N". With
 * --flows it prints instead one line per flow, in dataset order:
 * "flow CAPTURE FLOW CLASS SAMPLES". With --records it prints the spec,
 * "spec WINDOW LAYER FLAGS K", then one line per packet record,
 * "record DIRECTION PAYLOAD_INDEX LENGTH WIRE_LENGTH L4_OFFSET PAYLOAD_OFFSET
 * ZEROED", ZEROED 1 when the record's IP address bytes (IPv4 12..19, IPv6
 * 8..39, as far as it holds them) are all 0, checked here apart from the
 * loader's own check.
 *
 * Usage: dataset_summary [--flows|--records] DATASET */
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

static int addresses_zeroed(const struct pronet_packet_record *r)
{
	size_t from = 8, to = 40;
	if (r->length > 0 && (r->bytes[0] >> 4) == 4) {
		from = 12;
		to = 20;
	}
	for (size_t i = from; i < to && i < r->length; i++)
		if (r->bytes[i] != 0)
			return 0;
	return 1;
}

static void print_records(const struct pronet_dataset *dataset)
{
	printf("spec %u %s %u %u\n", (unsigned)dataset->spec.window_bytes,
	       dataset->spec.layer == PRONET_LAYER_L3 ? "l3" : "payload",
	       (unsigned)dataset->spec.flags, (unsigned)dataset->spec.packets_per_direction);
	for (size_t i = 0; i < dataset->num_samples; i++) {
		const struct pronet_packet_record *r = &dataset->samples[i].input;
		printf("record %u %u %u %u %u %u %d\n", (unsigned)r->direction,
		       (unsigned)r->payload_index, (unsigned)r->length, (unsigned)r->wire_length,
		       (unsigned)r->l4_offset, (unsigned)r->payload_offset, addresses_zeroed(r));
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
	int records_mode = argc == 3 && strcmp(argv[1], "--records") == 0;
	if (argc != 2 && !flows_mode && !records_mode) {
		fprintf(stderr, "usage: dataset_summary [--flows|--records] DATASET\n");
		return 2;
	}
	if (pronet_dataset_load(argv[argc - 1], &dataset, errbuf) != PRONET_OK) {
		fprintf(stderr, "dataset_summary: %s\n", errbuf);
		return 1;
	}
	if (flows_mode || records_mode) {
		if (flows_mode)
			print_flows(dataset);
		else
			print_records(dataset);
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
