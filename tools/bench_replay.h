/* The capture side of `make bench`: nDPI's captures merged into one file,
 * and external programs (ndpiReader, `pronet classify`) timed on it, each in
 * its own process so that its peak memory is its own. */
#ifndef PRONET_TOOLS_BENCH_REPLAY_H
#define PRONET_TOOLS_BENCH_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

struct bench_capture {
	uint64_t packets, bytes; /* frames and their captured bytes */
	size_t files;            /* captures merged */
};

/* Writes every Ethernet capture of `corpus_dir` (sorted by name) into one
 * pcap file at `path` (whole or not at all), each file's timestamps shifted
 * to follow the previous file's, so the merge plays like one long capture.
 * Captures of other link types are left out: one file has one link type. */
enum pronet_err bench_merge_captures(const char *corpus_dir, const char *path,
                                     struct bench_capture *merged, char *errbuf);

struct bench_run {
	double seconds;     /* wall clock */
	double cpu_seconds; /* the child's user + system time */
	long max_rss_kb;   /* the child's peak resident set */
	int exit_status;   /* -1 if it did not exit normally */
};

/* Runs argv (argv[0] a path) with stdout and stderr to /dev/null and waits. */
enum pronet_err bench_run_program(char *const *argv, struct bench_run *run, char *errbuf);

#endif
