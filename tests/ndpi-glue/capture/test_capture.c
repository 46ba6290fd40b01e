/* Tests of ndpi-glue/capture/capture.c: pcap (micro- and nanosecond) and pcapng files
 * written byte by byte into a temporary directory and read back; damaged and
 * missing files give errors that name the file; live-capture arguments are
 * checked. */
#include "ndpi-glue/capture/capture.h"
#include "tests/ndpi-glue/capture/test_decode.h"
#include "tests/unit.h"

#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

/* Ethernet II, IPv4, TCP 12345 -> 80 "GET /" (59 bytes) */
static const uint8_t frame[] = {ETHERNET_ADDRESSES, 0x08, 0x00, IPV4_TCP_GET};

#define TIMESTAMP_SECONDS 1600000000u
#define TIMESTAMP_MICROSECONDS 123456u

struct writer {
	uint8_t bytes[1024];
	size_t length;
};

static void put_u16(struct writer *w, uint16_t value)
{
	w->bytes[w->length++] = (uint8_t)value;
	w->bytes[w->length++] = (uint8_t)(value >> 8);
}

static void put_u32(struct writer *w, uint32_t value)
{
	put_u16(w, (uint16_t)value);
	put_u16(w, (uint16_t)(value >> 16));
}

static void put_bytes(struct writer *w, const uint8_t *bytes, size_t length)
{
	memcpy(w->bytes + w->length, bytes, length);
	w->length += length;
}

/* A little-endian pcap file, link type Ethernet: the global header, then
 * `count` records of `frame` at seconds first_second + i (the field is
 * signed: 0x80000000 and up are before 1970), the second one captured with
 * snaplen 40. */
static void write_pcap(struct writer *w, uint32_t magic, uint32_t first_second, uint32_t fraction,
                       int count)
{
	w->length = 0;
	put_u32(w, magic); /* 0xa1b2c3d4 microseconds, 0xa1b23c4d nanoseconds */
	put_u16(w, 2);     /* version 2.4 */
	put_u16(w, 4);
	put_u32(w, 0);     /* thiszone */
	put_u32(w, 0);     /* sigfigs */
	put_u32(w, 65535); /* snaplen */
	put_u32(w, 1);     /* LINKTYPE_ETHERNET */
	for (int i = 0; i < count; i++) {
		uint32_t caplen = i == 1 ? 40 : sizeof(frame);
		put_u32(w, first_second + (uint32_t)i);
		put_u32(w, fraction);
		put_u32(w, caplen);
		put_u32(w, sizeof(frame));
		put_bytes(w, frame, caplen);
	}
}

/* A little-endian pcapng file: section header, one Ethernet interface
 * (default microsecond resolution), one enhanced packet block of `frame` at
 * `timestamp` microseconds. */
static void write_pcapng(struct writer *w, uint64_t timestamp)
{
	uint32_t padded = (sizeof(frame) + 3) & ~3u;
	static const uint8_t zeros[4] = {0};

	w->length = 0;
	put_u32(w, 0x0a0d0d0a); /* section header block */
	put_u32(w, 28);
	put_u32(w, 0x1a2b3c4d); /* byte-order magic */
	put_u16(w, 1);          /* version 1.0 */
	put_u16(w, 0);
	put_u32(w, 0xffffffff); /* section length: unknown */
	put_u32(w, 0xffffffff);
	put_u32(w, 28);
	put_u32(w, 1); /* interface description block */
	put_u32(w, 20);
	put_u16(w, 1); /* LINKTYPE_ETHERNET */
	put_u16(w, 0);
	put_u32(w, 65535); /* snaplen */
	put_u32(w, 20);
	put_u32(w, 6); /* enhanced packet block */
	put_u32(w, 32 + padded);
	put_u32(w, 0); /* interface 0 */
	put_u32(w, (uint32_t)(timestamp >> 32));
	put_u32(w, (uint32_t)timestamp);
	put_u32(w, sizeof(frame));
	put_u32(w, sizeof(frame));
	put_bytes(w, frame, sizeof(frame));
	put_bytes(w, zeros, padded - sizeof(frame));
	put_u32(w, 32 + padded);
}

static void save(const char *path, const struct writer *w, size_t length)
{
	FILE *file = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL(fwrite(w->bytes, 1, length, file), length);
	CU_ASSERT_EQUAL(fclose(file), 0);
}

static void temp_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/pronet-test-capture-%ld-%s", pronet_unit_tmpdir(), (long)getpid(),
	         name);
}

/* Reads one packet and checks it is `frame` cut to caplen at second i. */
static void expect_packet(struct pronet_capture *capture, uint32_t caplen, uint32_t second)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_raw_packet raw;
	enum pronet_capture_status status;

	CU_ASSERT_EQUAL_FATAL(pronet_capture_next(capture, &raw, &status, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(status, PRONET_CAPTURE_PACKET);
	CU_ASSERT_EQUAL(raw.caplen, caplen);
	CU_ASSERT_EQUAL(raw.wire_length, sizeof(frame));
	CU_ASSERT_EQUAL(raw.timestamp_us, (uint64_t)second * 1000000u + TIMESTAMP_MICROSECONDS);
	CU_ASSERT_EQUAL(memcmp(raw.data, frame, caplen), 0);
}

static void expect_end(struct pronet_capture *capture)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_raw_packet raw;
	enum pronet_capture_status status = PRONET_CAPTURE_PACKET;

	CU_ASSERT_EQUAL(pronet_capture_next(capture, &raw, &status, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(status, PRONET_CAPTURE_END);
	CU_ASSERT_PTR_NULL(raw.data);
}

static void read_back(const char *path)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_capture *capture = NULL;

	CU_ASSERT_EQUAL_FATAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_capture_datalink(capture), 1);
	expect_packet(capture, sizeof(frame), TIMESTAMP_SECONDS);
	expect_packet(capture, 40, TIMESTAMP_SECONDS + 1);
	expect_end(capture);
	CU_ASSERT_EQUAL(pronet_capture_packets_read(capture), 2);
	pronet_capture_close(capture);
}

static void test_pcap_micro_and_nano(void)
{
	struct writer w;
	char path[512];

	temp_path(path, sizeof(path), "micro.pcap");
	write_pcap(&w, 0xa1b2c3d4, TIMESTAMP_SECONDS, TIMESTAMP_MICROSECONDS, 2);
	save(path, &w, w.length);
	read_back(path);
	CU_ASSERT_EQUAL(unlink(path), 0);

	temp_path(path, sizeof(path), "nano.pcap");
	write_pcap(&w, 0xa1b23c4d, TIMESTAMP_SECONDS, TIMESTAMP_MICROSECONDS * 1000u + 999u, 2);
	save(path, &w, w.length);
	read_back(path);
	CU_ASSERT_EQUAL(unlink(path), 0);
}

static void test_pcapng(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_capture *capture = NULL;
	struct writer w;
	char path[512];

	temp_path(path, sizeof(path), "one.pcapng");
	write_pcapng(&w, (uint64_t)TIMESTAMP_SECONDS * 1000000u + TIMESTAMP_MICROSECONDS);
	save(path, &w, w.length);
	CU_ASSERT_EQUAL_FATAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_capture_datalink(capture), 1);
	expect_packet(capture, sizeof(frame), TIMESTAMP_SECONDS);
	expect_end(capture);
	pronet_capture_close(capture);
	CU_ASSERT_EQUAL(unlink(path), 0);
}

/* Opens `path`, reads one packet and checks its time and clamp flag. */
static void expect_time(struct pronet_capture *capture, uint64_t timestamp_us, int clamped)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_raw_packet raw;
	enum pronet_capture_status status;
	CU_ASSERT_EQUAL_FATAL(pronet_capture_next(capture, &raw, &status, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(status, PRONET_CAPTURE_PACKET);
	CU_ASSERT_EQUAL(raw.timestamp_us, timestamp_us);
	CU_ASSERT_EQUAL(raw.timestamp_clamped, clamped);
}

/* A pcap record at second -1 (0xffffffff: the field is signed) is taken
 * as time 0 and flagged, not as 2^64 - 1e6 + us; the next, at second 0, is
 * exact. A pcapng time past PRONET_CAPTURE_MAX_TIME_US (2^64 - 1 us) is
 * taken as the maximum and flagged, not wrapped. */
static void test_out_of_range_times_are_clamped(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_capture *capture = NULL;
	struct writer w;
	char path[512];

	temp_path(path, sizeof(path), "before-1970.pcap");
	write_pcap(&w, 0xa1b2c3d4, 0xffffffffu, TIMESTAMP_MICROSECONDS, 2);
	save(path, &w, w.length);
	CU_ASSERT_EQUAL_FATAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_OK);
	expect_time(capture, 0, 1);
	expect_time(capture, TIMESTAMP_MICROSECONDS, 0);
	pronet_capture_close(capture);
	CU_ASSERT_EQUAL(unlink(path), 0);

	temp_path(path, sizeof(path), "far-future.pcapng");
	write_pcapng(&w, UINT64_MAX);
	save(path, &w, w.length);
	CU_ASSERT_EQUAL_FATAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_OK);
	expect_time(capture, PRONET_CAPTURE_MAX_TIME_US, 1);
	pronet_capture_close(capture);
	CU_ASSERT_EQUAL(unlink(path), 0);
}

static void test_truncated_file_reports_after_good_packets(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_capture *capture = NULL;
	struct pronet_raw_packet raw;
	enum pronet_capture_status status;
	struct writer w;
	char path[512];

	temp_path(path, sizeof(path), "cut.pcap");
	write_pcap(&w, 0xa1b2c3d4, TIMESTAMP_SECONDS, TIMESTAMP_MICROSECONDS, 3);
	/* Cut the third record in the middle of its packet bytes. */
	save(path, &w, w.length - 20);
	CU_ASSERT_EQUAL_FATAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_OK);
	expect_packet(capture, sizeof(frame), TIMESTAMP_SECONDS);
	expect_packet(capture, 40, TIMESTAMP_SECONDS + 1);
	CU_ASSERT_EQUAL(pronet_capture_next(capture, &raw, &status, errbuf), PRONET_ERR_CAPTURE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "after 2 packets"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "truncated"));
	pronet_capture_close(capture);

	/* Cut inside the global header: the open itself fails. */
	save(path, &w, 10);
	capture = (struct pronet_capture *)&w; /* must be reset to NULL */
	CU_ASSERT_EQUAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_ERR_CAPTURE);
	CU_ASSERT_PTR_NULL(capture);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	CU_ASSERT_EQUAL(unlink(path), 0);
}

static void test_missing_and_garbage_files(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_capture *capture = NULL;
	struct writer w;
	char path[512];

	temp_path(path, sizeof(path), "does-not-exist.pcap");
	CU_ASSERT_EQUAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_ERR_CAPTURE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));

	temp_path(path, sizeof(path), "garbage.pcap");
	memset(w.bytes, 'x', 64);
	w.length = 64;
	save(path, &w, w.length);
	CU_ASSERT_EQUAL(pronet_capture_open_file(path, &capture, errbuf), PRONET_ERR_CAPTURE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	CU_ASSERT_EQUAL(unlink(path), 0);

	CU_ASSERT_EQUAL(pronet_capture_open_file("", &capture, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_capture_open_file(NULL, &capture, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_capture_open_file(path, NULL, errbuf), PRONET_ERR_ARG);
	pronet_capture_close(NULL);
	CU_ASSERT_EQUAL(pronet_capture_datalink(NULL), -1);
}

static void test_live_arguments(void)
{
	char errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_capture *capture = NULL;

	CU_ASSERT_EQUAL(pronet_capture_open_live("", 65535, 0, 100, &capture, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(pronet_capture_open_live("lo", 0, 0, 100, &capture, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "lo"));
	CU_ASSERT_EQUAL(pronet_capture_open_live("lo", 65535, 0, -1, &capture, errbuf),
	                PRONET_ERR_ARG);
	CU_ASSERT_EQUAL(
	    pronet_capture_open_live("pronet-no-such-if0", 65535, 0, 100, &capture, errbuf),
	    PRONET_ERR_CAPTURE);
	CU_ASSERT_PTR_NULL(capture);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "pronet-no-such-if0"));
}

static CU_TestInfo tests[] = {
    {"pcap files, micro- and nanosecond", test_pcap_micro_and_nano},
    {"pcapng file", test_pcapng},
    {"times before 1970 or past the range are clamped and flagged",
     test_out_of_range_times_are_clamped},
    {"truncated file: packets, then an error naming it",
     test_truncated_file_reports_after_good_packets},
    {"missing and garbage files", test_missing_and_garbage_files},
    {"live capture arguments", test_live_arguments},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("ndpi-glue/capture", tests);
}
