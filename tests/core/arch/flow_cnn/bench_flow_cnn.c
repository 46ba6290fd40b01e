/* Speed of flow-cnn on a dataset of flows (`make bench-flow-cnn` runs it on
 * flow-cnn-corpus.ds, the corpus's flows labelled as `make flow-cnn-eval`
 * labels them): training flows per second (pronet_train, the paper's batch
 * of 64 flows, 2 threads, STEPS steps, the z-score fit included) and flow
 * verdicts per CPU second (pronet_model_predict_flow, one flow per call, 1
 * thread, the input step included), the figures tools/bench-torch.py's
 * flow-cnn rows stand beside. Prints numbers; asserts nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arch/registry.h"
#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/model/flow_predict.h"
#include "core/model/model.h"
#include "core/train/train.h"

#define MAX_FLOW 65536
#define TRAIN_STEPS 8
#define TRAIN_BATCH 64

static double seconds_now(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bench(const struct pronet_dataset *data, const struct pronet_flows *flows,
                 struct pronet_packet_record *records)
{
	const struct pronet_arch_ops *arch = pronet_arch_find("flow-cnn");
	const char *class_names[PRONET_MAX_CLASSES];
	struct pronet_train_options options;
	struct pronet_workspace *ws = NULL;
	struct pronet_model *model = NULL;
	float probabilities[PRONET_MAX_CLASSES];
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t best, predicted = 0;
	double start, train_seconds, cpu_start, cpu_seconds;

	for (size_t c = 0; c < data->num_classes && c < PRONET_MAX_CLASSES; c++)
		class_names[c] = data->class_names[c];
	pronet_train_options_default(&options);
	options.threads = 2;
	options.steps = TRAIN_STEPS;
	options.batch_size = TRAIN_BATCH;
	options.progress_every = 0;
	if (arch == NULL || pronet_model_new(arch, NULL, 0, class_names, data->num_classes, 1,
	                                     &model, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_flow_cnn: %s\n", arch == NULL ? "no flow-cnn" : errbuf);
		return 1;
	}
	start = seconds_now(CLOCK_MONOTONIC);
	if (pronet_train(model, data, &options, NULL, NULL, errbuf) != PRONET_OK ||
	    pronet_workspace_new(model, &ws, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_flow_cnn: %s\n", errbuf);
		pronet_model_free(model);
		return 1;
	}
	train_seconds = seconds_now(CLOCK_MONOTONIC) - start;
	cpu_start = seconds_now(CLOCK_PROCESS_CPUTIME_ID);
	do { /* at least two CPU seconds of verdicts */
		for (size_t f = 0; f < flows->num_flows; f++) {
			size_t n = 0;

			predicted +=
			    pronet_flows_gather_inputs(data, flows, f, 0, MAX_FLOW, records, NULL,
			                               &n, errbuf) == PRONET_OK &&
			    pronet_model_predict_flow(model, ws, records, n, probabilities,
			                              &best) == PRONET_OK;
		}
		cpu_seconds = seconds_now(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
	} while (cpu_seconds < 2.0);
	/* The names are bench-torch.py's C rows ("FAMILY: figure"). */
	printf("%-40s %14.0f flows/CPU s  one flow per call, 1 thread (%zu flow verdicts in "
	       "%.2f CPU s, input step included)\n",
	       "flow-cnn: predict, one at a time", (double)predicted / cpu_seconds, predicted,
	       cpu_seconds);
	printf("%-40s %14.0f flows/s      %d steps of %d flows on 2 threads in %.2f s wall "
	       "(z-score fit included)\n",
	       "flow-cnn: train, 2 threads", (double)TRAIN_STEPS * TRAIN_BATCH / train_seconds,
	       TRAIN_STEPS, TRAIN_BATCH, train_seconds);
	pronet_workspace_free(ws);
	pronet_model_free(model);
	return 0;
}

int main(int argc, char **argv)
{
	struct pronet_dataset *data = NULL;
	struct pronet_flows *flows = NULL;
	struct pronet_packet_record *records = malloc(MAX_FLOW * sizeof(*records));
	char errbuf[PRONET_ERRBUF_SIZE];
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_flow_cnn DATASET\n");
		free(records);
		return 2;
	}
	if (records == NULL || pronet_dataset_load(argv[1], &data, errbuf) != PRONET_OK ||
	    pronet_flows_index(data, &flows, errbuf) != PRONET_OK) {
		fprintf(stderr, "bench_flow_cnn: %s: %s\n", argv[1],
		        records ? errbuf : "no memory");
		pronet_dataset_free(data);
		free(records);
		return 1;
	}
	printf("bench_flow_cnn: %s: %zu flows, %zu records\n", argv[1], flows->num_flows,
	       data->num_samples);
	status = bench(data, flows, records);
	pronet_flows_free(flows);
	pronet_dataset_free(data);
	free(records);
	return status;
}
