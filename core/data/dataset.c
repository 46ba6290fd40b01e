/* The in-memory dataset and its loader. The file format is documented in
 * docs/dataset-format.md; the writer lives in core/data/dataset_writer.c.
 *
 * The loader reads a whole file into memory and walks it with a cursor that
 * checks every length against what remains, so a damaged file is refused
 * with its name, the byte offset and the problem, never read past. */
#include "core/data/dataset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/util/crc32.h"
#include "core/data/dataset_format.h"
#include "core/data/name_index.h"
#include "core/util/file_read.h"

/* --- the in-memory dataset ------------------------------------------------ */

struct pronet_dataset *pronet_dataset_new(void)
{
	struct pronet_dataset *dataset = calloc(1, sizeof(struct pronet_dataset));

	/* What a v1 file holds; a v2 file's header says otherwise. */
	if (dataset != NULL) {
		pronet_input_spec_default(&dataset->spec);
		dataset->spec.flags = PRONET_SPEC_NO_TIMES;
		dataset->spec.packets_per_direction = 0; /* not recorded in v1 */
	}
	return dataset;
}

static void free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

/* The arena: chunks of record bytes, newest first. */
struct pronet_dataset_chunk {
	struct pronet_dataset_chunk *next;
	size_t used, size;
	uint8_t bytes[];
};

#define CHUNK_BYTES ((size_t)1 << 16)

/* Room for `length` bytes that never move; NULL when out of memory. */
static uint8_t *arena_take(struct pronet_dataset *dataset, size_t length)
{
	struct pronet_dataset_chunk *chunk = dataset->chunks;

	if (chunk == NULL || chunk->size - chunk->used < length) {
		size_t size = length > CHUNK_BYTES ? length : CHUNK_BYTES;

		chunk = malloc(sizeof(*chunk) + size);
		if (chunk == NULL)
			return NULL;
		chunk->next = dataset->chunks;
		chunk->used = 0;
		chunk->size = size;
		dataset->chunks = chunk;
	}
	chunk->used += length;
	return chunk->bytes + chunk->used - length;
}

void pronet_dataset_free(struct pronet_dataset *dataset)
{
	if (dataset == NULL)
		return;
	while (dataset->chunks != NULL) {
		struct pronet_dataset_chunk *next = dataset->chunks->next;
		free(dataset->chunks);
		dataset->chunks = next;
	}
	free(dataset->samples);
	pronet_dataset_source_free(dataset->source);
	free(dataset->byte_offsets);
	free_names(dataset->class_names, dataset->num_classes);
	free_names(dataset->capture_names, dataset->num_captures);
	free(dataset);
}

/* The array's capacity is implied by *count: 8, then the next power of two. */
enum pronet_err pronet_dataset_names_append(char ***names, size_t *count, const char *name,
                                            size_t length)
{
	char *copy = malloc(length + 1);

	if (copy == NULL)
		return PRONET_ERR_NOMEM;
	memcpy(copy, name, length);
	copy[length] = '\0';
	if (*count == 0 || (*count >= 8 && (*count & (*count - 1)) == 0)) {
		size_t capacity = *count == 0 ? 8 : *count * 2;
		char **grown = realloc(*names, capacity * sizeof(**names));

		if (grown == NULL) {
			free(copy);
			return PRONET_ERR_NOMEM;
		}
		*names = grown;
	}
	(*names)[(*count)++] = copy;
	return PRONET_OK;
}

static int find_name(char *const *names, size_t count, const char *name, size_t *index)
{
	for (size_t i = 0; i < count; i++) {
		if (strcmp(names[i], name) == 0) {
			*index = i;
			return 1;
		}
	}
	return 0;
}

enum pronet_err pronet_dataset_intern_class(struct pronet_dataset *dataset, const char *name,
                                            uint16_t *index)
{
	size_t found;
	enum pronet_err err;

	if (dataset == NULL || name == NULL || *name == '\0' ||
	    strlen(name) > PRONET_DATASET_CLASS_NAME_MAX)
		return PRONET_ERR_ARG;
	if (find_name(dataset->class_names, dataset->num_classes, name, &found)) {
		*index = (uint16_t)found;
		return PRONET_OK;
	}
	if (dataset->num_classes >= PRONET_DATASET_MAX_CLASSES)
		return PRONET_ERR_LIMIT;
	err = pronet_dataset_names_append(&dataset->class_names, &dataset->num_classes, name,
	                                  strlen(name));
	if (err == PRONET_OK)
		*index = (uint16_t)(dataset->num_classes - 1);
	return err;
}

enum pronet_err pronet_dataset_intern_capture(struct pronet_dataset *dataset, const char *name,
                                              uint32_t *index)
{
	size_t found;
	enum pronet_err err;

	if (dataset == NULL || name == NULL || *name == '\0' ||
	    strlen(name) > PRONET_DATASET_CAPTURE_NAME_MAX)
		return PRONET_ERR_ARG;
	if (find_name(dataset->capture_names, dataset->num_captures, name, &found)) {
		*index = (uint32_t)found;
		return PRONET_OK;
	}
	if (dataset->num_captures >= UINT32_MAX)
		return PRONET_ERR_LIMIT;
	err = pronet_dataset_names_append(&dataset->capture_names, &dataset->num_captures, name,
	                                  strlen(name));
	if (err == PRONET_OK)
		*index = (uint32_t)(dataset->num_captures - 1);
	return err;
}

enum pronet_err pronet_dataset_append_index(struct pronet_dataset *dataset,
                                            const struct pronet_sample *sample)
{
	if (dataset->num_samples == dataset->samples_capacity) {
		size_t capacity =
		    dataset->samples_capacity == 0 ? 64 : dataset->samples_capacity * 2;
		struct pronet_sample *grown;

		if (capacity > SIZE_MAX / sizeof(*grown))
			return PRONET_ERR_NOMEM;
		grown = realloc(dataset->samples, capacity * sizeof(*grown));
		if (grown == NULL)
			return PRONET_ERR_NOMEM;
		dataset->samples = grown;
		dataset->samples_capacity = capacity;
	}
	dataset->samples[dataset->num_samples++] = *sample;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_append(struct pronet_dataset *dataset,
                                      const struct pronet_sample *sample)
{
	struct pronet_sample copy;
	enum pronet_err err;

	if (dataset == NULL || sample == NULL || dataset->source != NULL)
		return PRONET_ERR_ARG;
	if (sample->label >= dataset->num_classes || sample->capture >= dataset->num_captures)
		return PRONET_ERR_ARG;
	copy = *sample;
	copy.input.bytes = NULL;
	if (sample->input.length > 0) {
		uint8_t *bytes = arena_take(dataset, sample->input.length);

		if (bytes == NULL)
			return PRONET_ERR_NOMEM;
		memcpy(bytes, sample->input.bytes, sample->input.length);
		copy.input.bytes = bytes;
	}
	err = pronet_dataset_append_index(dataset, &copy);
	/* A failed grow leaves the bytes in the arena, freed with the dataset. */
	return err;
}

size_t pronet_dataset_resident_bytes(const struct pronet_dataset *dataset)
{
	size_t bytes = 0;

	if (dataset->source != NULL)
		return pronet_dataset_source_resident(dataset->source);
	for (const struct pronet_dataset_chunk *c = dataset->chunks; c != NULL; c = c->next)
		bytes += c->size;
	return bytes;
}

/* --- the loader ----------------------------------------------------------- */

/* Checks that `count` bytes remain for `what`, reporting where they do not. */
enum pronet_err pronet_dataset_need(struct pronet_dataset_cursor *cursor, size_t count,
                                    const char *what)
{
	if (cursor->size - cursor->offset < count)
		return pronet_error(cursor->errbuf, PRONET_ERR_TRUNCATED,
		                    "%s: offset %zu: truncated: %s needs %zu bytes, %zu left",
		                    cursor->name, cursor->offset, what, count,
		                    cursor->size - cursor->offset);
	if (cursor->offset + count > cursor->base + cursor->length)
		return pronet_dataset_refill(cursor, count);
	return PRONET_OK;
}

uint32_t pronet_dataset_crc_so_far(const struct pronet_dataset_cursor *cursor)
{
	return pronet_crc32(cursor->crc, cursor->data, cursor->offset - cursor->base);
}

enum pronet_err pronet_dataset_keep(struct pronet_dataset_cursor *cursor,
                                    struct pronet_dataset *dataset,
                                    const struct pronet_sample *sample)
{
	enum pronet_err err;

	if (cursor->source != NULL)
		err = pronet_dataset_source_keep(cursor->source, dataset, sample,
		                                 cursor->base +
		                                     (size_t)(sample->input.bytes - cursor->data));
	else
		err = pronet_dataset_append(dataset, sample);
	if (err != PRONET_OK)
		return pronet_error(cursor->errbuf, err, "%s: out of memory", cursor->name);
	return PRONET_OK;
}

/* Little-endian reads; the caller has checked the length with pronet_dataset_need(). */
uint64_t pronet_dataset_take(struct pronet_dataset_cursor *cursor, size_t bytes)
{
	uint64_t value = 0;

	for (size_t i = 0; i < bytes; i++)
		value |= (uint64_t)pronet_dataset_here(cursor)[i] << (8 * i);
	cursor->offset += bytes;
	return value;
}

enum pronet_err pronet_dataset_bad(struct pronet_dataset_cursor *cursor, size_t offset,
                                   const char *problem, uint64_t value)
{
	return pronet_error(cursor->errbuf, PRONET_ERR_FORMAT, "%s: offset %zu: %s (%llu)",
	                    cursor->name, offset, problem, (unsigned long long)value);
}

static enum pronet_err read_header(struct pronet_dataset_cursor *cursor, int *is_v2)
{
	enum pronet_err err = pronet_dataset_need(cursor, PRONET_DATASET_HEADER_SIZE, "the header");
	uint64_t version, flags;

	if (err != PRONET_OK)
		return err;
	if (memcmp(pronet_dataset_here(cursor), PRONET_DATASET_MAGIC, PRONET_DATASET_MAGIC_SIZE) !=
	    0)
		return pronet_error(cursor->errbuf, PRONET_ERR_FORMAT,
		                    "%s: offset 0: not a pronet dataset (no PRONETDS magic)",
		                    cursor->name);
	cursor->offset = PRONET_DATASET_MAGIC_SIZE;
	version = pronet_dataset_take(cursor, 2);
	if (version != PRONET_DATASET_VERSION && version != PRONET_DATASET_VERSION_2)
		return pronet_error(
		    cursor->errbuf, PRONET_ERR_VERSION,
		    "%s: offset 8: dataset format version %llu, this build reads 1 and 2",
		    cursor->name, (unsigned long long)version);
	flags = pronet_dataset_take(cursor, 2);
	if (flags != 0)
		return pronet_dataset_bad(cursor, 10, "unknown header flags", flags);
	*is_v2 = version == PRONET_DATASET_VERSION_2;
	return PRONET_OK;
}

/* A definition record: index (must be the next one), length, name bytes. */
enum pronet_err pronet_dataset_read_definition(struct pronet_dataset_cursor *cursor, int is_class,
                                               struct pronet_dataset *dataset,
                                               struct pronet_name_index *seen)
{
	size_t start = cursor->offset, index_bytes = is_class ? 2 : 4,
	       length_bytes = is_class ? 1 : 2;
	size_t max = is_class ? PRONET_DATASET_CLASS_NAME_MAX : PRONET_DATASET_CAPTURE_NAME_MAX;
	size_t *count = is_class ? &dataset->num_classes : &dataset->num_captures;
	char ***names = is_class ? &dataset->class_names : &dataset->capture_names;
	const char *kind = is_class ? "class" : "capture";
	uint64_t index, length;
	uint32_t previous;
	enum pronet_err err =
	    pronet_dataset_need(cursor, index_bytes + length_bytes, "a name definition");

	if (err != PRONET_OK)
		return err;
	index = pronet_dataset_take(cursor, index_bytes);
	length = pronet_dataset_take(cursor, length_bytes);
	if (index != *count)
		return pronet_error(
		    cursor->errbuf, PRONET_ERR_FORMAT,
		    "%s: offset %zu: %s index %llu defined out of order (expected %zu)",
		    cursor->name, start, kind, (unsigned long long)index, *count);
	if (length == 0 || length > max)
		return pronet_dataset_bad(
		    cursor, start, is_class ? "bad class name length" : "bad capture name length",
		    length);
	err = pronet_dataset_need(cursor, (size_t)length, "a name");
	if (err != PRONET_OK)
		return err;
	if (memchr(pronet_dataset_here(cursor), '\0', (size_t)length) != NULL)
		return pronet_dataset_bad(cursor, cursor->offset, "NUL byte in a name", 0);
	err = pronet_dataset_names_append(names, count, (const char *)pronet_dataset_here(cursor),
	                                  (size_t)length);
	if (err != PRONET_OK)
		return pronet_error(cursor->errbuf, err, "%s: out of memory", cursor->name);
	cursor->offset += (size_t)length;
	if (pronet_name_index_find(seen, (*names)[index], &previous))
		return pronet_error(
		    cursor->errbuf, PRONET_ERR_FORMAT,
		    "%s: offset %zu: %s name '%s' defined twice (indexes %u and %llu)",
		    cursor->name, start, kind, (*names)[index], previous,
		    (unsigned long long)index);
	err = pronet_name_index_add(seen, (*names)[index], (uint32_t)index);
	if (err != PRONET_OK)
		return pronet_error(cursor->errbuf, err, "%s: out of memory", cursor->name);
	return PRONET_OK;
}

const char *pronet_dataset_input_problem(const struct pronet_packet_record *input)
{
	if (input->length > PRONET_PAYLOAD_BYTES)
		return "payload byte count above 16";
	if (input->layer != PRONET_LAYER_PAYLOAD)
		return "bytes from the IP header on (a v1 dataset keeps payload bytes only)";
	if (input->payload_index == PRONET_PAYLOAD_INDEX_NONE)
		return "a packet without payload (a v1 dataset keeps payload packets only)";
	if (input->direction > PRONET_DIR_SERVER_TO_CLIENT)
		return "direction is neither 0 nor 1";
	if (input->l4_protocol != 6 && input->l4_protocol != 17)
		return "protocol is neither TCP (6) nor UDP (17)";
	if (input->payload_length < input->length)
		return "payload_length below the payload byte count";
	return NULL;
}

static enum pronet_err read_sample(struct pronet_dataset_cursor *cursor,
                                   struct pronet_dataset *dataset)
{
	size_t start = cursor->offset;
	struct pronet_sample sample;
	const char *problem;
	const uint8_t *bytes;
	enum pronet_err err = pronet_dataset_need(cursor, PRONET_DATASET_SAMPLE_SIZE, "a sample");

	if (err != PRONET_OK)
		return err;
	memset(&sample, 0, sizeof(sample));
	bytes = pronet_dataset_here(cursor);
	cursor->offset += PRONET_PAYLOAD_BYTES;
	sample.input.bytes = bytes;
	sample.input.length = (uint8_t)pronet_dataset_take(cursor, 1);
	sample.input.direction = (uint8_t)pronet_dataset_take(cursor, 1);
	/* v1 kept the payload index only; packet_index is the best known. */
	sample.input.payload_index = (uint8_t)pronet_dataset_take(cursor, 1);
	sample.input.packet_index = sample.input.payload_index;
	sample.input.l4_protocol = (uint8_t)pronet_dataset_take(cursor, 1);
	sample.input.payload_length = (uint16_t)pronet_dataset_take(cursor, 2);
	sample.label = (uint16_t)pronet_dataset_take(cursor, 2);
	sample.capture = (uint32_t)pronet_dataset_take(cursor, 4);
	sample.flow = pronet_dataset_take(cursor, 8);
	problem = pronet_dataset_input_problem(&sample.input);
	for (size_t i = sample.input.length; problem == NULL && i < PRONET_PAYLOAD_BYTES; i++)
		if (bytes[i] != 0)
			problem = "nonzero byte past the payload byte count";
	if (problem != NULL)
		return pronet_error(cursor->errbuf, PRONET_ERR_FORMAT,
		                    "%s: offset %zu: bad sample: %s", cursor->name, start, problem);
	if (sample.label >= dataset->num_classes)
		return pronet_dataset_bad(
		    cursor, start + 22, "sample refers to an undefined class index", sample.label);
	if (sample.capture >= dataset->num_captures)
		return pronet_dataset_bad(cursor, start + 24,
		                          "sample refers to an undefined capture index",
		                          sample.capture);
	return pronet_dataset_keep(cursor, dataset, &sample);
}

static enum pronet_err read_end(struct pronet_dataset_cursor *cursor,
                                const struct pronet_dataset *dataset)
{
	size_t start = cursor->offset;
	uint64_t samples;
	uint32_t stored, computed;
	enum pronet_err err = pronet_dataset_need(cursor, 12, "the end record");

	if (err != PRONET_OK)
		return err;
	samples = pronet_dataset_take(cursor, 8);
	computed = pronet_dataset_crc_so_far(cursor);
	stored = (uint32_t)pronet_dataset_take(cursor, 4);
	if (stored != computed)
		return pronet_error(
		    cursor->errbuf, PRONET_ERR_CHECKSUM,
		    "%s: offset %zu: checksum mismatch (stored %08x, computed %08x)", cursor->name,
		    start + 8, stored, computed);
	if (samples != dataset->num_samples)
		return pronet_dataset_bad(cursor, start,
		                          "end record's sample count differs from the samples read",
		                          samples);
	if (cursor->offset != cursor->size)
		return pronet_dataset_bad(cursor, cursor->offset, "bytes after the end record",
		                          cursor->size - cursor->offset);
	return PRONET_OK;
}

static enum pronet_err read_records(struct pronet_dataset_cursor *cursor,
                                    struct pronet_dataset *dataset)
{
	struct pronet_name_index classes, captures;
	enum pronet_err err = PRONET_OK;

	pronet_name_index_init(&classes);
	pronet_name_index_init(&captures);
	for (;;) {
		size_t start = cursor->offset;
		uint8_t tag;

		err = pronet_dataset_need(cursor, 1, "a record tag (is the end record missing?)");
		if (err != PRONET_OK)
			break;
		tag = (uint8_t)pronet_dataset_take(cursor, 1);
		if (tag == PRONET_DATASET_TAG_CLASS &&
		    dataset->num_classes >= PRONET_DATASET_MAX_CLASSES)
			err = pronet_dataset_bad(cursor, start, "more than 65536 classes",
			                         dataset->num_classes);
		else if (tag == PRONET_DATASET_TAG_CLASS || tag == PRONET_DATASET_TAG_CAPTURE)
			err = pronet_dataset_read_definition(
			    cursor, tag == PRONET_DATASET_TAG_CLASS, dataset,
			    tag == PRONET_DATASET_TAG_CLASS ? &classes : &captures);
		else if (tag == PRONET_DATASET_TAG_SAMPLE)
			err = read_sample(cursor, dataset);
		else if (tag == PRONET_DATASET_TAG_END) {
			err = read_end(cursor, dataset);
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

enum pronet_err pronet_dataset_parse(struct pronet_dataset_cursor *cursor,
                                     struct pronet_dataset *dataset)
{
	int is_v2 = 0;
	enum pronet_err err = read_header(cursor, &is_v2);

	if (err != PRONET_OK)
		return err;
	return is_v2 ? pronet_dataset_read_v2(cursor, dataset) : read_records(cursor, dataset);
}

enum pronet_err pronet_dataset_load_buffer(const void *data, size_t size, const char *name,
                                           struct pronet_dataset **out, char *errbuf)
{
	struct pronet_dataset_cursor cursor = {.data = data,
	                                       .size = size,
	                                       .name = name != NULL ? name : "(buffer)",
	                                       .errbuf = errbuf,
	                                       .length = size};
	struct pronet_dataset *dataset;
	enum pronet_err err;

	if (out == NULL || (data == NULL && size != 0))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_dataset_load_buffer: bad argument");
	*out = NULL;
	if (data == NULL)
		cursor.data = (const uint8_t *)"";
	dataset = pronet_dataset_new();
	if (dataset == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", cursor.name);
	err = pronet_dataset_parse(&cursor, dataset);
	if (err != PRONET_OK) {
		pronet_dataset_free(dataset);
		return err;
	}
	*out = dataset;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_load(const char *path, struct pronet_dataset **out, char *errbuf)
{
	uint8_t *data = NULL;
	size_t size = 0;
	enum pronet_err err;

	if (path == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_dataset_load: bad argument");
	*out = NULL;
	err = pronet_file_read(path, PRONET_DATASET_FILE_MAX, &data, &size, errbuf);
	if (err != PRONET_OK)
		return err;
	err = pronet_dataset_load_buffer(data, size, path, out, errbuf);
	free(data);
	return err;
}
