/* `make bench`'s rows that time programs on the merged capture
 * (tools/bench_host.c): ndpiReader, `pronet flows` and `pronet classify`. */
#ifndef PRONET_TOOLS_BENCH_HOST_H
#define PRONET_TOOLS_BENCH_HOST_H

#include "tools/bench.h"
#include "tools/bench_replay.h"

struct host {
	const char *path; /* merged capture */
	struct bench_capture capture;
	const char *ndpireader;
	const char *pronet;
};

/* 1 if -f wants any of the rows bench_host_rows makes. */
int bench_host_wanted(const struct bench *b);
/* The capture side: ndpiReader, `pronet flows` and `pronet classify` on the
 * merged capture, written to WORKDIR/bench-merged.pcap. */
void bench_host_rows(struct bench *b, struct host *h, const char *workdir);

#endif
