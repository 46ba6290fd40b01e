/* The model file's byte cursor (model_io.h): every field little-endian and
 * field by field, never a struct written as memory. */
#include "core/model/model_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void pronet_io_put_bytes(struct pronet_io_writer *w, const void *bytes, size_t count)
{
	if (w->failed || count == 0)
		return;
	if (w->size + count > w->capacity) {
		size_t capacity = w->capacity ? w->capacity : 4096;
		uint8_t *data;

		while (capacity < w->size + count)
			capacity *= 2;
		data = realloc(w->data, capacity);
		if (data == NULL) {
			w->failed = 1;
			return;
		}
		w->data = data;
		w->capacity = capacity;
	}
	memcpy(w->data + w->size, bytes, count);
	w->size += count;
}

void pronet_io_put_u8(struct pronet_io_writer *w, uint8_t value)
{
	pronet_io_put_bytes(w, &value, 1);
}

void pronet_io_put_u16(struct pronet_io_writer *w, uint16_t value)
{
	uint8_t bytes[2] = {(uint8_t)value, (uint8_t)(value >> 8)};

	pronet_io_put_bytes(w, bytes, 2);
}

void pronet_io_put_u32(struct pronet_io_writer *w, uint32_t value)
{
	uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
	                    (uint8_t)(value >> 24)};

	pronet_io_put_bytes(w, bytes, 4);
}

void pronet_io_put_f32(struct pronet_io_writer *w, float value)
{
	uint32_t bits;

	memcpy(&bits, &value, 4);
	pronet_io_put_u32(w, bits);
}

void pronet_io_put_string(struct pronet_io_writer *w, const char *text)
{
	size_t length = strlen(text);

	if (length > 255) {
		w->failed = 1;
		return;
	}
	pronet_io_put_u8(w, (uint8_t)length);
	pronet_io_put_bytes(w, text, length);
}

enum pronet_err pronet_io_take(struct pronet_io_reader *r, size_t count, const char *what,
                               const uint8_t **bytes)
{
	if (count > r->size - r->offset)
		return pronet_error(r->errbuf, PRONET_ERR_TRUNCATED,
		                    "%s: truncated: %s needs %zu bytes at offset %zu, %zu remain",
		                    r->name, what, count, r->offset, r->size - r->offset);
	*bytes = r->data + r->offset;
	r->offset += count;
	return PRONET_OK;
}

uint32_t pronet_io_decode_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

float pronet_io_decode_f32(const uint8_t *b)
{
	uint32_t bits = pronet_io_decode_u32(b);
	float value;

	memcpy(&value, &bits, 4);
	return value;
}

enum pronet_err pronet_io_get_u16(struct pronet_io_reader *r, const char *what, uint16_t *value)
{
	const uint8_t *b = NULL;
	enum pronet_err err = pronet_io_take(r, 2, what, &b);

	if (err == PRONET_OK)
		*value = (uint16_t)(b[0] | b[1] << 8);
	return err;
}

enum pronet_err pronet_io_get_u32(struct pronet_io_reader *r, const char *what, uint32_t *value)
{
	const uint8_t *b = NULL;
	enum pronet_err err = pronet_io_take(r, 4, what, &b);

	if (err == PRONET_OK)
		*value = pronet_io_decode_u32(b);
	return err;
}

enum pronet_err pronet_io_get_f32(struct pronet_io_reader *r, const char *what, float *value)
{
	const uint8_t *b = NULL;
	enum pronet_err err = pronet_io_take(r, 4, what, &b);

	if (err != PRONET_OK)
		return err;
	*value = pronet_io_decode_f32(b);
	if (!isfinite(*value))
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: %s at offset %zu is not finite", r->name, what,
		                    r->offset - 4);
	return PRONET_OK;
}

enum pronet_err pronet_io_get_string(struct pronet_io_reader *r, const char *what,
                                     size_t max_length, char *text)
{
	const uint8_t *b = NULL;
	enum pronet_err err = pronet_io_take(r, 1, what, &b);
	size_t length;

	if (err != PRONET_OK)
		return err;
	length = b[0];
	if (length == 0 || length > max_length)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: %s at offset %zu has length %zu, not 1..%zu", r->name,
		                    what, r->offset - 1, length, max_length);
	err = pronet_io_take(r, length, what, &b);
	if (err != PRONET_OK)
		return err;
	if (memchr(b, '\0', length) != NULL)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: %s at offset %zu contains NUL", r->name, what,
		                    r->offset - length);
	memcpy(text, b, length);
	text[length] = '\0';
	return PRONET_OK;
}

enum pronet_err pronet_io_expect_u32(struct pronet_io_reader *r, const char *what,
                                     uint32_t expected, enum pronet_err mismatch)
{
	uint32_t value;
	enum pronet_err err = pronet_io_get_u32(r, what, &value);

	if (err == PRONET_OK && value != expected)
		err = pronet_error(r->errbuf, mismatch, "%s: %s is %u, expected %u", r->name, what,
		                   value, expected);
	return err;
}

enum pronet_err pronet_io_expect_end(struct pronet_io_reader *r, const char *what)
{
	if (r->offset != r->size)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: %s has %zu bytes left over",
		                    r->name, what, r->size - r->offset);
	return PRONET_OK;
}
