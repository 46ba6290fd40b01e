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

struct pronet_dataset_writer {
	struct pronet_atomic_file *output;
	FILE *file;       /* output's stream */
	const char *path; /* output's target path */
	uint32_t crc;     /* of every byte written so far */
	int failed;       /* a call failed: only close/abort from now on */
	uint64_t samples;
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

enum pronet_err pronet_dataset_writer_open(const char *path, struct pronet_dataset_writer **out,
                                           char *errbuf)
{
	struct pronet_dataset_writer *writer;
	uint8_t header[PRONET_DATASET_HEADER_SIZE];
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
	memcpy(header, PRONET_DATASET_MAGIC, PRONET_DATASET_MAGIC_SIZE);
	put_le(header + 8, PRONET_DATASET_VERSION, 2);
	put_le(header + 10, 0, 2); /* flags */
	err = write_bytes(writer, header, sizeof(header), errbuf);
	if (err != PRONET_OK) {
		pronet_dataset_writer_abort(writer);
		return err;
	}
	*out = writer;
	return PRONET_OK;
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
	put_le(record + 1, writer->samples, 8);
	err = write_bytes(writer, record, sizeof(record), errbuf);
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
	for (size_t i = 0; err == PRONET_OK && i < dataset->num_samples; i++)
		err = pronet_dataset_writer_write(writer, &dataset->samples[i], errbuf);
	if (err != PRONET_OK) {
		pronet_dataset_writer_abort(writer);
		return err;
	}
	return pronet_dataset_writer_close(writer, errbuf);
}
