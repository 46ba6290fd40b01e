/* Merging captures and timing external programs for `make bench`
 * (tools/bench_replay.h). */
#include "tools/bench_replay.h"
#include "ndpi-glue/capture/capture_inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SNAPLEN 262144
/* Gap between one merged file's last packet and the next file's first. */
#define GAP_US 1000000

/* The first timestamp of a merge (2020-09-13). */
#define MERGE_START_US ((int64_t)1600000000 * 1000000)
/* A pcap record's seconds are 32 bits: the latest time a merge may write. */
#define MERGE_END_US ((int64_t)UINT32_MAX * 1000000)

/* Appends one capture to the dump; *clock_us is the next free timestamp.
 * `max_step_us`, if not 0, bounds the step from one packet to the next. */
static void append_capture(pcap_t *in, pcap_dumper_t *out, int64_t *clock_us, int64_t max_step_us,
                           struct bench_capture *merged)
{
	struct pcap_pkthdr *header;
	const u_char *data;
	int64_t shift = 0, last = *clock_us, previous = 0;
	int first = 1;

	while (pcap_next_ex(in, &header, &data) == 1) {
		struct pcap_pkthdr copy = *header;
		int64_t ts = (int64_t)header->ts.tv_sec * 1000000 + header->ts.tv_usec;
		int64_t original = ts;

		if (first)
			shift = *clock_us - ts;
		else if (max_step_us > 0 && ts - previous > max_step_us)
			shift -= ts - previous - max_step_us;
		first = 0;
		previous = original;
		ts += shift;
		if (ts < last) /* a capture whose clock steps back: keep order */
			ts = last;
		last = ts;
		copy.ts.tv_sec = (time_t)(ts / 1000000);
		copy.ts.tv_usec = (suseconds_t)(ts % 1000000);
		pcap_dump((u_char *)out, &copy, data);
		merged->packets++;
		merged->bytes += header->caplen;
	}
	if (!first) {
		*clock_us = last + GAP_US;
		merged->files++;
	}
}

/* The corpus's Ethernet captures appended to `out`, `repeats` times: a
 * repeat starts `gap_us` after the previous one's last packet (GAP_US if 0),
 * and within one no step from a packet to the next is longer than `gap_us`
 * (0: no bound). */
static enum pronet_err append_corpus(const struct pronet_capture_inputs *inputs, pcap_dumper_t *out,
                                     unsigned repeats, int64_t gap_us, struct bench_capture *merged,
                                     char *errbuf)
{
	char pcap_errbuf[PCAP_ERRBUF_SIZE];
	int64_t clock_us = MERGE_START_US;

	for (unsigned r = 0; r < repeats; r++) {
		if (r > 0 && gap_us > GAP_US)
			clock_us += gap_us - GAP_US; /* the last capture left GAP_US */
		for (size_t i = 0; i < pronet_capture_inputs_count(inputs); i++) {
			pcap_t *in =
			    pcap_open_offline(pronet_capture_inputs_path(inputs, i), pcap_errbuf);

			if (in == NULL)
				continue; /* a damaged capture of the corpus: not ours to judge here
				           */
			if (pcap_datalink(in) == DLT_EN10MB)
				append_capture(in, out, &clock_us, gap_us, merged);
			pcap_close(in);
		}
		if (gap_us > 0 && clock_us > MERGE_END_US)
			return pronet_error(errbuf, PRONET_ERR_LIMIT,
			                    "%u repeats of the corpus pass 32-bit pcap seconds",
			                    repeats);
	}
	return PRONET_OK;
}

enum pronet_err bench_merge_captures(const char *corpus_dir, const char *path,
                                     struct bench_capture *merged, char *errbuf)
{
	return bench_merge_captures_repeated(corpus_dir, path, 1, 0, merged, errbuf);
}

enum pronet_err bench_merge_captures_repeated(const char *corpus_dir, const char *path,
                                              unsigned repeats, uint64_t gap_us,
                                              struct bench_capture *merged, char *errbuf)
{
	char tmp[4096];
	pcap_t *dead;
	pcap_dumper_t *out;
	/* The corpus's captures, found and sorted as every command finds them. */
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	enum pronet_err err = inputs != NULL
	                          ? pronet_capture_inputs_add(inputs, corpus_dir, errbuf)
	                          : pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");

	struct stat info;

	memset(merged, 0, sizeof(*merged));
	if (err == PRONET_OK &&
	    (repeats == 0 || gap_us > (uint64_t)(MERGE_END_US - MERGE_START_US)))
		err = pronet_error(errbuf, PRONET_ERR_ARG, "merge: %u repeats %llu us apart",
		                   repeats, (unsigned long long)gap_us);
	/* A path that is no directory would be taken as one capture file. */
	if (err == PRONET_OK && (stat(corpus_dir, &info) != 0 || !S_ISDIR(info.st_mode)))
		err = pronet_error(errbuf, PRONET_ERR_IO, "%s: not a readable corpus directory",
		                   corpus_dir);
	if (err == PRONET_OK && pronet_capture_inputs_failed_count(inputs) > 0)
		err = pronet_error(errbuf, PRONET_ERR_IO, "%s",
		                   pronet_capture_inputs_failed_message(inputs, 0));
	if (err != PRONET_OK) {
		pronet_capture_inputs_free(inputs);
		return err;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	out = dead != NULL ? pcap_dump_open(dead, tmp) : NULL;
	if (out == NULL) {
		if (dead != NULL)
			pcap_close(dead);
		pronet_capture_inputs_free(inputs);
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot write", tmp);
	}
	err = append_corpus(inputs, out, repeats, (int64_t)gap_us, merged, errbuf);
	pronet_capture_inputs_free(inputs);
	if (err == PRONET_OK && (pcap_dump_flush(out) != 0 || ferror(pcap_dump_file(out))))
		err = pronet_error(errbuf, PRONET_ERR_IO, "%s: write failed", tmp);
	if (err != PRONET_OK) {
		pcap_dump_close(out);
		pcap_close(dead);
		unlink(tmp);
		return err;
	}
	pcap_dump_close(out);
	pcap_close(dead);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: cannot rename onto %s: %s", tmp,
		                    path, strerror(errno));
	}
	return PRONET_OK;
}

static double now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

enum pronet_err bench_run_program(char *const *argv, struct bench_run *run, char *errbuf)
{
	return bench_run_program_logged(argv, NULL, run, errbuf);
}

enum pronet_err bench_run_program_logged(char *const *argv, const char *stderr_path,
                                         struct bench_run *run, char *errbuf)
{
	struct rusage usage;
	int status = 0;
	int log = -1;
	if (stderr_path != NULL &&
	    (log = open(stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return pronet_error_errno(errbuf, PRONET_ERR_IO, errno, "%s", stderr_path);
	double start = now_seconds();
	pid_t pid = fork();

	if (pid < 0) {
		if (log >= 0)
			close(log);
		return pronet_error(errbuf, PRONET_ERR_IO, "cannot fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(log >= 0 ? log : null, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (log >= 0)
		close(log);
	while (wait4(pid, &status, 0, &usage) < 0)
		if (errno != EINTR)
			return pronet_error(errbuf, PRONET_ERR_IO, "%s: wait failed: %s", argv[0],
			                    strerror(errno));
	run->seconds = now_seconds() - start;
	run->cpu_seconds = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec * 1e-6 +
	                   (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec * 1e-6;
	run->max_rss_kb = usage.ru_maxrss;
	run->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return PRONET_OK;
}
