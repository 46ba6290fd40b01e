/* The model file: reading and writing. The format is documented in full in
 * docs/model-format.md; version 2, in short, all little-endian:
 *
 *   "PRONETMD"  u32 version (2)  u32 architecture tag  string architecture name
 *   u32 classes, each u8 length + name bytes
 *   f32 temperature  u32 thresholds  f32 threshold[]
 *   u32 blocks, each u8[4] tag + u32 length + bytes:
 *     HYPR  the architecture's hyperparameters, its own layout (ops->write_hyper)
 *     TENS  u32 tensors, each u8 length + name, u32 dims, u32 shape[dims], f32 data[]
 *     a tag starting with a lowercase letter is optional: skipped when unknown
 *   u32 CRC-32 (IEEE 802.3, as zlib's crc32) of every byte before it
 *
 * Version 1 files (only ProNet's CNN) are read by model_file_v1.c; saving
 * always writes version 2. The loader reads the whole file, then parses it
 * with a cursor that checks every length against what remains (model_io.h);
 * the checksum is compared last, so a truncated file is reported as truncated
 * and a damaged one as damaged. Saving writes a temporary file, fsyncs it and
 * renames it over the target (core/util/atomic_file.h; mode: the replaced
 * file's, else 0644). */
#include "core/model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model/model_file_parts.h"
#include "core/util/atomic_file.h"
#include "core/util/crc32.h"
#include "core/util/file_read.h"

#define MAGIC "PRONETMD"
#define MAGIC_BYTES 8
#define FORMAT_VERSION 2u
#define MAX_BLOCKS 64u
#define ARCH_NAME_MAX 63
/* A model file larger than this is refused before it is read. */
#define MAX_FILE_BYTES ((size_t)1 << 30)

/* ---- writing ---- */

/* A block's u32 length is written as 0 and patched by end_block. */
static size_t begin_block(struct pronet_io_writer *w, const char tag[4])
{
	size_t at;

	pronet_io_put_bytes(w, tag, 4);
	at = w->size;
	pronet_io_put_u32(w, 0);
	return at;
}

static void end_block(struct pronet_io_writer *w, size_t at)
{
	uint32_t length = (uint32_t)(w->size - at - 4);

	if (w->failed)
		return;
	for (int i = 0; i < 4; i++)
		w->data[at + (size_t)i] = (uint8_t)(length >> (8 * i));
}

static void put_tensors(const struct pronet_model *model, struct pronet_io_writer *w)
{
	pronet_io_put_u32(w, (uint32_t)model->num_tensors);
	for (size_t i = 0; i < model->num_tensors; i++) {
		const struct pronet_tensor *tensor = &model->tensors[i];

		pronet_io_put_string(w, tensor->name);
		pronet_io_put_u32(w, tensor->num_dims);
		for (uint32_t d = 0; d < tensor->num_dims; d++)
			pronet_io_put_u32(w, tensor->dims[d]);
		for (size_t k = 0; k < tensor->count; k++)
			pronet_io_put_f32(w, model->weights[tensor->offset + k]);
	}
}

static void serialise(const struct pronet_model *model, struct pronet_io_writer *w)
{
	size_t block;

	pronet_io_put_bytes(w, MAGIC, MAGIC_BYTES);
	pronet_io_put_u32(w, FORMAT_VERSION);
	pronet_io_put_u32(w, model->ops->tag);
	pronet_io_put_string(w, model->ops->name);
	pronet_io_put_u32(w, (uint32_t)model->num_classes);
	for (size_t i = 0; i < model->num_classes; i++)
		pronet_io_put_string(w, model->class_names[i]);
	pronet_io_put_f32(w, model->temperature);
	pronet_io_put_u32(w, (uint32_t)model->num_classes);
	for (size_t i = 0; i < model->num_classes; i++)
		pronet_io_put_f32(w, model->thresholds[i]);
	pronet_io_put_u32(w, model->ops->write_block != NULL ? 3 : 2); /* blocks */
	block = begin_block(w, "HYPR");
	model->ops->write_hyper(model, w);
	end_block(w, block);
	block = begin_block(w, "TENS");
	put_tensors(model, w);
	end_block(w, block);
	if (model->ops->write_block != NULL) { /* the family's own records (trees) */
		block = begin_block(w, model->ops->block_tag);
		model->ops->write_block(model, w);
		end_block(w, block);
	}
	if (!w->failed)
		pronet_io_put_u32(w, pronet_crc32(0, w->data, w->size));
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
	struct pronet_io_writer w = {NULL, 0, 0, 0};
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

/* Through the file format rather than field by field: the format is the one
 * list of everything a model holds, so a copy made this way cannot miss a
 * family's own block. */
enum pronet_err pronet_model_clone(const struct pronet_model *model, struct pronet_model **out,
                                   char *errbuf)
{
	struct pronet_io_writer w = {NULL, 0, 0, 0};
	enum pronet_err err;

	if (model == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_clone: NULL argument");
	*out = NULL;
	serialise(model, &w);
	if (w.failed) {
		free(w.data);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to copy the model");
	}
	err = pronet_model_load_buffer(w.data, w.size, "model copy", out, errbuf);
	free(w.data);
	return err;
}

/* ---- reading: pieces versions 1 and 2 share ---- */

enum pronet_err pronet_model_file_read_classes(struct pronet_io_reader *r,
                                               struct pronet_model_classes *classes)
{
	enum pronet_err err = pronet_io_get_u32(r, "class count", &classes->count);

	if (err != PRONET_OK)
		return err;
	if (classes->count < 1 || classes->count > PRONET_MAX_CLASSES)
		return pronet_error(r->errbuf, PRONET_ERR_LIMIT, "%s: %u classes is outside 1..%d",
		                    r->name, classes->count, PRONET_MAX_CLASSES);
	for (uint32_t i = 0; i < classes->count; i++) {
		err = pronet_io_get_string(r, "class name", PRONET_CLASS_NAME_MAX - 1,
		                           classes->names[i]);
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

static enum pronet_err read_tensor(struct pronet_io_reader *r, struct pronet_model *model,
                                   const struct pronet_tensor *expected)
{
	char name[PRONET_TENSOR_NAME_MAX];
	const uint8_t *data = NULL;
	enum pronet_err err =
	    pronet_io_get_string(r, "tensor name", PRONET_TENSOR_NAME_MAX - 1, name);

	if (err != PRONET_OK)
		return err;
	if (strcmp(name, expected->name) != 0)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: tensor '%s' found where '%s' was expected", r->name, name,
		                    expected->name);
	err = pronet_io_expect_u32(r, "tensor dimensions", expected->num_dims, PRONET_ERR_FORMAT);
	for (uint32_t d = 0; err == PRONET_OK && d < expected->num_dims; d++)
		err = pronet_io_expect_u32(r, expected->name, expected->dims[d], PRONET_ERR_FORMAT);
	if (err == PRONET_OK)
		err = pronet_io_take(r, expected->count * 4, expected->name, &data);
	if (err != PRONET_OK)
		return err;
	for (size_t k = 0; k < expected->count; k++) {
		float value = pronet_io_decode_f32(data + 4 * k);

		if (!isfinite(value))
			return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                    "%s: tensor '%s' holds a non-finite value", r->name,
			                    expected->name);
		model->weights[expected->offset + k] = value;
	}
	return PRONET_OK;
}

enum pronet_err pronet_model_file_read_tensors(struct pronet_io_reader *r,
                                               struct pronet_model *model)
{
	enum pronet_err err = pronet_io_expect_u32(r, "tensor count", (uint32_t)model->num_tensors,
	                                           PRONET_ERR_FORMAT);

	for (size_t i = 0; err == PRONET_OK && i < model->num_tensors; i++)
		err = read_tensor(r, model, &model->tensors[i]);
	return err;
}

enum pronet_err pronet_model_file_read_calibration(struct pronet_io_reader *r,
                                                   struct pronet_model_calibration *c)
{
	enum pronet_err err = pronet_io_get_f32(r, "temperature", &c->temperature);

	if (err != PRONET_OK)
		return err;
	if (!(c->temperature > 0.0f))
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: temperature %g is not positive", r->name,
		                    (double)c->temperature);
	err = pronet_io_get_u32(r, "threshold count", &c->count);
	if (err == PRONET_OK && c->count > PRONET_MAX_CLASSES)
		err =
		    pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: threshold count %u is above %d",
		                 r->name, c->count, PRONET_MAX_CLASSES);
	for (uint32_t i = 0; err == PRONET_OK && i < c->count; i++) {
		err = pronet_io_get_f32(r, "threshold", &c->thresholds[i]);
		if (err == PRONET_OK && !(c->thresholds[i] >= 0.0f && c->thresholds[i] <= 1.0f))
			err = pronet_error(r->errbuf, PRONET_ERR_FORMAT,
			                   "%s: threshold %u is outside [0, 1]", r->name, i);
	}
	return err;
}

enum pronet_err pronet_model_file_apply_calibration(struct pronet_io_reader *r,
                                                    const struct pronet_model_calibration *c,
                                                    struct pronet_model *model)
{
	if (c->count != model->num_classes)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: threshold count is %u, expected %zu", r->name, c->count,
		                    model->num_classes);
	model->temperature = c->temperature;
	memcpy(model->thresholds, c->thresholds, c->count * sizeof(float));
	return PRONET_OK;
}

enum pronet_err pronet_model_file_read_checksum(struct pronet_io_reader *r)
{
	size_t covered = r->offset;
	uint32_t stored;
	enum pronet_err err = pronet_io_get_u32(r, "checksum", &stored);

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

/* ---- reading version 2 ---- */

static enum pronet_err read_arch(struct pronet_io_reader *r, const struct pronet_arch_ops **ops)
{
	char name[ARCH_NAME_MAX + 1];
	uint32_t tag = 0;
	enum pronet_err err = pronet_io_get_u32(r, "architecture", &tag);

	if (err == PRONET_OK)
		err = pronet_io_get_string(r, "architecture name", ARCH_NAME_MAX, name);
	if (err != PRONET_OK)
		return err;
	*ops = pronet_arch_find_tag(tag);
	if (*ops == NULL)
		return pronet_error(r->errbuf, PRONET_ERR_UNSUPPORTED,
		                    "%s: unknown architecture %u ('%s')", r->name, tag, name);
	if (strcmp((*ops)->name, name) != 0)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                    "%s: architecture %u is '%s' in this build, the file says '%s'",
		                    r->name, tag, (*ops)->name, name);
	return PRONET_OK;
}

/* What the blocks of one file have given so far. */
struct v2_load {
	const struct pronet_arch_ops *ops;
	const struct pronet_model_classes *classes;
	const struct pronet_model_calibration *calibration;
	struct pronet_model *model; /* created by HYPR */
	int have_tensors;
	int have_family_block; /* ops->block_tag, read by ops->read_block */
};

static enum pronet_err read_hyper_block(struct pronet_io_reader *block, struct v2_load *load,
                                        size_t max_weights)
{
	_Alignas(max_align_t) unsigned char config[PRONET_ARCH_CONFIG_MAX];
	enum pronet_err err;

	pronet_arch_config_default(load->ops, config);
	err = load->ops->read_hyper(block, config);
	if (err == PRONET_OK)
		err = pronet_io_expect_end(block, "block HYPR");
	if (err == PRONET_OK)
		err = pronet_model_create(load->ops, config, load->classes->pointers,
		                          load->classes->count, max_weights, block->name,
		                          &load->model, block->errbuf);
	if (err == PRONET_OK)
		err = pronet_model_file_apply_calibration(block, load->calibration, load->model);
	return err;
}

static enum pronet_err read_block(struct pronet_io_reader *r, uint32_t index, struct v2_load *load)
{
	const uint8_t *tag = NULL, *bytes = NULL;
	uint32_t length = 0;
	enum pronet_err err = pronet_io_take(r, 4, "block tag", &tag);
	struct pronet_io_reader block = *r;

	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "block length", &length);
	if (err == PRONET_OK)
		err = pronet_io_take(r, length, "block", &bytes);
	if (err != PRONET_OK)
		return err;
	/* The block's own cursor: absolute offsets in messages, its end the
	 * block's end. */
	block.offset = (size_t)(bytes - r->data);
	block.size = block.offset + length;
	if (index == 0 && memcmp(tag, "HYPR", 4) != 0)
		return pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: the first block is not HYPR",
		                    r->name);
	if (memcmp(tag, "HYPR", 4) == 0 && index == 0)
		return read_hyper_block(&block, load, (r->size - r->offset) / 4);
	if (memcmp(tag, "TENS", 4) == 0 && !load->have_tensors) {
		load->have_tensors = 1;
		err = pronet_model_file_read_tensors(&block, load->model);
		return err == PRONET_OK ? pronet_io_expect_end(&block, "block TENS") : err;
	}
	if (load->ops->read_block != NULL && memcmp(tag, load->ops->block_tag, 4) == 0 &&
	    load->have_tensors && !load->have_family_block) {
		load->have_family_block = 1;
		err = load->ops->read_block(load->model, &block);
		return err == PRONET_OK ? pronet_io_expect_end(&block, load->ops->block_tag) : err;
	}
	if (tag[0] >= 'a' && tag[0] <= 'z')
		return PRONET_OK; /* optional, unknown to this build */
	return pronet_error(
	    r->errbuf, PRONET_ERR_FORMAT,
	    "%s: block %u has tag '%c%c%c%c' (0x%02x%02x%02x%02x), which is unknown "
	    "or repeated",
	    r->name, index + 1, tag[0] >= 32 && tag[0] < 127 ? tag[0] : '?',
	    tag[1] >= 32 && tag[1] < 127 ? tag[1] : '?',
	    tag[2] >= 32 && tag[2] < 127 ? tag[2] : '?',
	    tag[3] >= 32 && tag[3] < 127 ? tag[3] : '?', tag[0], tag[1], tag[2], tag[3]);
}

static enum pronet_err read_v2(struct pronet_io_reader *r, struct pronet_model **out)
{
	struct pronet_model_classes *classes = malloc(sizeof(*classes));
	struct pronet_model_calibration *calibration = malloc(sizeof(*calibration));
	struct v2_load load = {NULL, classes, calibration, NULL, 0, 0};
	uint32_t blocks = 0;
	enum pronet_err err = PRONET_OK;

	if (classes == NULL || calibration == NULL)
		err = pronet_error(r->errbuf, PRONET_ERR_NOMEM, "%s: no memory", r->name);
	if (err == PRONET_OK)
		err = read_arch(r, &load.ops);
	if (err == PRONET_OK)
		err = pronet_model_file_read_classes(r, classes);
	if (err == PRONET_OK)
		err = pronet_model_file_read_calibration(r, calibration);
	if (err == PRONET_OK)
		err = pronet_io_get_u32(r, "block count", &blocks);
	if (err == PRONET_OK && (blocks < 2 || blocks > MAX_BLOCKS))
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT,
		                   "%s: block count %u is outside 2..%u", r->name, blocks,
		                   MAX_BLOCKS);
	for (uint32_t i = 0; err == PRONET_OK && i < blocks; i++)
		err = read_block(r, i, &load);
	if (err == PRONET_OK && !load.have_tensors)
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: no TENS block", r->name);
	if (err == PRONET_OK && load.ops->read_block != NULL && !load.have_family_block)
		err = pronet_error(r->errbuf, PRONET_ERR_FORMAT, "%s: no %.4s block", r->name,
		                   load.ops->block_tag);
	if (err == PRONET_OK)
		err = pronet_model_file_read_checksum(r);
	free(classes);
	free(calibration);
	if (err != PRONET_OK) {
		pronet_model_free(load.model);
		return err;
	}
	*out = load.model;
	return PRONET_OK;
}

enum pronet_err pronet_model_load_buffer(const void *data, size_t size, const char *name,
                                         struct pronet_model **out, char *errbuf)
{
	struct pronet_io_reader r = {data, size, 0, name != NULL ? name : "model", errbuf};
	const uint8_t *magic = NULL;
	uint32_t version = 0;
	enum pronet_err err;

	if (out == NULL || (data == NULL && size > 0))
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_model_load: NULL argument");
	*out = NULL;
	err = pronet_io_take(&r, MAGIC_BYTES, "magic", &magic);
	if (err != PRONET_OK)
		return err;
	if (memcmp(magic, MAGIC, MAGIC_BYTES) != 0)
		return pronet_error(errbuf, PRONET_ERR_FORMAT,
		                    "%s: not a pronet model file (bad magic)", r.name);
	err = pronet_io_get_u32(&r, "format version", &version);
	if (err != PRONET_OK)
		return err;
	if (version == 1)
		err = pronet_model_file_read_v1(&r, out);
	else if (version == FORMAT_VERSION)
		err = read_v2(&r, out);
	else
		err = pronet_error(errbuf, PRONET_ERR_VERSION,
		                   "%s: model format version %u, this build reads versions 1 and 2",
		                   r.name, version);
	if (err == PRONET_OK)
		pronet_model_weights_changed(*out);
	return err;
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
