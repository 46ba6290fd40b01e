/* What `make bench`'s rows share (tools/bench.c): the inputs read from the
 * corpus once, the options, and the table the rows are added to.
 * tools/bench_model.c measures the models in a child of this program,
 * tools/bench_host.c times programs on the merged capture. */
#ifndef PRONET_TOOLS_BENCH_H
#define PRONET_TOOLS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/record.h"
#include "tools/bench_report.h"

#define MAX_RESULTS 72
#define BATCH 256

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

/* A new row named `name` at the table's end (or, past MAX_RESULTS, in the
 * overflow row: counted, not printed); its value NAN until measured. */
struct result *bench_add_result(struct bench *b, const char *name, const char *unit);
/* 1 if the figure is wanted (-f: its name contains one of the filter's
 * comma-separated words). */
int bench_wanted(const struct bench *b, const char *name);
/* 1 if any of names[count] is wanted: for code that makes several rows
 * together (a ratio and the rows it divides), so that a filter naming any
 * one of them runs the group. */
int bench_wanted_any(const struct bench *b, const char *const *names, size_t count);

#endif
