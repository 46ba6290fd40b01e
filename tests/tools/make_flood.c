/* Writes a flow flood: a pcap (Ethernet, microsecond timestamps) in which
 * every packet starts a new flow. Half the flows are UDP with a small opaque
 * payload, half TCP SYNs; the 5-tuples differ in source address and port, so
 * no two packets share a flow. Used by flood.sh to check that the flow table
 * stays within its cap under more flows than it holds.
 *
 * Usage: make_flood OUT.pcap [FLOWS]   (default 1000000 flows, ~66 MB)
 * The file is written whole or not at all (core/atomic_file: a temporary
 * file beside it, then rename; a failure names OUT.pcap and its reason). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/atomic_file.h"
#include "tests/packet_bytes.h"

#define ETHERNET_LENGTH 14
#define IPV4_LENGTH PACKET_IPV4_LENGTH
#define UDP_LENGTH 8
#define TCP_LENGTH 20
#define UDP_PAYLOAD_LENGTH 8

/* pcap's headers are in the writer's byte order; write little-endian. */
static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Frame of flow `i` into frame[]; returns its length. */
static size_t build_frame(uint8_t *frame, uint32_t i)
{
	int udp = (i & 1) == 0;
	size_t l4 = udp ? UDP_LENGTH + UDP_PAYLOAD_LENGTH : TCP_LENGTH;
	uint8_t *ip = frame + ETHERNET_LENGTH, *transport = ip + IPV4_LENGTH;

	memset(frame, 0, ETHERNET_LENGTH + IPV4_LENGTH + l4);
	frame[0] = 0x02; /* locally administered MACs */
	frame[6] = 0x02;
	frame[11] = 1;
	packet_put16(frame + 12, 0x0800);
	/* Source 10.a.b.c from the flow number, destination 192.0.2.1
	 * (TEST-NET-1); ports vary too, so that hashing sees spread. */
	packet_put_ipv4(ip, udp ? 17 : 6, IPV4_LENGTH + l4, 0x0a000000u | ((i >> 4) & 0xffffffu),
	                0xc0000201u);
	packet_put16(ip + 10, packet_ipv4_checksum(ip));
	packet_put16(transport, (uint16_t)(1024 + (i & 0xf) * 3000 + (i >> 28)));
	packet_put16(transport + 2, udp ? 40000 : 8080);
	if (udp) {
		packet_put16(transport + 4, (uint16_t)l4);
		/* an opaque payload no nDPI dissector names */
		static const uint8_t payload[UDP_PAYLOAD_LENGTH] = {0xa5, 0x5a, 0x13, 0x37,
		                                                    0xc0, 0xde, 0x42, 0x99};
		memcpy(transport + UDP_LENGTH, payload, sizeof(payload));
	} else {
		packet_put32(transport + 4, i);
		transport[12] = 5 << 4;
		transport[13] = 0x02; /* SYN */
		packet_put16(transport + 14, 65535);
	}
	return ETHERNET_LENGTH + IPV4_LENGTH + l4;
}

/* Writes the pcap header and one frame per flow; 0, or the errno of the
 * first write that failed (taken at once, before anything can change it). */
static int write_flood(FILE *out, unsigned long flows)
{
	uint8_t header[24] = {0}, record[16], frame[128];

	put32le(header, 0xa1b2c3d4u); /* microsecond pcap */
	header[4] = 2;                /* version 2.4 */
	header[6] = 4;
	put32le(header + 16, 65535); /* snaplen */
	put32le(header + 20, 1);     /* DLT_EN10MB */
	if (fwrite(header, 1, sizeof(header), out) != sizeof(header))
		return errno != 0 ? errno : EIO;
	for (unsigned long i = 0; i < flows; i++) {
		size_t length = build_frame(frame, (uint32_t)i);
		uint64_t us = 1700000000000000ull + i; /* one flow per microsecond */
		put32le(record, (uint32_t)(us / 1000000));
		put32le(record + 4, (uint32_t)(us % 1000000));
		put32le(record + 8, (uint32_t)length);
		put32le(record + 12, (uint32_t)length);
		if (fwrite(record, 1, sizeof(record), out) != sizeof(record) ||
		    fwrite(frame, 1, length, out) != length)
			return errno != 0 ? errno : EIO;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	unsigned long flows = 1000000;
	struct pronet_atomic_file *file;
	int write_errno;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: make_flood OUT.pcap [FLOWS]\n");
		return 2;
	}
	if (argc == 3) {
		char *end;
		errno = 0;
		flows = strtoul(argv[2], &end, 10);
		if (errno != 0 || *end != '\0' || flows == 0 || flows > (1ul << 30)) {
			fprintf(stderr, "make_flood: FLOWS must be 1..%lu, not %s\n", 1ul << 30,
			        argv[2]);
			return 2;
		}
	}
	if (pronet_atomic_file_open(argv[1], PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf) !=
	    PRONET_OK) {
		fprintf(stderr, "make_flood: %s\n", errbuf);
		return 1;
	}
	errno = 0;
	write_errno = write_flood(pronet_atomic_file_stream(file), flows);
	if (write_errno != 0) {
		fprintf(stderr, "make_flood: %s: cannot write: %s\n", argv[1],
		        strerror(write_errno));
		pronet_atomic_file_abort(file);
		return 1;
	}
	if (pronet_atomic_file_commit(file, errbuf) != PRONET_OK) {
		fprintf(stderr, "make_flood: %s\n", errbuf);
		return 1;
	}
	printf("make_flood: %lu flows in %s\n", flows, argv[1]);
	return 0;
}
