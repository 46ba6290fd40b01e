/* Labelled samples: what `pronet label` writes and `pronet train` reads.
 * File format: docs/dataset-format.md. The format is a stream of records, so
 * a writer needs no count up front and a reader can stop anywhere. */
#ifndef PRONET_CORE_DATASET_H
#define PRONET_CORE_DATASET_H

/* A dataset file larger than this is refused before it is read
 * (pronet_dataset_load reads it whole; pronet_dataset_load_streamed has no
 * such limit). */
#define PRONET_DATASET_FILE_MAX ((size_t)1 << 31)

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/util/error.h"
#include "core/data/input_spec.h"
#include "core/data/record.h"

struct pronet_sample {
	struct pronet_packet_record input; /* bytes: the dataset's (or the caller's) */
	uint16_t label;                    /* index into the dataset's class names */
	uint32_t capture;                  /* index into the dataset's capture names */
	uint64_t flow;                     /* flow number within its capture */
};

struct pronet_dataset_chunk;
struct pronet_dataset_source;

/* An in-memory dataset. Owns its arrays, strings and the samples' bytes
 * (in chunks that never move, so a sample's bytes pointer stays valid while
 * the sample array grows). */
struct pronet_dataset {
	struct pronet_sample *samples;
	size_t num_samples, samples_capacity;
	struct pronet_dataset_chunk *chunks; /* private: the arena of record bytes */
	/* What its records hold: window, layer, which packets. A v1 file (and
	 * pronet_dataset_new) gives 16 payload bytes, NO_TIMES, K 0 (unknown). */
	struct pronet_input_spec spec;
	char **class_names;
	size_t num_classes;
	char **capture_names;
	size_t num_captures;
	/* private: a streamed dataset's file and cache (NULL in memory), shared
	 * by its subsets, and where each sample's bytes start in the file */
	struct pronet_dataset_source *source;
	size_t *byte_offsets, byte_offsets_capacity;
};

struct pronet_dataset *pronet_dataset_new(void);
void pronet_dataset_free(struct pronet_dataset *dataset);
/* Index of the class/capture named `name`, added if new. */
enum pronet_err pronet_dataset_intern_class(struct pronet_dataset *dataset, const char *name,
                                            uint16_t *index);
enum pronet_err pronet_dataset_intern_capture(struct pronet_dataset *dataset, const char *name,
                                              uint32_t *index);
/* Appends a copy of the sample; its record's bytes are copied into the
 * dataset's arena (so the caller's buffer may be reused). */
enum pronet_err pronet_dataset_append(struct pronet_dataset *dataset,
                                      const struct pronet_sample *sample);

enum pronet_err pronet_dataset_load(const char *path, struct pronet_dataset **out, char *errbuf);

/* A dataset larger than memory (docs/dataset-format.md, "Streaming"): one
 * pass over the file checks it as pronet_dataset_load does (checksum
 * included) and keeps the index - every sample's record without its bytes,
 * label, capture, flow, and the bytes' file offset - and the file open.
 * Records' bytes are read on demand by pronet_dataset_record, through a
 * cache of at most `cache_bytes` (whole blocks of
 * PRONET_DATASET_BLOCK_BYTES; at least one block). Such a dataset cannot
 * be appended to. A streamed sample's input.bytes is NULL: its bytes are
 * pronet_dataset_record's only. */
#define PRONET_DATASET_BLOCK_BYTES ((size_t)16 << 10)
#define PRONET_DATASET_CACHE_DEFAULT ((size_t)64 << 20)
enum pronet_err pronet_dataset_load_streamed(const char *path, size_t cache_bytes,
                                             struct pronet_dataset **out, char *errbuf);
/* Sample `index`'s record with its bytes readable: in memory the record as
 * it is (bytes in the dataset's arena, `bytes` unused); streamed, its bytes
 * read into `bytes` (room for pronet_dataset_record_bytes_max bytes), valid
 * until the caller reuses the buffer. Safe from several threads at once,
 * each with its own buffer. PRONET_ERR_IO/_TRUNCATED, naming the file and
 * the offset, when the file cannot be read where the index says. */
enum pronet_err pronet_dataset_record(const struct pronet_dataset *dataset, size_t index,
                                      uint8_t *bytes, struct pronet_packet_record *out,
                                      char *errbuf);
/* The longest record's bytes: what a buffer for pronet_dataset_record holds. */
size_t pronet_dataset_record_bytes_max(const struct pronet_dataset *dataset);
/* Record bytes the dataset holds in memory now: its arena, or a streamed
 * dataset's cache (never above its cache_bytes; the index is apart,
 * sizeof(struct pronet_sample) + 8 bytes a record). */
size_t pronet_dataset_resident_bytes(const struct pronet_dataset *dataset);
int pronet_dataset_is_streamed(const struct pronet_dataset *dataset);
/* A new dataset of the samples i with keep[i] nonzero, in order, with the
 * same classes, captures and spec: in memory their bytes are copied, a
 * streamed dataset's subset reads the same file through the same cache
 * (either may be freed first). */
enum pronet_err pronet_dataset_subset(const struct pronet_dataset *dataset, const uint8_t *keep,
                                      struct pronet_dataset **out, char *errbuf);
enum pronet_err pronet_dataset_load_buffer(const void *data, size_t size, const char *name,
                                           struct pronet_dataset **out, char *errbuf);
/* Whole or not at all (temporary file + rename). */
enum pronet_err pronet_dataset_save(const struct pronet_dataset *dataset, const char *path,
                                    char *errbuf);

/* A streaming writer: samples go to disk as they come, with a name defined
 * the first time it is used, so `pronet label` can write while it reads
 * captures. Output goes to a temporary file next to `path`, renamed onto
 * `path` by a successful close: the dataset appears whole or not at all.
 *
 * Every call takes errbuf; after a failed call the writer only accepts
 * pronet_dataset_writer_abort (or close, which then fails and cleans up). */
struct pronet_dataset_writer;

enum pronet_err pronet_dataset_writer_open(const char *path, struct pronet_dataset_writer **out,
                                           char *errbuf);
/* Index of a class/capture name, defined in the output if new. */
enum pronet_err pronet_dataset_writer_define_class(struct pronet_dataset_writer *writer,
                                                   const char *name, uint16_t *index, char *errbuf);
enum pronet_err pronet_dataset_writer_define_capture(struct pronet_dataset_writer *writer,
                                                     const char *name, uint32_t *index,
                                                     char *errbuf);
/* A sample whose label and capture are indexes already defined. */
enum pronet_err pronet_dataset_writer_write(struct pronet_dataset_writer *writer,
                                            const struct pronet_sample *sample, char *errbuf);
/* The same by names, defined on first use. */
enum pronet_err pronet_dataset_writer_write_named(struct pronet_dataset_writer *writer,
                                                  const struct pronet_packet_record *input,
                                                  const char *class_name, const char *capture_name,
                                                  uint64_t flow, char *errbuf);
/* A version 2 writer (docs/dataset-format.md): flows of packet records
 * under `spec` (window, layer, which packets), written by
 * pronet_dataset_writer_write_flow; write and write_named refuse. */
enum pronet_err pronet_dataset_writer_open_v2(const char *path,
                                              const struct pronet_input_spec *spec,
                                              struct pronet_dataset_writer **out, char *errbuf);
/* One flow's records (1..2^32-1, in arrival order, all of one transport),
 * under a class and a capture named as write_named's. `truncated`: the
 * recorder dropped some of the flow's packets (a memory budget). */
enum pronet_err pronet_dataset_writer_write_flow(struct pronet_dataset_writer *writer,
                                                 const char *class_name, const char *capture_name,
                                                 uint64_t flow,
                                                 const struct pronet_packet_record *records,
                                                 size_t count, int truncated, char *errbuf);
/* Samples (v2: packet records) written so far. */
uint64_t pronet_dataset_writer_count(const struct pronet_dataset_writer *writer);
/* Writes the end record and checksum, flushes, renames the temporary file
 * onto the path and frees the writer, whatever the outcome; on failure the
 * temporary file is removed and `path` is untouched. */
enum pronet_err pronet_dataset_writer_close(struct pronet_dataset_writer *writer, char *errbuf);
/* Discards the output (removes the temporary file) and frees. NULL: no-op. */
void pronet_dataset_writer_abort(struct pronet_dataset_writer *writer);

#endif
