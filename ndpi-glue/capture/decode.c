/* pronet_decode_packet(): dispatch one captured frame by libpcap link type.
 *
 * Agreement with ndpiReader (nDPI 4.2 example/reader_util.c,
 * ndpi_workflow_process_packet) matters because the flow table is checked
 * against it. We decode the same link types (Ethernet with 802.1Q, MPLS,
 * PPPoE and LLC/SNAP; Linux SLL; raw IP; BSD null; PPP; Cisco HDLC), open
 * IP-in-IP and IPv6-in-IP always, and GTP-U/TZSP/CAPWAP only with
 * PRONET_DECODE_TUNNELS (ndpiReader's -t). Deliberate differences, each rare:
 *  - ndpiReader picks IPv4 or IPv6 by the IP version nibble whatever the
 *    ethertype says; we follow the ethertype (or the null family) and call a
 *    mismatching version a bad header.
 *  - ndpiReader reads the IPv4 fragment offset only when the ethertype said
 *    IPv4, so on DLT_RAW and little-endian DLT_NULL it keys non-first
 *    fragments as flows on bytes of their payload; we always skip them.
 *  - ndpiReader knows only 0x8100 VLAN tags, not 0x88a8/0x9100; we know all
 *    three and, like ndpiReader, key the flow by the innermost tag's VLAN ID.
 *  - ndpiReader 4.2 refuses DLT_LINUX_SLL2 files (we read them) and reads
 *    802.11 radiotap (we skip it as LINKTYPE; the corpus has none).
 *  - ndpiReader opens an IP-in-IP payload even in a non-first fragment; we
 *    skip the fragment first. */
#include "ndpi-glue/capture/decode.h"

#include <string.h>

#include "ndpi-glue/capture/decode_units.h"

/* libpcap DLT_* values, spelled out because some differ between platforms
 * (DLT_RAW is 12 here and 14 on OpenBSD, where 12 is DLT_LOOP). Files carry
 * LINKTYPE_* values, which libpcap maps to these. */
enum {
	DATALINK_NULL = 0,
	DATALINK_EN10MB = 1,
	DATALINK_PPP = 9,
	DATALINK_RAW = 12,
	DATALINK_RAW_OPENBSD = 14,
	DATALINK_PPP_SERIAL = 50,
	DATALINK_LINKTYPE_RAW = 101, /* LINKTYPE_RAW as stored in files */
	DATALINK_C_HDLC = 104,
	DATALINK_LOOP = 108,
	DATALINK_LINUX_SLL = 113,
	DATALINK_IPV4 = 228,
	DATALINK_IPV6 = 229,
	DATALINK_LINUX_SLL2 = 276,
};

typedef enum pronet_packet_skip (*link_decoder_fn)(struct pronet_decoder *decoder,
                                                   const uint8_t *data, size_t length);

static enum pronet_packet_skip decode_raw(struct pronet_decoder *decoder, const uint8_t *data,
                                          size_t length)
{
	return pronet_decode_ip(decoder, data, length);
}

static link_decoder_fn link_decoder_for(int dlt)
{
	switch (dlt) {
	case DATALINK_EN10MB:
		return pronet_decode_ethernet;
	case DATALINK_LINUX_SLL:
		return pronet_decode_sll;
	case DATALINK_LINUX_SLL2:
		return pronet_decode_sll2;
	case DATALINK_RAW:
	case DATALINK_RAW_OPENBSD:
	case DATALINK_LINKTYPE_RAW:
		return decode_raw;
	case DATALINK_IPV4:
		return pronet_decode_ipv4;
	case DATALINK_IPV6:
		return pronet_decode_ipv6;
	case DATALINK_NULL:
	case DATALINK_LOOP:
		return pronet_decode_null;
	case DATALINK_PPP:
	case DATALINK_PPP_SERIAL:
		return pronet_decode_ppp;
	case DATALINK_C_HDLC:
		return pronet_decode_chdlc;
	default:
		return NULL;
	}
}

int pronet_decode_supports_datalink(int dlt)
{
	return link_decoder_for(dlt) != NULL;
}

enum pronet_err pronet_decode_packet_with(unsigned int options, int dlt, const uint8_t *data,
                                          size_t caplen, uint32_t wire_length,
                                          uint64_t timestamp_us, struct pronet_packet *out,
                                          enum pronet_packet_skip *skip)
{
	if (out == NULL || skip == NULL || (data == NULL && caplen > 0))
		return PRONET_ERR_ARG;

	memset(out, 0, sizeof(*out));
	out->timestamp_us = timestamp_us;
	out->wire_length = wire_length;

	link_decoder_fn decode_link = link_decoder_for(dlt);
	if (decode_link == NULL) {
		*skip = PRONET_SKIP_LINKTYPE;
		return PRONET_OK;
	}
	struct pronet_decoder decoder = {.out = out, .options = options, .depth = 0};
	*skip = decode_link(&decoder, data, caplen);
	return PRONET_OK;
}

enum pronet_err pronet_decode_packet(int dlt, const uint8_t *data, size_t caplen,
                                     uint32_t wire_length, uint64_t timestamp_us,
                                     struct pronet_packet *out, enum pronet_packet_skip *skip)
{
	return pronet_decode_packet_with(0, dlt, data, caplen, wire_length, timestamp_us, out,
	                                 skip);
}

enum pronet_err pronet_decode_l3(const uint8_t *data, size_t length, uint64_t timestamp_us,
                                 struct pronet_packet *out, enum pronet_packet_skip *skip)
{
	uint32_t wire_length = length < UINT32_MAX ? (uint32_t)length : UINT32_MAX;

	return pronet_decode_packet_with(0, DATALINK_RAW, data, length, wire_length, timestamp_us,
	                                 out, skip);
}

const char *pronet_packet_skip_name(enum pronet_packet_skip skip)
{
	static const char *const names[PRONET_SKIP_COUNT_] = {
	    [PRONET_SKIP_NONE] = "none",
	    [PRONET_SKIP_TRUNCATED] = "truncated",
	    [PRONET_SKIP_BAD_HEADER] = "bad-header",
	    [PRONET_SKIP_NOT_IP] = "not-ip",
	    [PRONET_SKIP_LINKTYPE] = "linktype",
	    [PRONET_SKIP_FRAGMENT] = "fragment",
	    [PRONET_SKIP_OTHER_PROTOCOL] = "other-protocol",
	};
	if ((unsigned int)skip >= PRONET_SKIP_COUNT_)
		return "unknown";
	return names[skip];
}

enum pronet_packet_skip pronet_decode_ip(struct pronet_decoder *decoder, const uint8_t *data,
                                         size_t length)
{
	if (length < 1)
		return PRONET_SKIP_TRUNCATED;
	switch (data[0] >> 4) {
	case 4:
		return pronet_decode_ipv4(decoder, data, length);
	case 6:
		return pronet_decode_ipv6(decoder, data, length);
	default:
		return PRONET_SKIP_BAD_HEADER;
	}
}
