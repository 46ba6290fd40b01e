/* Speed of the histogram families on a dataset of sizes and times (`make
 * bench` runs it on histogram-windows.ds, the corpus's flows cut into
 * windows of 64 packets, one window a flow, by `pronet tunnel -t none
 * --split 64`): for each family, fitting (training windows and packets per
 * second, 2 threads) and verdicts (windows and flows per second through
 * pronet_model_predict_flow, one flow per call, features included, 1
 * thread). On a dataset of one window a flow, a flow verdict is a window
 * verdict: the rate to set beside scikit-learn's one window per call.
 * With -o FILE it also writes the training windows' features for
 * tools/bench-sklearn.py, so that scikit-learn fits and predicts the same
 * numbers: u32 rows, u32 columns, f32 features [rows][columns], u32
 * labels [rows], little-endian. Prints numbers; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arch/histogram/features.h"
#include "core/arch/histogram/histogram_config.h"
#include "core/arch/registry.h"
#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/train/train.h"

#define MAX_FLOW 65536

static double seconds_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static size_t flow_records(const struct pronet_dataset *data, const struct pronet_flows *flows,
                           size_t f, struct pronet_packet_record *records)
{
	size_t n = 0;

	for (size_t k = flows->start[f]; k < flows->start[f + 1] && n < MAX_FLOW; k++)
		records[n++] = data->samples[flows->samples[k]].input;
	return n;
}

/* Every flow's windows (default layout) with its dataset label. */
static int export_features(const struct pronet_dataset *data, const struct pronet_flows *flows,
                           struct pronet_packet_record *records, const char *path)
{
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	const struct pronet_arch_ops *arch = pronet_arch_find("histogram-rf");
	char errbuf[PRONET_ERRBUF_SIZE];
	uint32_t rows = 0, columns;
	float *row;
	uint32_t *labels = malloc(data->num_samples * sizeof(*labels));
	FILE *file = fopen(path, "wb");

	pronet_arch_config_default(arch, &config);
	if (file == NULL || labels == NULL ||
	    pronet_histogram_layout_init(&config, path, &layout, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_histogram: cannot write %s\n", path);
		free(labels);
		if (file != NULL)
			fclose(file);
		return 1;
	}
	columns = (uint32_t)layout.num_features;
	row = malloc(columns * sizeof(float));
	fwrite(&rows, 4, 1, file);
	fwrite(&columns, 4, 1, file);
	for (size_t f = 0; row != NULL && f < flows->num_flows; f++) {
		size_t n = flow_records(data, flows, f, records);

		for (size_t w = 0; w < pronet_histogram_num_windows(&layout, n); w++) {
			size_t begin, end;

			pronet_histogram_window_range(&layout, n, w, &begin, &end);
			pronet_histogram_window_features(&layout, records, begin, end, row);
			fwrite(row, sizeof(float), columns, file);
			labels[rows++] = flows->label[f];
		}
	}
	fwrite(labels, sizeof(uint32_t), rows, file);
	rewind(file);
	fwrite(&rows, 4, 1, file);
	free(row);
	free(labels);
	return fclose(file) != 0;
}

/* The windows of every flow, cut as the families cut them (default layout). */
static size_t count_windows(const struct pronet_dataset *data, const struct pronet_flows *flows,
                            struct pronet_packet_record *records)
{
	struct pronet_histogram_config config;
	struct pronet_histogram_layout layout;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t windows = 0;

	pronet_arch_config_default(pronet_arch_find("histogram-rf"), &config);
	if (pronet_histogram_layout_init(&config, "bench", &layout, errbuf) != PRONET_OK)
		return 0;
	for (size_t f = 0; f < flows->num_flows; f++)
		windows +=
		    pronet_histogram_num_windows(&layout, flow_records(data, flows, f, records));
	return windows;
}

static void bench_family(const char *name, const struct pronet_dataset *data,
                         const struct pronet_flows *flows, struct pronet_packet_record *records,
                         size_t windows)
{
	const struct pronet_arch_ops *arch = pronet_arch_find(name);
	const char *class_names[PRONET_MAX_CLASSES];
	struct pronet_train_options options;
	struct pronet_workspace *ws = NULL;
	struct pronet_model *model = NULL;
	float probabilities[PRONET_MAX_CLASSES];
	char errbuf[PRONET_ERRBUF_SIZE];
	double start, fit_seconds, predict_seconds;
	size_t best, rounds = 0, predicted = 0;

	for (size_t c = 0; c < data->num_classes && c < PRONET_MAX_CLASSES; c++)
		class_names[c] = data->class_names[c];
	pronet_train_options_default(&options);
	options.threads = 2;
	options.progress_every = 0;
	if (pronet_model_new(arch, NULL, 0, class_names, data->num_classes, 1, &model, errbuf) !=
	    PRONET_OK) {
		fprintf(stderr, "bench_histogram: %s\n", errbuf);
		return;
	}
	start = seconds_now();
	if (pronet_train(model, data, &options, NULL, NULL, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_histogram: %s\n", errbuf);
		pronet_model_free(model);
		return;
	}
	fit_seconds = seconds_now() - start;
	pronet_workspace_new(model, &ws, errbuf);
	start = seconds_now();
	do { /* at least one second of verdicts */
		for (size_t f = 0; f < flows->num_flows; f++) {
			size_t n = flow_records(data, flows, f, records);

			predicted += pronet_model_predict_flow(model, ws, records, n, probabilities,
			                                       &best) == PRONET_OK;
		}
		rounds++;
	} while (seconds_now() - start < 1.0);
	predict_seconds = seconds_now() - start;
	/* Every round predicts every flow, so windows per round are `windows`. */
	printf("%-40s %14.0f windows/s      predict, one flow per call, 1 thread (%zu windows "
	       "in %zu flows, features included)\n",
	       name, (double)windows * (double)rounds / predict_seconds, windows, flows->num_flows);
	printf("%-40s %14.0f flows/s        predict, one flow per call, 1 thread\n", name,
	       (double)predicted / predict_seconds);
	printf("%-40s %14.0f windows/s      fit, 2 threads (%zu windows, %zu packets: %.2f s, "
	       "%.0f packets/s)\n",
	       name, (double)windows / fit_seconds, windows, data->num_samples, fit_seconds,
	       (double)data->num_samples / fit_seconds);
	pronet_workspace_free(ws);
	pronet_model_free(model);
}

int main(int argc, char **argv)
{
	static const char *const families[] = {"histogram-nb", "histogram-lr", "histogram-rf"};
	struct pronet_dataset *data = NULL;
	struct pronet_flows *flows = NULL;
	struct pronet_packet_record *records = malloc(MAX_FLOW * sizeof(*records));
	char errbuf[PRONET_ERRBUF_SIZE];
	int status = 0;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "-o") == 0)) {
		fprintf(stderr, "usage: bench_histogram DATASET [-o FEATURES]\n");
		return 2;
	}
	if (records == NULL || pronet_dataset_load(argv[1], &data, errbuf) != PRONET_OK ||
	    pronet_flows_index(data, &flows, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_histogram: %s\n", records ? errbuf : "no memory");
		return 1;
	}
	size_t windows = count_windows(data, flows, records);
	for (size_t i = 0; i < 3; i++)
		bench_family(families[i], data, flows, records, windows);
	if (argc == 4)
		status = export_features(data, flows, records, argv[3]);
	pronet_flows_free(flows);
	pronet_dataset_free(data);
	free(records);
	return status;
}
