/* pronet label: a training dataset from captures, labelled by nDPI's own
 * deep-packet-inspection verdicts. Each capture goes through a fresh
 * ndpi-glue engine (as `pronet flows` and ndpiReader); every flow nDPI named
 * by DPI gives its first K payload prefixes per direction as samples, under
 * the label rules/ class map gives its (master, app) protocol. Flows nDPI
 * named only by port or IP address, guessed, or left Unknown teach the model
 * nothing true and are counted by reason instead. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/data/dataset.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "rules/class_map.h"
#include "rules/rules_file.h"
#include "tools/cli_args.h"
#include "tools/cli_captures.h"
#include "tools/engine_args.h"
#include "tools/label_args.h"
#include "tools/label_samples.h"

int pronet_cmd_label(int argc, char **argv);

/* Why a flow gives no samples. */
enum exclusion {
	EXCLUDE_UNKNOWN = 0, /* nDPI could not name it */
	EXCLUDE_BY_PORT,     /* named by its port only */
	EXCLUDE_BY_IP,       /* named by its address only */
	EXCLUDE_GUESSED,     /* named at give-up without DPI evidence */
	EXCLUDE_CLASS_MAP,   /* the class map says '-' */
	EXCLUDE_NO_PAYLOAD,  /* DPI-named, but no payload in the chosen direction */
	EXCLUDE_DUPLICATES,  /* --dedup dropped every sample of the flow */
	EXCLUDE_COUNT_
};

static const char *const exclusion_names[EXCLUDE_COUNT_] = {
    "unknown", "by-port", "by-ip", "guessed", "class-map", "no-payload", "all-dups",
};

/* One row of the final table: a label (or, for flows without one, nDPI's
 * name for them). */
struct class_row {
	char name[PRONET_CLASS_MAP_LABEL_SIZE];
	uint64_t flows, samples; /* labelled flows and samples written */
	uint64_t excluded[EXCLUDE_COUNT_];
	uint64_t duplicates;   /* samples dropped by --dedup */
	uint64_t capped_flows; /* flows dropped by --max-per-class */
	int is_label;          /* a training label (has samples or could have) */
};

struct label_run {
	/* options */
	const struct pronet_class_map *class_map;
	int directions; /* bit 0: client to server, bit 1: server to client */
	int by_app;     /* --label app: labels are nDPI's application protocol */
	uint64_t max_per_class;
	struct pronet_input_spec spec; /* what the dataset's header says */
	/* state */
	struct label_samples *samples;
	struct pronet_dataset_writer *writer; /* NULL when samples are stored for the cap */
	const char *capture;
	uint32_t capture_index;
	char **capture_names;
	size_t num_captures;
	uint64_t flow_number; /* flows reported in this capture */
	uint64_t flows_total;
	uint64_t records_dropped, truncated_flows; /* by the record budget */
	struct class_row *rows;
	size_t num_rows, rows_capacity;
	/* One flow's samples and records on their way out: room for
	 * PRONET_FLOW_MAX_RECORDS (a flow without bytes keeps up to 1024). */
	struct pronet_sample *flow_samples;
	struct pronet_packet_record *flow_records;
	int failed; /* out of memory or a write error: stop */
	char errbuf[PRONET_ERRBUF_SIZE];
};

static struct class_row *find_row(struct label_run *run, const char *name, int is_label)
{
	for (size_t i = 0; i < run->num_rows; i++)
		if (run->rows[i].is_label == is_label && strcmp(run->rows[i].name, name) == 0)
			return &run->rows[i];
	if (run->num_rows == run->rows_capacity) {
		size_t capacity = run->rows_capacity ? 2 * run->rows_capacity : 64;
		struct class_row *rows = realloc(run->rows, capacity * sizeof(*rows));
		if (rows == NULL)
			return NULL;
		run->rows = rows;
		run->rows_capacity = capacity;
	}
	struct class_row *row = &run->rows[run->num_rows++];
	memset(row, 0, sizeof(*row));
	snprintf(row->name, sizeof(row->name), "%s", name);
	row->is_label = is_label;
	return row;
}

/* Label rows are numbered in order of first appearance among label rows:
 * the sample's label index. */
static uint16_t label_index(const struct label_run *run, const struct class_row *row)
{
	uint16_t index = 0;
	for (const struct class_row *r = run->rows; r < row; r++)
		index += r->is_label != 0;
	return index;
}

static enum exclusion confidence_exclusion(const struct pronet_flow_report *report)
{
	if (report->protocol.app_protocol == NDPI_PROTOCOL_UNKNOWN &&
	    report->protocol.master_protocol == NDPI_PROTOCOL_UNKNOWN)
		return EXCLUDE_UNKNOWN;
	switch (report->confidence) {
	case NDPI_CONFIDENCE_DPI:
	case NDPI_CONFIDENCE_DPI_CACHE:
		return EXCLUDE_COUNT_; /* DPI evidence: not excluded */
	case NDPI_CONFIDENCE_MATCH_BY_PORT:
		return EXCLUDE_BY_PORT;
	case NDPI_CONFIDENCE_MATCH_BY_IP:
		return EXCLUDE_BY_IP;
	default:
		return EXCLUDE_GUESSED;
	}
}

static void fail_run(struct label_run *run, const char *what)
{
	if (!run->failed)
		snprintf(run->errbuf, sizeof(run->errbuf), "%s", what);
	run->failed = 1;
}

/* Writes or stores the flow's samples; returns how many were kept. */
static size_t emit_samples(struct label_run *run, struct class_row *row, uint16_t label,
                           const struct pronet_flow *flow)
{
	struct pronet_sample *samples = run->flow_samples;
	struct pronet_packet_record *records = run->flow_records;
	size_t count = 0;
	if (flow->records_dropped > 0) {
		run->records_dropped += flow->records_dropped;
		run->truncated_flows++;
	}
	for (unsigned i = 0; i < flow->num_inputs; i++) {
		const struct pronet_packet_record *input = &flow->inputs[i];
		if (!(run->directions & (1 << input->direction)))
			continue;
		struct pronet_sample sample = {.input = *input,
		                               .label = label,
		                               .capture = run->capture_index,
		                               .flow = run->flow_number};
		int seen = label_samples_seen(run->samples, &sample);
		if (seen < 0) {
			fail_run(run, "out of memory");
			return 0;
		}
		if (seen) {
			row->duplicates++;
			continue;
		}
		samples[count++] = sample;
	}
	if (run->writer == NULL) {
		if (label_samples_store_flow(run->samples, samples, count) != 0)
			fail_run(run, "out of memory");
		return count;
	}
	if (count == 0)
		return 0;
	for (size_t i = 0; i < count; i++)
		records[i] = samples[i].input;
	if (pronet_dataset_writer_write_flow(run->writer, row->name, run->capture, run->flow_number,
	                                     records, count, flow->records_dropped > 0,
	                                     run->errbuf) != PRONET_OK) {
		run->failed = 1;
		return 0;
	}
	return count;
}

/* --label app: nDPI's application protocol (Google for TLS.Google, DNS for
 * DNS), else its master; 0 for neither (an Unknown flow, excluded anyway). */
static int app_label(const struct pronet_flow_report *report, char *label)
{
	const char *name = report->app_name;

	if (name == NULL || strcasecmp(name, "Unknown") == 0)
		name = report->master_name;
	if (name == NULL || strcasecmp(name, "Unknown") == 0)
		return 0;
	snprintf(label, PRONET_CLASS_MAP_LABEL_SIZE, "%s", name);
	return 1;
}

static void label_flow(void *user, const struct pronet_flow_report *report)
{
	struct label_run *run = user;
	char label[PRONET_CLASS_MAP_LABEL_SIZE];
	run->flow_number++;
	run->flows_total++;
	if (run->failed)
		return;
	enum exclusion reason = confidence_exclusion(report);
	int mapped = run->by_app ? app_label(report, label)
	                         : pronet_class_map_lookup(run->class_map, report->master_name,
	                                                   report->app_name, label);
	if (reason == EXCLUDE_COUNT_ && !mapped)
		reason = EXCLUDE_CLASS_MAP;
	/* Excluded flows are listed under the label they would have had, or
	 * under nDPI's name when they have none. */
	struct class_row *row = mapped ? find_row(run, label, 1) : find_row(run, report->name, 0);
	if (row == NULL) {
		fail_run(run, "out of memory");
		return;
	}
	if (reason != EXCLUDE_COUNT_) {
		row->excluded[reason]++;
		return;
	}
	uint64_t duplicates = row->duplicates;
	size_t kept = emit_samples(run, row, label_index(run, row), report->flow);
	if (kept == 0) {
		row->excluded[row->duplicates == duplicates ? EXCLUDE_NO_PAYLOAD
		                                            : EXCLUDE_DUPLICATES]++;
		return;
	}
	row->flows++;
	row->samples += kept;
}

/* One capture through a fresh engine; 0 on success. A capture damaged
 * part-way still gives the flows read before the damage, and fails. */
static int label_capture(struct pronet_ndpi_engine_options *options, struct label_run *run,
                         const char *path)
{
	char **names = realloc(run->capture_names, (run->num_captures + 1) * sizeof(*names));
	if (names == NULL || (names[run->num_captures] = strdup(path)) == NULL) {
		if (names != NULL)
			run->capture_names = names;
		fail_run(run, "out of memory");
		return 1;
	}
	run->capture_names = names;
	run->capture_index = (uint32_t)run->num_captures++;
	run->capture = path;
	run->flow_number = 0;
	options->report_user = run;
	return pronet_cli_engine_run_file("label", options, path, NULL) != 0;
}

/* With --max-per-class: drops flows, then writes what is kept. */
static int write_stored(struct label_run *run, uint64_t seed, const char *output)
{
	size_t num_labels = 0;
	for (size_t i = 0; i < run->num_rows; i++)
		num_labels += run->rows[i].is_label != 0;
	uint64_t *dropped_flows = calloc(num_labels + 1, sizeof(uint64_t));
	uint64_t *dropped_samples = calloc(num_labels + 1, sizeof(uint64_t));
	int ok = dropped_flows != NULL && dropped_samples != NULL &&
	         label_samples_cap(run->samples, num_labels, run->max_per_class, seed,
	                           dropped_flows, dropped_samples) == 0;
	if (!ok)
		fail_run(run, "out of memory");
	for (size_t i = 0; ok && i < run->num_rows; i++) {
		struct class_row *row = &run->rows[i];
		if (!row->is_label)
			continue;
		uint16_t label = label_index(run, row);
		row->capped_flows = dropped_flows[label];
		row->flows -= dropped_flows[label];
		row->samples -= dropped_samples[label];
	}
	free(dropped_flows);
	free(dropped_samples);
	if (!ok)
		return 1;
	if (pronet_dataset_writer_open_v2(output, &run->spec, &run->writer, run->errbuf) !=
	    PRONET_OK)
		return 1;
	/* A flow's samples are stored together: written back as one flow. */
	struct pronet_packet_record *records = run->flow_records;
	struct pronet_sample first = {0};
	size_t count = 0, total = label_samples_count(run->samples);
	for (size_t i = 0; i <= total; i++) {
		struct pronet_sample stored;
		int kept = i < total && label_samples_get(run->samples, i, &stored);
		if (i < total && !kept)
			continue;
		if (count > 0 && (i == total || stored.capture != first.capture ||
		                  stored.flow != first.flow || count == PRONET_FLOW_MAX_RECORDS)) {
			const char *label = NULL;
			for (size_t r = 0, l = 0; r < run->num_rows && label == NULL; r++)
				if (run->rows[r].is_label && l++ == first.label)
					label = run->rows[r].name;
			if (pronet_dataset_writer_write_flow(
			        run->writer, label, run->capture_names[first.capture], first.flow,
			        records, count, 0, run->errbuf) != PRONET_OK)
				return 1;
			count = 0;
		}
		if (i == total)
			break;
		if (count == 0)
			first = stored;
		records[count++] = stored.input;
	}
	return 0;
}

static int compare_rows(const void *a, const void *b)
{
	const struct class_row *x = a, *y = b;
	if (x->is_label != y->is_label)
		return y->is_label - x->is_label;
	if (x->samples != y->samples)
		return x->samples < y->samples ? 1 : -1;
	return strcasecmp(x->name, y->name);
}

static void print_table(struct label_run *run, int dedup, int capped)
{
	struct class_row total = {.name = "total"};
	if (run->num_rows > 1) /* rows is NULL when no flow was labelled */
		qsort(run->rows, run->num_rows, sizeof(*run->rows), compare_rows);
	printf("%-24s %8s %8s", "class", "flows", "samples");
	if (dedup)
		printf(" %8s", "dups");
	if (capped)
		printf(" %8s", "capped");
	for (int e = 0; e < EXCLUDE_COUNT_; e++)
		printf(" %10s", exclusion_names[e]);
	printf("\n");
	for (size_t i = 0; i <= run->num_rows; i++) {
		struct class_row *row = i < run->num_rows ? &run->rows[i] : &total;
		const char *mark = row->is_label || row == &total ? "" : "*";
		printf("%s%-*s %8llu %8llu", mark, 24 - (int)strlen(mark), row->name,
		       (unsigned long long)row->flows, (unsigned long long)row->samples);
		if (dedup)
			printf(" %8llu", (unsigned long long)row->duplicates);
		if (capped)
			printf(" %8llu", (unsigned long long)row->capped_flows);
		for (int e = 0; e < EXCLUDE_COUNT_; e++)
			printf(" %10llu", (unsigned long long)row->excluded[e]);
		printf("\n");
		if (row == &total)
			break;
		total.flows += row->flows;
		total.samples += row->samples;
		total.duplicates += row->duplicates;
		total.capped_flows += row->capped_flows;
		for (int e = 0; e < EXCLUDE_COUNT_; e++)
			total.excluded[e] += row->excluded[e];
	}
	printf("# flows, samples: written; %s%sother columns: flows left out, by reason;\n"
	       "# * no training label (nDPI's name)\n",
	       dedup ? "dups: samples dropped; " : "", capped ? "capped: flows dropped; " : "");
}

/* The class map: --class-map, else the default file if there is one, else
 * none (the default policy). */
static int load_class_map(const char *path, struct pronet_class_map **map)
{
	char errbuf[PRONET_ERRBUF_SIZE], default_path[4096];
	*map = NULL;
	if (path == NULL) {
		if (pronet_rules_default_path(getenv("PRONET_RULES_DIR"), PRONET_CLASS_MAP_FILE,
		                              default_path, sizeof(default_path),
		                              errbuf) != PRONET_OK) {
			fprintf(stderr, "pronet label: %s\n", errbuf);
			return 0;
		}
		if (access(default_path, F_OK) != 0)
			return 1;
		path = default_path;
	}
	if (pronet_class_map_load(path, map, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet label: %s\n", errbuf);
		return 0;
	}
	return 1;
}

static void free_run(struct label_run *run, struct pronet_class_map *map,
                     struct pronet_capture_inputs *inputs)
{
	pronet_dataset_writer_abort(run->writer);
	label_samples_free(run->samples);
	for (size_t i = 0; i < run->num_captures; i++)
		free(run->capture_names[i]);
	free(run->capture_names);
	free(run->rows);
	free(run->flow_samples);
	free(run->flow_records);
	pronet_class_map_free(map);
	pronet_capture_inputs_free(inputs);
}

int pronet_cmd_label(int argc, char **argv)
{
	struct label_args args;
	struct pronet_ndpi_engine_options options;
	struct label_run run = {0};
	struct pronet_class_map *map = NULL;
	struct pronet_capture_inputs *inputs = NULL;
	unsigned failed_files = 0;
	label_args_init(&args);
	pronet_ndpi_engine_options_default(&options);
	options.report = label_flow;
	if (!pronet_cli_engine_seed_hash("label", &options))
		return 1;
	int status = label_args_parse(argc, argv, &args, &options);
	if (status >= 0)
		return status;
	run.directions = args.directions;
	run.max_per_class = args.max_per_class;
	run.by_app = args.by_app;
	run.spec.window_bytes = options.flows.window_bytes;
	run.spec.layer = options.flows.layer;
	run.spec.flags = options.flows.record_flags;
	run.spec.packets_per_direction = options.flows.inputs_per_direction;
	if (!args.by_app && !load_class_map(args.class_map, &map))
		return 1;
	run.class_map = map;
	inputs = pronet_cli_captures("label", argv + optind, argc - optind, args.shared.list,
	                             &failed_files);
	run.samples = label_samples_new(args.dedup);
	run.flow_samples = malloc(PRONET_FLOW_MAX_RECORDS * sizeof(*run.flow_samples));
	run.flow_records = malloc(PRONET_FLOW_MAX_RECORDS * sizeof(*run.flow_records));
	if (inputs == NULL || run.samples == NULL || run.flow_samples == NULL ||
	    run.flow_records == NULL) {
		free_run(&run, map, inputs);
		return 1;
	}
	/* Without a cap, samples stream to the output as flows end. */
	if (run.max_per_class == 0 &&
	    pronet_dataset_writer_open_v2(args.output, &run.spec, &run.writer, run.errbuf) !=
	        PRONET_OK) {
		fprintf(stderr, "pronet label: %s\n", run.errbuf);
		free_run(&run, map, inputs);
		return 1;
	}
	struct pronet_cli_progress progress;
	size_t count = pronet_capture_inputs_count(inputs);
	pronet_cli_progress_init(&progress, "label", count, 100, !args.shared.quiet);
	for (size_t i = 0; i < count && !run.failed; i++) {
		failed_files +=
		    label_capture(&options, &run, pronet_capture_inputs_path(inputs, i));
		pronet_cli_progress_update(&progress, i + 1, run.flows_total);
	}
	pronet_cli_progress_end(&progress);
	if (!run.failed && run.max_per_class != 0)
		run.failed = write_stored(&run, args.seed, args.output);
	if (!run.failed) {
		struct pronet_dataset_writer *writer = run.writer;
		run.writer = NULL;
		run.failed = pronet_dataset_writer_close(writer, run.errbuf) != PRONET_OK;
	}
	if (run.failed) {
		fprintf(stderr, "pronet label: %s\n", run.errbuf);
	} else {
		print_table(&run, args.dedup, run.max_per_class != 0);
		printf("# records: %u bytes, layer %s, %u per direction%s; %llu dropped by the "
		       "record budget (%llu flows)\n",
		       (unsigned)run.spec.window_bytes,
		       run.spec.layer == PRONET_LAYER_L3 ? "l3" : "payload",
		       (unsigned)run.spec.packets_per_direction,
		       (run.spec.flags & PRONET_SPEC_ALL_PACKETS) ? ", payload-less included" : "",
		       (unsigned long long)run.records_dropped,
		       (unsigned long long)run.truncated_flows);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "pronet label: error writing standard output (the "
			                "dataset is written)\n");
			run.failed = 1;
		}
	}
	if (failed_files > 0)
		fprintf(stderr, "pronet label: %u of %zu captures could not be read%s\n",
		        failed_files, count + pronet_capture_inputs_failed_count(inputs),
		        run.failed ? "" : " (the others are in the dataset)");
	free_run(&run, map, inputs);
	return run.failed || failed_files > 0 ? 1 : 0;
}
