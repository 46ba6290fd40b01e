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

/* Appends one capture to the dump; *clock_us is the next free timestamp. */
static void append_capture(pcap_t *in, pcap_dumper_t *out, int64_t *clock_us,
                           struct bench_capture *merged)
{
	struct pcap_pkthdr *header;
	const u_char *data;
	int64_t shift = 0, last = *clock_us;
	int first = 1;

	while (pcap_next_ex(in, &header, &data) == 1) {
		struct pcap_pkthdr copy = *header;
		int64_t ts = (int64_t)header->ts.tv_sec * 1000000 + header->ts.tv_usec;

		if (first)
			shift = *clock_us - ts;
		first = 0;
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

enum pronet_err bench_merge_captures(const char *corpus_dir, const char *path,
                                     struct bench_capture *merged, char *errbuf)
{
	char pcap_errbuf[PCAP_ERRBUF_SIZE], tmp[4096];
	int64_t clock_us = (int64_t)1600000000 * 1000000;
	pcap_t *dead;
	pcap_dumper_t *out;
	/* The corpus's captures, found and sorted as every command finds them. */
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	enum pronet_err err = inputs != NULL
	                          ? pronet_capture_inputs_add(inputs, corpus_dir, errbuf)
	                          : pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");

	struct stat info;

	memset(merged, 0, sizeof(*merged));
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
	for (size_t i = 0; i < pronet_capture_inputs_count(inputs); i++) {
		pcap_t *in = pcap_open_offline(pronet_capture_inputs_path(inputs, i), pcap_errbuf);

		if (in == NULL)
			continue; /* a damaged capture of the corpus: not ours to judge here */
		if (pcap_datalink(in) == DLT_EN10MB)
			append_capture(in, out, &clock_us, merged);
		pcap_close(in);
	}
	pronet_capture_inputs_free(inputs);
	if (pcap_dump_flush(out) != 0 || ferror(pcap_dump_file(out))) {
		pcap_dump_close(out);
		pcap_close(dead);
		unlink(tmp);
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: write failed", tmp);
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
	struct rusage usage;
	int status = 0;
	double start = now_seconds();
	pid_t pid = fork();

	if (pid < 0)
		return pronet_error(errbuf, PRONET_ERR_IO, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
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
