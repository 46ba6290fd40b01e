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

/* Record tags: printable, so a hex dump of a dataset reads a little. */
enum pronet_dataset_tag {
	PRONET_DATASET_TAG_CLASS = 'C',   /* u16 index, u8 length, name */
	PRONET_DATASET_TAG_CAPTURE = 'P', /* u32 index, u16 length, name */
	PRONET_DATASET_TAG_SAMPLE = 'S',  /* see PRONET_DATASET_SAMPLE_SIZE */
	PRONET_DATASET_TAG_END = 'E',     /* u64 samples, u32 CRC-32 of all bytes before it */
};

/* Body of a sample record: 16 payload bytes, length, direction,
 * packet_index, l4_protocol (u8 each), payload_length (u16), label (u16),
 * capture (u32), flow (u64). */
#define PRONET_DATASET_SAMPLE_SIZE (16 + 4 + 2 + 2 + 4 + 8)
#define PRONET_DATASET_CLASS_NAME_MAX 63     /* bytes; PRONET_CLASS_NAME_MAX - 1 */
#define PRONET_DATASET_CAPTURE_NAME_MAX 4096 /* bytes, without NUL */
#define PRONET_DATASET_MAX_CLASSES 65536     /* label is a u16 */

/* Appends a copy of name[0..length) to *names, which holds *count names. */
enum pronet_err pronet_dataset_names_append(char ***names, size_t *count, const char *name,
                                            size_t length);

/* What is wrong with a sample's input (a constant sentence), or NULL. The
 * writer refuses what the loader would refuse. */
const char *pronet_dataset_input_problem(const struct pronet_packet_record *input);

/* Names to indexes: open addressing over FNV-1a hashes. Does not own the
 * strings it points to. */
struct pronet_name_index {
	const char **names;
	uint32_t *indexes;
	size_t capacity, count;
};

void pronet_name_index_init(struct pronet_name_index *table);
void pronet_name_index_clear(struct pronet_name_index *table);
/* 1 and *index if found, else 0. */
int pronet_name_index_find(const struct pronet_name_index *table, const char *name,
                           uint32_t *index);
/* Adds a name known not to be present; `name` must outlive the table. */
enum pronet_err pronet_name_index_add(struct pronet_name_index *table, const char *name,
                                      uint32_t index);

#endif
