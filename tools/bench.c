/* `make bench`: how fast pronet is, printed as a table and written as JSON.
 *
 *   bench [-s SECONDS] [-o JSON] [-c CORPUS] [-w WORKDIR] [-n NDPIREADER] [-p PRONET]
 *         [-m DEFAULT_MODEL] [-f FILTER[,FILTER...]]
 *
 * Every figure is measured in a child process of its own (fork), so its peak
 * resident set (wait4's ru_maxrss) is its own; the first row is the child
 * that only inherits the inputs, for scale. Figures:
 *   - predictions/s on one core of the paper's model (m=50, t=30, 4096
 *     buckets): the reference path (layer by layer) and the fast path
 *     (tables), one call per packet and batched, on the payload prefixes of
 *     nDPI's captures and on random bytes (the table's worst case); the fast
 *     path also for a small model (m=50, t=16, 1024 buckets) and for the
 *     shipped model (-m, rules/default.pronet: what users run), and on one
 *     prefix repeated (every table row in L1: the arithmetic alone);
 *   - training samples/s (pronet_train, batch 128, dropout 0.5) with 1 and 2
 *     threads on those prefixes, and with 1 thread from the same samples
 *     saved to a dataset file and streamed (pronet_dataset_load_streamed)
 *     through a cache of 1 MiB (smaller than the file: shuffled reads miss)
 *     and of 64 MiB (the file fits);
 *   - for deep-packet-cnn, deep-packet-sae and image-cnn (tools/bench_arch.c):
 *     predictions/s one at a time and batched, and training samples/s on 2
 *     threads, over 1500-byte layer-3 records of the first 32 payload
 *     packets of each capture (`make bench-torch` sets them beside PyTorch);
 *   - packets/s and Mbit/s (CPU time) on one capture, the corpus's Ethernet
 *     captures merged, replayed from the page cache: Debian's ndpiReader with
 *     its -l loops, `pronet flows` (the same nDPI engine, no model) and
 *     `pronet classify -m` (the model where nDPI gives up), the capture given
 *     N times (each read with a fresh nDPI module); and `pronet classify
 *     --threads 1` and `--threads 2` per wall second in one run, with their
 *     ratio and the load average beside it; a command missing from
 *     the build is reported as pending, never as a made-up number.
 * Benchmarks print numbers; nothing here is a pass/fail test. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/util/atomic_file.h"
#include "core/model/model.h"
#include "core/model/model_internal.h"
#include "core/util/rng.h"
#include "core/train/train.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/flow_table.h"
#include "tools/bench_arch.h"
#include "tools/bench_replay.h"
#include "tools/bench_report.h"

#define MAX_INPUTS 200000
#define MAX_RESULTS 72
#define TRAIN_CLASSES 16
#define BATCH 256
/* Whole-packet records for the other families: the first L3_PER_CAPTURE
 * payload packets of each capture, PRONET_RECORD_MAX_BYTES each at most. */
#define L3_PER_CAPTURE 32
#define MAX_L3_INPUTS 20000

struct bench {
	double seconds;
	struct pronet_packet_record *inputs;          /* corpus prefixes, or random bytes */
	uint8_t (*input_bytes)[PRONET_PAYLOAD_BYTES]; /* [MAX_INPUTS]: their bytes */
	uint32_t *captures;                           /* capture index of each input */
	size_t num_inputs;
	struct pronet_packet_record *random_inputs;
	uint8_t (*random_bytes)[PRONET_PAYLOAD_BYTES];
	/* BATCH copies of one prefix: every table row it needs stays in L1, so
	 * the figure is the arithmetic alone. */
	struct pronet_packet_record repeated[BATCH];
	const char *corpus; /* directory of nDPI's captures */
	struct result results[MAX_RESULTS];
	size_t num_results;
	/* Where a row past MAX_RESULTS is measured and dropped (counted, and
	 * reported after the table), so a new row can never write past it. */
	struct result overflow;
	size_t num_dropped;
	double load[3];            /* load average when the run began: the machine is shared */
	const char *default_model; /* -m: the shipped model, rules/default.pronet */
	const char *filter;        /* -f: only figures whose name contains this */
	struct pronet_packet_record *l3_inputs; /* [MAX_L3_INPUTS] */
	uint8_t (*l3_bytes)[PRONET_RECORD_MAX_BYTES];
	uint32_t *l3_captures;
	size_t num_l3;
	const char *workdir; /* -w: where streamed training's dataset file goes */
};

/* CPU seconds of this (single-threaded) child: "on one core" even when the
 * machine is shared and the child waits for it. */
static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static struct result *add_result(struct bench *b, const char *name, const char *unit)
{
	struct result *r = b->num_results < MAX_RESULTS ? &b->results[b->num_results++] : NULL;

	if (r == NULL) {
		r = &b->overflow;
		b->num_dropped++;
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	r->value = NAN;
	return r;
}

/* 1 if the figure is wanted (-f: its name contains one of the filter's
 * comma-separated words). */
static int wanted(const struct bench *b, const char *name)
{
	const char *word = b->filter;

	if (word == NULL)
		return 1;
	while (*word != '\0') {
		size_t length = strcspn(word, ",");
		char one[128];

		snprintf(one, sizeof(one), "%.*s", (int)length, word);
		if (length > 0 && strstr(name, one) != NULL)
			return 1;
		word += length + (word[length] == ',');
	}
	return 0;
}

/* Payload prefixes of every decodable packet with payload, in file order. */
static size_t read_corpus_file(const char *path, uint32_t capture, struct bench *b)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture *cap;
	struct pronet_raw_packet raw;
	struct pronet_packet packet;
	enum pronet_capture_status status;
	enum pronet_packet_skip skip;
	size_t before = b->num_inputs, l3_taken = 0;
	struct pronet_input_spec spec, l3 = {PRONET_RECORD_MAX_BYTES, PRONET_LAYER_L3, 0, 0};

	pronet_input_spec_default(&spec);
	if (pronet_capture_open_file(path, &cap, errbuf) != PRONET_OK)
		return 0;
	while (b->num_inputs < MAX_INPUTS &&
	       pronet_capture_next(cap, &raw, &status, errbuf) == PRONET_OK &&
	       status == PRONET_CAPTURE_PACKET) {
		struct pronet_packet_record *in = &b->inputs[b->num_inputs];

		if (pronet_decode_packet(pronet_capture_datalink(cap), raw.data, raw.caplen,
		                         raw.wire_length, raw.timestamp_us, &packet,
		                         &skip) != PRONET_OK ||
		    skip != PRONET_SKIP_NONE || packet.payload_length == 0)
			continue;
		/* As the flow table records it; every packet counts as a first
		 * client packet (the context features' values do not change speed). */
		pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &spec,
		                          b->input_bytes[b->num_inputs], in);
		b->captures[b->num_inputs++] = capture;
		if (l3_taken < L3_PER_CAPTURE && b->num_l3 < MAX_L3_INPUTS) {
			pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &l3,
			                          b->l3_bytes[b->num_l3], &b->l3_inputs[b->num_l3]);
			b->l3_captures[b->num_l3++] = capture;
			l3_taken++;
		}
	}
	pronet_capture_close(cap);
	return b->num_inputs - before;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus's captures in name order (a stable input set run to run). */
static void read_corpus(const char *dir, struct bench *b)
{
	char path[4096], list_path[4096], line[1024];
	char *names[4096];
	size_t count = 0;
	FILE *list;

	snprintf(list_path, sizeof(list_path), "%s/MANIFEST.tsv", dir);
	list = fopen(list_path, "r");
	while (list != NULL && count < 4096 && fgets(line, sizeof(line), list) != NULL) {
		char *tab = strchr(line, '\t');

		if (tab == NULL || strncmp(line, "file\t", 5) == 0)
			continue;
		*tab = '\0';
		if ((names[count] = strdup(line)) != NULL)
			count++;
	}
	if (list != NULL)
		fclose(list);
	qsort(names, count, sizeof(char *), compare_strings);
	for (size_t i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		read_corpus_file(path, (uint32_t)i, b);
		free(names[i]);
	}
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

struct host {
	const char *path; /* merged capture */
	struct bench_capture capture;
	const char *ndpireader;
	const char *pronet;
};

/* ndpiReader -q -i FILE -l LOOPS, LOOPS chosen from a first single loop so
 * the run lasts about the benchmark's seconds. Each loop re-reads the file
 * (from the page cache) and sets nDPI up again, as ndpiReader's -l does. */
static void bench_ndpireader(struct bench *b, const struct host *h)
{
	struct result *pps = add_result(b, "ndpiReader -l N (one core)", "packets/s");
	struct result *mbps = add_result(b, "ndpiReader -l N (one core)", "Mbit/s");
	char errbuf[PRONET_ERRBUF_SIZE], loops_text[16];
	char *argv[] = {(char *)h->ndpireader, "-q", "-i", (char *)h->path, "-l", loops_text, NULL};
	struct bench_run run;
	double loops = 1;

	for (int attempt = 0; attempt < 2; attempt++) {
		snprintf(loops_text, sizeof(loops_text), "%.0f", loops);
		if (bench_run_program(argv, &run, errbuf) != PRONET_OK || run.exit_status != 0) {
			snprintf(pps->note, sizeof(pps->note), "%s did not run (%s, status %d)",
			         h->ndpireader, errbuf, run.exit_status);
			return;
		}
		if (attempt == 0)
			loops = fmin(65535, fmax(1, ceil(b->seconds / run.cpu_seconds)));
	}
	pps->value = loops * (double)h->capture.packets / run.cpu_seconds;
	mbps->value = loops * (double)h->capture.bytes * 8 / run.cpu_seconds / 1e6;
	pps->max_rss_kb = mbps->max_rss_kb = run.max_rss_kb;
	snprintf(pps->note, sizeof(pps->note),
	         "%.0f loops of %llu packets (%zu captures) in %.2f CPU s (%.2f s wall), "
	         "process start included",
	         loops, (unsigned long long)h->capture.packets, h->capture.files, run.cpu_seconds,
	         run.seconds);
	snprintf(mbps->note, sizeof(mbps->note), "%llu captured bytes per loop",
	         (unsigned long long)h->capture.bytes);
}

/* 1 if `pronet COMMAND --help` exits 0: the command is in this build. */
static int has_command(const char *pronet, const char *command)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	char *argv[] = {(char *)pronet, (char *)command, "--help", NULL};
	struct bench_run run;

	return bench_run_program(argv, &run, errbuf) == PRONET_OK && run.exit_status == 0;
}

/* `pronet COMMAND [options] CAPTURE x copies`: each capture argument is read
 * with a fresh nDPI module, so the copies replay it like ndpiReader's -l. */
static int run_copies(const struct host *h, char **options, size_t num_options, size_t copies,
                      struct bench_run *run, char *errbuf)
{
	char **argv = calloc(num_options + copies + 1, sizeof(char *));
	enum pronet_err err;

	if (argv == NULL)
		return 0;
	for (size_t i = 0; i < num_options; i++)
		argv[i] = options[i];
	for (size_t i = 0; i < copies; i++)
		argv[num_options + i] = (char *)h->path;
	err = bench_run_program(argv, run, errbuf);
	free(argv);
	return err == PRONET_OK && run->exit_status == 0;
}

/* One row pair for a pronet command on the merged capture, per CPU second,
 * or with `by_wall` per wall second (threads: their CPU seconds add up,
 * their wall seconds are what they save). Returns the packets/s row. */
static struct result *bench_pronet_command(struct bench *b, const struct host *h, const char *name,
                                           char **options, size_t num_options, int by_wall)
{
	struct result *pps, *mbps;
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct bench_run run;
	size_t copies = 1;

	if (!wanted(b, name))
		return NULL;
	pps = add_result(b, name, "packets/s");
	mbps = add_result(b, name, "Mbit/s");

	if (!has_command(h->pronet, options[1])) {
		snprintf(pps->note, sizeof(pps->note),
		         "pending: `pronet %s` is not in this build (%s)", options[1], h->pronet);
		return pps;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!run_copies(h, options, num_options, copies, &run, errbuf)) {
			snprintf(pps->note, sizeof(pps->note), "%s failed (status %d) %s", name,
			         run.exit_status, errbuf);
			return pps;
		}
		double spent = by_wall ? run.seconds : run.cpu_seconds;
		if (attempt == 0)
			copies = (size_t)fmin(1000, fmax(1, ceil(b->seconds / spent)));
	}
	double seconds = by_wall ? run.seconds : run.cpu_seconds;
	pps->value = (double)copies * (double)h->capture.packets / seconds;
	mbps->value = (double)copies * (double)h->capture.bytes * 8 / seconds / 1e6;
	pps->max_rss_kb = mbps->max_rss_kb = run.max_rss_kb;
	snprintf(pps->note, sizeof(pps->note),
	         "the capture %zu times in %.2f CPU s (%.2f s wall), process start included",
	         copies, run.cpu_seconds, run.seconds);
	return pps;
}

/* The load average now ("1.23 0.98 0.75"): a shared machine's wall-clock
 * figures mean little without it. */
static void load_average(char *out, size_t size)
{
	FILE *file = fopen("/proc/loadavg", "r");
	double one, five, fifteen;
	if (file != NULL && fscanf(file, "%lf %lf %lf", &one, &five, &fifteen) == 3)
		snprintf(out, size, "%.2f %.2f %.2f", one, five, fifteen);
	else
		snprintf(out, size, "unknown");
	if (file != NULL)
		fclose(file);
}

/* `pronet classify --threads 1` and `--threads 2` on the same capture in one
 * run, per wall second, and their ratio (the target: >= 1.7). */
static void bench_classify_threads(struct bench *b, const struct host *h, const char *model_path)
{
	char *one[] = {(char *)h->pronet, "classify", "-q", "--threads", "1", "-m",
	               (char *)model_path};
	char *two[] = {(char *)h->pronet, "classify", "-q", "--threads", "2", "-m",
	               (char *)model_path};
	char before[64], after[64];
	if (!wanted(b, "pronet classify --threads"))
		return;
	load_average(before, sizeof(before));
	struct result *r1 =
	    bench_pronet_command(b, h, "pronet classify --threads 1 (wall)", one, 7, 1);
	struct result *r2 =
	    bench_pronet_command(b, h, "pronet classify --threads 2 (wall)", two, 7, 1);
	load_average(after, sizeof(after));
	struct result *ratio = add_result(b, "pronet classify 2 threads / 1 (wall)", "x");
	ratio->value = r1 != NULL && r2 != NULL && r1->value > 0 ? r2->value / r1->value : NAN;
	snprintf(ratio->note, sizeof(ratio->note),
	         "load average (1, 5, 15 min) %s before, %s after; %ld CPUs online", before, after,
	         sysconf(_SC_NPROCESSORS_ONLN));
}

/* `pronet classify` with the paper's model (consulted where nDPI gives up),
 * and `pronet flows`, the same nDPI engine without a model. */
static void bench_classify(struct bench *b, const struct host *h, const char *model_path)
{
	char *flows[] = {(char *)h->pronet, "flows"};
	char *classify[] = {(char *)h->pronet, "classify", "-q", "-m", (char *)model_path};

	bench_pronet_command(b, h, "pronet flows (nDPI engine, no model)", flows, 2, 0);
	bench_pronet_command(b, h, "pronet classify (model)", classify, 5, 0);
	bench_classify_threads(b, h, model_path);
}

/* The paper's model as a file, for `pronet classify -m`. */
static int save_paper_model(char *path, size_t size, const char *workdir, char *errbuf)
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

static void usage(void)
{
	fprintf(stderr, "usage: bench [-s SECONDS] [-o JSON] [-c CORPUS] [-w WORKDIR] "
	                "[-n NDPIREADER] [-p PRONET] [-m DEFAULT_MODEL] [-f FILTER]\n");
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
			if (wanted(b, name))
				measure(b,
				        add_result(b, name, k == 2 ? "samples/s" : "predictions/s"),
				        bench_arch, &args[a][k]);
		}
}

static void model_benchmarks(struct bench *b)
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

	measure(b, add_result(b, "baseline (inputs loaded, nothing run)", "inputs"), bench_nothing,
	        NULL);
	for (size_t i = 0; i < sizeof(predicts) / sizeof(predicts[0]); i++)
		if (wanted(b, predicts[i].name))
			measure(b, add_result(b, predicts[i].name, "predictions/s"), bench_predict,
			        &predicts[i]);
	for (size_t i = 0; i < sizeof(trains) / sizeof(trains[0]); i++)
		if (wanted(b, train_names[i]))
			measure(b, add_result(b, train_names[i], "samples/s"), bench_train,
			        &trains[i]);
	arch_benchmarks(b);
}

/* The capture side: ndpiReader, `pronet flows` and `pronet classify` on the
 * merged capture. */
static void host_benchmarks(struct bench *b, struct host *h, const char *workdir)
{
	char merged[4096], model_path[4096], errbuf[PRONET_ERRBUF_SIZE];

	snprintf(merged, sizeof(merged), "%s/bench-merged.pcap", workdir);
	h->path = merged;
	if (bench_merge_captures(b->corpus, merged, &h->capture, errbuf) != PRONET_OK) {
		struct result *r = add_result(b, "ndpiReader -l N (one core)", "packets/s");

		snprintf(r->note, sizeof(r->note), "no merged capture: %s", errbuf);
		return;
	}
	if (wanted(b, "ndpiReader -l N"))
		bench_ndpireader(b, h);
	/* The model users run when one is given (-m), else the paper's. */
	if (b->default_model != NULL)
		bench_classify(b, h, b->default_model);
	else if (save_paper_model(model_path, sizeof(model_path), workdir, errbuf))
		bench_classify(b, h, model_path);
	else
		snprintf(add_result(b, "pronet classify (model)", "packets/s")->note, NOTE_SIZE,
		         "no model to classify with: %s", errbuf);
}

int main(int argc, char **argv)
{
	static struct bench b;
	const char *json = "bench.json", *corpus = getenv("PRONET_CORPUS"), *workdir = ".";
	struct host h = {NULL, {0, 0, 0}, "/usr/bin/ndpiReader", "./pronet"};
	char *end, errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;
	int opt;

	b.seconds = 2.0;
	while ((opt = getopt(argc, argv, "s:o:c:w:n:p:m:f:h")) != -1) {
		switch (opt) {
		case 's':
			b.seconds = strtod(optarg, &end);
			if (*end != '\0' || !(b.seconds > 0.0 && b.seconds < 3600.0)) {
				fprintf(stderr, "bench: -s %s: not a number of seconds\n", optarg);
				return 2;
			}
			break;
		case 'o':
			json = optarg;
			break;
		case 'c':
			corpus = optarg;
			break;
		case 'w':
			workdir = optarg;
			break;
		case 'n':
			h.ndpireader = optarg;
			break;
		case 'p':
			h.pronet = optarg;
			break;
		case 'm':
			b.default_model = optarg;
			break;
		case 'f':
			b.filter = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	b.workdir = workdir;
	b.inputs = calloc(MAX_INPUTS, sizeof(*b.inputs));
	b.random_inputs = calloc(MAX_INPUTS, sizeof(*b.random_inputs));
	b.input_bytes = calloc(MAX_INPUTS, sizeof(*b.input_bytes));
	b.random_bytes = calloc(MAX_INPUTS, sizeof(*b.random_bytes));
	b.captures = calloc(MAX_INPUTS, sizeof(*b.captures));
	b.l3_inputs = calloc(MAX_L3_INPUTS, sizeof(*b.l3_inputs));
	b.l3_bytes = calloc(MAX_L3_INPUTS, sizeof(*b.l3_bytes));
	b.l3_captures = calloc(MAX_L3_INPUTS, sizeof(*b.l3_captures));
	if (b.inputs == NULL || b.random_inputs == NULL || b.captures == NULL ||
	    b.input_bytes == NULL || b.random_bytes == NULL || b.l3_inputs == NULL ||
	    b.l3_bytes == NULL || b.l3_captures == NULL) {
		fprintf(stderr, "bench: no memory for the inputs\n");
		return 1;
	}
	if (corpus == NULL || corpus[0] == '\0') {
		fprintf(stderr, "bench: no corpus: set PRONET_CORPUS or pass -c DIR\n");
		return 1;
	}
	b.corpus = corpus;
	read_corpus(corpus, &b);
	if (b.num_inputs == 0) {
		fprintf(stderr, "bench: %s: no payload packets read (is it nDPI's corpus?)\n",
		        corpus);
		return 1;
	}
	for (size_t i = 0; i < b.num_inputs; i++)
		if (b.inputs[i].length == PRONET_PAYLOAD_BYTES) { /* the first full prefix */
			for (size_t k = 0; k < BATCH; k++)
				b.repeated[k] = b.inputs[i];
			break;
		}
	pronet_rng_seed(&rng, 42);
	for (size_t i = 0; i < b.num_inputs; i++) {
		b.random_inputs[i].length = PRONET_PAYLOAD_BYTES;
		b.random_inputs[i].bytes = b.random_bytes[i];
		for (size_t k = 0; k < PRONET_PAYLOAD_BYTES; k++)
			b.random_bytes[i][k] = (uint8_t)pronet_rng_below(&rng, 256);
	}
	if (getloadavg(b.load, 3) != 3)
		b.load[0] = b.load[1] = b.load[2] = NAN;
	printf("bench: %zu payload prefixes from %s, %.1f s per figure, load average %.2f "
	       "(rates are per CPU second of the child, except training: wall clock)\n",
	       b.num_inputs, corpus, b.seconds, b.load[0]);
	model_benchmarks(&b);
	if (wanted(&b, "ndpiReader -l N") || wanted(&b, "pronet flows") ||
	    wanted(&b, "pronet classify"))
		host_benchmarks(&b, &h, workdir);
	bench_print_table(b.results, b.num_results);
	if (b.num_dropped != 0)
		fprintf(stderr, "bench: %zu figures dropped: more than MAX_RESULTS (%d) rows\n",
		        b.num_dropped, MAX_RESULTS);
	if (bench_write_json(json, b.seconds, b.num_inputs, b.load, b.results, b.num_results,
	                     errbuf) != PRONET_OK) {
		fprintf(stderr, "bench: %s\n", errbuf);
		return 1;
	}
	printf("bench: wrote %s\n", json);
	return b.num_dropped != 0; /* the table is not whole */
}
