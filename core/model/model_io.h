/* The model file's byte cursor: a growing little-endian writer and a reader
 * that checks every length against what remains. Used by model_file.c (v2),
 * model_file_v1.c and each family's hyperparameter hooks (core/arch/arch.h).
 * Internal. */
#ifndef PRONET_CORE_MODEL_MODEL_IO_H
#define PRONET_CORE_MODEL_MODEL_IO_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

/* Grows as needed; a failed allocation sets failed and later puts do nothing. */
struct pronet_io_writer {
	uint8_t *data;
	size_t size, capacity;
	int failed;
};

void pronet_io_put_bytes(struct pronet_io_writer *w, const void *bytes, size_t count);
void pronet_io_put_u8(struct pronet_io_writer *w, uint8_t value);
void pronet_io_put_u16(struct pronet_io_writer *w, uint16_t value);
void pronet_io_put_u32(struct pronet_io_writer *w, uint32_t value);
void pronet_io_put_f32(struct pronet_io_writer *w, float value);
/* u8 length + bytes (text is at most 255 bytes). */
void pronet_io_put_string(struct pronet_io_writer *w, const char *text);

/* Reads data[offset..size); errors name `name` (the file) and the field. */
struct pronet_io_reader {
	const uint8_t *data;
	size_t size, offset;
	const char *name;
	char *errbuf;
};

/* Every read goes through here: nothing is read past size. */
enum pronet_err pronet_io_take(struct pronet_io_reader *r, size_t count, const char *what,
                               const uint8_t **bytes);
uint32_t pronet_io_decode_u32(const uint8_t *bytes);
float pronet_io_decode_f32(const uint8_t *bytes);
enum pronet_err pronet_io_get_u16(struct pronet_io_reader *r, const char *what, uint16_t *value);
enum pronet_err pronet_io_get_u32(struct pronet_io_reader *r, const char *what, uint32_t *value);
/* Refuses a non-finite value (PRONET_ERR_FORMAT). */
enum pronet_err pronet_io_get_f32(struct pronet_io_reader *r, const char *what, float *value);
/* u8 length (1..max_length) + bytes without NUL into text[max_length + 1]. */
enum pronet_err pronet_io_get_string(struct pronet_io_reader *r, const char *what,
                                     size_t max_length, char *text);
/* Expects an exact value the format fixes; `mismatch` is the error otherwise. */
enum pronet_err pronet_io_expect_u32(struct pronet_io_reader *r, const char *what,
                                     uint32_t expected, enum pronet_err mismatch);
/* PRONET_ERR_FORMAT unless every byte was read ("`what` has N bytes left over"). */
enum pronet_err pronet_io_expect_end(struct pronet_io_reader *r, const char *what);

#endif
