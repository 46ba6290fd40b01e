/* flow-cnn's one input step (seed 003, Sec. III-A2: payload extraction,
 * IAT calculation, truncating/padding, normalisation), used by training,
 * eval and prediction alike. docs/flow-cnn.md shows the layout. */
#include <string.h>

#include "core/arch/flow_cnn/flow_cnn.h"

#define IPPROTO_TCP_NUMBER 6

/* A TLS record header (RFC 8446 5.1): content type change_cipher_spec (20),
 * alert (21), handshake (22) or application_data (23); legacy version
 * 0x0300..0x0304; a length a record may have. */
static int tls_header_at(const uint8_t *p, size_t left, size_t *record)
{
	if (left < FLOW_CNN_TLS_HEADER || p[0] < 20 || p[0] > 23 || p[1] != 0x03 || p[2] > 0x04)
		return 0;
	*record = (size_t)p[3] << 8 | p[4];
	return *record <= FLOW_CNN_TLS_MAX_RECORD;
}

size_t flow_cnn_strip_tls(const uint8_t *bytes, size_t length, uint8_t *out, size_t room)
{
	size_t at = 0, used = 0, record;

	/* A header at the start, then one after each whole record the payload
	 * holds; whatever follows the last header walked is kept as it is
	 * (the rest of a record continued in the next segment). */
	while (tls_header_at(bytes + at, length - at, &record)) {
		size_t body = record < length - at - FLOW_CNN_TLS_HEADER
		                  ? record
		                  : length - at - FLOW_CNN_TLS_HEADER;
		size_t take = body < room - used ? body : room - used;

		memcpy(out + used, bytes + at + FLOW_CNN_TLS_HEADER, take);
		used += take;
		at += FLOW_CNN_TLS_HEADER + body;
		if (at >= length || used == room)
			return used;
	}
	if (length - at > room - used)
		length = at + room - used;
	memcpy(out + used, bytes + at, length - at);
	return used + length - at;
}

/* Appends bytes[n] as values, up to count; returns the new fill. */
static size_t put_bytes(const uint8_t *bytes, size_t n, float *values, size_t filled, size_t count)
{
	for (size_t i = 0; i < n && filled < count; i++)
		values[filled++] = (float)bytes[i];
	return filled;
}

/* The gap to the previous payload packet, in whole microseconds; 0 for the
 * first, for unknown times (a v1 dataset) and for a clock that went back. */
static uint32_t gap_us(const struct pronet_packet_record *previous,
                       const struct pronet_packet_record *record)
{
	uint64_t gap;

	if (previous == NULL || previous->timestamp_us == 0 ||
	    record->timestamp_us <= previous->timestamp_us)
		return 0;
	gap = record->timestamp_us - previous->timestamp_us;
	return gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
}

size_t flow_cnn_raw_values(const struct pronet_packet_record *records, size_t n, int strip_tls,
                           float *values, size_t count)
{
	const struct pronet_packet_record *previous = NULL;
	uint8_t stripped[PRONET_RECORD_MAX_BYTES];
	size_t filled = 0;

	for (size_t i = 0; i < n && filled < count; i++) {
		const struct pronet_packet_record *r = &records[i];
		const uint8_t *payload = r->bytes;
		size_t length = r->length;
		uint32_t gap;
		uint8_t iat[FLOW_CNN_IAT_BYTES];

		if (r->layer ==
		    PRONET_LAYER_L3) { /* a payload window is the spec; be exact anyway */
			payload = r->payload_offset <= length ? r->bytes + r->payload_offset : NULL;
			length = payload != NULL ? length - r->payload_offset : 0;
		}
		if (r->payload_index == PRONET_PAYLOAD_INDEX_NONE || length == 0 || payload == NULL)
			continue; /* handshake and pure ACKs: Sec. III-A1 uses none */
		if (strip_tls && r->l4_protocol == IPPROTO_TCP_NUMBER) {
			length = flow_cnn_strip_tls(payload, length, stripped, sizeof(stripped));
			payload = stripped;
		}
		filled = put_bytes(payload, length, values, filled, count);
		gap = gap_us(previous, r);
		iat[0] = (uint8_t)(gap >> 24);
		iat[1] = (uint8_t)(gap >> 16);
		iat[2] = (uint8_t)(gap >> 8);
		iat[3] = (uint8_t)gap;
		filled = put_bytes(iat, sizeof(iat), values, filled, count);
		previous = r;
	}
	for (size_t i = filled; i < count; i++)
		values[i] = 0.0f;
	return filled;
}

void flow_cnn_input(const struct pronet_model *model, const struct pronet_packet_record *records,
                    size_t n, float *x)
{
	const struct flow_cnn_state *s = flow_cnn_state(model);
	size_t count = s->config.input_values;

	flow_cnn_raw_values(records, n, !s->config.keep_tls_headers, x, count);
	for (size_t i = 0; i < count; i++) /* Sec. III-A2, NP: z-score */
		x[i] = (x[i] - s->mean[i]) * s->inverse[i];
}

void flow_cnn_set_zscore(struct pronet_model *model, const float *mean, const float *deviation)
{
	struct flow_cnn_state *s = flow_cnn_state(model);

	for (size_t i = 0; i < s->config.input_values; i++) {
		s->mean[i] = mean[i];
		s->deviation[i] = deviation[i];
		s->inverse[i] = 1.0f / deviation[i];
	}
}

void flow_cnn_spec(const struct flow_cnn_config *config, struct pronet_input_spec *spec)
{
	memset(spec, 0, sizeof(*spec));
	spec->window_bytes = PRONET_RECORD_MAX_BYTES;
	spec->layer = PRONET_LAYER_PAYLOAD;
	spec->packets_per_direction = config->record_packets;
}
