/* `make bench`'s rows that time programs on the merged capture, each in its
 * own process (tools/bench_replay.c): Debian's ndpiReader with its -l loops,
 * `pronet flows` (the same nDPI engine, no model), `pronet classify -m` and
 * `pronet classify --threads 1` and `--threads 2` per wall second, over the
 * capture given N times (a fresh nDPI module per copy and worker) and over
 * one long capture (the merge repeated K times in one file: the modules
 * made once); a command missing from the build is reported as pending,
 * never as a made-up number. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tools/bench_host.h"
#include "tools/bench_model.h"

/* The rows this file makes, by group: a group is run whole when -f names any
 * of its rows, since a ratio needs the rows it divides. */
static const char *const THREADS_ROWS[] = {
    "pronet classify --threads 1 (wall)",
    "pronet classify --threads 2 (wall)",
    "pronet classify 2 threads / 1 (wall)",
};
static const char *const LONG_ROWS[] = {
    "pronet classify --threads 1, one long capture (wall)",
    "pronet classify --threads 2, one long capture (wall)",
    "pronet classify 2 threads / 1, one long capture (wall)",
};
static const char *const SINGLE_ROWS[] = {
    "ndpiReader -l N (one core)",
    "pronet flows (nDPI engine, no model)",
    "pronet classify (model)",
};
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

int bench_host_wanted(const struct bench *b)
{
	return bench_wanted_any(b, SINGLE_ROWS, COUNT(SINGLE_ROWS)) ||
	       bench_wanted_any(b, THREADS_ROWS, COUNT(THREADS_ROWS)) ||
	       bench_wanted_any(b, LONG_ROWS, COUNT(LONG_ROWS));
}

/* ndpiReader -q -i FILE -l LOOPS, LOOPS chosen from a first single loop so
 * the run lasts about the benchmark's seconds. Each loop re-reads the file
 * (from the page cache) and sets nDPI up again, as ndpiReader's -l does. */
static void bench_ndpireader(struct bench *b, const struct host *h)
{
	struct result *pps = bench_add_result(b, SINGLE_ROWS[0], "packets/s");
	struct result *mbps = bench_add_result(b, SINGLE_ROWS[0], "Mbit/s");
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
	if (!bench_wanted_any(b, THREADS_ROWS, COUNT(THREADS_ROWS)))
		return;
	load_average(before, sizeof(before));
	struct result *r1 = bench_pronet_command(b, h, THREADS_ROWS[0], one, 7, 1);
	struct result *r2 = bench_pronet_command(b, h, THREADS_ROWS[1], two, 7, 1);
	load_average(after, sizeof(after));
	struct result *ratio = bench_add_result(b, THREADS_ROWS[2], "x");
	ratio->value = r1->value > 0 ? r2->value / r1->value : NAN;
	snprintf(ratio->note, sizeof(ratio->note),
	         "load average (1, 5, 15 min) %s before, %s after; %ld CPUs online", before, after,
	         sysconf(_SC_NPROCESSORS_ONLN));
}

/* The long-capture rows' flow timeouts, classify -i's defaults, and the
 * gap between repeats of the merged capture: past both, so that each
 * repeat's flows are new flows. */
#define LONG_IDLE_TIMEOUT "60"
#define LONG_ACTIVE_TIMEOUT "600"
#define LONG_GAP_US ((uint64_t)3600 * 1000000)
#define LONG_MAX_REPEATS 1000

/* The flows a classify summary counted ("flows: N" in its standard
 * error, saved at `path`); -1 if it has none. */
static long long summary_flows(const char *path)
{
	FILE *file = fopen(path, "r");
	char line[256];
	long long flows = -1;
	while (file != NULL && fgets(line, sizeof(line), file) != NULL)
		if (sscanf(line, "flows: %lld", &flows) == 1)
			break;
	if (file != NULL)
		fclose(file);
	return flows;
}

/* `pronet classify --threads THREADS` with the long rows' timeouts over
 * `capture`, its summary kept for its flow count; 0 on failure (errbuf). */
static int run_long(const struct host *h, const char *model_path, const char *capture,
                    const char *threads, const char *log, struct bench_run *run, long long *flows,
                    char *errbuf)
{
	char *argv[] = {(char *)h->pronet,  "classify",          "--threads",
	                (char *)threads,    "--idle-timeout",    LONG_IDLE_TIMEOUT,
	                "--active-timeout", LONG_ACTIVE_TIMEOUT, "-m",
	                (char *)model_path, (char *)capture,     NULL};
	if (bench_run_program_logged(argv, log, run, errbuf) != PRONET_OK)
		return 0;
	*flows = summary_flows(log);
	if (run->exit_status == 0 && *flows >= 0)
		return 1;
	snprintf(errbuf, PRONET_ERRBUF_SIZE, "status %d, %s", run->exit_status,
	         *flows < 0 ? "no flow count in its summary" : "");
	return 0;
}

/* `pronet classify --threads 1` and `--threads 2` on one long capture: the
 * merged capture repeated K times in one file (a live link's steady state:
 * one nDPI module per worker for the whole run, where the per-file rows
 * make them for each copy as ndpiReader -l does), K chosen from a run of
 * one repeat so that a run lasts about the bench's seconds; per wall
 * second, and their ratio. K repeats must count K times the flows of one. */
static void bench_classify_threads_long(struct bench *b, const struct host *h,
                                        const char *model_path)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "", one_path[4096], long_path[4096], log[4096];
	char before[64], after[64];
	const char *const *names = LONG_ROWS;
	struct result *rows[2];
	struct bench_capture one, repeated;
	struct bench_run run;
	long long flows_one = -1, flows;
	unsigned repeats = 1;
	if (!bench_wanted_any(b, LONG_ROWS, COUNT(LONG_ROWS)))
		return;
	rows[0] = bench_add_result(b, names[0], "packets/s");
	rows[1] = bench_add_result(b, names[1], "packets/s");
	snprintf(one_path, sizeof(one_path), "%s/bench-long-1.pcap", b->workdir);
	snprintf(long_path, sizeof(long_path), "%s/bench-long.pcap", b->workdir);
	snprintf(log, sizeof(log), "%s/bench-long.log", b->workdir);
	/* One repeat: its flows, and how long a repeat takes. */
	if (bench_merge_captures_repeated(b->corpus, one_path, 1, LONG_GAP_US, &one, errbuf) !=
	        PRONET_OK ||
	    !run_long(h, model_path, one_path, "1", log, &run, &flows_one, errbuf)) {
		snprintf(rows[0]->note, NOTE_SIZE, "one repeat did not run: %s", errbuf);
		unlink(one_path);
		return;
	}
	unlink(one_path);
	repeats = (unsigned)fmin(LONG_MAX_REPEATS, fmax(2, ceil(b->seconds / run.seconds)));
	if (bench_merge_captures_repeated(b->corpus, long_path, repeats, LONG_GAP_US, &repeated,
	                                  errbuf) != PRONET_OK) {
		snprintf(rows[0]->note, NOTE_SIZE, "no long capture: %s", errbuf);
		return;
	}
	load_average(before, sizeof(before));
	for (int t = 0; t < 2; t++) {
		if (!run_long(h, model_path, long_path, t == 0 ? "1" : "2", log, &run, &flows,
		              errbuf)) {
			snprintf(rows[t]->note, NOTE_SIZE, "%s failed: %s", names[t], errbuf);
			continue;
		}
		int whole = flows == (long long)repeats * flows_one;
		rows[t]->value = whole ? (double)repeated.packets / run.seconds : NAN;
		rows[t]->max_rss_kb = run.max_rss_kb;
		snprintf(
		    rows[t]->note, NOTE_SIZE,
		    "%u repeats of the merged capture (%llu packets) in one file, %.2f CPU s "
		    "(%.2f s wall), --idle-timeout %s --active-timeout %s; %lld flows, %s %u x "
		    "%lld of one repeat",
		    repeats, (unsigned long long)one.packets, run.cpu_seconds, run.seconds,
		    LONG_IDLE_TIMEOUT, LONG_ACTIVE_TIMEOUT, flows, whole ? "=" : "NOT", repeats,
		    flows_one);
	}
	load_average(after, sizeof(after));
	unlink(long_path);
	unlink(log);
	struct result *ratio = bench_add_result(b, LONG_ROWS[2], "x");
	ratio->value = rows[0]->value > 0 ? rows[1]->value / rows[0]->value : NAN;
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

	if (bench_wanted(b, SINGLE_ROWS[1]))
		bench_pronet_command(b, h, SINGLE_ROWS[1], flows, 2, 0);
	if (bench_wanted(b, SINGLE_ROWS[2]))
		bench_pronet_command(b, h, SINGLE_ROWS[2], classify, 5, 0);
	bench_classify_threads(b, h, model_path);
	bench_classify_threads_long(b, h, model_path);
}

/* The capture side: ndpiReader, `pronet flows` and `pronet classify` on the
 * merged capture. */
void bench_host_rows(struct bench *b, struct host *h, const char *workdir)
{
	char merged[4096], model_path[4096], errbuf[PRONET_ERRBUF_SIZE];

	snprintf(merged, sizeof(merged), "%s/bench-merged.pcap", workdir);
	h->path = merged;
	if (bench_merge_captures(b->corpus, merged, &h->capture, errbuf) != PRONET_OK) {
		struct result *r = bench_add_result(b, SINGLE_ROWS[0], "packets/s");

		snprintf(r->note, sizeof(r->note), "no merged capture: %s", errbuf);
		return;
	}
	if (bench_wanted(b, SINGLE_ROWS[0]))
		bench_ndpireader(b, h);
	/* The model users run when one is given (-m), else the paper's. */
	if (b->default_model != NULL)
		bench_classify(b, h, b->default_model);
	else if (bench_save_paper_model(model_path, sizeof(model_path), workdir, errbuf))
		bench_classify(b, h, model_path);
	else
		snprintf(bench_add_result(b, SINGLE_ROWS[2], "packets/s")->note, NOTE_SIZE,
		         "no model to classify with: %s", errbuf);
}
