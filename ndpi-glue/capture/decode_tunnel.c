/* UDP tunnels that `ndpiReader -t` opens (nDPI 4.2 reader_util.c), decoded
 * only with PRONET_DECODE_TUNNELS. Like ndpiReader, a UDP packet on a tunnel
 * port that does not look like the tunnel stays an ordinary UDP packet.
 *
 *   GTP-U (port 2152): flags(1: version<<5 | E S PN) type(1, 0xFF = T-PDU)
 *       length(2) TEID(4) [seq(2) N-PDU(1) next extension(1) if E|S|PN]
 *       [extensions: length(1, 4-byte units) ... next type(1, 0 = last)] IP
 *   TZSP (port 37008): version(1, 1) type(1, 0 = received) encapsulated(2,
 *       1 = Ethernet) tags (0 padding; 1 end; else type(1) length(1) value)
 *       Ethernet frame
 *   CAPWAP data (port 5247): preamble(1, low nibble 0) HLEN(5 bits, 4-byte
 *       units) ... header; 802.11 data header(24); LLC/SNAP(8) IP
 *
 * Divergence: ndpiReader reads only the first TZSP tag and skips a non-end
 * tag by its length byte alone (without the 2 header bytes); we walk every
 * tag to the end tag. With the usual lone end tag both agree. */
#include "ndpi-glue/capture/decode_units.h"

#define GTP_U_PORT 2152
#define TZSP_PORT 37008
#define CAPWAP_DATA_PORT 5247
#define GTP_HEADER_LENGTH 8
#define GTP_T_PDU 0xff
#define GTP_OPTIONAL_FIELDS 0x07 /* E, S, PN */
#define GTP_EXTENSION_FLAG 0x04
#define TZSP_HEADER_LENGTH 4
#define TZSP_TAG_PADDING 0
#define TZSP_TAG_END 1
#define TZSP_ENCAPSULATES_ETHERNET 1
#define IEEE80211_DATA_HEADER_LENGTH 24
#define LLC_SNAP_HEADER_LENGTH 8

/* The inner packet replaces the outer one in out. */
static enum pronet_packet_skip enter_tunnel(struct pronet_decoder *decoder)
{
	struct pronet_packet *out = decoder->out;

	if (++decoder->depth >= PRONET_DECODE_MAX_DEPTH)
		return PRONET_SKIP_BAD_HEADER;
	out->flags |= PRONET_PACKET_F_TUNNELED;
	out->flags &= (uint8_t)~PRONET_PACKET_F_UDP_LENGTH_MISMATCH;
	out->src_port = 0;
	out->dst_port = 0;
	out->payload = NULL;
	out->payload_length = 0;
	return PRONET_SKIP_NONE;
}

/* Offset of the inner IP header, or 0 if this is no GTP-U T-PDU. */
static size_t gtp_inner_offset(const uint8_t *data, size_t length)
{
	if (length <= GTP_HEADER_LENGTH)
		return 0;
	uint8_t flags = data[0];
	if (flags >> 5 != 1 || data[1] != GTP_T_PDU)
		return 0;
	size_t offset = GTP_HEADER_LENGTH;
	if (flags & GTP_OPTIONAL_FIELDS)
		offset += 4;
	if (flags & GTP_EXTENSION_FLAG) {
		while (offset < length) {
			size_t extension_length = (size_t)data[offset] * 4;
			offset += extension_length;
			if (extension_length == 0 || offset >= length)
				return 0;
			if (data[offset - 1] == 0) /* next extension type: none */
				break;
		}
	}
	return offset < length ? offset : 0;
}

static int decode_gtp(struct pronet_decoder *decoder, const uint8_t *data, size_t length,
                      enum pronet_packet_skip *skip)
{
	size_t offset = gtp_inner_offset(data, length);
	if (offset == 0)
		return 0;
	*skip = enter_tunnel(decoder);
	if (*skip == PRONET_SKIP_NONE)
		*skip = pronet_decode_ip(decoder, data + offset, length - offset);
	return 1;
}

static int decode_tzsp(struct pronet_decoder *decoder, const uint8_t *data, size_t length,
                       enum pronet_packet_skip *skip)
{
	if (length < TZSP_HEADER_LENGTH) {
		*skip = PRONET_SKIP_TRUNCATED; /* ndpiReader drops these too */
		return 1;
	}
	if (data[0] != 1 || data[1] != 0 || pronet_read16(data + 2) != TZSP_ENCAPSULATES_ETHERNET)
		return 0;
	size_t offset = TZSP_HEADER_LENGTH;
	for (;;) {
		if (offset >= length) {
			*skip = PRONET_SKIP_TRUNCATED;
			return 1;
		}
		uint8_t tag = data[offset];
		if (tag == TZSP_TAG_END) {
			offset++;
			break;
		}
		if (tag == TZSP_TAG_PADDING) {
			offset++;
			continue;
		}
		if (offset + 2 > length) {
			*skip = PRONET_SKIP_TRUNCATED;
			return 1;
		}
		offset += 2 + (size_t)data[offset + 1];
	}
	*skip = enter_tunnel(decoder);
	if (*skip == PRONET_SKIP_NONE)
		*skip = pronet_decode_ethernet(decoder, data + offset, length - offset);
	return 1;
}

static int decode_capwap(struct pronet_decoder *decoder, const uint8_t *data, size_t length,
                         enum pronet_packet_skip *skip)
{
	if (length < 2 || (data[0] & 0x0f) != 0)
		return 0;
	size_t offset = (size_t)(data[1] >> 3) * 4;
	/* ndpiReader wants more than 32 bytes after the CAPWAP header. */
	if (offset + IEEE80211_DATA_HEADER_LENGTH + LLC_SNAP_HEADER_LENGTH >= length)
		return 0;
	offset += IEEE80211_DATA_HEADER_LENGTH;
	uint16_t type = pronet_read16(data + offset + 6);
	offset += LLC_SNAP_HEADER_LENGTH;
	*skip = enter_tunnel(decoder);
	if (*skip == PRONET_SKIP_NONE)
		*skip = pronet_decode_ethertype(decoder, type, data + offset, length - offset);
	return 1;
}

int pronet_decode_udp_tunnel(struct pronet_decoder *decoder, const uint8_t *payload, size_t length,
                             enum pronet_packet_skip *skip)
{
	uint16_t source = decoder->out->src_port, destination = decoder->out->dst_port;

	if (source == GTP_U_PORT || destination == GTP_U_PORT)
		return decode_gtp(decoder, payload, length, skip);
	if (source == TZSP_PORT || destination == TZSP_PORT)
		return decode_tzsp(decoder, payload, length, skip);
	if (source == CAPWAP_DATA_PORT || destination == CAPWAP_DATA_PORT)
		return decode_capwap(decoder, payload, length, skip);
	return 0;
}
