/* The dataset writer: streams records to a temporary file and renames it
 * onto its path when closed (core/util/atomic_file.h; format:
 * docs/dataset-format.md). Every field
 * is serialized byte by byte in little-endian order; no struct is written
 * as memory. */
#include "core/data/dataset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/atomic_file.h"
#include "core/util/crc32.h"
#include "core/data/dataset_format.h"
#include "core/data/name_index.h"

struct pronet_dataset_writer {
	struct pronet_atomic_file *output;
	FILE *file;       /* output's stream */
	const char *path; /* output's target path */
	uint32_t crc;     /* of every byte written so far */
	int failed;       /* a call failed: only close/abort from now on */
	int version;      /* 1, or 2 (flows of packet records under `spec`) */
	struct pronet_input_spec spec;
	uint64_t samples, flows;
	char **class_names, **capture_names; /* owned; index = position */
	size_t num_classes, num_captures;
	struct pronet_name_index classes, captures;
};

static void put_le(uint8_t *out, uint64_t value, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

static enum pronet_err write_bytes(struct pronet_dataset_writer *writer, const void *data,
                                   size_t size, char *errbuf)
{
	if (fwrite(data, 1, size, writer->file) != size) {
		writer->failed = 1;
		return pronet_error_errno(errbuf, PRONET_ERR_IO, errno, "%s: write error",
		                          writer->path);
	}
	writer->crc = pronet_crc32(writer->crc, data, size);
	return PRONET_OK;
}

static void free_writer(struct pronet_dataset_writer *writer)
{
	for (size_t i = 0; i < writer->num_classes; i++)
		free(writer->class_names[i]);
	for (size_t i = 0; i < writer->num_captures; i++)
		free(writer->capture_names[i]);
	free(writer->class_names);
	free(writer->capture_names);
	pronet_name_index_clear(&writer->classes);
	pronet_name_index_clear(&writer->captures);
	free(writer);
}

static enum pronet_err open_writer(const char *path, const struct pronet_input_spec *spec,
                                   struct pronet_dataset_writer **out, char *errbuf)
{
	struct pronet_dataset_writer *writer;
	uint8_t header[PRONET_DATASET_V2_HEADER_SIZE];
	size_t header_size = spec == NULL ? PRONET_DATASET_HEADER_SIZE : sizeof(header);
	enum pronet_err err;

	if (path == NULL || *path == '\0' || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_dataset_writer_open: bad argument");
	*out = NULL;
	writer = calloc(1, sizeof(*writer));
	if (writer == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", path);
	pronet_name_index_init(&writer->classes);
	pronet_name_index_init(&writer->captures);
	err = pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &writer->output, errbuf);
	if (err != PRONET_OK) {
		free_writer(writer);
		return err;
	}
	writer->file = pronet_atomic_file_stream(writer->output);
	writer->path = pronet_atomic_file_path(writer->output);
	writer->version = spec == NULL ? PRONET_DATASET_VERSION : PRONET_DATASET_VERSION_2;
	memset(header, 0, sizeof(header));
	memcpy(header, PRONET_DATASET_MAGIC, PRONET_DATASET_MAGIC_SIZE);
	put_le(header + 8, (uint64_t)writer->version, 2);
	put_le(header + 10, 0, 2); /* flags */
	if (spec != NULL) {
		writer->spec = *spec;
		put_le(header + 12, PRONET_DATASET_V2_SPEC_SIZE, 2);
		put_le(header + 14, spec->window_bytes, 2);
		header[16] = spec->layer;
		header[17] = spec->flags;
		put_le(header + 18, spec->packets_per_direction, 2);
		header[20] = 0; /* label kind: nDPI's master protocol */
		header[21] = spec->layer == PRONET_LAYER_L3 ? 3 : 0; /* addresses, checksums */
	}
	err = write_bytes(writer, header, header_size, errbuf);
	if (err != PRONET_OK) {
		pronet_dataset_writer_abort(writer);
		return err;
	}
	*out = writer;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_writer_open(const char *path, struct pronet_dataset_writer **out,
                                           char *errbuf)
{
	return open_writer(path, NULL, out, errbuf);
}

enum pronet_err pronet_dataset_writer_open_v2(const char *path,
                                              const struct pronet_input_spec *spec,
                                              struct pronet_dataset_writer **out, char *errbuf)
{
	enum pronet_err err;

	if (spec == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_dataset_writer_open_v2: no spec");
	err = pronet_input_spec_check(spec, path != NULL ? path : "dataset", errbuf);
	if (err != PRONET_OK)
		return err;
	if (spec->packets_per_direction > UINT16_MAX)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: %u packets per direction (at most %u)", path,
		                    spec->packets_per_direction, UINT16_MAX);
	return open_writer(path, spec, out, errbuf);
}

/* Emits a definition record for a new name and remembers it. */
static enum pronet_err define(struct pronet_dataset_writer *writer, int is_class, const char *name,
                              uint32_t *index, char *errbuf)
{
	struct pronet_name_index *table = is_class ? &writer->classes : &writer->captures;
	char ***names = is_class ? &writer->class_names : &writer->capture_names;
	size_t *count = is_class ? &writer->num_classes : &writer->num_captures;
	size_t length,
	    max = is_class ? PRONET_DATASET_CLASS_NAME_MAX : PRONET_DATASET_CAPTURE_NAME_MAX;
	uint8_t record[1 + 4 + 2];
	size_t record_size;
	enum pronet_err err;

	if (writer->failed)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: writer used after an error",
		                    writer->path);
	if (name == NULL || (length = strlen(name)) == 0 || length > max)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: %s name empty or longer than %zu bytes", writer->path,
		                    is_class ? "class" : "capture", max);
	if (pronet_name_index_find(table, name, index))
		return PRONET_OK;
	if (is_class ? *count >= PRONET_DATASET_MAX_CLASSES : *count >= UINT32_MAX)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: too many %s names", writer->path,
		                    is_class ? "class" : "capture");
	record[0] = is_class ? PRONET_DATASET_TAG_CLASS : PRONET_DATASET_TAG_CAPTURE;
	put_le(record + 1, *count, is_class ? 2 : 4);
	put_le(record + (is_class ? 3 : 5), length, is_class ? 1 : 2);
	record_size = is_class ? 4 : 7;
	err = write_bytes(writer, record, record_size, errbuf);
	if (err == PRONET_OK)
		err = write_bytes(writer, name, length, errbuf);
	if (err != PRONET_OK)
		return err;
	if (pronet_dataset_names_append(names, count, name, length) != PRONET_OK ||
	    pronet_name_index_add(table, (*names)[*count - 1], (uint32_t)(*count - 1)) !=
	        PRONET_OK) {
		writer->failed = 1;
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", writer->path);
	}
	*index = (uint32_t)(*count - 1);
	return PRONET_OK;
}

enum pronet_err pronet_dataset_writer_define_class(struct pronet_dataset_writer *writer,
                                                   const char *name, uint16_t *index, char *errbuf)
{
	uint32_t wide;
	enum pronet_err err = define(writer, 1, name, &wide, errbuf);

	if (err == PRONET_OK)
		*index = (uint16_t)wide;
	return err;
}

enum pronet_err pronet_dataset_writer_define_capture(struct pronet_dataset_writer *writer,
                                                     const char *name, uint32_t *index,
                                                     char *errbuf)
{
	return define(writer, 0, name, index, errbuf);
}

enum pronet_err pronet_dataset_writer_write(struct pronet_dataset_writer *writer,
                                            const struct pronet_sample *sample, char *errbuf)
{
	uint8_t record[1 + PRONET_DATASET_SAMPLE_SIZE];
	const struct pronet_packet_record *input = &sample->input;
	const char *problem = pronet_dataset_input_problem(input);

	if (writer->failed)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: writer used after an error",
		                    writer->path);
	if (writer->version != PRONET_DATASET_VERSION)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: a v2 dataset takes whole flows (write_flow)",
		                    writer->path);
	if (problem != NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: bad sample: %s", writer->path,
		                    problem);
	if (sample->label >= writer->num_classes || sample->capture >= writer->num_captures)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: sample uses an undefined class (%u) or capture (%u) index",
		                    writer->path, sample->label, sample->capture);
	memset(record, 0, sizeof(record));
	record[0] = PRONET_DATASET_TAG_SAMPLE;
	if (input->length > 0)
		memcpy(record + 1, input->bytes, input->length);
	record[17] = (uint8_t)input->length;
	record[18] = input->direction;
	/* v1 keeps a u8 payload index, saturated (as v1 builders did). */
	record[19] = input->payload_index < UINT8_MAX ? (uint8_t)input->payload_index : UINT8_MAX;
	record[20] = input->l4_protocol;
	put_le(record + 21, input->payload_length, 2);
	put_le(record + 23, sample->label, 2);
	put_le(record + 25, sample->capture, 4);
	put_le(record + 29, sample->flow, 8);
	if (write_bytes(writer, record, sizeof(record), errbuf) != PRONET_OK)
		return PRONET_ERR_IO;
	writer->samples++;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_writer_write_named(struct pronet_dataset_writer *writer,
                                                  const struct pronet_packet_record *input,
                                                  const char *class_name, const char *capture_name,
                                                  uint64_t flow, char *errbuf)
{
	struct pronet_sample sample = {.input = *input, .flow = flow};
	const char *problem = pronet_dataset_input_problem(input);
	enum pronet_err err;

	/* Check before defining names, so a refused sample leaves no trace. */
	if (problem != NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: bad sample: %s", writer->path,
		                    problem);
	err = pronet_dataset_writer_define_class(writer, class_name, &sample.label, errbuf);
	if (err == PRONET_OK)
		err = pronet_dataset_writer_define_capture(writer, capture_name, &sample.capture,
		                                           errbuf);
	if (err == PRONET_OK)
		err = pronet_dataset_writer_write(writer, &sample, errbuf);
	return err;
}

/* One v2 packet record: the fixed part, then its bytes. */
static enum pronet_err write_record(struct pronet_dataset_writer *writer,
                                    const struct pronet_packet_record *r, char *errbuf)
{
	uint8_t head[1 + PRONET_DATASET_V2_RECORD_SIZE];

	head[0] = PRONET_DATASET_TAG_RECORD;
	put_le(head + 1, r->timestamp_us, 8);
	put_le(head + 9, r->packet_index, 4);
	put_le(head + 13, r->tcp_seq, 4);
	put_le(head + 17, r->payload_index, 2);
	put_le(head + 19, r->wire_length, 2);
	put_le(head + 21, r->payload_length, 2);
	put_le(head + 23, r->l4_offset, 2);
	put_le(head + 25, r->payload_offset, 2);
	head[27] = r->direction;
	head[28] = r->tcp_flags;
	put_le(head + 29, r->length, 2);
	if (write_bytes(writer, head, sizeof(head), errbuf) != PRONET_OK ||
	    (r->length > 0 && write_bytes(writer, r->bytes, r->length, errbuf) != PRONET_OK))
		return PRONET_ERR_IO;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_writer_write_flow(struct pronet_dataset_writer *writer,
                                                 const char *class_name, const char *capture_name,
                                                 uint64_t flow,
                                                 const struct pronet_packet_record *records,
                                                 size_t count, int truncated, char *errbuf)
{
	uint8_t head[1 + PRONET_DATASET_V2_FLOW_SIZE];
	uint16_t label;
	uint32_t capture;
	enum pronet_err err;

	if (writer->failed)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: writer used after an error",
		                    writer->path);
	if (writer->version != PRONET_DATASET_VERSION_2)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: a v1 dataset takes samples, not flows", writer->path);
	if (count == 0 || count > UINT32_MAX)
		return pronet_error(errbuf, PRONET_ERR_ARG, "%s: a flow of %zu records",
		                    writer->path, count);
	/* Check before defining names, so a refused flow leaves no trace. */
	for (size_t i = 0; i < count; i++) {
		const char *problem = pronet_dataset_v2_record_problem(&writer->spec, &records[i]);

		if (problem == NULL && records[i].l4_protocol != records[0].l4_protocol)
			problem = "records of one flow with two transports";
		if (problem == NULL && i > 0 &&
		    records[i].timestamp_us < records[i - 1].timestamp_us)
			problem = "timestamp before the flow's previous record";
		if (problem != NULL)
			return pronet_error(errbuf, PRONET_ERR_ARG, "%s: bad packet record: %s",
			                    writer->path, problem);
	}
	err = pronet_dataset_writer_define_class(writer, class_name, &label, errbuf);
	if (err == PRONET_OK)
		err = pronet_dataset_writer_define_capture(writer, capture_name, &capture, errbuf);
	if (err != PRONET_OK)
		return err;
	head[0] = PRONET_DATASET_TAG_FLOW;
	put_le(head + 1, capture, 4);
	put_le(head + 5, flow, 8);
	put_le(head + 13, label, 2);
	head[15] = records[0].l4_protocol;
	head[16] = truncated ? 1 : 0;
	put_le(head + 17, count, 4);
	err = write_bytes(writer, head, sizeof(head), errbuf);
	for (size_t i = 0; err == PRONET_OK && i < count; i++)
		err = write_record(writer, &records[i], errbuf);
	if (err != PRONET_OK)
		return err;
	writer->flows++;
	writer->samples += count;
	return PRONET_OK;
}

uint64_t pronet_dataset_writer_count(const struct pronet_dataset_writer *writer)
{
	return writer->samples;
}

void pronet_dataset_writer_abort(struct pronet_dataset_writer *writer)
{
	if (writer == NULL)
		return;
	pronet_atomic_file_abort(writer->output);
	free_writer(writer);
}

enum pronet_err pronet_dataset_writer_close(struct pronet_dataset_writer *writer, char *errbuf)
{
	uint8_t record[1 + 8];
	uint8_t checksum[4];
	enum pronet_err err;

	if (writer == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_dataset_writer_close: no writer");
	if (writer->failed) {
		err = pronet_error(errbuf, PRONET_ERR_ARG,
		                   "%s: not written: an earlier write failed", writer->path);
		pronet_dataset_writer_abort(writer);
		return err;
	}
	record[0] = PRONET_DATASET_TAG_END;
	put_le(record + 1,
	       writer->version == PRONET_DATASET_VERSION_2 ? writer->flows : writer->samples, 8);
	err = write_bytes(writer, record, sizeof(record), errbuf);
	if (err == PRONET_OK && writer->version == PRONET_DATASET_VERSION_2) {
		put_le(record, writer->samples, 8); /* v2: the record count follows */
		err = write_bytes(writer, record, 8, errbuf);
	}
	/* The checksum covers everything before it, itself excluded. */
	put_le(checksum, writer->crc, 4);
	if (err == PRONET_OK)
		err = write_bytes(writer, checksum, sizeof(checksum), errbuf);
	if (err != PRONET_OK) {
		pronet_dataset_writer_abort(writer);
		return err;
	}
	err = pronet_atomic_file_commit(writer->output, errbuf);
	free_writer(writer);
	return err;
}

/* Defines names[0..count) so that name i gets index i, as in memory; a
 * repeated name cannot keep its index and is refused. */
static enum pronet_err define_in_order(struct pronet_dataset_writer *writer, int is_class,
                                       char *const *names, size_t count, char *errbuf)
{
	uint32_t index;

	for (size_t i = 0; i < count; i++) {
		enum pronet_err err = define(writer, is_class, names[i], &index, errbuf);

		if (err != PRONET_OK)
			return err;
		if (index != i)
			return pronet_error(errbuf, PRONET_ERR_ARG,
			                    "%s: %s name '%s' appears twice", writer->path,
			                    is_class ? "class" : "capture", names[i]);
	}
	return PRONET_OK;
}

enum pronet_err pronet_dataset_save(const struct pronet_dataset *dataset, const char *path,
                                    char *errbuf)
{
	struct pronet_dataset_writer *writer;
	uint8_t bytes[PRONET_RECORD_MAX_BYTES];
	enum pronet_err err;

	if (dataset == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_dataset_save: no dataset");
	err = pronet_dataset_writer_open(path, &writer, errbuf);
	if (err != PRONET_OK)
		return err;
	err = define_in_order(writer, 1, dataset->class_names, dataset->num_classes, errbuf);
	if (err == PRONET_OK)
		err = define_in_order(writer, 0, dataset->capture_names, dataset->num_captures,
		                      errbuf);
	for (size_t i = 0; err == PRONET_OK && i < dataset->num_samples; i++) {
		struct pronet_sample sample = dataset->samples[i];

		/* A streamed dataset's bytes come from its file (v1 keeps 16). */
		err = sample.input.length <= sizeof(bytes)
		          ? pronet_dataset_record(dataset, i, bytes, &sample.input, errbuf)
		          : PRONET_OK;
		if (err == PRONET_OK)
			err = pronet_dataset_writer_write(writer, &sample, errbuf);
	}
	if (err != PRONET_OK) {
		pronet_dataset_writer_abort(writer);
		return err;
	}
	return pronet_dataset_writer_close(writer, errbuf);
}
