/* `make bench`'s rows that time programs on the merged capture, each in its
 * own process (tools/bench_replay.c): Debian's ndpiReader with its -l loops,
 * `pronet flows` (the same nDPI engine, no model), `pronet classify -m` and
 * `pronet classify --threads 1` and `--threads 2` per wall second; a command
 * missing from the build is reported as pending, never as a made-up number. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tools/bench_host.h"
#include "tools/bench_model.h"

/* ndpiReader -q -i FILE -l LOOPS, LOOPS chosen from a first single loop so
 * the run lasts about the benchmark's seconds. Each loop re-reads the file
 * (from the page cache) and sets nDPI up again, as ndpiReader's -l does. */
static void bench_ndpireader(struct bench *b, const struct host *h)
{
	struct result *pps = bench_add_result(b, "ndpiReader -l N (one core)", "packets/s");
	struct result *mbps = bench_add_result(b, "ndpiReader -l N (one core)", "Mbit/s");
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

	if (!bench_wanted(b, name))
		return NULL;
	pps = bench_add_result(b, name, "packets/s");
	mbps = bench_add_result(b, name, "Mbit/s");

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
	if (!bench_wanted(b, "pronet classify --threads"))
		return;
	load_average(before, sizeof(before));
	struct result *r1 =
	    bench_pronet_command(b, h, "pronet classify --threads 1 (wall)", one, 7, 1);
	struct result *r2 =
	    bench_pronet_command(b, h, "pronet classify --threads 2 (wall)", two, 7, 1);
	load_average(after, sizeof(after));
	struct result *ratio = bench_add_result(b, "pronet classify 2 threads / 1 (wall)", "x");
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

/* The capture side: ndpiReader, `pronet flows` and `pronet classify` on the
 * merged capture. */
void bench_host_rows(struct bench *b, struct host *h, const char *workdir)
{
	char merged[4096], model_path[4096], errbuf[PRONET_ERRBUF_SIZE];

	snprintf(merged, sizeof(merged), "%s/bench-merged.pcap", workdir);
	h->path = merged;
	if (bench_merge_captures(b->corpus, merged, &h->capture, errbuf) != PRONET_OK) {
		struct result *r = bench_add_result(b, "ndpiReader -l N (one core)", "packets/s");

		snprintf(r->note, sizeof(r->note), "no merged capture: %s", errbuf);
		return;
	}
	if (bench_wanted(b, "ndpiReader -l N"))
		bench_ndpireader(b, h);
	/* The model users run when one is given (-m), else the paper's. */
	if (b->default_model != NULL)
		bench_classify(b, h, b->default_model);
	else if (bench_save_paper_model(model_path, sizeof(model_path), workdir, errbuf))
		bench_classify(b, h, model_path);
	else
		snprintf(bench_add_result(b, "pronet classify (model)", "packets/s")->note,
		         NOTE_SIZE, "no model to classify with: %s", errbuf);
}
