/* `make bench`'s report (tools/bench_report.c): its rows as a table and as
 * JSON. */
#ifndef PRONET_TOOLS_BENCH_REPORT_H
#define PRONET_TOOLS_BENCH_REPORT_H

#include <stddef.h>

#include "core/util/error.h"

#define NOTE_SIZE 1024 /* room for an errbuf and then some */

struct result {
	char name[80];
	double value;
	char unit[16];
	long max_rss_kb;
	char note[NOTE_SIZE];
};

/* The rows as a table on stdout, in their order. */
void bench_print_table(const struct result *results, size_t num_results);
/* The rows as JSON at path, whole or not at all (core/util/atomic_file.h);
 * errbuf names path. load[0] NAN: no load average known. */
enum pronet_err bench_write_json(const char *path, double seconds, size_t num_inputs,
                                 const double load[3], const struct result *results,
                                 size_t num_results, char *errbuf);

#endif
