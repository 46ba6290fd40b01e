/* Private to core/data/dataset.c and core/data/dataset_writer.c: the constants of the
 * dataset file format (docs/dataset-format.md), its checksum and a small
 * name -> index table shared by the loader and the writer. */
#ifndef PRONET_CORE_DATASET_FORMAT_H
#define PRONET_CORE_DATASET_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/data/record.h"

#define PRONET_DATASET_MAGIC "PRONETDS"
#define PRONET_DATASET_MAGIC_SIZE 8
#define PRONET_DATASET_VERSION 1
#define PRONET_DATASET_HEADER_SIZE 12 /* magic, u16 version, u16 flags */
/* Version 2: the header goes on with the input spec; flows of packet records. */
#define PRONET_DATASET_VERSION_2 2
#define PRONET_DATASET_V2_SPEC_SIZE 16
#define PRONET_DATASET_V2_HEADER_SIZE (PRONET_DATASET_HEADER_SIZE + 2 + PRONET_DATASET_V2_SPEC_SIZE)
#define PRONET_DATASET_V2_FLOW_SIZE                                                                \
	20 /* u32 capture, u64 flow, u16 label, u8 l4, u8 flags, u32 R */
#define PRONET_DATASET_V2_RECORD_SIZE 30 /* before the record's L bytes */
#define PRONET_DATASET_V2_END_SIZE 20    /* u64 flows, u64 records, u32 CRC-32 */
#define PRONET_DATASET_V2_MASK_ADDRESSES 0x01u
#define PRONET_DATASET_V2_MASK_CHECKSUMS 0x02u

/* Record tags: printable, so a hex dump of a dataset reads a little. */
enum pronet_dataset_tag {
	PRONET_DATASET_TAG_CLASS = 'C',   /* u16 index, u8 length, name */
	PRONET_DATASET_TAG_CAPTURE = 'P', /* u32 index, u16 length, name */
	PRONET_DATASET_TAG_SAMPLE = 'S',  /* see PRONET_DATASET_SAMPLE_SIZE */
	PRONET_DATASET_TAG_END = 'E',     /* u64 samples, u32 CRC-32 of all bytes before it */
	PRONET_DATASET_TAG_FLOW = 'F',    /* v2: a flow, then its R packet records */
	PRONET_DATASET_TAG_RECORD = 'R',  /* v2: one packet record */
};

/* The one bounds-checked reader of dataset bytes (core/data/dataset.c), used
 * by the v1 and the v2 record parsers: every read is checked with need().
 * `data` holds the file's bytes [base, base + length): the whole file for
 * pronet_dataset_load, a window that need() slides over it for the streamed
 * loader (core/data/dataset_stream.c), which then keeps each record's file
 * offset instead of its bytes. Offsets are the file's, whichever. */
struct pronet_dataset_source;
struct pronet_dataset_cursor {
	const uint8_t *data;
	size_t size, offset; /* the file's size; the next byte to read */
	const char *name;    /* file name for messages */
	char *errbuf;
	size_t base, length;                  /* what `data` holds of the file */
	uint32_t crc;                         /* CRC-32 of the bytes before base */
	struct pronet_dataset_source *source; /* NULL: data is the whole file */
};

/* A pointer to the byte at cursor->offset (within what need() checked). */
static inline const uint8_t *pronet_dataset_here(const struct pronet_dataset_cursor *cursor)
{
	return cursor->data + (cursor->offset - cursor->base);
}

/* The CRC-32 of every byte before cursor->offset. */
uint32_t pronet_dataset_crc_so_far(const struct pronet_dataset_cursor *cursor);

/* PRONET_OK if `count` bytes remain for `what`, else a truncation error
 * naming the file, the offset and what was cut. */
enum pronet_err pronet_dataset_need(struct pronet_dataset_cursor *cursor, size_t count,
                                    const char *what);
/* A little-endian integer of `bytes` bytes; checked with need() first. */
uint64_t pronet_dataset_take(struct pronet_dataset_cursor *cursor, size_t bytes);
/* A format error at `offset`: the file, the problem and the value. */
enum pronet_err pronet_dataset_bad(struct pronet_dataset_cursor *cursor, size_t offset,
                                   const char *problem, uint64_t value);

struct pronet_dataset;
struct pronet_name_index;
/* A class (`is_class`) or capture definition record, v1's and v2's alike. */
enum pronet_err pronet_dataset_read_definition(struct pronet_dataset_cursor *cursor, int is_class,
                                               struct pronet_dataset *dataset,
                                               struct pronet_name_index *seen);
/* Parses a v2 file's spec (after the common 12-byte header) and records into
 * `dataset` (core/data/dataset_v2.c). */
enum pronet_err pronet_dataset_read_v2(struct pronet_dataset_cursor *cursor,
                                       struct pronet_dataset *dataset);
/* What is wrong with a v2 record under `spec` (a constant sentence), or NULL.
 * The writer refuses what the loader would refuse. */
struct pronet_input_spec;
const char *pronet_dataset_v2_record_problem(const struct pronet_input_spec *spec,
                                             const struct pronet_packet_record *record);

/* Body of a sample record: 16 payload bytes, length, direction,
 * packet_index, l4_protocol (u8 each), payload_length (u16), label (u16),
 * capture (u32), flow (u64). */
#define PRONET_DATASET_SAMPLE_SIZE (16 + 4 + 2 + 2 + 4 + 8)
#define PRONET_DATASET_CLASS_NAME_MAX 63     /* bytes; PRONET_CLASS_NAME_MAX - 1 */
#define PRONET_DATASET_CAPTURE_NAME_MAX 4096 /* bytes, without NUL */
#define PRONET_DATASET_MAX_CLASSES 65536     /* label is a u16 */

/* Keeps a parsed sample whose bytes are at sample->input.bytes in the
 * cursor's data: copied into the dataset's arena, or (streamed) their file
 * offset kept. Errors name the file. */
enum pronet_err pronet_dataset_keep(struct pronet_dataset_cursor *cursor,
                                    struct pronet_dataset *dataset,
                                    const struct pronet_sample *sample);
/* Appends the sample as it is (its bytes pointer too) to the dataset's array. */
enum pronet_err pronet_dataset_append_index(struct pronet_dataset *dataset,
                                            const struct pronet_sample *sample);

/* The header, then v1's or v2's records into `dataset`: the one parser of
 * both loaders. */
enum pronet_err pronet_dataset_parse(struct pronet_dataset_cursor *cursor,
                                     struct pronet_dataset *dataset);

/* Streamed datasets (core/data/dataset_stream.c). Slides the cursor's window
 * so that `count` bytes from cursor->offset are in it (the file holds them). */
enum pronet_err pronet_dataset_refill(struct pronet_dataset_cursor *cursor, size_t count);
/* Keeps a streamed sample: its index entry, bytes NULL, and the file offset
 * of its bytes. */
enum pronet_err pronet_dataset_source_keep(struct pronet_dataset_source *source,
                                           struct pronet_dataset *dataset,
                                           const struct pronet_sample *sample, size_t offset);
/* Copies `length` bytes at file offset `offset`, through the cache. */
enum pronet_err pronet_dataset_source_read(struct pronet_dataset_source *source, size_t offset,
                                           size_t length, uint8_t *bytes, char *errbuf);
/* One more dataset reads through the source (pronet_dataset_subset). */
struct pronet_dataset_source *pronet_dataset_source_share(struct pronet_dataset_source *source);
size_t pronet_dataset_source_resident(struct pronet_dataset_source *source);
/* Drops one dataset's hold; the last frees the source. */
void pronet_dataset_source_free(struct pronet_dataset_source *source);

/* Appends a copy of name[0..length) to *names, which holds *count names. */
enum pronet_err pronet_dataset_names_append(char ***names, size_t *count, const char *name,
                                            size_t length);

/* What is wrong with a sample's input (a constant sentence), or NULL. The
 * writer refuses what the loader would refuse. */
const char *pronet_dataset_input_problem(const struct pronet_packet_record *input);

#endif
