/* The model file: reading and writing. The format is documented in full in
 * docs/model-format.md; in short, all little-endian:
 *
 *   "PRONETMD"  u32 version (1)  u32 architecture
 *   u32 hyperparameter bytes, then the architecture's hyperparameters
 *   u32 byte vocabulary  u32 n-gram size  u32 hash id  u32 buckets
 *   u32 classes, each u8 length + name bytes
 *   u32 tensors, each u8 length + name, u32 dims, u32 shape[dims], f32 data[]
 *   f32 temperature  u32 thresholds  f32 threshold[]
 *   u32 CRC-32 (IEEE 802.3, as zlib's crc32) of every byte before it
 *
 * The loader reads the whole file, then parses it with a cursor that checks
 * every length against what remains; the checksum is compared last, so a
 * truncated file is reported as truncated and a damaged one as damaged.
 * Saving writes a temporary file, fsyncs it and renames it over the target
 * (core/util/atomic_file.h; mode: the replaced file's, else 0644). */
#include "core/model/model.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/atomic_file.h"
#include "core/util/crc32.h"
#include "core/util/file_read.h"
#include "core/model/model_internal.h"
#include "core/arch/pronet_cnn/tokens.h"

#define MAGIC "PRONETMD"
#define MAGIC_BYTES 8
#define FORMAT_VERSION 1u
#define CNN_HYPERPARAMETER_BYTES 20u
/* With the context_features field appended (written only when it is 1, so a
 * model of the paper's architecture keeps the 20-byte block). */
#define CNN_HYPERPARAMETER_BYTES_CONTEXT 24u
/* A model file larger than this is refused before it is read. */
#define MAX_FILE_BYTES ((size_t)1 << 30)

/* ---- writing ---- */

struct writer {
	uint8_t *data;
	size_t size, capacity;
	int failed;
};

static void put_bytes(struct writer *w, const void *bytes, size_t count)
{
	if (w->failed)
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

static void put_u8(struct writer *w, uint8_t value)
{
	put_bytes(w, &value, 1);
}

static void put_u32(struct writer *w, uint32_t value)
{
	uint8_t bytes[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
	                    (uint8_t)(value >> 24)};

	put_bytes(w, bytes, 4);
}

static void put_f32(struct writer *w, float value)
{
	uint32_t bits;

	memcpy(&bits, &value, 4);
	put_u32(w, bits);
}

static void put_string(struct writer *w, const char *text)
{
	size_t length = strlen(text);

	put_u8(w, (uint8_t)length);
	put_bytes(w, text, length);
}

static void serialise(const struct pronet_model *model, struct writer *w)
{
	const struct pronet_cnn_config *c = &model->cnn;

	put_bytes(w, MAGIC, MAGIC_BYTES);
	put_u32(w, FORMAT_VERSION);
	put_u32(w, (uint32_t)model->arch);
	put_u32(w,
	        c->context_features ? CNN_HYPERPARAMETER_BYTES_CONTEXT : CNN_HYPERPARAMETER_BYTES);
	put_u32(w, PRONET_PAYLOAD_BYTES);
	put_u32(w, c->embed_dim);
	put_u32(w, c->filters);
	put_u32(w, c->batch_norm);
	put_f32(w, c->dropout);
	if (c->context_features)
		put_u32(w, c->context_features);
	put_u32(w, PRONET_BYTE_VOCABULARY);
	put_u32(w, PRONET_NGRAM_SIZE);
	put_u32(w, model->ngram_hash);
	put_u32(w, c->ngram_buckets);
	put_u32(w, (uint32_t)model->num_classes);
	for (size_t i = 0; i < model->num_classes; i++)
		put_string(w, model->class_names[i]);
	put_u32(w, (uint32_t)model->num_tensors);
	for (size_t i = 0; i < model->num_tensors; i++) {
		const struct pronet_tensor *tensor = &model->tensors[i];

		put_string(w, tensor->name);
		put_u32(w, tensor->num_dims);
		for (uint32_t d = 0; d < tensor->num_dims; d++)
			put_u32(w, tensor->dims[d]);
		for (size_t k = 0; k < tensor->count; k++)
			put_f32(w, model->weights[tensor->offset + k]);
	}
	put_f32(w, model->temperature);
	put_u32(w, (uint32_t)model->num_classes);
	for (size_t i = 0; i < model->num_classes; i++)
		put_f32(w, model->thresholds[i]);
	if (!w->failed)
		put_u32(w, pronet_crc32(0, w->data, w->size));
}

/* The model is read by other users (the plugin inside ndpiReader): a new
 * file is 0644 whatever the umask, a replaced one keeps its mode. */
static enum pronet_err write_file_atomically(const char *path, const uint8_t *data, size_t size,
                                             char *errbuf)
{
	struct pronet_atomic_file *file;
	enum pronet_err err;

	err = pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_KEEP_OR_0644, &file, errbuf);
	if (err != PRONET_OK)
		return err;
	/* A short write sets the stream's error flag, which commit reports. */
	fwrite(data, 1, size, pronet_atomic_file_stream(file));
	return pronet_atomic_file_commit(file, errbuf);
}

enum pronet_err pronet_model_save(const struct pronet_model *model, const char *path, char *errbuf)
{
	struct writer w = {NULL, 0, 0, 0};
	enum pronet_err err;

	if (model == NULL || path == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_save: NULL argument");
	serialise(model, &w);
	if (w.failed) {
		free(w.data);
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "%s: no memory to serialise the model", path);
	}
	err = write_file_atomically(path, w.data, w.size, errbuf);
	free(w.data);
	return err;
}

/* ---- reading ---- */

struct reader {
	const uint8_t *data;
	size_t size, offset;
	const char *name;
	char *errbuf;
};

/* Every read goes through here: nothing is read past size. */
static enum pronet_err take(struct reader *r, size_t count, const char *what, const uint8_t **bytes)
{
	if (count > r->size - r->offset)
		return pronet_error(r->errbuf, PRONET_ERR_TRUNCATED,
		                    "%s: truncated: %s needs %zu bytes at offset %zu, %zu remain",
		                    r->name, what, count, r->offset, r->size - r->offset);
	*bytes = r->data + r->offset;
	r->offset += count;
	return PRONET_OK;
}

static uint32_t decode_u32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static float decode_f32(const uint8_t *b)
{
	uint32_t bits = decode_u32(b);
	float value;

	memcpy(&value, &bits, 4);
	return value;
}

static enum pronet_err get_u32(struct reader *r, const char *what, uint32_t *value)
{
	const uint8_t *b = NULL;
	enum pronet_err err = take(r, 4, what, &b);

	if (err == PRONET_OK)
		*value = decode_u32(b);
	return err;
}

static enum pronet_err get_f32(struct reader *r, const char *what, float *value)
{
	const uint8_t *b = NULL;
	enum pronet_err err = take(r, 4, what, &b);

	if (err != PRONET_OK)
		return err;
	*value = decode_f32(b);
	if (!isfinite(*value))
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: %s at offset %zu is not finite", r->name, what,
		                    r->offset - 4);
	return PRONET_OK;
}

/* u8 length (1..max_length) + bytes without NUL into text[max_length + 1]. */
static enum pronet_err get_string(struct reader *r, const char *what, size_t max_length, char *text)
{
	const uint8_t *b = NULL;
	enum pronet_err err = take(r, 1, what, &b);
	size_t length;

	if (err != PRONET_OK)
		return err;
	length = b[0];
	if (length == 0 || length > max_length)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: %s at offset %zu has length %zu, not 1..%zu", r->name,
		                    what, r->offset - 1, length, max_length);
	err = take(r, length, what, &b);
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

/* Expects an exact value the format fixes (a size, a count). */
static enum pronet_err expect_u32(struct reader *r, const char *what, uint32_t expected,
                                  enum pronet_err mismatch)
{
	uint32_t value;
	enum pronet_err err = get_u32(r, what, &value);

	if (err == PRONET_OK && value != expected)
		err = pronet_error(r->errbuf, mismatch, "%s: %s is %u, expected %u", r->name, what,
		                   value, expected);
	return err;
}

static enum pronet_err read_header(struct reader *r, enum pronet_arch *arch)
{
	const uint8_t *magic = NULL;
	uint32_t version, tag;
	enum pronet_err err = take(r, MAGIC_BYTES, "magic", &magic);

	if (err != PRONET_OK)
		return err;
	if (memcmp(magic, MAGIC, MAGIC_BYTES) != 0)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: not a pronet model file (bad magic)", r->name);
	err = get_u32(r, "format version", &version);
	if (err != PRONET_OK)
		return err;
	if (version != FORMAT_VERSION)
		return pronet_error(r->errbuf, PRONET_ERR_VERSION,
		                    "%s: model format version %u, this build reads version %u",
		                    r->name, version, FORMAT_VERSION);
	err = get_u32(r, "architecture", &tag);
	if (err != PRONET_OK)
		return err;
	if (pronet_arch_find((enum pronet_arch)tag) == NULL)
		return pronet_error(r->errbuf, PRONET_ERR_UNSUPPORTED,
		                    "%s: unknown architecture %u", r->name, tag);
	*arch = (enum pronet_arch)tag;
	return PRONET_OK;
}

/* Hyperparameters and n-gram vocabulary; values are range-checked by the
 * architecture's layout when the model is created. */
static enum pronet_err read_config(struct reader *r, struct pronet_cnn_config *c, uint32_t *hash)
{
	uint32_t block = 0;
	enum pronet_err err = get_u32(r, "hyperparameter size", &block);

	if (err == PRONET_OK && block != CNN_HYPERPARAMETER_BYTES &&
	    block != CNN_HYPERPARAMETER_BYTES_CONTEXT)
		err =
		    pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                 "%s: hyperparameter size is %u, expected %u or %u", r->name, block,
		                 CNN_HYPERPARAMETER_BYTES, CNN_HYPERPARAMETER_BYTES_CONTEXT);
	c->context_features = 0;
	if (err == PRONET_OK)
		err = expect_u32(r, "payload bytes", PRONET_PAYLOAD_BYTES, PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = get_u32(r, "embedding dimension", &c->embed_dim);
	if (err == PRONET_OK)
		err = get_u32(r, "filters", &c->filters);
	if (err == PRONET_OK)
		err = get_u32(r, "batch_norm", &c->batch_norm);
	if (err == PRONET_OK)
		err = get_f32(r, "dropout", &c->dropout);
	if (err == PRONET_OK && !(c->dropout >= 0.0f && c->dropout < 1.0f))
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: dropout %g is outside [0, 1)",
		                   r->name, (double)c->dropout);
	/* The 24-byte block says context features are on; 0 there would be a
	 * second spelling of the 20-byte block, so it is refused. */
	if (err == PRONET_OK && block == CNN_HYPERPARAMETER_BYTES_CONTEXT)
		err = expect_u32(r, "context_features", 1, PRONET_ERR_FORMAT);
	if (err == PRONET_OK && block == CNN_HYPERPARAMETER_BYTES_CONTEXT)
		c->context_features = 1;
	if (err == PRONET_OK)
		err = expect_u32(r, "byte vocabulary", PRONET_BYTE_VOCABULARY,
		                 PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = expect_u32(r, "n-gram size", PRONET_NGRAM_SIZE, PRONET_ERR_UNSUPPORTED);
	if (err == PRONET_OK)
		err = get_u32(r, "n-gram hash", hash);
	if (err == PRONET_OK)
		err = get_u32(r, "n-gram buckets", &c->ngram_buckets);
	return err;
}

struct class_list {
	char names[PRONET_MAX_CLASSES][PRONET_CLASS_NAME_MAX];
	const char *pointers[PRONET_MAX_CLASSES];
	uint32_t count;
};

static enum pronet_err read_classes(struct reader *r, struct class_list *classes)
{
	enum pronet_err err = get_u32(r, "class count", &classes->count);

	if (err != PRONET_OK)
		return err;
	if (classes->count < 1 || classes->count > PRONET_MAX_CLASSES)
		return pronet_error(r->errbuf, PRONET_ERR_LIMIT, "%s: %u classes is outside 1..%d",
		                    r->name, classes->count, PRONET_MAX_CLASSES);
	for (uint32_t i = 0; i < classes->count; i++) {
		err = get_string(r, "class name", PRONET_CLASS_NAME_MAX - 1, classes->names[i]);
		if (err != PRONET_OK)
			return err;
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(classes->names[i], classes->names[j]) == 0)
				return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
				                    "%s: class name '%s' appears twice", r->name,
				                    classes->names[i]);
		classes->pointers[i] = classes->names[i];
	}
	return PRONET_OK;
}

static enum pronet_err read_tensor(struct reader *r, struct pronet_model *model,
                                   const struct pronet_tensor *expected)
{
	char name[PRONET_TENSOR_NAME_MAX];
	const uint8_t *data = NULL;
	enum pronet_err err = get_string(r, "tensor name", PRONET_TENSOR_NAME_MAX - 1, name);

	if (err != PRONET_OK)
		return err;
	if (strcmp(name, expected->name) != 0)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: tensor '%s' found where '%s' was expected", r->name, name,
		                    expected->name);
	err = expect_u32(r, "tensor dimensions", expected->num_dims, PRONET_ERR_FORMAT);
	for (uint32_t d = 0; err == PRONET_OK && d < expected->num_dims; d++)
		err = expect_u32(r, expected->name, expected->dims[d], PRONET_ERR_FORMAT);
	if (err == PRONET_OK)
		err = take(r, expected->count * 4, expected->name, &data);
	if (err != PRONET_OK)
		return err;
	for (size_t k = 0; k < expected->count; k++) {
		float value = decode_f32(data + 4 * k);

		if (!isfinite(value))
			return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                    "%s: tensor '%s' holds a non-finite value", r->name,
			                    expected->name);
		model->weights[expected->offset + k] = value;
	}
	return PRONET_OK;
}

static enum pronet_err read_weights_and_calibration(struct reader *r, struct pronet_model *model)
{
	float temperature;
	enum pronet_err err =
	    expect_u32(r, "tensor count", (uint32_t)model->num_tensors, PRONET_ERR_FORMAT);

	for (size_t i = 0; err == PRONET_OK && i < model->num_tensors; i++)
		err = read_tensor(r, model, &model->tensors[i]);
	if (err == PRONET_OK)
		err = get_f32(r, "temperature", &temperature);
	if (err != PRONET_OK)
		return err;
	if (!(temperature > 0.0f))
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: temperature %g is not positive", r->name,
		                    (double)temperature);
	model->temperature = temperature;
	err = expect_u32(r, "threshold count", (uint32_t)model->num_classes, PRONET_ERR_FORMAT);
	for (size_t i = 0; err == PRONET_OK && i < model->num_classes; i++) {
		err = get_f32(r, "threshold", &model->thresholds[i]);
		if (err == PRONET_OK &&
		    !(model->thresholds[i] >= 0.0f && model->thresholds[i] <= 1.0f))
			err = pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                   "%s: threshold of class '%s' is outside [0, 1]", r->name,
			                   model->class_names[i]);
	}
	return err;
}

static enum pronet_err read_checksum(struct reader *r)
{
	size_t covered = r->offset;
	uint32_t stored;
	enum pronet_err err = get_u32(r, "checksum", &stored);

	if (err != PRONET_OK)
		return err;
	if (stored != pronet_crc32(0, r->data, covered))
		return pronet_error(r->errbuf, PRONET_ERR_CHECKSUM,
		                    "%s: checksum mismatch: the file is damaged", r->name);
	if (r->offset != r->size)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: %zu bytes of unexpected data after the checksum", r->name,
		                    r->size - r->offset);
	return PRONET_OK;
}

enum pronet_err pronet_model_load_buffer(const void *data, size_t size, const char *name,
                                         struct pronet_model **out, char *errbuf)
{
	struct reader r = {data, size, 0, name != NULL ? name : "model", errbuf};
	struct class_list *classes;
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	enum pronet_arch arch = PRONET_ARCH_PRONET_CNN;
	uint32_t hash = 0;
	enum pronet_err err;

	if (out == NULL || (data == NULL && size > 0))
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_load: NULL argument");
	*out = NULL;
	classes = malloc(sizeof(*classes));
	if (classes == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: no memory", r.name);
	err = read_header(&r, &arch);
	if (err == PRONET_OK)
		err = read_config(&r, &config, &hash);
	if (err == PRONET_OK)
		err = read_classes(&r, classes);
	if (err == PRONET_OK)
		err = pronet_model_create(arch, &config, hash, classes->pointers, classes->count,
		                          (r.size - r.offset) / 4, r.name, &model, errbuf);
	free(classes);
	if (err == PRONET_OK)
		err = read_weights_and_calibration(&r, model);
	if (err == PRONET_OK)
		err = read_checksum(&r);
	if (err != PRONET_OK) {
		pronet_model_free(model);
		return err;
	}
	pronet_model_weights_changed(model);
	*out = model;
	return PRONET_OK;
}

enum pronet_err pronet_model_load(const char *path, struct pronet_model **out, char *errbuf)
{
	uint8_t *data = NULL;
	size_t size = 0;
	enum pronet_err err;

	if (path == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_load: NULL argument");
	*out = NULL;
	err = pronet_file_read(path, MAX_FILE_BYTES, &data, &size, errbuf);
	if (err != PRONET_OK)
		return err;
	err = pronet_model_load_buffer(data, size, path, out, errbuf);
	free(data);
	return err;
}
