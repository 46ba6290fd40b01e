/* Tests of core/data/dataset.c and core/data/dataset_writer.c: round trips through the
 * file, the streaming writer, and the loader against damaged files (every
 * truncation point, every bit flipped, bad magic/version, undefined and
 * out-of-order indexes). Hand-built files follow docs/dataset-format.md
 * byte by byte, with a CRC-32 computed here independently of the library. */
#include "core/data/dataset.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- crafted payload prefixes (the first 16 bytes of real protocol messages) */

/* DNS query header: id 0x1234, flags 0x0100 (RD), 1 question, 0/0/0, then
 * the first label "\x03www" of the name. */
static const uint8_t dns_query[16] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x03, 'w',  'w',  'w'};
/* HTTP request line "GET / HTTP/1.1\r\n". */
static const uint8_t http_get[16] = "GET / HTTP/1.1\r\n";
/* TLS record header (handshake 0x16, version 3.1, length 0x00c8) and the
 * ClientHello handshake header (type 1, length 0x0000c4, version 3.3). */
static const uint8_t tls_hello[16] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00,
                                      0xc4, 0x03, 0x03, 0x5f, 0x1a, 0x2b, 0x3c, 0x4d};

static struct pronet_packet_record make_input(const uint8_t *bytes, uint8_t length,
                                              uint8_t direction, uint8_t l4_protocol,
                                              uint16_t payload_length)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	memcpy(PRONET_UNIT_BYTES(input), bytes, length);
	input.length = length;
	input.direction = direction;
	input.payload_index = direction;
	input.l4_protocol = l4_protocol;
	input.payload_length = payload_length;
	return input;
}

static void temp_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/pronet-test-dataset-%ld-%s", pronet_unit_tmpdir(), (long)getpid(),
	         name);
}

static int file_exists(const char *path)
{
	FILE *file = fopen(path, "rb");

	if (file == NULL)
		return 0;
	fclose(file);
	return 1;
}

/* A small dataset: DNS over UDP, HTTP and TLS over TCP, from two captures. */
static struct pronet_dataset *make_dataset(void)
{
	struct pronet_dataset *dataset = pronet_dataset_new();
	struct pronet_sample sample;
	uint16_t dns, http, tls;
	uint32_t first, second;

	CU_ASSERT_FATAL(dataset != NULL);
	CU_ASSERT_FATAL(pronet_dataset_intern_class(dataset, "DNS", &dns) == PRONET_OK);
	CU_ASSERT_FATAL(pronet_dataset_intern_class(dataset, "HTTP", &http) == PRONET_OK);
	CU_ASSERT_FATAL(pronet_dataset_intern_class(dataset, "TLS", &tls) == PRONET_OK);
	CU_ASSERT_FATAL(pronet_dataset_intern_capture(dataset, "dns.pcap", &first) == PRONET_OK);
	CU_ASSERT_FATAL(pronet_dataset_intern_capture(dataset, "web.pcapng", &second) == PRONET_OK);
	sample = (struct pronet_sample){make_input(dns_query, 16, 0, 17, 33), dns, first, 1};
	CU_ASSERT_FATAL(pronet_dataset_append(dataset, &sample) == PRONET_OK);
	sample = (struct pronet_sample){make_input(http_get, 16, 0, 6, 420), http, second, 7};
	CU_ASSERT_FATAL(pronet_dataset_append(dataset, &sample) == PRONET_OK);
	sample = (struct pronet_sample){make_input(tls_hello, 16, 0, 6, 205), tls, second,
	                                0x1122334455667788ull};
	CU_ASSERT_FATAL(pronet_dataset_append(dataset, &sample) == PRONET_OK);
	/* A short payload: the first 5 bytes of the TLS record, server side. */
	sample = (struct pronet_sample){make_input(tls_hello, 5, 1, 6, 5), tls, second, 8};
	CU_ASSERT_FATAL(pronet_dataset_append(dataset, &sample) == PRONET_OK);
	return dataset;
}

static void assert_same_dataset(const struct pronet_dataset *a, const struct pronet_dataset *b)
{
	CU_ASSERT_EQUAL_FATAL(a->num_classes, b->num_classes);
	CU_ASSERT_EQUAL_FATAL(a->num_captures, b->num_captures);
	CU_ASSERT_EQUAL_FATAL(a->num_samples, b->num_samples);
	for (size_t i = 0; i < a->num_classes; i++)
		CU_ASSERT_STRING_EQUAL(a->class_names[i], b->class_names[i]);
	for (size_t i = 0; i < a->num_captures; i++)
		CU_ASSERT_STRING_EQUAL(a->capture_names[i], b->capture_names[i]);
	for (size_t i = 0; i < a->num_samples; i++) {
		const struct pronet_sample *x = &a->samples[i], *y = &b->samples[i];

		CU_ASSERT(x->input.length == 0 ||
		          memcmp(x->input.bytes, y->input.bytes, x->input.length) == 0);
		CU_ASSERT_EQUAL(x->input.length, y->input.length);
		CU_ASSERT_EQUAL(x->input.direction, y->input.direction);
		CU_ASSERT_EQUAL(x->input.payload_index, y->input.payload_index);
		CU_ASSERT_EQUAL(x->input.l4_protocol, y->input.l4_protocol);
		CU_ASSERT_EQUAL(x->input.payload_length, y->input.payload_length);
		CU_ASSERT_EQUAL(x->label, y->label);
		CU_ASSERT_EQUAL(x->capture, y->capture);
		CU_ASSERT_EQUAL(x->flow, y->flow);
	}
}

/* Reads a whole (small) file into a malloc'd buffer. */
static uint8_t *slurp(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data = malloc(1 << 16);

	CU_ASSERT_FATAL(file != NULL && data != NULL);
	*size = fread(data, 1, 1 << 16, file);
	fclose(file);
	return data;
}

static void test_round_trip(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_dataset *saved = make_dataset(), *loaded = NULL;

	temp_path(path, sizeof(path), "round-trip");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_save(saved, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &loaded, errbuf), PRONET_OK);
	assert_same_dataset(saved, loaded);
	pronet_dataset_free(saved);
	pronet_dataset_free(loaded);
	unlink(path);
}

static void test_empty_dataset_round_trips(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_dataset *saved = pronet_dataset_new(), *loaded = NULL;

	temp_path(path, sizeof(path), "empty");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_save(saved, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(loaded->num_samples, 0);
	CU_ASSERT_EQUAL(loaded->num_classes, 0);
	pronet_dataset_free(saved);
	pronet_dataset_free(loaded);
	pronet_dataset_free(NULL);
	unlink(path);
}

static void test_intern_and_append_check_arguments(void)
{
	struct pronet_dataset *dataset = pronet_dataset_new();
	struct pronet_sample sample = {make_input(http_get, 16, 0, 6, 16), 0, 0, 0};
	char long_name[80];
	uint16_t index, again;

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CU_ASSERT_EQUAL(pronet_dataset_append(dataset, &sample),
	                PRONET_ERR_ARG); /* no class 0 yet */
	CU_ASSERT_EQUAL(pronet_dataset_intern_class(dataset, "", &index), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_dataset_intern_class(dataset, long_name, &index), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_dataset_intern_class(dataset, "HTTP", &index), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_intern_class(dataset, "HTTP", &again), PRONET_OK);
	CU_ASSERT_EQUAL(index, again);
	CU_ASSERT_EQUAL(dataset->num_classes, 1);
	pronet_dataset_free(dataset);
}

static void test_streaming_writer_defines_names_on_first_use(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_dataset *loaded = NULL;
	struct pronet_packet_record dns = make_input(dns_query, 16, 0, 17, 40);
	struct pronet_packet_record tls = make_input(tls_hello, 16, 0, 6, 517);

	temp_path(path, sizeof(path), "stream");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open(path, &writer, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_write_named(writer, &tls, "TLS", "a.pcap", 1, errbuf),
	                PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_write_named(writer, &dns, "DNS", "b.pcap", 2, errbuf),
	                PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_write_named(writer, &tls, "TLS", "b.pcap", 3, errbuf),
	                PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_count(writer), 3);
	/* Nothing at the path until the writer is closed. */
	CU_ASSERT_FALSE(file_exists(path));
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_close(writer, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(loaded->num_samples, 3);
	CU_ASSERT_EQUAL_FATAL(loaded->num_classes, 2);
	CU_ASSERT_STRING_EQUAL(loaded->class_names[0], "TLS");
	CU_ASSERT_STRING_EQUAL(loaded->class_names[1], "DNS");
	CU_ASSERT_STRING_EQUAL(loaded->capture_names[1], "b.pcap");
	CU_ASSERT_EQUAL(loaded->samples[1].label, 1);
	CU_ASSERT_EQUAL(loaded->samples[2].label, 0);
	CU_ASSERT_EQUAL(loaded->samples[2].capture, 1);
	CU_ASSERT_EQUAL(loaded->samples[2].flow, 3);
	CU_ASSERT_EQUAL(loaded->samples[2].input.payload_length, 517);
	pronet_dataset_free(loaded);
	unlink(path);
}

static void test_writer_refuses_bad_samples_and_abort_leaves_old_file(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_dataset *old = make_dataset(), *loaded = NULL;
	struct pronet_packet_record input = make_input(http_get, 4, 0, 6, 4);
	struct pronet_sample sample = {input, 5, 0, 0};

	temp_path(path, sizeof(path), "abort");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_save(old, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open(path, &writer, errbuf), PRONET_OK);
	/* Label 5 was never defined. */
	CU_ASSERT_EQUAL(pronet_dataset_writer_write(writer, &sample, errbuf), PRONET_ERR_ARG);
	input.length = 17; /* more than a v1 file's 16 bytes */
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_named(writer, &input, "HTTP", "x.pcap", 0, errbuf),
	    PRONET_ERR_ARG);
	input = make_input(http_get, 4, 2, 6, 4); /* direction 2 does not exist */
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_named(writer, &input, "HTTP", "x.pcap", 0, errbuf),
	    PRONET_ERR_ARG);
	input = make_input(http_get, 4, 0, 1, 4); /* ICMP */
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_named(writer, &input, "HTTP", "x.pcap", 0, errbuf),
	    PRONET_ERR_ARG);
	pronet_dataset_writer_abort(writer);
	pronet_dataset_writer_abort(NULL);
	/* The earlier file is still there, unchanged. */
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &loaded, errbuf), PRONET_OK);
	assert_same_dataset(old, loaded);
	pronet_dataset_free(old);
	pronet_dataset_free(loaded);
	unlink(path);
}

static void test_writer_open_failure_names_path(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset_writer *writer = NULL;

	CU_ASSERT_EQUAL(pronet_dataset_writer_open("/nonexistent-dir/x.ds", &writer, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NULL(writer);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent-dir/x.ds"));
}

static void test_missing_file_names_path(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset *loaded = NULL;

	CU_ASSERT_EQUAL(pronet_dataset_load("/nonexistent-dir/none.ds", &loaded, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NULL(loaded);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent-dir/none.ds"));
}

/* Saves make_dataset() and returns its bytes. */
static uint8_t *saved_bytes(size_t *size)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_dataset *dataset = make_dataset();
	uint8_t *data;

	temp_path(path, sizeof(path), "bytes");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_save(dataset, path, errbuf), PRONET_OK);
	data = slurp(path, size);
	unlink(path);
	pronet_dataset_free(dataset);
	return data;
}

static void test_every_truncation_is_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size;
	uint8_t *data = saved_bytes(&size);
	struct pronet_dataset *loaded = NULL;

	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load_buffer(data, size, "t.ds", &loaded, errbuf),
	                      PRONET_OK);
	pronet_dataset_free(loaded);
	for (size_t cut = 0; cut < size; cut++) {
		loaded = NULL;
		CU_ASSERT_EQUAL(pronet_dataset_load_buffer(data, cut, "t.ds", &loaded, errbuf),
		                PRONET_ERR_TRUNCATED);
		CU_ASSERT_PTR_NULL(loaded);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "t.ds: offset "));
	}
	free(data);
}

static void test_every_bit_flip_is_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size;
	uint8_t *data = saved_bytes(&size);
	struct pronet_dataset *loaded = NULL;
	size_t refused = 0, by_checksum = 0;

	for (size_t i = 0; i < size; i++) {
		for (int bit = 0; bit < 8; bit++) {
			enum pronet_err err;

			data[i] ^= (uint8_t)(1u << bit);
			loaded = NULL;
			err = pronet_dataset_load_buffer(data, size, "f.ds", &loaded, errbuf);
			refused += err != PRONET_OK;
			by_checksum += err == PRONET_ERR_CHECKSUM;
			pronet_dataset_free(loaded);
			data[i] ^= (uint8_t)(1u << bit);
		}
	}
	CU_ASSERT_EQUAL(refused, size * 8);
	/* Flips in payload bytes and flow numbers are only caught by the CRC. */
	CU_ASSERT(by_checksum > 0);
	free(data);
}

/* --- hand-built files, following docs/dataset-format.md -------------------- */

struct bytes {
	uint8_t data[1024];
	size_t size;
};

static void put(struct bytes *b, uint64_t value, size_t count)
{
	for (size_t i = 0; i < count; i++)
		b->data[b->size++] = (uint8_t)(value >> (8 * i));
}

static void put_text(struct bytes *b, const char *text)
{
	memcpy(b->data + b->size, text, strlen(text));
	b->size += strlen(text);
}

/* Bitwise CRC-32 (IEEE), independent of the library's table version. */
static uint32_t reference_crc32(const uint8_t *data, size_t size)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < size; i++) {
		crc ^= data[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void put_header(struct bytes *b, uint16_t version)
{
	b->size = 0;
	put_text(b, "PRONETDS");
	put(b, version, 2);
	put(b, 0, 2);
}

static void put_class(struct bytes *b, uint16_t index, const char *name)
{
	put(b, 'C', 1);
	put(b, index, 2);
	put(b, strlen(name), 1);
	put_text(b, name);
}

static void put_capture(struct bytes *b, uint32_t index, const char *name)
{
	put(b, 'P', 1);
	put(b, index, 4);
	put(b, strlen(name), 2);
	put_text(b, name);
}

/* A sample record: the HTTP request line over TCP, client to server. */
static void put_sample(struct bytes *b, uint16_t label, uint32_t capture)
{
	put(b, 'S', 1);
	memcpy(b->data + b->size, http_get, 16);
	b->size += 16;
	put(b, 16, 1); /* length */
	put(b, 0, 1);  /* direction */
	put(b, 0, 1);  /* payload_index */
	put(b, 6, 1);  /* TCP */
	put(b, 78, 2); /* payload_length */
	put(b, label, 2);
	put(b, capture, 4);
	put(b, 42, 8); /* flow */
}

static void put_end(struct bytes *b, uint64_t samples)
{
	put(b, 'E', 1);
	put(b, samples, 8);
	put(b, reference_crc32(b->data, b->size), 4);
}

static enum pronet_err load_bytes(const struct bytes *b, char *errbuf)
{
	struct pronet_dataset *loaded = NULL;
	enum pronet_err err =
	    pronet_dataset_load_buffer(b->data, b->size, "hand.ds", &loaded, errbuf);

	pronet_dataset_free(loaded);
	return err;
}

static void test_hand_built_file_loads(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct bytes b;
	struct pronet_dataset *loaded = NULL;
	const uint8_t check[] = "123456789";

	/* The standard CRC-32 check value. */
	CU_ASSERT_EQUAL(reference_crc32(check, 9), 0xcbf43926u);
	put_header(&b, 1);
	put_class(&b, 0, "HTTP");
	put_capture(&b, 0, "http.pcap");
	put_sample(&b, 0, 0);
	put_end(&b, 1);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_load_buffer(b.data, b.size, "hand.ds", &loaded, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(loaded->num_samples, 1);
	CU_ASSERT_EQUAL(loaded->samples[0].input.payload_length, 78);
	CU_ASSERT_EQUAL(loaded->samples[0].flow, 42);
	CU_ASSERT_STRING_EQUAL(loaded->capture_names[0], "http.pcap");
	pronet_dataset_free(loaded);
}

static void test_bad_magic_and_version(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct bytes b;

	put_header(&b, 1);
	b.data[0] = 'X';
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "hand.ds: offset 0: not a pronet dataset"));
	put_header(&b, 3);
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_VERSION);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "version 3"));
}

static void test_undefined_indexes_are_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct bytes b;

	put_header(&b, 1);
	put_class(&b, 0, "HTTP");
	put_capture(&b, 0, "http.pcap");
	put_sample(&b, 1, 0); /* class 1 is never defined */
	put_end(&b, 1);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "undefined class index (1)"));

	put_header(&b, 1);
	put_class(&b, 0, "HTTP");
	put_sample(&b, 0, 0); /* capture 0 is defined only after its use */
	put_capture(&b, 0, "http.pcap");
	put_end(&b, 1);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "undefined capture index (0)"));
}

static void test_bad_definitions_are_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct bytes b;

	put_header(&b, 1);
	put_class(&b, 1, "HTTP"); /* index 0 skipped */
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "out of order"));

	put_header(&b, 1);
	put_class(&b, 0, "HTTP");
	put_class(&b, 1, "HTTP");
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "defined twice"));

	put_header(&b, 1);
	put_class(&b, 0, "");
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);

	put_header(&b, 1);
	put(&b, 'C', 1);
	put(&b, 0, 2);
	put(&b, 3, 1);
	put(&b, 'a', 1);
	put(&b, 0, 1); /* NUL inside the name */
	put(&b, 'b', 1);
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
}

static void test_garbage_records_are_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct bytes b;

	put_header(&b, 1);
	put(&b, 'Z', 1); /* no such record */
	put_end(&b, 0);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "hand.ds: offset 12: unknown record tag"));

	put_header(&b, 1);
	put_end(&b, 0);
	put(&b, 0, 1); /* a byte after the end record */
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);

	put_header(&b, 1);
	put_end(&b, 3); /* claims samples that are not there */
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);

	put_header(&b, 1);
	put_class(&b, 0, "HTTP");
	put_capture(&b, 0, "http.pcap");
	put_sample(&b, 0, 0);
	b.data[b.size - 20] = 17; /* length 17: more than 16 payload bytes */
	put_end(&b, 1);
	CU_ASSERT_EQUAL(load_bytes(&b, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "bad sample"));
}

static CU_TestInfo tests[] = {
    {"save then load gives the same dataset", test_round_trip},
    {"an empty dataset round-trips", test_empty_dataset_round_trips},
    {"intern and append check their arguments", test_intern_and_append_check_arguments},
    {"streaming writer defines names on first use",
     test_streaming_writer_defines_names_on_first_use},
    {"writer refuses bad samples; abort keeps the old file",
     test_writer_refuses_bad_samples_and_abort_leaves_old_file},
    {"writer open failure names the path", test_writer_open_failure_names_path},
    {"a missing file is refused with its path", test_missing_file_names_path},
    {"every truncation point is refused", test_every_truncation_is_refused},
    {"every single bit flip is refused", test_every_bit_flip_is_refused},
    {"a hand-built file following the document loads", test_hand_built_file_loads},
    {"bad magic and version are refused", test_bad_magic_and_version},
    {"undefined class and capture indexes are refused", test_undefined_indexes_are_refused},
    {"out-of-order, duplicate and bad names are refused", test_bad_definitions_are_refused},
    {"unknown tags, trailing bytes, bad counts and samples are refused",
     test_garbage_records_are_refused},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/data/dataset", tests);
}
