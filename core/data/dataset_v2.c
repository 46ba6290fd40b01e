/* The v2 record parser (docs/dataset-format.md, "Version 2"): the spec in
 * the header, then class and capture definitions and flows of packet
 * records, each checked as it is read with the loader's one cursor
 * (core/data/dataset.c), so that a damaged file is refused with its name,
 * the offset and the problem. */
#include "core/data/dataset.h"

#include <string.h>

#include "core/data/dataset_format.h"
#include "core/data/name_index.h"
#include "core/util/crc32.h"

/* What a flow record promised, while its records are read. */
struct open_flow {
	struct pronet_sample sample; /* label, capture, flow of its records */
	uint8_t l4_protocol;
	uint32_t owed;           /* records still to come */
	uint64_t last_time_us;   /* timestamps do not go backwards within a flow */
	uint64_t flows, records; /* read so far */
};

static int is_masked(const struct pronet_packet_record *record)
{
	size_t from, to;

	if (record->length == 0)
		return 1;
	if ((record->bytes[0] >> 4) == 4) {
		from = 10;
		to = 20;
	} else {
		from = 8;
		to = 40;
	}
	for (size_t i = from; i < to && i < record->length; i++)
		if (record->bytes[i] != 0)
			return 0;
	return 1;
}

const char *pronet_dataset_v2_record_problem(const struct pronet_input_spec *spec,
                                             const struct pronet_packet_record *record)
{
	if (record->direction > PRONET_DIR_SERVER_TO_CLIENT)
		return "direction is neither 0 nor 1";
	if (record->length > spec->window_bytes)
		return "more bytes than the file's window";
	if (record->layer != spec->layer)
		return "a record of another layer than the file's";
	if (record->payload_index == PRONET_PAYLOAD_INDEX_NONE &&
	    !(spec->flags & PRONET_SPEC_ALL_PACKETS))
		return "a packet without payload in a file of payload packets";
	if (record->payload_index == PRONET_PAYLOAD_INDEX_NONE && record->payload_length != 0)
		return "a packet without payload has a payload length";
	if (spec->layer == PRONET_LAYER_PAYLOAD) {
		if (record->length > record->payload_length)
			return "more bytes than the payload length";
		if (record->l4_offset != 0 || record->payload_offset != 0)
			return "header offsets in a payload-layer record";
	} else {
		if (record->l4_offset > record->payload_offset)
			return "transport header after the payload";
		if (!is_masked(record))
			return "IP addresses not zeroed in an l3-layer record";
	}
	return NULL;
}

static enum pronet_err read_spec(struct pronet_dataset_cursor *cursor,
                                 struct pronet_dataset *dataset)
{
	struct pronet_input_spec *spec = &dataset->spec;
	char problem[PRONET_ERRBUF_SIZE];
	uint64_t size, label_kind, masking, reserved;
	enum pronet_err err =
	    pronet_dataset_need(cursor, 2 + PRONET_DATASET_V2_SPEC_SIZE, "the v2 header");

	if (err != PRONET_OK)
		return err;
	size = pronet_dataset_take(cursor, 2);
	if (size != PRONET_DATASET_V2_SPEC_SIZE)
		return pronet_dataset_bad(cursor, 12, "spec size is not 16", size);
	memset(spec, 0, sizeof(*spec));
	spec->window_bytes = (uint16_t)pronet_dataset_take(cursor, 2);
	spec->layer = (uint8_t)pronet_dataset_take(cursor, 1);
	spec->flags = (uint8_t)pronet_dataset_take(cursor, 1);
	spec->packets_per_direction = (uint32_t)pronet_dataset_take(cursor, 2);
	label_kind = pronet_dataset_take(cursor, 1);
	masking = pronet_dataset_take(cursor, 1);
	reserved = pronet_dataset_take(cursor, 8);
	if (pronet_input_spec_check(spec, "spec", problem) != PRONET_OK)
		return pronet_error(cursor->errbuf, PRONET_ERR_FORMAT, "%s: offset 14: bad %s",
		                    cursor->name, problem);
	if (label_kind != 0)
		return pronet_dataset_bad(cursor, 20, "unknown label kind", label_kind);
	if (masking != (spec->layer == PRONET_LAYER_L3 ? 3u : 0u))
		return pronet_dataset_bad(cursor, 21, "masking does not match the layer", masking);
	if (reserved != 0)
		return pronet_dataset_bad(cursor, 22, "reserved bytes are not zero", reserved);
	return PRONET_OK;
}

static enum pronet_err read_flow(struct pronet_dataset_cursor *cursor,
                                 const struct pronet_dataset *dataset, struct open_flow *flow)
{
	size_t start = cursor->offset;
	uint64_t flags;
	enum pronet_err err = pronet_dataset_need(cursor, PRONET_DATASET_V2_FLOW_SIZE, "a flow");

	if (err != PRONET_OK)
		return err;
	memset(&flow->sample, 0, sizeof(flow->sample));
	flow->sample.capture = (uint32_t)pronet_dataset_take(cursor, 4);
	flow->sample.flow = pronet_dataset_take(cursor, 8);
	flow->sample.label = (uint16_t)pronet_dataset_take(cursor, 2);
	flow->l4_protocol = (uint8_t)pronet_dataset_take(cursor, 1);
	flags = pronet_dataset_take(cursor, 1);
	flow->owed = (uint32_t)pronet_dataset_take(cursor, 4);
	flow->last_time_us = 0;
	if (flow->sample.capture >= dataset->num_captures)
		return pronet_dataset_bad(cursor, start,
		                          "flow refers to an undefined capture index",
		                          flow->sample.capture);
	if (flow->sample.label >= dataset->num_classes)
		return pronet_dataset_bad(cursor, start + 12,
		                          "flow refers to an undefined class index",
		                          flow->sample.label);
	if (flags & ~1u)
		return pronet_dataset_bad(cursor, start + 15, "unknown flow flags", flags);
	if (flow->owed == 0)
		return pronet_dataset_bad(cursor, start + 16, "a flow without records", 0);
	flow->flows++;
	return PRONET_OK;
}

static enum pronet_err read_record(struct pronet_dataset_cursor *cursor,
                                   struct pronet_dataset *dataset, struct open_flow *flow)
{
	size_t start = cursor->offset;
	struct pronet_sample sample = flow->sample;
	struct pronet_packet_record *r = &sample.input;
	const char *problem;
	enum pronet_err err =
	    pronet_dataset_need(cursor, PRONET_DATASET_V2_RECORD_SIZE, "a packet record");

	if (err != PRONET_OK)
		return err;
	if (flow->owed == 0)
		return pronet_dataset_bad(cursor, start - 1, "a packet record outside a flow", 0);
	r->timestamp_us = pronet_dataset_take(cursor, 8);
	r->packet_index = (uint32_t)pronet_dataset_take(cursor, 4);
	r->tcp_seq = (uint32_t)pronet_dataset_take(cursor, 4);
	r->payload_index = (uint16_t)pronet_dataset_take(cursor, 2);
	r->wire_length = (uint16_t)pronet_dataset_take(cursor, 2);
	r->payload_length = (uint16_t)pronet_dataset_take(cursor, 2);
	r->l4_offset = (uint16_t)pronet_dataset_take(cursor, 2);
	r->payload_offset = (uint16_t)pronet_dataset_take(cursor, 2);
	r->direction = (uint8_t)pronet_dataset_take(cursor, 1);
	r->tcp_flags = (uint8_t)pronet_dataset_take(cursor, 1);
	r->length = (uint16_t)pronet_dataset_take(cursor, 2);
	r->layer = dataset->spec.layer;
	r->l4_protocol = flow->l4_protocol;
	err = pronet_dataset_need(cursor, r->length, "a packet record's bytes");
	if (err != PRONET_OK)
		return err;
	r->bytes = pronet_dataset_here(cursor);
	cursor->offset += r->length;
	problem = pronet_dataset_v2_record_problem(&dataset->spec, r);
	if (problem == NULL && r->timestamp_us < flow->last_time_us)
		problem = "timestamp before the flow's previous record";
	if (problem != NULL)
		return pronet_error(cursor->errbuf, PRONET_ERR_FORMAT,
		                    "%s: offset %zu: bad packet record: %s", cursor->name, start,
		                    problem);
	flow->last_time_us = r->timestamp_us;
	flow->owed--;
	flow->records++;
	return pronet_dataset_keep(cursor, dataset, &sample);
}

static enum pronet_err read_end(struct pronet_dataset_cursor *cursor, const struct open_flow *flow)
{
	size_t start = cursor->offset;
	uint64_t flows, records;
	uint32_t stored, computed;
	enum pronet_err err =
	    pronet_dataset_need(cursor, PRONET_DATASET_V2_END_SIZE, "the end record");

	if (err != PRONET_OK)
		return err;
	flows = pronet_dataset_take(cursor, 8);
	records = pronet_dataset_take(cursor, 8);
	computed = pronet_dataset_crc_so_far(cursor);
	stored = (uint32_t)pronet_dataset_take(cursor, 4);
	if (stored != computed)
		return pronet_error(
		    cursor->errbuf, PRONET_ERR_CHECKSUM,
		    "%s: offset %zu: checksum mismatch (stored %08x, computed %08x)", cursor->name,
		    start + 16, stored, computed);
	if (flows != flow->flows)
		return pronet_dataset_bad(cursor, start, "end record's flow count differs", flows);
	if (records != flow->records)
		return pronet_dataset_bad(cursor, start + 8, "end record's record count differs",
		                          records);
	if (cursor->offset != cursor->size)
		return pronet_dataset_bad(cursor, cursor->offset, "bytes after the end record",
		                          cursor->size - cursor->offset);
	return PRONET_OK;
}

enum pronet_err pronet_dataset_read_v2(struct pronet_dataset_cursor *cursor,
                                       struct pronet_dataset *dataset)
{
	struct pronet_name_index classes, captures;
	struct open_flow flow;
	enum pronet_err err = read_spec(cursor, dataset);

	if (err != PRONET_OK)
		return err;
	memset(&flow, 0, sizeof(flow));
	pronet_name_index_init(&classes);
	pronet_name_index_init(&captures);
	for (;;) {
		size_t start = cursor->offset;
		uint8_t tag;

		err = pronet_dataset_need(cursor, 1, "a record tag (is the end record missing?)");
		if (err != PRONET_OK)
			break;
		tag = (uint8_t)pronet_dataset_take(cursor, 1);
		if (tag != PRONET_DATASET_TAG_RECORD && flow.owed != 0)
			err = pronet_dataset_bad(cursor, start,
			                         "a flow's packet records are missing", flow.owed);
		else if (tag == PRONET_DATASET_TAG_CLASS &&
		         dataset->num_classes >= PRONET_DATASET_MAX_CLASSES)
			err = pronet_dataset_bad(cursor, start, "more than 65536 classes",
			                         dataset->num_classes);
		else if (tag == PRONET_DATASET_TAG_CLASS || tag == PRONET_DATASET_TAG_CAPTURE)
			err = pronet_dataset_read_definition(
			    cursor, tag == PRONET_DATASET_TAG_CLASS, dataset,
			    tag == PRONET_DATASET_TAG_CLASS ? &classes : &captures);
		else if (tag == PRONET_DATASET_TAG_FLOW)
			err = read_flow(cursor, dataset, &flow);
		else if (tag == PRONET_DATASET_TAG_RECORD)
			err = read_record(cursor, dataset, &flow);
		else if (tag == PRONET_DATASET_TAG_END) {
			err = read_end(cursor, &flow);
			break;
		} else
			err = pronet_dataset_bad(cursor, start, "unknown record tag", tag);
		if (err != PRONET_OK)
			break;
	}
	pronet_name_index_clear(&classes);
	pronet_name_index_clear(&captures);
	return err;
}
