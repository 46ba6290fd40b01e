/* Capture files and live interfaces through libpcap. Files are opened with
 * microsecond timestamps whatever their stored precision (pcapng and
 * nanosecond pcap included), so the rest of pronet sees one unit. */
#include "ndpi-glue/capture/capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A file's read buffer: libpcap reads a record's header and its bytes
 * through stdio, whose own buffer is the file system's block (4 KiB), one
 * read(2) per ten packets or so. 1 MiB makes the reader's system calls a
 * few hundred times fewer (classify --threads N: its one reader thread). */
#define FILE_BUFFER_BYTES (1u << 20)

struct pronet_capture {
	pcap_t *pcap;
	char *name; /* file path or interface, whole, for messages */
	uint64_t packets_read;
	char *file_buffer; /* the FILE's buffer, freed after pcap_close; NULL: stdio's */
};

/* Wraps an opened pcap handle; on failure closes it. */
static enum pronet_err capture_new(pcap_t *pcap, const char *name, struct pronet_capture **capture,
                                   char *errbuf)
{
	*capture = calloc(1, sizeof(**capture));
	if (*capture != NULL && ((*capture)->name = strdup(name)) == NULL) {
		free(*capture);
		*capture = NULL;
	}
	if (*capture == NULL) {
		pcap_close(pcap);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", name);
	}
	(*capture)->pcap = pcap;
	return PRONET_OK;
}

enum pronet_err pronet_capture_open_file(const char *path, struct pronet_capture **capture,
                                         char *errbuf)
{
	char pcap_errbuf[PCAP_ERRBUF_SIZE] = "";

	if (capture == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "capture: no place for the result");
	*capture = NULL;
	if (path == NULL || path[0] == '\0')
		return pronet_error(errbuf, PRONET_ERR_ARG, "capture: no file name");

	pcap_t *pcap = NULL;
	char *buffer = NULL;
	if (strcmp(path, "-") == 0) { /* standard input, as libpcap reads "-" */
		pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
		                                               pcap_errbuf);
	} else {
		/* Opened here, as libpcap opens it and with its message, to give
		 * the FILE a larger buffer. */
		FILE *file = fopen(path, "rb");
		buffer = file != NULL ? malloc(FILE_BUFFER_BYTES) : NULL;
		char reason[128];
		if (file == NULL)
			snprintf(pcap_errbuf, sizeof(pcap_errbuf), "%s: %s", path,
			         pronet_strerror_errno(errno, reason, sizeof(reason)));
		else if (buffer != NULL && setvbuf(file, buffer, _IOFBF, FILE_BUFFER_BYTES) != 0) {
			free(buffer); /* stdio's own buffer, then */
			buffer = NULL;
		}
		if (file != NULL)
			pcap = pcap_fopen_offline_with_tstamp_precision(
			    file, PCAP_TSTAMP_PRECISION_MICRO, pcap_errbuf);
		if (file != NULL && pcap == NULL)
			fclose(file); /* libpcap leaves a FILE it refused open */
	}
	if (pcap == NULL) {
		free(buffer);
		/* libpcap's message usually names the file already; say it once. */
		if (strstr(pcap_errbuf, path) != NULL)
			return pronet_error(errbuf, PRONET_ERR_CAPTURE, "%s", pcap_errbuf);
		return pronet_error(errbuf, PRONET_ERR_CAPTURE, "%s: %s", path, pcap_errbuf);
	}
	enum pronet_err err = capture_new(pcap, path, capture, errbuf);
	if (err != PRONET_OK)
		free(buffer); /* capture_new closed the pcap, and its FILE */
	else
		(*capture)->file_buffer = buffer;
	return err;
}

static enum pronet_err live_error(pcap_t *pcap, const char *interface, const char *what, int code,
                                  char *errbuf)
{
	enum pronet_err err =
	    pronet_error(errbuf, PRONET_ERR_CAPTURE, "%s: %s: %s", interface, what,
	                 code == PCAP_ERROR ? pcap_geterr(pcap) : pcap_statustostr(code));
	pcap_close(pcap);
	return err;
}

enum pronet_err pronet_capture_open_live(const char *interface, int snaplen, int promisc,
                                         int timeout_ms, struct pronet_capture **capture,
                                         char *errbuf)
{
	char pcap_errbuf[PCAP_ERRBUF_SIZE] = "";

	if (capture == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "capture: no place for the result");
	*capture = NULL;
	if (interface == NULL || interface[0] == '\0')
		return pronet_error(errbuf, PRONET_ERR_ARG, "capture: no interface name");
	if (snaplen <= 0 || timeout_ms < 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: snaplen must be > 0 and timeout >= 0 (got %d, %d)",
		                    interface, snaplen, timeout_ms);

	pcap_t *pcap = pcap_create(interface, pcap_errbuf);
	if (pcap == NULL)
		return pronet_error(errbuf, PRONET_ERR_CAPTURE, "%s: %s", interface, pcap_errbuf);
	int code = pcap_set_snaplen(pcap, snaplen);
	if (code == 0)
		code = pcap_set_promisc(pcap, promisc != 0);
	if (code == 0)
		code = pcap_set_timeout(pcap, timeout_ms);
	if (code != 0)
		return live_error(pcap, interface, "cannot configure", code, errbuf);
	code = pcap_activate(pcap);
	if (code < 0)
		return live_error(pcap, interface, "cannot capture", code, errbuf);
	return capture_new(pcap, interface, capture, errbuf);
}

/* libpcap's time as microseconds in 0..PRONET_CAPTURE_MAX_TIME_US; sets
 * *clamped when it was outside. Never overflows, whatever the file said. */
static uint64_t time_us(const struct timeval *ts, uint8_t *clamped)
{
	*clamped = 0;
	if (ts->tv_sec < 0 || ts->tv_usec < 0) {
		*clamped = 1;
		return 0;
	}
	uint64_t seconds = (uint64_t)ts->tv_sec, micro = (uint64_t)ts->tv_usec;
	if (micro > PRONET_CAPTURE_MAX_TIME_US ||
	    seconds > (PRONET_CAPTURE_MAX_TIME_US - micro) / 1000000u) {
		*clamped = 1;
		return PRONET_CAPTURE_MAX_TIME_US;
	}
	return seconds * 1000000u + micro;
}

enum pronet_err pronet_capture_next(struct pronet_capture *capture, struct pronet_raw_packet *out,
                                    enum pronet_capture_status *status, char *errbuf)
{
	struct pcap_pkthdr *header;
	const u_char *data;

	if (capture == NULL || out == NULL || status == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "capture: NULL argument");
	memset(out, 0, sizeof(*out));
	*status = PRONET_CAPTURE_END;

	int code = pcap_next_ex(capture->pcap, &header, &data);
	switch (code) {
	case 1:
		out->data = data;
		out->caplen = header->caplen;
		out->wire_length = header->len;
		out->timestamp_us = time_us(&header->ts, &out->timestamp_clamped);
		capture->packets_read++;
		*status = PRONET_CAPTURE_PACKET;
		return PRONET_OK;
	case 0:
		*status = PRONET_CAPTURE_TIMEOUT;
		return PRONET_OK;
	case PCAP_ERROR_BREAK:
		return PRONET_OK;
	default:
		return pronet_error(errbuf, PRONET_ERR_CAPTURE, "%s: error after %llu packets: %s",
		                    capture->name, (unsigned long long)capture->packets_read,
		                    pcap_geterr(capture->pcap));
	}
}

int pronet_capture_datalink(const struct pronet_capture *capture)
{
	return capture == NULL ? -1 : pcap_datalink(capture->pcap);
}

uint64_t pronet_capture_packets_read(const struct pronet_capture *capture)
{
	return capture == NULL ? 0 : capture->packets_read;
}

void pronet_capture_stop(struct pronet_capture *capture)
{
	if (capture != NULL)
		pcap_breakloop(capture->pcap);
}

void pronet_capture_close(struct pronet_capture *capture)
{
	if (capture == NULL)
		return;
	pcap_close(capture->pcap); /* closes the FILE, which used file_buffer */
	free(capture->file_buffer);
	free(capture->name);
	free(capture);
}
