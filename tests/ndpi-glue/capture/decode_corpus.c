/* Decodes every packet of the capture files named on the command line and
 * prints, per link type and over all files, how many packets each skip
 * reason took. Used by decode_corpus.sh over nDPI's captures; exits 1 if a
 * file cannot be opened or the decoder returns an error. A damaged file
 * (libpcap error mid-file) is counted, not fatal: the corpus has some. */
#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"

#include <pcap/pcap.h>
#include <stdio.h>

#define MAX_DATALINKS 16

struct datalink_count {
	int dlt;
	unsigned long files;
	unsigned long long packets[PRONET_SKIP_COUNT_];
};

static struct datalink_count counts[MAX_DATALINKS];
static int datalink_total;
static unsigned long damaged_files;
static unsigned long long flagged_snapped, flagged_first_fragment, flagged_tunneled,
    flagged_udp_length;

static struct datalink_count *count_for(int dlt)
{
	for (int i = 0; i < datalink_total; i++)
		if (counts[i].dlt == dlt)
			return &counts[i];
	if (datalink_total == MAX_DATALINKS)
		return NULL;
	counts[datalink_total].dlt = dlt;
	return &counts[datalink_total++];
}

static int decode_file(const char *path, unsigned int options)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture *capture;
	struct pronet_raw_packet raw;
	struct pronet_packet packet;
	enum pronet_capture_status status;
	enum pronet_packet_skip skip;

	if (pronet_capture_open_file(path, &capture, errbuf) != PRONET_OK) {
		fprintf(stderr, "%s\n", errbuf);
		return 1;
	}
	int dlt = pronet_capture_datalink(capture);
	struct datalink_count *count = count_for(dlt);
	if (count == NULL) {
		pronet_capture_close(capture);
		return 1;
	}
	count->files++;
	for (;;) {
		if (pronet_capture_next(capture, &raw, &status, errbuf) != PRONET_OK) {
			fprintf(stderr, "damaged: %s\n", errbuf);
			damaged_files++;
			break;
		}
		if (status != PRONET_CAPTURE_PACKET)
			break;
		if (pronet_decode_packet_with(options, dlt, raw.data, raw.caplen, raw.wire_length,
		                              raw.timestamp_us, &packet, &skip) != PRONET_OK) {
			fprintf(stderr, "%s: decoder error\n", path);
			pronet_capture_close(capture);
			return 1;
		}
		count->packets[skip]++;
		flagged_snapped += (packet.flags & PRONET_PACKET_F_SNAPPED) != 0;
		flagged_first_fragment += (packet.flags & PRONET_PACKET_F_FIRST_FRAGMENT) != 0;
		flagged_tunneled += (packet.flags & PRONET_PACKET_F_TUNNELED) != 0;
		flagged_udp_length += (packet.flags & PRONET_PACKET_F_UDP_LENGTH_MISMATCH) != 0;
	}
	pronet_capture_close(capture);
	return 0;
}

static void print_counts(void)
{
	unsigned long long total[PRONET_SKIP_COUNT_] = {0};

	printf("%-16s %5s", "linktype", "files");
	for (int skip = 0; skip < PRONET_SKIP_COUNT_; skip++)
		printf(" %14s", pronet_packet_skip_name((enum pronet_packet_skip)skip));
	printf("\n");
	for (int i = 0; i < datalink_total; i++) {
		const char *name = pcap_datalink_val_to_name(counts[i].dlt);
		printf("%-16s %5lu", name ? name : "?", counts[i].files);
		for (int skip = 0; skip < PRONET_SKIP_COUNT_; skip++) {
			printf(" %14llu", counts[i].packets[skip]);
			total[skip] += counts[i].packets[skip];
		}
		printf("\n");
	}
	printf("%-16s %5s", "total", "");
	for (int skip = 0; skip < PRONET_SKIP_COUNT_; skip++)
		printf(" %14llu", total[skip]);
	printf("\nflags: snapped %llu, first-fragment %llu, tunneled %llu, udp-length-mismatch "
	       "%llu; damaged files %lu\n",
	       flagged_snapped, flagged_first_fragment, flagged_tunneled, flagged_udp_length,
	       damaged_files);
}

int main(int argc, char **argv)
{
	unsigned int options = 0;
	int first = 1, failed = 0;

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == 't') {
		options |= PRONET_DECODE_TUNNELS;
		first = 2;
	}
	for (int i = first; i < argc; i++)
		failed |= decode_file(argv[i], options);
	print_counts();
	return failed;
}
