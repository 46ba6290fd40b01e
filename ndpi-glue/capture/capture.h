/* Reading packets from capture files (pcap, pcapng) and live interfaces,
 * libpcap-style: open, next, close; errors go into the caller's errbuf and
 * name the file or interface. Timestamps are always microseconds. */
#ifndef PRONET_GLUE_CAPTURE_H
#define PRONET_GLUE_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

struct pronet_capture;

/* Capture times past this (about 146,000 years after 1970) are taken as it,
 * leaving room to add any timeout to a time without wrapping. */
#define PRONET_CAPTURE_MAX_TIME_US (UINT64_C(1) << 62)

/* One captured frame. data points into the capture's buffer and stays valid
 * until the next pronet_capture_next() or pronet_capture_close(). */
struct pronet_raw_packet {
	const uint8_t *data;
	uint32_t caplen;       /* bytes captured */
	uint32_t wire_length;  /* bytes on the wire */
	uint64_t timestamp_us; /* microseconds since the epoch, 0..PRONET_CAPTURE_MAX_TIME_US */
	/* 1: the file's time was before 1970 (a pcap record's seconds are
	 * signed; a pcapng time can map there) and is taken as 0, or was past
	 * PRONET_CAPTURE_MAX_TIME_US and is taken as that. The flow clock never
	 * goes back, so such a packet counts at the latest time seen; the
	 * engine counts these (stats.clamped_times). */
	uint8_t timestamp_clamped;
};

/* What pronet_capture_next() found. */
enum pronet_capture_status {
	PRONET_CAPTURE_PACKET = 0, /* *out holds a packet */
	PRONET_CAPTURE_TIMEOUT,    /* live capture: no packet within the timeout; call again */
	PRONET_CAPTURE_END,        /* end of file, or pronet_capture_stop() was called */
};

/* Opens a pcap or pcapng file. On error *capture is NULL and errbuf says why,
 * naming path. */
enum pronet_err pronet_capture_open_file(const char *path, struct pronet_capture **capture,
                                         char *errbuf);

/* Opens a live capture on `interface` (snaplen bytes per packet, promiscuous
 * if promisc != 0, packets delivered at least every timeout_ms). Needs
 * capture privileges; the caller drops them afterwards if it wants to (the
 * library never changes credentials: pronet's CLI does, tools/privileges.h). */
enum pronet_err pronet_capture_open_live(const char *interface, int snaplen, int promisc,
                                         int timeout_ms, struct pronet_capture **capture,
                                         char *errbuf);

/* Reads the next packet. Returns PRONET_OK and sets *status; on a damaged or
 * truncated file returns PRONET_ERR_CAPTURE with libpcap's words, the file
 * name and the number of packets read before the damage. */
enum pronet_err pronet_capture_next(struct pronet_capture *capture, struct pronet_raw_packet *out,
                                    enum pronet_capture_status *status, char *errbuf);

/* The link type (DLT_*) to pass to pronet_decode_packet(). */
int pronet_capture_datalink(const struct pronet_capture *capture);

/* Packets returned so far. */
uint64_t pronet_capture_packets_read(const struct pronet_capture *capture);

/* Makes a pending or later pronet_capture_next() return PRONET_CAPTURE_END.
 * Safe to call from a signal handler (it calls pcap_breakloop()). */
void pronet_capture_stop(struct pronet_capture *capture);

/* Closes the capture; NULL is a no-op. */
void pronet_capture_close(struct pronet_capture *capture);

#endif
