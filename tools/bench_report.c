/* `make bench`'s report: the table on stdout and bench.json (tools/bench.c
 * measures the rows). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/util/atomic_file.h"
#include "tools/bench_report.h"

void bench_print_table(const struct result *results, size_t num_results)
{
	printf("%-52s %14s %-14s %10s  %s\n", "benchmark", "value", "unit", "peak RSS", "note");
	for (size_t i = 0; i < num_results; i++) {
		const struct result *r = &results[i];
		char value[32], rss[32];

		if (isnan(r->value))
			snprintf(value, sizeof(value), "-");
		else
			snprintf(value, sizeof(value), strcmp(r->unit, "x") == 0 ? "%.2f" : "%.0f",
			         r->value);
		if (r->max_rss_kb > 0)
			snprintf(rss, sizeof(rss), "%.1f MiB", (double)r->max_rss_kb / 1024);
		else
			snprintf(rss, sizeof(rss), "-");
		printf("%-52s %14s %-14s %10s  %s\n", r->name, value, r->unit, rss, r->note);
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Whole or not at all (core/util/atomic_file.h); errbuf names path. */
enum pronet_err bench_write_json(const char *path, double seconds, size_t num_inputs,
                                 const double load[3], const struct result *results,
                                 size_t num_results, char *errbuf)
{
	struct pronet_atomic_file *file;
	enum pronet_err err =
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf);
	FILE *f;

	if (err != PRONET_OK)
		return err;
	f = pronet_atomic_file_stream(file);
	fprintf(f, "{\n  \"seconds_per_figure\": %.2f,\n  \"inputs\": %zu,\n", seconds, num_inputs);
	if (!isnan(load[0]))
		fprintf(f, "  \"load_average\": [%.2f, %.2f, %.2f],\n", load[0], load[1], load[2]);
	fprintf(f, "  \"results\": [\n");
	for (size_t i = 0; i < num_results; i++) {
		const struct result *r = &results[i];

		fprintf(f, "    {\"name\": ");
		json_string(f, r->name);
		fprintf(f, ", \"unit\": ");
		json_string(f, r->unit);
		if (isnan(r->value))
			fprintf(f, ", \"value\": null");
		else
			fprintf(f, ", \"value\": %.1f", r->value);
		fprintf(f, ", \"max_rss_kb\": %ld, \"note\": ", r->max_rss_kb);
		json_string(f, r->note);
		fprintf(f, "}%s\n", i + 1 < num_results ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return pronet_atomic_file_commit(file, errbuf);
}
