/* Writes the seed corpora for the libFuzzer harnesses (tests/fuzz/fuzz_*.c)
 * from what the tests use: a model file and a dataset made with the model
 * and dataset APIs, the repository's rules files, and the frames and
 * payloads of the captures in tests/data. Each seed is in its harness's input format
 * (see the harness's header comment).
 *
 * Usage: make_seeds [-n N] [-p] OUTDIR RULES_DIR CAPTURE...
 * Writes OUTDIR/{decode,model_file,dataset,rules,dissector,engine}/NAME-NNNNN,
 * NAME the capture's file name for seeds taken from it; at most N (default
 * 200) frames of each capture are used. -p: packet seeds (decode,
 * dissector, engine) only. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/data/dataset.h"
#include "core/model/model.h"
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/flow/flow_table.h"
#include "rules/rules_file.h"
#include "tests/fuzz/link_types.h"

struct seeds {
	const char *outdir;
	const char *name; /* what the seeds come from, in their file names */
	unsigned count;
	unsigned per_capture; /* frames used per capture */
};

static int write_seed(struct seeds *seeds, const char *harness, const void *prefix,
                      size_t prefix_length, const void *data, size_t length)
{
	char path[4096];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", seeds->outdir, harness);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s-%05u", seeds->outdir, harness, seeds->name,
	         seeds->count++);
	file = fopen(path, "wb");
	if (file == NULL || fwrite(prefix, 1, prefix_length, file) != prefix_length ||
	    fwrite(data, 1, length, file) != length || fclose(file) != 0) {
		fprintf(stderr, "make_seeds: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

static int seed_rules(struct seeds *seeds, const char *rules_dir)
{
	static const char *const files[] = {"class-map.conf", "thresholds.conf", "protos.txt"};
	char errbuf[PRONET_ERRBUF_SIZE], path[4096];

	for (uint8_t i = 0; i < 3; i++) {
		char *text;
		size_t size;
		snprintf(path, sizeof(path), "%s/%s", rules_dir, files[i]);
		if (pronet_rules_read_file(path, &text, &size, errbuf) != PRONET_OK) {
			fprintf(stderr, "make_seeds: %s\n", errbuf);
			return 1;
		}
		int failed = write_seed(seeds, "rules", &i, 1, text, size);
		free(text);
		if (failed)
			return 1;
	}
	return 0;
}

static int copy_file_seed(struct seeds *seeds, const char *harness, const char *path)
{
	FILE *file = fopen(path, "rb");
	static uint8_t buffer[1 << 22];
	size_t size;

	if (file == NULL) {
		fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size = fread(buffer, 1, sizeof(buffer), file);
	fclose(file);
	return write_seed(seeds, harness, "", 0, buffer, size);
}

static int seed_model(struct seeds *seeds, const char *tmp_path)
{
	static const char *const names[] = {"HTTP", "DNS", "PronetDemo"};
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_cnn_config_default(&config);
	config.embed_dim = 4; /* small: the loader's paths, not the weights, matter */
	config.filters = 2;
	config.ngram_buckets = 64;
	if (pronet_model_new_cnn(&config, names, 3, 1, &model, errbuf) != PRONET_OK ||
	    pronet_model_save(model, tmp_path, errbuf) != PRONET_OK) {
		fprintf(stderr, "make_seeds: %s\n", errbuf);
		pronet_model_free(model);
		return 1;
	}
	pronet_model_free(model);
	int failed = copy_file_seed(seeds, "model_file", tmp_path);
	remove(tmp_path);
	return failed;
}

/* fuzz_engine.c's input: a capture's first frames, up to this many bytes. */
#define ENGINE_SEED_MAX 65536

struct engine_seed {
	uint8_t bytes[ENGINE_SEED_MAX];
	size_t size;
	uint64_t last_us;
};

static void engine_seed_add(struct engine_seed *seed, const struct pronet_raw_packet *raw)
{
	uint64_t delta = seed->size == 2 || raw->timestamp_us < seed->last_us
	                     ? 0
	                     : raw->timestamp_us - seed->last_us;
	uint8_t *p = seed->bytes + seed->size;

	if (raw->caplen > 65535 || seed->size + 6 + raw->caplen > ENGINE_SEED_MAX)
		return;
	if (delta > UINT32_MAX)
		delta = UINT32_MAX;
	p[0] = (uint8_t)(raw->caplen >> 8);
	p[1] = (uint8_t)raw->caplen;
	for (int i = 0; i < 4; i++)
		p[2 + i] = (uint8_t)(delta >> (24 - 8 * i));
	memcpy(p + 6, raw->data, raw->caplen);
	seed->size += 6 + raw->caplen;
	seed->last_us = raw->timestamp_us;
}

/* One capture's frames (decoder and engine seeds), payloads (dissector
 * seeds) and payload prefixes labelled by server port (dataset samples). */
static int seed_capture(struct seeds *seeds, const char *path, struct pronet_dataset *dataset)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture *capture = NULL;
	struct pronet_raw_packet raw;
	enum pronet_capture_status status;
	unsigned written = 0;
	uint32_t capture_index;

	if (pronet_capture_open_file(path, &capture, errbuf) != PRONET_OK ||
	    pronet_dataset_intern_capture(dataset, path, &capture_index) != PRONET_OK) {
		fprintf(stderr, "make_seeds: %s\n", errbuf);
		return 1;
	}
	static struct engine_seed engine;
	int dlt = pronet_capture_datalink(capture);
	int link_index = fuzz_link_type_index(dlt);
	engine.bytes[0] = (uint8_t)link_index;
	engine.bytes[1] = 0;
	engine.size = 2;
	const char *slash = strrchr(path, '/');
	seeds->name = slash != NULL ? slash + 1 : path;
	while (written < seeds->per_capture &&
	       pronet_capture_next(capture, &raw, &status, errbuf) == PRONET_OK &&
	       status == PRONET_CAPTURE_PACKET) {
		struct pronet_packet packet;
		enum pronet_packet_skip skip;
		const uint8_t decode_prefix[2] = {(uint8_t)link_index, 0};

		if (link_index < 0 ||
		    write_seed(seeds, "decode", decode_prefix, 2, raw.data, raw.caplen))
			break;
		written++;
		engine_seed_add(&engine, &raw);
		if (pronet_decode_packet(dlt, raw.data, raw.caplen, raw.wire_length,
		                         raw.timestamp_us, &packet, &skip) != PRONET_OK ||
		    skip != PRONET_SKIP_NONE || packet.payload_length == 0)
			continue;
		/* Dissector seed: protocol, ports, one client-to-server record. */
		size_t length = packet.payload_length > 127 ? 127 : packet.payload_length;
		uint8_t head[6] = {packet.l4_protocol == 6 ? 3 : 0, (uint8_t)(packet.src_port >> 8),
		                   (uint8_t)packet.src_port,        (uint8_t)(packet.dst_port >> 8),
		                   (uint8_t)packet.dst_port,        (uint8_t)length};
		if (write_seed(seeds, "dissector", head, sizeof(head), packet.payload, length))
			break;
		struct pronet_sample sample;
		char label[32];
		uint8_t window[PRONET_PAYLOAD_BYTES];
		struct pronet_input_spec spec;
		memset(&sample, 0, sizeof(sample));
		pronet_input_spec_default(&spec);
		pronet_record_from_packet(&packet, PRONET_DIR_CLIENT_TO_SERVER, 0, 0, &spec, window,
		                          &sample.input);
		sample.capture = capture_index;
		sample.flow = written;
		snprintf(label, sizeof(label), "port-%u",
		         packet.src_port < packet.dst_port ? packet.src_port : packet.dst_port);
		if (pronet_dataset_intern_class(dataset, label, &sample.label) != PRONET_OK ||
		    pronet_dataset_append(dataset, &sample) != PRONET_OK)
			break;
	}
	pronet_capture_close(capture);
	if (engine.size > 2 && write_seed(seeds, "engine", "", 0, engine.bytes, engine.size))
		return 1;
	return 0;
}

/* The same samples as a version 2 file (docs/dataset-format.md): one flow
 * per sample, as the writer of `pronet label` writes them. */
static int seed_dataset_v2(struct seeds *seeds, const struct pronet_dataset *dataset,
                           const char *tmp_path)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_input_spec spec;
	enum pronet_err err;

	pronet_input_spec_default(&spec);
	err = pronet_dataset_writer_open_v2(tmp_path, &spec, &writer, errbuf);
	for (size_t i = 0; err == PRONET_OK && i < dataset->num_samples; i++) {
		const struct pronet_sample *s = &dataset->samples[i];
		err = pronet_dataset_writer_write_flow(writer, dataset->class_names[s->label],
		                                       dataset->capture_names[s->capture], s->flow,
		                                       &s->input, 1, 0, errbuf);
	}
	if (err == PRONET_OK)
		err = pronet_dataset_writer_close(writer, errbuf);
	else
		pronet_dataset_writer_abort(writer);
	if (err != PRONET_OK) {
		fprintf(stderr, "make_seeds: %s\n", errbuf);
		return 1;
	}
	int failed = copy_file_seed(seeds, "dataset", tmp_path);
	remove(tmp_path);
	return failed;
}

int main(int argc, char **argv)
{
	struct seeds seeds = {NULL, "gen", 0, 200};
	char errbuf[PRONET_ERRBUF_SIZE], tmp_path[4096];
	struct pronet_dataset *dataset;
	int failed = 0, opt, packets_only = 0;

	while ((opt = getopt(argc, argv, "n:p")) != -1) {
		if (opt == 'p') {
			packets_only = 1;
			continue;
		}
		if (opt != 'n' || (seeds.per_capture = (unsigned)strtoul(optarg, NULL, 10)) == 0) {
			fprintf(stderr,
			        "usage: make_seeds [-n N] [-p] OUTDIR RULES_DIR CAPTURE...\n");
			return 2;
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 4) {
		fprintf(stderr, "usage: make_seeds [-n N] [-p] OUTDIR RULES_DIR CAPTURE...\n");
		return 2;
	}
	seeds.outdir = argv[1];
	if (mkdir(seeds.outdir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "make_seeds: %s: %s\n", seeds.outdir, strerror(errno));
		return 1;
	}
	dataset = pronet_dataset_new();
	if (dataset == NULL)
		return 1;
	/* A capture nDPI's corpus holds damaged on purpose only warns with -p. */
	for (int i = 3; i < argc; i++)
		if (seed_capture(&seeds, argv[i], dataset) != 0 && !packets_only)
			failed = 1;
	seeds.name = "gen";
	if (!packets_only) {
		snprintf(tmp_path, sizeof(tmp_path), "%s/tmp.seed", seeds.outdir);
		failed |= seed_rules(&seeds, argv[2]);
		failed |= seed_model(&seeds, tmp_path);
		if (pronet_dataset_save(dataset, tmp_path, errbuf) != PRONET_OK) {
			fprintf(stderr, "make_seeds: %s\n", errbuf);
			failed = 1;
		} else {
			failed |= copy_file_seed(&seeds, "dataset", tmp_path);
			remove(tmp_path);
		}
		failed |= seed_dataset_v2(&seeds, dataset, tmp_path);
	}
	pronet_dataset_free(dataset);
	printf("make_seeds: %u seeds in %s\n", seeds.count, seeds.outdir);
	return failed;
}
