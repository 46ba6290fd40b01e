/* `make bench`'s rows for the model families that read a whole packet
 * (deep-packet-cnn, deep-packet-sae, image-cnn): predictions per CPU second
 * of one core, one call per packet and batched, and training samples per
 * wall second, over records of the corpus's packets made as the flow table
 * makes them for the family's input spec. Weights are each family's own
 * initialisation (speed does not depend on their values); labels are the
 * capture index mod 16. tools/bench-torch.py runs the same networks in
 * PyTorch for the ratio. */
#include "tools/bench_arch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arch/arch.h"
#include "core/arch/deep_packet/deep_packet.h"
#include "core/arch/registry.h"
#include "core/model/model.h"
#include "core/train/train.h"

#define ARCH_CLASSES 16
#define ARCH_BATCH 256
#define CONFIG_MAX 256 /* bytes: larger than any family's config */

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *const class_names[ARCH_CLASSES] = {"c00", "c01", "c02", "c03", "c04", "c05",
                                                      "c06", "c07", "c08", "c09", "c10", "c11",
                                                      "c12", "c13", "c14", "c15"};

/* A model of the family's default configuration, or NULL and a note. */
static struct pronet_model *arch_model(const char *arch, char *note, size_t note_size)
{
	const struct pronet_arch_ops *ops = pronet_arch_find(arch);
	_Alignas(8) unsigned char config[CONFIG_MAX];
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	if (ops == NULL || ops->config_size > sizeof(config)) {
		snprintf(note, note_size, "no family %s in this build", arch);
		return NULL;
	}
	ops->config_default(config);
	/* The stacked autoencoder's greedy pretraining is epochs over the
	 * whole dataset before the first step: the rows time the steps, the
	 * loop all three share. */
	if (ops == &pronet_arch_deep_packet_sae)
		((struct deep_packet_sae_config *)(void *)config)->pretrain_epochs = 0;
	if (pronet_model_new(ops, config, ops->config_size, class_names, ARCH_CLASSES, 1, &model,
	                     errbuf) != PRONET_OK) {
		snprintf(note, note_size, "%s: %s", arch, errbuf);
		return NULL;
	}
	return model;
}

double bench_arch_predict(const char *arch, const struct bench_arch_inputs *in, int batched,
                          double seconds, char *note, size_t note_size)
{
	struct pronet_model *model = arch_model(arch, note, note_size);
	struct pronet_workspace *workspace = NULL;
	static float probabilities[ARCH_BATCH * ARCH_CLASSES];
	size_t best[ARCH_BATCH], i = 0, done = 0, sum = 0;
	char errbuf[PRONET_ERRBUF_SIZE];
	double start, elapsed = 0.0;

	if (model == NULL)
		return NAN;
	if (pronet_workspace_new(model, &workspace, errbuf) != PRONET_OK) {
		snprintf(note, note_size, "%s", errbuf);
		pronet_model_free(model);
		return NAN;
	}
	start = cpu_now();
	do {
		size_t n = 1;

		if (batched) {
			n = in->count - i < ARCH_BATCH ? in->count - i : ARCH_BATCH;
			pronet_model_predict_batch(model, workspace, in->records + i, n,
			                           probabilities, best);
		} else {
			pronet_model_predict(model, workspace, in->records + i, probabilities,
			                     best);
		}
		sum += best[0];
		done += n;
		i = i + n == in->count ? 0 : i + n;
		elapsed = cpu_now() - start;
	} while (elapsed < seconds);
	snprintf(note, note_size,
	         "%zu predictions in %.2f CPU s over %zu packets of %u bytes (l3), %s "
	         "(checksum %zu), %zu weights",
	         done, elapsed, in->count, in->window_bytes,
	         batched ? "batches of 256" : "one call each", sum % 1000,
	         pronet_model_num_weights(model));
	pronet_workspace_free(workspace);
	pronet_model_free(model);
	return (double)done / elapsed;
}

static void train_progress(const struct pronet_train_progress *progress, void *user)
{
	*(double *)user = progress->seconds;
}

/* pronet_train for `steps` steps; the wall seconds through *seconds. */
static enum pronet_err train_steps(const char *arch, const struct pronet_dataset *data,
                                   uint32_t threads, uint32_t steps, double *seconds, char *errbuf)
{
	struct pronet_model *model = arch_model(arch, errbuf, PRONET_ERRBUF_SIZE);
	struct pronet_train_options options;
	enum pronet_err err;

	if (model == NULL)
		return PRONET_ERR_ARG;
	pronet_train_options_default(&options);
	options.threads = threads;
	options.steps = steps;
	options.progress_every = steps;
	*seconds = 0.0;
	err = pronet_train(model, data, &options, train_progress, seconds, errbuf);
	pronet_model_free(model);
	return err;
}

double bench_arch_train(const char *arch, const struct bench_arch_inputs *in, uint32_t threads,
                        double seconds, char *note, size_t note_size)
{
	struct pronet_dataset *data = pronet_dataset_new();
	char errbuf[PRONET_ERRBUF_SIZE] = "no memory for the dataset";
	enum pronet_err err = data != NULL ? PRONET_OK : PRONET_ERR_NOMEM;
	double first = 0.0, wall = 0.0, cpu_start;
	uint32_t steps = 0;

	for (size_t c = 0; err == PRONET_OK && c < ARCH_CLASSES; c++) {
		uint16_t index;

		err = pronet_dataset_intern_class(data, class_names[c], &index);
	}
	if (err == PRONET_OK) {
		uint32_t capture;

		err = pronet_dataset_intern_capture(data, "corpus", &capture);
		data->spec.window_bytes = in->window_bytes;
		data->spec.layer = PRONET_LAYER_L3;
		data->spec.flags = 0;
		data->spec.packets_per_direction = 0;
	}
	for (size_t i = 0; err == PRONET_OK && i < in->count; i++) {
		struct pronet_sample sample = {in->records[i], (uint16_t)(in->labels[i] % 16), 0,
		                               0};

		err = pronet_dataset_append(data, &sample);
	}
	/* Two steps say how many fill the benchmark's seconds (8 at least, so that
	 * one slow step on a shared machine does not make the figure). */
	if (err == PRONET_OK)
		err = train_steps(arch, data, threads, 2, &first, errbuf);
	if (err == PRONET_OK) {
		steps = (uint32_t)fmin(100000, fmax(8, ceil(seconds / fmax(first / 2, 1e-6))));
		cpu_start = cpu_now();
		err = train_steps(arch, data, threads, steps, &wall, errbuf);
		if (err == PRONET_OK && wall > 0.0)
			snprintf(note, note_size,
			         "%u steps of 128 in %.2f s wall, %.2f CPU s, %u thread(s), "
			         "%zu packets",
			         steps, wall, cpu_now() - cpu_start, threads, in->count);
	}
	if (err != PRONET_OK)
		snprintf(note, note_size, "training failed: %s", errbuf);
	pronet_dataset_free(data);
	return err == PRONET_OK && wall > 0.0 ? (double)steps * 128 / wall : NAN;
}
