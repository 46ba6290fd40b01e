/* Test helper for tests/tools/cli.sh: writes a small dataset of crafted but
 * honest protocol prefixes through the streaming writer. Every sample is
 * the real framing of its protocol's first message; only the variable
 * fields (ids, lengths, random bytes, names) vary, drawn from a seeded
 * generator. This is test data for the CLI plumbing, not training data.
 *
 * Usage: make_dataset OUTPUT [PER_CLASS [CAPTURES]]
 *   (default 40 samples per class, all in one capture "crafted-prefixes";
 *   with CAPTURES, flow i goes to capture "crafted-<i mod CAPTURES>") */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/dataset.h"
#include "core/util/rng.h"

/* The bytes of the one record being made: each is written before the next
 * is started. */
static uint8_t window[PRONET_PAYLOAD_BYTES];
#define PRONET_UNIT_BYTES(record) window

static struct pronet_packet_record start_input(uint8_t l4_protocol, uint8_t direction)
{
	struct pronet_packet_record input;

	memset(&input, 0, sizeof(input));
	memset(window, 0, sizeof(window));
	input.bytes = window;
	input.l4_protocol = l4_protocol;
	input.direction = direction;
	return input;
}

static void set_text(struct pronet_packet_record *input, const char *text, uint16_t payload_length)
{
	size_t length = strlen(text);

	if (length > PRONET_PAYLOAD_BYTES)
		length = PRONET_PAYLOAD_BYTES;
	memcpy(PRONET_UNIT_BYTES(*input), text, length);
	input->length = (uint8_t)length;
	input->payload_length = payload_length;
}

/* DNS over UDP: a query (id, flags 0x0100 RD, qdcount 1, an/ns/ar 0, then
 * the first label of the name) from the client. */
static struct pronet_packet_record dns_query(struct pronet_rng *rng)
{
	static const char *const labels[] = {"www", "mail", "api", "cdn", "ntp", "login"};
	const char *label = labels[pronet_rng_below(rng, 6)];
	struct pronet_packet_record input = start_input(17, 0);
	uint16_t id = (uint16_t)pronet_rng_below(rng, 65536);
	const uint8_t header[12] = {
	    (uint8_t)(id >> 8), (uint8_t)id, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0};
	size_t label_length = strlen(label);

	memcpy(PRONET_UNIT_BYTES(input), header, 12);
	PRONET_UNIT_BYTES(input)[12] = (uint8_t)label_length;
	memcpy(PRONET_UNIT_BYTES(input) + 13, label, 3); /* bytes 13..15: the label's start */
	input.length = 16;
	input.payload_length = (uint16_t)(12 + 1 + label_length + 12 + 5);
	return input;
}

/* HTTP over TCP: a request line from the client. */
static struct pronet_packet_record http_request(struct pronet_rng *rng)
{
	static const char *const lines[] = {"GET / HTTP/1.1\r\n",
	                                    "GET /index.html HTTP/1.1\r\n",
	                                    "POST /api/v1/login HTTP/1.1\r\n",
	                                    "HEAD / HTTP/1.0\r\n",
	                                    "GET /favicon.ico HTTP/1.1\r\n",
	                                    "GET /img/logo.png HTTP/1.1\r\n"};
	struct pronet_packet_record input = start_input(6, 0);

	set_text(&input, lines[pronet_rng_below(rng, 6)],
	         (uint16_t)(80 + pronet_rng_below(rng, 400)));
	return input;
}

/* TLS over TCP: record header (handshake 0x16, version 3.1 or 3.3, length)
 * and ClientHello header (type 1, 24-bit length, client version 3.3), then
 * the first bytes of the client random. */
static struct pronet_packet_record tls_client_hello(struct pronet_rng *rng)
{
	struct pronet_packet_record input = start_input(6, 0);
	uint16_t hello_length = (uint16_t)(180 + pronet_rng_below(rng, 330));
	uint16_t record_length = (uint16_t)(hello_length + 4);

	PRONET_UNIT_BYTES(input)[0] = 0x16;
	PRONET_UNIT_BYTES(input)[1] = 0x03;
	PRONET_UNIT_BYTES(input)[2] = pronet_rng_below(rng, 2) ? 0x01 : 0x03;
	PRONET_UNIT_BYTES(input)[3] = (uint8_t)(record_length >> 8);
	PRONET_UNIT_BYTES(input)[4] = (uint8_t)record_length;
	PRONET_UNIT_BYTES(input)[5] = 0x01;
	PRONET_UNIT_BYTES(input)[6] = 0x00;
	PRONET_UNIT_BYTES(input)[7] = (uint8_t)(hello_length >> 8);
	PRONET_UNIT_BYTES(input)[8] = (uint8_t)hello_length;
	PRONET_UNIT_BYTES(input)[9] = 0x03;
	PRONET_UNIT_BYTES(input)[10] = 0x03;
	for (int i = 11; i < 16; i++)
		PRONET_UNIT_BYTES(input)[i] = (uint8_t)pronet_rng_below(rng, 256);
	input.length = 16;
	input.payload_length = (uint16_t)(record_length + 5);
	return input;
}

/* SSH over TCP: the identification banner, from either side. */
static struct pronet_packet_record ssh_banner(struct pronet_rng *rng)
{
	static const char *const banners[] = {"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n",
	                                      "SSH-2.0-dropbear_2020.81\r\n",
	                                      "SSH-2.0-PuTTY_Release_0.76\r\n",
	                                      "SSH-2.0-libssh_0.9.6\r\n",
	                                      "SSH-2.0-Go\r\n",
	                                      "SSH-2.0-OpenSSH_7.4\r\n"};
	const char *banner = banners[pronet_rng_below(rng, 6)];
	struct pronet_packet_record input = start_input(6, (uint8_t)pronet_rng_below(rng, 2));

	set_text(&input, banner, (uint16_t)strlen(banner));
	return input;
}

int main(int argc, char **argv)
{
	static struct pronet_packet_record (*const makers[])(struct pronet_rng *) = {
	    dns_query, http_request, tls_client_hello, ssh_banner};
	static const char *const classes[] = {"DNS", "HTTP", "TLS", "SSH"};
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_dataset_writer *writer;
	struct pronet_rng rng;
	long per_class = 40, captures = 0;
	char *end;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: make_dataset OUTPUT [PER_CLASS [CAPTURES]]\n");
		return 2;
	}
	if (argc >= 3 &&
	    ((per_class = strtol(argv[2], &end, 10)) < 1 || per_class > 100000 || *end != '\0')) {
		fprintf(stderr, "make_dataset: PER_CLASS must be 1..100000\n");
		return 2;
	}
	if (argc == 4 &&
	    ((captures = strtol(argv[3], &end, 10)) < 1 || captures > 1000 || *end != '\0')) {
		fprintf(stderr, "make_dataset: CAPTURES must be 1..1000\n");
		return 2;
	}
	pronet_rng_seed(&rng, 20240601);
	if (pronet_dataset_writer_open(argv[1], &writer, errbuf) != PRONET_OK) {
		fprintf(stderr, "make_dataset: %s\n", errbuf);
		return 1;
	}
	/* Interleaved, as a capture would give them. */
	for (long i = 0; i < per_class; i++) {
		for (size_t c = 0; c < 4; c++) {
			struct pronet_packet_record input = makers[c](&rng);
			char capture[32] = "crafted-prefixes";

			if (captures > 0)
				snprintf(capture, sizeof(capture), "crafted-%ld", i % captures);

			input.payload_index = input.direction;
			if (pronet_dataset_writer_write_named(
			        writer, &input, classes[c], capture,
			        (uint64_t)(i * 4 + (long)c), errbuf) != PRONET_OK) {
				fprintf(stderr, "make_dataset: %s\n", errbuf);
				pronet_dataset_writer_abort(writer);
				return 1;
			}
		}
	}
	if (pronet_dataset_writer_close(writer, errbuf) != PRONET_OK) {
		fprintf(stderr, "make_dataset: %s\n", errbuf);
		return 1;
	}
	return 0;
}
