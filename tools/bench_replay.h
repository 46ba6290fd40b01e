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

/* The same merge `repeats` times over in one file, as one long capture (a
 * live link's steady state: one nDPI module per worker for the whole run):
 * each repeat starts `gap_us` after the previous repeat's last packet, and
 * within a repeat no step from one packet to the next is longer than
 * `gap_us` (the corpus holds steps of years, which 32-bit pcap seconds
 * cannot hold K times over). With `gap_us` past every flow timeout of the
 * reader, a repeat's flows are new flows, the same flows as the first
 * repeat's: K repeats make K times its flows. merged counts every repeat.
 * PRONET_ERR_LIMIT if the repeats would pass 32-bit pcap seconds. */
enum pronet_err bench_merge_captures_repeated(const char *corpus_dir, const char *path,
                                              unsigned repeats, uint64_t gap_us,
                                              struct bench_capture *merged, char *errbuf);

struct bench_run {
	double seconds;     /* wall clock */
	double cpu_seconds; /* the child's user + system time */
	long max_rss_kb;    /* the child's peak resident set */
	int exit_status;    /* -1 if it did not exit normally */
};

/* Runs argv (argv[0] a path) with stdout and stderr to /dev/null and waits. */
enum pronet_err bench_run_program(char *const *argv, struct bench_run *run, char *errbuf);
/* The same with stderr to the file `stderr_path` (made or emptied), for a
 * program's summary; NULL: /dev/null. */
enum pronet_err bench_run_program_logged(char *const *argv, const char *stderr_path,
                                         struct bench_run *run, char *errbuf);

#endif
