/* Tests of the streamed dataset (core/data/dataset_stream.c): a file read
 * through the sliding window and the block cache gives the records the
 * in-memory loader gives, byte for byte; its cache never holds more than
 * its limit (the reader's own accounting); a truncated or damaged file is
 * refused with the in-memory loader's very message (file and offset), and
 * a file cut after it was indexed fails the read naming file and offset;
 * training on it gives the in-memory path's weights bit for bit.
 *
 * The datasets are synthetic v2 files written by the writer: flows of four
 * payload records whose bytes start with a class's prefix, the rest drawn
 * from a seeded generator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/model/model_internal.h"
#include "core/train/train.h"
#include "core/util/file_read.h"
#include "core/util/rng.h"
#include "tests/unit.h"

#define CLASSES 4
#define RECORDS_PER_FLOW 4

static const char *const class_names[CLASSES] = {"http", "tls", "ssh", "other"};

static void temp_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/pronet-test-stream-%ld-%s.ds", pronet_unit_tmpdir(),
	         (long)getpid(), name);
}

/* `flows` flows of RECORDS_PER_FLOW payload records of `window` bytes (the
 * last record of a flow shorter), classes in turn. */
static void write_dataset(const char *path, size_t flows, uint16_t window, uint64_t seed)
{
	static const char *const prefixes[CLASSES] = {"GET /", "\x16\x03\x01", "SSH-2.0-", "\x01"};
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_packet_record records[RECORDS_PER_FLOW];
	uint8_t *bytes = malloc((size_t)RECORDS_PER_FLOW * window);
	struct pronet_input_spec spec;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
	pronet_input_spec_default(&spec);
	spec.window_bytes = window;
	pronet_rng_seed(&rng, seed);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open_v2(path, &spec, &writer, errbuf),
	                      PRONET_OK);
	for (size_t f = 0; f < flows; f++) {
		size_t label = f % CLASSES, prefix = strlen(prefixes[label]);

		for (size_t r = 0; r < RECORDS_PER_FLOW; r++) {
			uint8_t *b = bytes + r * window;
			uint16_t length =
			    r + 1 < RECORDS_PER_FLOW ? window : (uint16_t)(window / 3 + 1);

			for (size_t k = 0; k < length; k++)
				b[k] = k < prefix && r == 0 ? (uint8_t)prefixes[label][k]
				                            : (uint8_t)pronet_rng_below(&rng, 256);
			records[r] = (struct pronet_packet_record){
			    .bytes = b,
			    .timestamp_us = 1000 * (f + 1) + r,
			    .packet_index = (uint32_t)r,
			    .payload_index = (uint16_t)r,
			    .wire_length = (uint16_t)(length + 40),
			    .payload_length = (uint16_t)(length + r),
			    .length = length,
			    .direction = (uint8_t)(r % 2),
			    .l4_protocol = 6,
			    .tcp_flags = 0x18,
			};
		}
		CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_write_flow(
		                          writer, class_names[label], f % 3 ? "a.pcap" : "b.pcap",
		                          f, records, RECORDS_PER_FLOW, 0, errbuf),
		                      PRONET_OK);
	}
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_close(writer, errbuf), PRONET_OK);
	free(bytes);
}

static int same_record(const struct pronet_packet_record *a, const struct pronet_packet_record *b)
{
	return a->timestamp_us == b->timestamp_us && a->packet_index == b->packet_index &&
	       a->tcp_seq == b->tcp_seq && a->payload_index == b->payload_index &&
	       a->wire_length == b->wire_length && a->payload_length == b->payload_length &&
	       a->l4_offset == b->l4_offset && a->payload_offset == b->payload_offset &&
	       a->length == b->length && a->direction == b->direction &&
	       a->l4_protocol == b->l4_protocol && a->tcp_flags == b->tcp_flags &&
	       a->layer == b->layer &&
	       (a->length == 0 || memcmp(a->bytes, b->bytes, a->length) == 0);
}

/* Every sample of `streamed`, in a shuffled order, equals `memory`'s; the
 * cache stays within `limit` after every read. Returns the most resident. */
static size_t check_same_samples(const struct pronet_dataset *memory,
                                 const struct pronet_dataset *streamed, size_t limit)
{
	size_t n = memory->num_samples, most = 0;
	size_t *order = malloc(n * sizeof(*order));
	uint8_t *bytes = malloc(pronet_dataset_record_bytes_max(streamed));
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_rng rng;

	CU_ASSERT_PTR_NOT_NULL_FATAL(order);
	CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
	CU_ASSERT_EQUAL_FATAL(streamed->num_samples, n);
	CU_ASSERT_EQUAL(streamed->num_classes, memory->num_classes);
	CU_ASSERT_EQUAL(streamed->num_captures, memory->num_captures);
	CU_ASSERT_EQUAL(memcmp(&streamed->spec, &memory->spec, sizeof(memory->spec)), 0);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	pronet_rng_seed(&rng, 99);
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)pronet_rng_below(&rng, i), t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		struct pronet_packet_record record;
		const struct pronet_sample *a = &memory->samples[i], *b = &streamed->samples[i];
		size_t resident;

		CU_ASSERT_EQUAL_FATAL(pronet_dataset_record(streamed, i, bytes, &record, errbuf),
		                      PRONET_OK);
		CU_ASSERT(same_record(&a->input, &record));
		CU_ASSERT(b->input.bytes == NULL); /* the index holds no bytes */
		CU_ASSERT(a->label == b->label && a->capture == b->capture && a->flow == b->flow);
		resident = pronet_dataset_resident_bytes(streamed);
		CU_ASSERT(resident <= limit);
		if (resident > most)
			most = resident;
	}
	free(order);
	free(bytes);
	return most;
}

static void test_records_equal_and_cache_bounded(void)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *memory = NULL, *streamed = NULL, *refused = NULL;
	size_t limit = 4 * PRONET_DATASET_BLOCK_BYTES, most;

	/* 300 flows of 1200-byte records: 1.4 MB, past the index pass's 1 MiB
	 * window and twenty times the cache. */
	temp_path(path, sizeof(path), "big");
	write_dataset(path, 300, 1200, 7);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &memory, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load_streamed(path, limit, &streamed, errbuf),
	                      PRONET_OK);
	CU_ASSERT(pronet_dataset_is_streamed(streamed) && !pronet_dataset_is_streamed(memory));
	CU_ASSERT_EQUAL(pronet_dataset_resident_bytes(streamed), 0); /* nothing read yet */
	most = check_same_samples(memory, streamed, limit);
	/* The cache filled up to its limit and not past it. */
	CU_ASSERT_EQUAL(most, limit);
	CU_ASSERT(pronet_dataset_resident_bytes(memory) > 300 * 3 * 1200);
	/* A cache of less than one block is refused. */
	CU_ASSERT_EQUAL(
	    pronet_dataset_load_streamed(path, PRONET_DATASET_BLOCK_BYTES - 1, &refused, errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NULL(refused);
	pronet_dataset_free(memory);
	pronet_dataset_free(streamed);
	unlink(path);
}

static void test_v1_file_streams(void)
{
	char path[1024], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *memory = NULL, *streamed = NULL;
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof(path), "%s/tests/data/v1/loopback-v1.ds", top ? top : ".");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &memory, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_load_streamed(path, PRONET_DATASET_BLOCK_BYTES, &streamed, errbuf),
	    PRONET_OK);
	check_same_samples(memory, streamed, PRONET_DATASET_BLOCK_BYTES);
	pronet_dataset_free(memory);
	pronet_dataset_free(streamed);
}

/* Both loaders on `path`: the same refusal, word for word. */
static void check_same_refusal(const char *path, const char *what)
{
	char memory_error[PRONET_ERRBUF_SIZE] = "", streamed_error[PRONET_ERRBUF_SIZE] = "";
	struct pronet_dataset *data = NULL;
	enum pronet_err a = pronet_dataset_load(path, &data, memory_error);
	enum pronet_err b =
	    pronet_dataset_load_streamed(path, PRONET_DATASET_BLOCK_BYTES, &data, streamed_error);

	CU_ASSERT_NOT_EQUAL(a, PRONET_OK);
	CU_ASSERT_EQUAL(a, b);
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_STRING_EQUAL(memory_error, streamed_error);
	CU_ASSERT_PTR_NOT_NULL(strstr(streamed_error, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(streamed_error, ": offset "));
	if (a != b || strcmp(memory_error, streamed_error) != 0)
		printf("\n  %s: in memory '%s', streamed '%s'\n", what, memory_error,
		       streamed_error);
}

static void write_bytes(const char *path, const uint8_t *data, size_t size)
{
	FILE *out = fopen(path, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(fwrite(data, 1, size, out), size);
	CU_ASSERT_EQUAL(fclose(out), 0);
}

static void test_damaged_files_refused_as_in_memory(void)
{
	char path[512], damaged[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data = NULL;
	size_t size = 0;

	temp_path(path, sizeof(path), "whole");
	temp_path(damaged, sizeof(damaged), "damaged");
	write_dataset(path, 300, 1200, 8);
	CU_ASSERT_EQUAL_FATAL(pronet_file_read(path, (size_t)1 << 30, &data, &size, errbuf),
	                      PRONET_OK);
	CU_ASSERT_FATAL(size > ((size_t)1 << 20) + 4096);
	/* Cut in the header, in the first window, at the window's edge, past
	 * it, and one byte short. */
	const size_t cuts[] = {
	    0,         5,       29, 1000, (size_t)1 << 20, ((size_t)1 << 20) + 1, size / 2 + 3,
	    size - 21, size - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_bytes(damaged, data, cuts[i]);
		check_same_refusal(damaged, "a cut file");
	}
	/* A flipped byte in a record's bytes (the checksum), a tag, a header field. */
	const size_t flips[] = {12, 30, ((size_t)1 << 20) + 100, size - 25, size - 3};
	for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
		data[flips[i]] ^= 0x40;
		write_bytes(damaged, data, size);
		check_same_refusal(damaged, "a flipped byte");
		data[flips[i]] ^= 0x40;
	}
	free(data);
	unlink(damaged);
	unlink(path);
}

static void test_file_cut_after_indexing(void)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_dataset *streamed = NULL;
	struct pronet_packet_record record;
	uint8_t bytes[PRONET_RECORD_MAX_BYTES];
	size_t last;

	temp_path(path, sizeof(path), "cut");
	write_dataset(path, 100, 1000, 9);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_load_streamed(path, PRONET_DATASET_BLOCK_BYTES, &streamed, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_record(streamed, 0, bytes, &record, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(truncate(path, 50000), 0);
	last = streamed->num_samples - 1;
	CU_ASSERT_EQUAL(pronet_dataset_record(streamed, last, bytes, &record, errbuf),
	                PRONET_ERR_TRUNCATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, ": offset "));
	/* The first block is still cached: its record still reads. */
	CU_ASSERT_EQUAL(pronet_dataset_record(streamed, 0, bytes, &record, errbuf), PRONET_OK);
	pronet_dataset_free(streamed);
	unlink(path);
}

static void test_subset_shares_the_file(void)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *memory = NULL, *streamed = NULL, *a = NULL, *b = NULL;
	uint8_t *keep;

	temp_path(path, sizeof(path), "subset");
	write_dataset(path, 40, 300, 10);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &memory, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_load_streamed(path, PRONET_DATASET_BLOCK_BYTES, &streamed, errbuf),
	    PRONET_OK);
	keep = calloc(memory->num_samples, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
	for (size_t i = 0; i < memory->num_samples; i += 3)
		keep[i] = 1;
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_subset(memory, keep, &a, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_subset(streamed, keep, &b, errbuf), PRONET_OK);
	pronet_dataset_free(memory); /* the subsets outlive their datasets */
	pronet_dataset_free(streamed);
	CU_ASSERT(pronet_dataset_is_streamed(b) && !pronet_dataset_is_streamed(a));
	CU_ASSERT_EQUAL(a->num_samples, (160 + 2) / 3);
	check_same_samples(a, b, PRONET_DATASET_BLOCK_BYTES);
	pronet_dataset_free(a);
	pronet_dataset_free(b);
	free(keep);
	unlink(path);
}

static struct pronet_model *small_model(void)
{
	struct pronet_cnn_config config = {16, 16, 1024, 1, 0.5f, 0};
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL(pronet_model_new_cnn(&config, class_names, CLASSES, 3, &model, errbuf),
	                PRONET_OK);
	return model;
}

/* Trains on `data` with validation, augmentation, balancing and 2 threads;
 * returns the weights. */
static float *train_weights(const struct pronet_dataset *data, size_t *count)
{
	struct pronet_model *model = small_model();
	struct pronet_train_options options;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t *train = malloc(data->num_samples * sizeof(size_t));
	size_t *validation = malloc(data->num_samples * sizeof(size_t));
	float *weights;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_PTR_NOT_NULL_FATAL(train);
	CU_ASSERT_PTR_NOT_NULL_FATAL(validation);
	pronet_train_options_default(&options);
	options.batch_size = 32;
	options.epochs = 3;
	options.threads = 2;
	options.augment_bytes = 0.1f;
	options.max_per_class = 90;
	options.validate_every = 10;
	for (size_t i = 0; i < data->num_samples; i++) {
		if (data->samples[i].flow % 5 == 0)
			validation[options.num_validation++] = i;
		else
			train[options.num_train++] = i;
	}
	options.train_indices = train;
	options.validation_indices = validation;
	CU_ASSERT_EQUAL(pronet_train(model, data, &options, NULL, NULL, errbuf), PRONET_OK);
	*count = model->num_weights;
	weights = malloc(*count * sizeof(float));
	CU_ASSERT_PTR_NOT_NULL_FATAL(weights);
	memcpy(weights, model->weights, *count * sizeof(float));
	pronet_model_free(model);
	free(train);
	free(validation);
	return weights;
}

static void test_training_bit_identical(void)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *memory = NULL, *streamed = NULL;
	size_t n_memory, n_streamed;
	float *a, *b;

	/* 400 flows of 16-byte records: 75 KB through a cache of one 16 KiB block. */
	temp_path(path, sizeof(path), "train");
	write_dataset(path, 400, 16, 11);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &memory, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_load_streamed(path, PRONET_DATASET_BLOCK_BYTES, &streamed, errbuf),
	    PRONET_OK);
	a = train_weights(memory, &n_memory);
	b = train_weights(streamed, &n_streamed);
	CU_ASSERT_EQUAL_FATAL(n_memory, n_streamed);
	CU_ASSERT_EQUAL(memcmp(a, b, n_memory * sizeof(float)), 0);
	CU_ASSERT(pronet_dataset_resident_bytes(streamed) <= PRONET_DATASET_BLOCK_BYTES);
	free(a);
	free(b);
	pronet_dataset_free(memory);
	pronet_dataset_free(streamed);
	unlink(path);
}

static CU_TestInfo tests[] = {
    {"records equal the in-memory loader's, cache within its limit",
     test_records_equal_and_cache_bounded},
    {"a v1 file streams", test_v1_file_streams},
    {"cut and damaged files: the in-memory loader's refusal",
     test_damaged_files_refused_as_in_memory},
    {"a file cut after indexing: the read fails naming file and offset",
     test_file_cut_after_indexing},
    {"a subset reads the same file", test_subset_shares_the_file},
    {"training: the in-memory path's weights bit for bit", test_training_bit_identical},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("dataset_stream", tests);
}
