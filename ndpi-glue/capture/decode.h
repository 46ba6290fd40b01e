/* Decoding one captured frame into a struct pronet_packet.
 *
 * pronet_decode_packet() dispatches on the libpcap link type (DLT_*) and then
 * walks link layer -> VLAN/MPLS/PPPoE -> IPv4/IPv6 (with IP-in-IP) -> TCP/UDP,
 * checking every length before it reads. It never allocates. */
#ifndef PRONET_GLUE_DECODE_H
#define PRONET_GLUE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "ndpi-glue/capture/packet.h"

/* Options for pronet_decode_packet_with(). */
#define PRONET_DECODE_TUNNELS 0x01u /* like `ndpiReader -t`: GTP-U, TZSP, CAPWAP */

/* Decodes one frame of link type `dlt` (as returned by pcap_datalink()).
 * On a usable packet returns PRONET_OK with *skip = PRONET_SKIP_NONE and out
 * filled. On a packet that cannot be used returns PRONET_OK with *skip set to
 * the reason (out is filled as far as decoding got). Returns PRONET_ERR_ARG
 * only for caller bugs (NULL out/skip, NULL data with caplen > 0).
 * Same as pronet_decode_packet_with(0, ...): what ndpiReader does without -t. */
enum pronet_err pronet_decode_packet(int dlt, const uint8_t *data, size_t caplen,
                                     uint32_t wire_length, uint64_t timestamp_us,
                                     struct pronet_packet *out, enum pronet_packet_skip *skip);

/* pronet_decode_packet() with PRONET_DECODE_* options. */
enum pronet_err pronet_decode_packet_with(unsigned int options, int dlt, const uint8_t *data,
                                          size_t caplen, uint32_t wire_length,
                                          uint64_t timestamp_us, struct pronet_packet *out,
                                          enum pronet_packet_skip *skip);

/* Decodes a packet that starts at its IP header (IPv4 or IPv6 by the version
 * nibble), as nDPI's ndpi_detection_process_packet is handed one: the
 * plugin's per-packet entry decodes with this, so it reads packets exactly
 * as the flow table does. `length` is the bytes present (and the wire
 * length); results as pronet_decode_packet(). */
enum pronet_err pronet_decode_l3(const uint8_t *data, size_t length, uint64_t timestamp_us,
                                 struct pronet_packet *out, enum pronet_packet_skip *skip);

/* 1 if pronet_decode_packet() knows link type `dlt`, else 0. */
int pronet_decode_supports_datalink(int dlt);

/* A short constant name for a skip reason ("truncated", ...); never NULL. */
const char *pronet_packet_skip_name(enum pronet_packet_skip skip);

#endif
