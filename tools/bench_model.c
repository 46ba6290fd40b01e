/* `make bench`'s rows measured inside it, each in a child process of its own
 * (fork), so its peak resident set (wait4's ru_maxrss) is its own: the
 * baseline child that only inherits the inputs, ProNet's prediction on the
 * paper's, a small and the shipped model, training in memory and streamed,
 * and the whole-packet families (tools/bench_arch.c). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "tools/bench_arch.h"
#include "tools/bench_model.h"

#define TRAIN_CLASSES 16

/* CPU seconds of this (single-threaded) child: "on one core" even when the
 * machine is shared and the child waits for it. */
static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs fn in a child; its figure comes back through a pipe, its peak
 * resident set from wait4. */
static void measure(struct bench *b, struct result *r,
                    double (*fn)(struct bench *b, const void *arg, char *note), const void *arg)
{
	int fds[2];
	pid_t pid;
	struct rusage usage;
	int status;

	if (pipe(fds) != 0) {
		snprintf(r->note, sizeof(r->note), "pipe failed: %s", strerror(errno));
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct result out;

		close(fds[0]);
		memset(&out, 0, sizeof(out));
		out.value = fn(b, arg, out.note);
		if (write(fds[1], &out, sizeof(out)) != (ssize_t)sizeof(out))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0) {
		struct result out;

		if (read(fds[0], &out, sizeof(out)) == (ssize_t)sizeof(out)) {
			r->value = out.value;
			snprintf(r->note, sizeof(r->note), "%s", out.note);
		}
		while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR)
			;
		r->max_rss_kb = usage.ru_maxrss;
	}
	close(fds[0]);
}

static double bench_nothing(struct bench *b, const void *arg, char *note)
{
	snprintf(note, NOTE_SIZE, "the benchmark's child with its inputs, nothing run");
	return (double)b->num_inputs;
}

/* The models predictions are measured with. */
enum bench_model {
	MODEL_PAPER,   /* the paper's size: m=50, t=30, 4096 buckets */
	MODEL_SMALL,   /* m=50, t=16, 1024 buckets: rows of one AVX-512 vector */
	MODEL_DEFAULT, /* rules/default.pronet, the model users run */
};

/* A model of the given size, weights from N(0, 0.05) (speed does not depend
 * on their values). */
static struct pronet_model *random_model(uint32_t filters, uint32_t buckets, size_t classes,
                                         char *note)
{
	static const char *const names[TRAIN_CLASSES] = {"c00", "c01", "c02", "c03", "c04", "c05",
	                                                 "c06", "c07", "c08", "c09", "c10", "c11",
	                                                 "c12", "c13", "c14", "c15"};
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_cnn_config_default(&config);
	config.filters = filters;
	config.ngram_buckets = buckets;
	if (pronet_model_new_cnn(&config, names, classes, 1, &model, errbuf) != PRONET_OK)
		snprintf(note, NOTE_SIZE, "%s", errbuf);
	return model;
}

static struct pronet_model *paper_model(size_t classes, char *note)
{
	return random_model(30, 4096, classes, note);
}

static struct pronet_model *bench_model_new(const struct bench *b, enum bench_model which,
                                            char *note)
{
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	switch (which) {
	case MODEL_PAPER:
		return paper_model(TRAIN_CLASSES, note);
	case MODEL_SMALL:
		return random_model(16, 1024, TRAIN_CLASSES, note);
	case MODEL_DEFAULT:
		if (b->default_model == NULL)
			snprintf(note, NOTE_SIZE, "no default model given (-m)");
		else if (pronet_model_load(b->default_model, &model, errbuf) != PRONET_OK)
			snprintf(note, NOTE_SIZE, "%s", errbuf);
		return model;
	}
	return NULL;
}

struct predict_arg {
	const char *name;
	enum bench_model model;
	/* 1: without the tables (layer by layer); 2: the 16-bit tables
	 * (core/arch/pronet_cnn/quant.h); 0: the float tables. */
	int path;
	int batched;
	int random;   /* 1: random bytes instead of corpus prefixes */
	int repeated; /* 1: one corpus prefix over and over */
};

static double bench_predict(struct bench *b, const void *argument, char *note)
{
	const struct predict_arg *arg = argument;
	const struct pronet_packet_record *inputs = arg->random     ? b->random_inputs
	                                            : arg->repeated ? b->repeated
	                                                            : b->inputs;
	size_t count = arg->repeated ? BATCH : b->num_inputs;
	struct pronet_model *model = bench_model_new(b, arg->model, note);
	static float probabilities[BATCH * PRONET_MAX_CLASSES];
	static size_t best[BATCH];
	size_t done = 0, i = 0, sum = 0;
	double start, elapsed, best_rate = 0.0;

	if (model == NULL)
		return NAN;
	if (arg->path == 1)
		model->ops->release(model); /* what predict was before the tables */
	else if (arg->path == 0)
		pronet_model_set_quantised(model, 0); /* the float tables, the reference */
	/* Slices of about 50 ms: the total rate is the figure; the best slice
	 * says what the core does when the shared machine leaves it alone. */
	start = cpu_now();
	do {
		double slice_start = cpu_now(), slice;
		size_t slice_done = 0;

		do {
			for (int k = 0; k < 64; k++) {
				size_t n = 1;

				if (arg->batched) {
					n = count - i < BATCH ? count - i : BATCH;
					pronet_model_predict_batch(model, NULL, inputs + i, n,
					                           probabilities, best);
				} else {
					pronet_model_predict(model, NULL, inputs + i, probabilities,
					                     best);
				}
				sum += best[0];
				slice_done += n;
				i += n;
				if (i == count)
					i = 0;
			}
			slice = cpu_now() - slice_start;
		} while (slice < 0.05);
		done += slice_done;
		best_rate = fmax(best_rate, (double)slice_done / slice);
		elapsed = cpu_now() - start;
	} while (elapsed < b->seconds);
	struct pronet_cnn_config shape = {0};

	pronet_model_cnn_config(model, &shape);
	snprintf(note, NOTE_SIZE,
	         "%zu predictions in %.2f CPU s over %zu inputs; best 50 ms slice %.0f/s "
	         "(checksum %zu); model t=%u, %u buckets, %zu classes",
	         done, elapsed, count, best_rate, sum % 1000, shape.filters, shape.ngram_buckets,
	         model->num_classes);
	pronet_model_free(model);
	return (double)done / elapsed;
}

struct train_arg {
	uint32_t threads;
	size_t cache_bytes; /* 0: in memory; else streamed from a file through this cache */
};

/* The samples saved to WORKDIR/bench-train.ds and read back streamed. */
static enum pronet_err stream_dataset(const struct bench *b, struct pronet_dataset **data,
                                      size_t cache_bytes, char *path, size_t size, char *errbuf)
{
	struct pronet_dataset *streamed = NULL;
	enum pronet_err err;

	snprintf(path, size, "%s/bench-train.ds", b->workdir);
	err = pronet_dataset_save(*data, path, errbuf);
	if (err == PRONET_OK)
		err = pronet_dataset_load_streamed(path, cache_bytes, &streamed, errbuf);
	if (err == PRONET_OK) {
		pronet_dataset_free(*data);
		*data = streamed;
	}
	return err;
}

static void train_progress(const struct pronet_train_progress *progress, void *user)
{
	*(double *)user = progress->seconds;
}

/* Classes: capture index mod 16 (the labels only need to exist). */
static double bench_train(struct bench *b, const void *argument, char *note)
{
	const struct train_arg *arg = argument;
	struct pronet_model *model = paper_model(TRAIN_CLASSES, note);
	struct pronet_dataset *data = pronet_dataset_new();
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE], path[4096] = "", streamed[128] = "";
	double seconds = 0.0, cpu_start;
	enum pronet_err err = model != NULL && data != NULL ? PRONET_OK : PRONET_ERR_NOMEM;

	for (size_t c = 0; err == PRONET_OK && c < TRAIN_CLASSES; c++) {
		uint16_t index;

		err = pronet_dataset_intern_class(data, pronet_model_class_name(model, c), &index);
	}
	if (err == PRONET_OK) {
		uint32_t capture;

		err = pronet_dataset_intern_capture(data, "corpus", &capture);
	}
	snprintf(errbuf, sizeof(errbuf), "cannot build the dataset (%s)", pronet_strerror(err));
	for (size_t i = 0; err == PRONET_OK && i < b->num_inputs; i++) {
		struct pronet_sample sample = {b->inputs[i], (uint16_t)(b->captures[i] % 16), 0, 0};

		err = pronet_dataset_append(data, &sample);
	}
	if (err == PRONET_OK && arg->cache_bytes != 0)
		err = stream_dataset(b, &data, arg->cache_bytes, path, sizeof(path), errbuf);
	pronet_train_options_default(&options);
	cpu_start = cpu_now();
	options.threads = arg->threads;
	options.steps = (uint32_t)(b->seconds * 60 + 1);
	options.progress_every = options.steps;
	if (err == PRONET_OK)
		err = pronet_train(model, data, &options, train_progress, &seconds, errbuf);
	if (err == PRONET_OK && arg->cache_bytes != 0)
		snprintf(streamed, sizeof(streamed), "; streamed, cache %.1f of %.1f MiB",
		         (double)pronet_dataset_resident_bytes(data) / (1 << 20),
		         (double)arg->cache_bytes / (1 << 20));
	if (path[0] != '\0')
		unlink(path);
	if (err != PRONET_OK || seconds <= 0.0)
		snprintf(note, NOTE_SIZE, "training failed: %s", errbuf);
	else
		snprintf(note, NOTE_SIZE,
		         "%u steps of %u in %.2f s wall, %.2f CPU s (%.0f samples per CPU s), "
		         "%u thread(s)%s",
		         options.steps, options.batch_size, seconds, cpu_now() - cpu_start,
		         (double)options.steps * options.batch_size / (cpu_now() - cpu_start),
		         arg->threads, streamed);
	pronet_dataset_free(data);
	pronet_model_free(model);
	return err == PRONET_OK && seconds > 0.0
	           ? (double)options.steps * options.batch_size / seconds
	           : NAN;
}

/* The paper's model as a file, for `pronet classify -m`. */
int bench_save_paper_model(char *path, size_t size, const char *workdir, char *errbuf)
{
	char note[NOTE_SIZE] = "";
	struct pronet_model *model = paper_model(TRAIN_CLASSES, note);
	int ok;

	snprintf(path, size, "%s/bench.model", workdir);
	snprintf(errbuf, PRONET_ERRBUF_SIZE, "%s", note);
	ok = model != NULL && pronet_model_save(model, path, errbuf) == PRONET_OK;
	pronet_model_free(model);
	return ok;
}

/* A row of the whole-packet families: which family, and predict one at a
 * time (0), batched (1) or train on 2 threads (2). */
struct arch_arg {
	const char *arch;
	int kind;
};

static double bench_arch(struct bench *b, const void *argument, char *note)
{
	const struct arch_arg *arg = argument;
	struct bench_arch_inputs in = {b->l3_inputs, b->l3_captures, b->num_l3,
	                               PRONET_RECORD_MAX_BYTES};

	if (arg->kind == 2)
		return bench_arch_train(arg->arch, &in, 2, b->seconds, note, NOTE_SIZE);
	return bench_arch_predict(arg->arch, &in, arg->kind, b->seconds, note, NOTE_SIZE);
}

static void arch_benchmarks(struct bench *b)
{
	static const char *const archs[] = {"deep-packet-cnn", "deep-packet-sae", "image-cnn"};
	static const char *const kinds[] = {"predict, one at a time", "predict, batched (256)",
	                                    "train, 2 threads"};
	static struct arch_arg args[3][3];
	char name[80];

	for (size_t a = 0; a < 3; a++)
		for (int k = 0; k < 3; k++) {
			args[a][k] = (struct arch_arg){archs[a], k};
			snprintf(name, sizeof(name), "%s: %s", archs[a], kinds[k]);
			if (bench_wanted(b, name))
				measure(b,
				        bench_add_result(b, name,
				                         k == 2 ? "samples/s" : "predictions/s"),
				        bench_arch, &args[a][k]);
		}
}

void bench_model_rows(struct bench *b)
{
	/* Quantised beside float rows of each model, so one run compares them. */
	static const struct predict_arg predicts[] = {
	    {"predict, reference, one at a time", MODEL_PAPER, 1, 0, 0, 0},
	    {"predict, fast, one at a time", MODEL_PAPER, 0, 0, 0, 0},
	    {"predict, fast, batched (256)", MODEL_PAPER, 0, 1, 0, 0},
	    {"predict, quantised, batched (256)", MODEL_PAPER, 2, 1, 0, 0},
	    {"predict, reference, random bytes", MODEL_PAPER, 1, 0, 1, 0},
	    {"predict, fast, one at a time, random bytes", MODEL_PAPER, 0, 0, 1, 0},
	    {"predict, fast, batched, random bytes", MODEL_PAPER, 0, 1, 1, 0},
	    {"predict, fast, batched, one prefix repeated", MODEL_PAPER, 0, 1, 0, 1},
	    {"predict small, fast, one at a time", MODEL_SMALL, 0, 0, 0, 0},
	    {"predict small, fast, batched (256)", MODEL_SMALL, 0, 1, 0, 0},
	    {"predict small, quantised, batched (256)", MODEL_SMALL, 2, 1, 0, 0},
	    {"predict small, fast, one at a time, random bytes", MODEL_SMALL, 0, 0, 1, 0},
	    {"predict small, fast, batched, random bytes", MODEL_SMALL, 0, 1, 1, 0},
	    {"predict small, fast, batched, one prefix repeated", MODEL_SMALL, 0, 1, 0, 1},
	    {"predict default, fast, one at a time", MODEL_DEFAULT, 0, 0, 0, 0},
	    {"predict default, quantised, one at a time", MODEL_DEFAULT, 2, 0, 0, 0},
	    {"predict default, fast, batched (256)", MODEL_DEFAULT, 0, 1, 0, 0},
	    {"predict default, quantised, batched (256)", MODEL_DEFAULT, 2, 1, 0, 0},
	    {"predict default, fast, one at a time, random bytes", MODEL_DEFAULT, 0, 0, 1, 0},
	    {"predict default, fast, batched, random bytes", MODEL_DEFAULT, 0, 1, 1, 0},
	    {"predict default, quantised, batched, random bytes", MODEL_DEFAULT, 2, 1, 1, 0},
	    {"predict default, fast, batched, one prefix repeated", MODEL_DEFAULT, 0, 1, 0, 1},
	    {"predict default, quantised, batched, one prefix repeated", MODEL_DEFAULT, 2, 1, 0,
	     1}};
	static const struct train_arg trains[] = {
	    {1, 0}, {2, 0}, {1, (size_t)1 << 20}, {1, PRONET_DATASET_CACHE_DEFAULT}};
	static const char *const train_names[] = {"train, 1 thread", "train, 2 threads",
	                                          "train, 1 thread, streamed, 1 MiB cache",
	                                          "train, 1 thread, streamed, 64 MiB cache"};

	measure(b, bench_add_result(b, "baseline (inputs loaded, nothing run)", "inputs"),
	        bench_nothing, NULL);
	for (size_t i = 0; i < sizeof(predicts) / sizeof(predicts[0]); i++)
		if (bench_wanted(b, predicts[i].name))
			measure(b, bench_add_result(b, predicts[i].name, "predictions/s"),
			        bench_predict, &predicts[i]);
	for (size_t i = 0; i < sizeof(trains) / sizeof(trains[0]); i++)
		if (bench_wanted(b, train_names[i]))
			measure(b, bench_add_result(b, train_names[i], "samples/s"), bench_train,
			        &trains[i]);
	arch_benchmarks(b);
}
