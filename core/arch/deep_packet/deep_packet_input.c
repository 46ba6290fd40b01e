/* What Deep Packet's networks read of a packet (seed 001, Sec. 3.1), and the
 * helpers both networks' layouts share. */
#include "core/arch/deep_packet/deep_packet.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/data/input_spec.h"

#define IPPROTO_UDP_NUMBER 17

/* Sec. 3.1: "the header of transport layer for UDP packets is modified":
 * 12 zero bytes after the 8-byte UDP header, so that the payload of either
 * transport starts at the same offset after an IP header; then "all the
 * packet bytes are divided to 255". The record's addresses are zeroed by the
 * input builder (docs/deep-packet.md: they name the capture, not the
 * protocol). A record whose offsets are not a UDP header inside its bytes is
 * taken as it is. */
void deep_packet_input(const struct pronet_packet_record *record, float x[DEEP_PACKET_INPUT_BYTES])
{
	size_t length = record->length, header_end = 0, gap = 0, at = 0;

	if (record->l4_protocol == IPPROTO_UDP_NUMBER && record->layer == PRONET_LAYER_L3 &&
	    record->payload_offset == record->l4_offset + DEEP_PACKET_UDP_HEADER &&
	    record->payload_offset <= length) {
		header_end = record->payload_offset;
		gap = DEEP_PACKET_TCP_HEADER - DEEP_PACKET_UDP_HEADER;
	} else {
		header_end = length;
	}
	for (size_t i = 0; i < header_end && at < DEEP_PACKET_INPUT_BYTES; i++)
		x[at++] = (float)record->bytes[i] / 255.0f;
	for (size_t i = 0; i < gap && at < DEEP_PACKET_INPUT_BYTES; i++)
		x[at++] = 0.0f;
	for (size_t i = header_end; i < length && at < DEEP_PACKET_INPUT_BYTES; i++)
		x[at++] = (float)record->bytes[i] / 255.0f;
	while (at < DEEP_PACKET_INPUT_BYTES)
		x[at++] = 0.0f;
}

void deep_packet_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec)
{
	(void)model;
	pronet_input_spec_default(spec);
	spec->window_bytes = DEEP_PACKET_INPUT_BYTES;
	spec->layer = PRONET_LAYER_L3;
}

enum pronet_err deep_packet_add_tensor(struct pronet_model *model, const char *name, uint32_t d0,
                                       uint32_t d1, uint32_t d2, char *errbuf)
{
	uint32_t dims[3] = {d0, d1, d2};
	struct pronet_tensor *tensor;

	if (model->num_tensors >= PRONET_MAX_TENSORS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "model layout: tensor %s would be number %zu, past the %d a "
		                    "model holds",
		                    name, model->num_tensors + 1, PRONET_MAX_TENSORS);
	tensor = &model->tensors[model->num_tensors++];
	memset(tensor, 0, sizeof(*tensor));
	snprintf(tensor->name, sizeof(tensor->name), "%s", name);
	tensor->count = 1;
	for (uint32_t i = 0; i < 3 && dims[i] != 0; i++) {
		tensor->dims[i] = dims[i];
		tensor->num_dims = i + 1;
		tensor->count *= dims[i];
	}
	tensor->offset = model->num_weights;
	model->num_weights += tensor->count;
	return PRONET_OK;
}

void deep_packet_fill_glorot(float *x, size_t n, size_t fan_in, size_t fan_out,
                             struct pronet_rng *rng)
{
	float limit = sqrtf(6.0f / (float)(fan_in + fan_out));

	for (size_t i = 0; i < n; i++)
		x[i] = (float)(2.0 * pronet_rng_uniform(rng) - 1.0) * limit;
}
