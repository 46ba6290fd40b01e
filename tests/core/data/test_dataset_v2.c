/* Tests of dataset format version 2 (core/data/dataset_v2.c and the v2
 * writer in core/data/dataset_writer.c; docs/dataset-format.md): records
 * round-trip field for field, the spec is the header's, every truncation
 * and every bit flip of a v2 file is refused naming the file, and the writer
 * refuses what the loader would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/data/dataset.h"
#include "tests/unit.h"

/* A TLS ClientHello's first 40 bytes (record header, handshake header,
 * version, random). */
static const uint8_t tls_hello[40] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03,
                                      0x03, 0x5f, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81,
                                      0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x09, 0x1a, 0x2b,
                                      0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5};
/* A DNS query's header and the start of its name. */
static const uint8_t dns_query[16] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
                                      0x00, 0x00, 0x00, 0x00, 0x03, 'w',  'w',  'w'};

static void temp_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/pronet-test-v2-%ld-%s.ds", pronet_unit_tmpdir(), (long)getpid(),
	         name);
}

static void payload_spec(struct pronet_input_spec *spec)
{
	pronet_input_spec_default(spec);
	spec->window_bytes = 40;
	spec->flags = PRONET_SPEC_ALL_PACKETS;
	spec->packets_per_direction = 3;
}

/* A TCP flow: its SYN (no payload), a ClientHello cut to the window, the
 * server's 20-byte reply. */
static void tcp_flow(struct pronet_packet_record records[3])
{
	memset(records, 0, 3 * sizeof(*records));
	records[0] = (struct pronet_packet_record){.timestamp_us = 1000,
	                                           .packet_index = 0,
	                                           .tcp_seq = 77,
	                                           .payload_index = PRONET_PAYLOAD_INDEX_NONE,
	                                           .wire_length = 60,
	                                           .l4_protocol = 6,
	                                           .tcp_flags = 0x02};
	records[1] = (struct pronet_packet_record){.bytes = tls_hello,
	                                           .timestamp_us = 1500,
	                                           .packet_index = 2,
	                                           .tcp_seq = 78,
	                                           .payload_index = 0,
	                                           .wire_length = 569,
	                                           .payload_length = 517,
	                                           .length = 40,
	                                           .l4_protocol = 6,
	                                           .tcp_flags = 0x18};
	records[2] = (struct pronet_packet_record){.bytes = tls_hello + 3,
	                                           .timestamp_us = 1500,
	                                           .packet_index = 3,
	                                           .payload_index = 1,
	                                           .wire_length = 72,
	                                           .payload_length = 20,
	                                           .length = 20,
	                                           .direction = PRONET_DIR_SERVER_TO_CLIENT,
	                                           .l4_protocol = 6,
	                                           .tcp_flags = 0x18};
}

/* Writes the two-flow file; returns its bytes (caller frees). */
static uint8_t *written_bytes(size_t *size)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_input_spec spec;
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_packet_record tcp[3], dns = {.bytes = dns_query,
	                                           .timestamp_us = 5,
	                                           .wire_length = 61,
	                                           .payload_length = 33,
	                                           .length = 16,
	                                           .l4_protocol = 17};
	uint8_t *data = NULL;
	FILE *file;
	long length;

	payload_spec(&spec);
	tcp_flow(tcp);
	temp_path(path, sizeof(path), "two");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open_v2(path, &spec, &writer, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_writer_write_flow(writer, "TLS", "a.pcap", 7, tcp, 3, 0, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_dataset_writer_write_flow(writer, "DNS", "b.pcap", 9, &dns, 1, 1, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_count(writer), 4);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_close(writer, errbuf), PRONET_OK);
	file = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fseek(file, 0, SEEK_END);
	length = ftell(file);
	rewind(file);
	data = malloc((size_t)length);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(fread(data, 1, (size_t)length, file), (size_t)length);
	fclose(file);
	unlink(path);
	*size = (size_t)length;
	return data;
}

static void assert_same_record(const struct pronet_packet_record *a,
                               const struct pronet_packet_record *b)
{
	CU_ASSERT_EQUAL(a->length, b->length);
	CU_ASSERT(a->length == 0 || memcmp(a->bytes, b->bytes, a->length) == 0);
	CU_ASSERT_EQUAL(a->timestamp_us, b->timestamp_us);
	CU_ASSERT_EQUAL(a->packet_index, b->packet_index);
	CU_ASSERT_EQUAL(a->tcp_seq, b->tcp_seq);
	CU_ASSERT_EQUAL(a->payload_index, b->payload_index);
	CU_ASSERT_EQUAL(a->wire_length, b->wire_length);
	CU_ASSERT_EQUAL(a->payload_length, b->payload_length);
	CU_ASSERT_EQUAL(a->l4_offset, b->l4_offset);
	CU_ASSERT_EQUAL(a->payload_offset, b->payload_offset);
	CU_ASSERT_EQUAL(a->direction, b->direction);
	CU_ASSERT_EQUAL(a->l4_protocol, b->l4_protocol);
	CU_ASSERT_EQUAL(a->tcp_flags, b->tcp_flags);
	CU_ASSERT_EQUAL(a->layer, b->layer);
}

static void test_round_trip(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size;
	uint8_t *data = written_bytes(&size);
	struct pronet_dataset *loaded = NULL;
	struct pronet_packet_record tcp[3];

	tcp_flow(tcp);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load_buffer(data, size, "v2.ds", &loaded, errbuf),
	                      PRONET_OK);
	free(data); /* the records' bytes are the dataset's own */
	CU_ASSERT_EQUAL(loaded->spec.window_bytes, 40);
	CU_ASSERT_EQUAL(loaded->spec.layer, PRONET_LAYER_PAYLOAD);
	CU_ASSERT_EQUAL(loaded->spec.flags, PRONET_SPEC_ALL_PACKETS);
	CU_ASSERT_EQUAL(loaded->spec.packets_per_direction, 3);
	CU_ASSERT_EQUAL_FATAL(loaded->num_samples, 4);
	CU_ASSERT_EQUAL_FATAL(loaded->num_classes, 2);
	CU_ASSERT_STRING_EQUAL(loaded->class_names[0], "TLS");
	CU_ASSERT_STRING_EQUAL(loaded->capture_names[1], "b.pcap");
	for (size_t i = 0; i < 3; i++) {
		assert_same_record(&loaded->samples[i].input, &tcp[i]);
		CU_ASSERT_EQUAL(loaded->samples[i].label, 0);
		CU_ASSERT_EQUAL(loaded->samples[i].capture, 0);
		CU_ASSERT_EQUAL(loaded->samples[i].flow, 7);
	}
	CU_ASSERT_EQUAL(loaded->samples[3].input.l4_protocol, 17);
	CU_ASSERT_EQUAL(loaded->samples[3].label, 1);
	CU_ASSERT_EQUAL(loaded->samples[3].flow, 9);
	CU_ASSERT(memcmp(loaded->samples[3].input.bytes, dns_query, 16) == 0);
	pronet_dataset_free(loaded);
}

static void test_every_truncation_is_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size;
	uint8_t *data = written_bytes(&size);

	for (size_t cut = 0; cut < size; cut++) {
		struct pronet_dataset *loaded = NULL;

		CU_ASSERT_EQUAL(pronet_dataset_load_buffer(data, cut, "cut.ds", &loaded, errbuf),
		                PRONET_ERR_TRUNCATED);
		CU_ASSERT_PTR_NULL(loaded);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cut.ds: offset "));
	}
	free(data);
}

static void test_every_bit_flip_is_refused(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size, refused = 0, named = 0;
	uint8_t *data = written_bytes(&size);

	for (size_t i = 0; i < size; i++)
		for (int bit = 0; bit < 8; bit++) {
			struct pronet_dataset *loaded = NULL;

			data[i] ^= (uint8_t)(1u << bit);
			refused += pronet_dataset_load_buffer(data, size, "flip.ds", &loaded,
			                                      errbuf) != PRONET_OK;
			named += strstr(errbuf, "flip.ds") != NULL;
			pronet_dataset_free(loaded);
			data[i] ^= (uint8_t)(1u << bit);
		}
	CU_ASSERT_EQUAL(refused, size * 8);
	CU_ASSERT_EQUAL(named, size * 8);
	free(data);
}

/* The writer refuses what the loader would refuse, and v1 calls. */
static void test_writer_refuses_bad_records(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_input_spec spec;
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_packet_record tcp[3], record;
	struct pronet_sample sample;

	payload_spec(&spec);
	tcp_flow(tcp);
	temp_path(path, sizeof(path), "refuse");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open_v2(path, &spec, &writer, errbuf),
	                      PRONET_OK);
	record = tcp[1];
	record.length = 41; /* past the window of 40 */
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_flow(writer, "TLS", "a", 1, &record, 1, 0, errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "window"));
	record = tcp[2];
	record.timestamp_us = 10; /* before tcp[1]'s */
	tcp[2] = record;
	CU_ASSERT_EQUAL(pronet_dataset_writer_write_flow(writer, "TLS", "a", 1, tcp, 3, 0, errbuf),
	                PRONET_ERR_ARG);
	memset(&sample, 0, sizeof(sample));
	CU_ASSERT_EQUAL(pronet_dataset_writer_write(writer, &sample, errbuf), PRONET_ERR_ARG);
	pronet_dataset_writer_abort(writer);
	/* Payload-less records only with PRONET_SPEC_ALL_PACKETS. */
	spec.flags = 0;
	tcp_flow(tcp);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open_v2(path, &spec, &writer, errbuf),
	                      PRONET_OK);
	CU_ASSERT_EQUAL(pronet_dataset_writer_write_flow(writer, "TLS", "a", 1, tcp, 3, 0, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "without payload"));
	pronet_dataset_writer_abort(writer);
	spec.window_bytes = PRONET_RECORD_MAX_BYTES + 1;
	CU_ASSERT_EQUAL(pronet_dataset_writer_open_v2(path, &spec, &writer, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
}

/* Layer l3: the addresses must be zero, and the loader checks them. */
static void test_l3_addresses_are_checked(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_input_spec spec = {.window_bytes = 28, .layer = PRONET_LAYER_L3};
	struct pronet_dataset_writer *writer = NULL;
	struct pronet_dataset *loaded = NULL;
	/* An IPv4 header (20 bytes; checksum and addresses zeroed) and a UDP
	 * header (8 bytes, checksum zeroed) of a 40-byte DNS packet. */
	uint8_t ip[28] = {0x45, 0, 0, 40, 0x12, 0x34, 0, 0,  64,   17,   0, 0,  0, 0,
	                  0,    0, 0, 0,  0,    0,    0, 53, 0xd4, 0x31, 0, 20, 0, 0};
	struct pronet_packet_record record = {.bytes = ip,
	                                      .wire_length = 40,
	                                      .payload_length = 12,
	                                      .l4_offset = 20,
	                                      .payload_offset = 28,
	                                      .length = 28,
	                                      .l4_protocol = 17,
	                                      .layer = PRONET_LAYER_L3};

	temp_path(path, sizeof(path), "l3");
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_open_v2(path, &spec, &writer, errbuf),
	                      PRONET_OK);
	ip[13] = 10; /* a source address byte */
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_flow(writer, "DNS", "a", 1, &record, 1, 0, errbuf),
	    PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not zeroed"));
	ip[13] = 0;
	CU_ASSERT_EQUAL(
	    pronet_dataset_writer_write_flow(writer, "DNS", "a", 1, &record, 1, 0, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_writer_close(writer, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_dataset_load(path, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(loaded->spec.layer, PRONET_LAYER_L3);
	CU_ASSERT_EQUAL_FATAL(loaded->num_samples, 1);
	CU_ASSERT_EQUAL(loaded->samples[0].input.l4_offset, 20);
	CU_ASSERT(memcmp(loaded->samples[0].input.bytes, ip, 28) == 0);
	pronet_dataset_free(loaded);
	unlink(path);
}

static CU_TestInfo tests[] = {
    {"v2: written flows load back field for field", test_round_trip},
    {"v2: every truncation point is refused, naming the file", test_every_truncation_is_refused},
    {"v2: every single bit flip is refused, naming the file", test_every_bit_flip_is_refused},
    {"v2: the writer refuses bad records and v1 calls", test_writer_refuses_bad_records},
    {"v2: l3 records' addresses must be zero", test_l3_addresses_are_checked},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("dataset_v2", tests);
}
