/* Tests of core/model/model_file.c: save -> load round trips exactly, and damaged
 * files (truncated at every length, every byte flipped, wrong magic or
 * version, absurd sizes) are refused with a message naming the file. */
#include "core/model/model.h"
#include "tests/unit.h"

#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Offsets fixed by docs/model-format.md (version 2) for small_model: the name
 * "pronet-cnn" (16..26), classes "http", "dns", "tls", then calibration, two
 * blocks: HYPR at 68 (data from 76), TENS at 116. */
#define OFFSET_VERSION 8
#define OFFSET_TAG 12
#define OFFSET_CLASS_COUNT 27
#define OFFSET_BLOCK_COUNT 64
#define OFFSET_HYPR 68
#define OFFSET_EMBED_DIM 80
#define OFFSET_FILTERS 84
#define OFFSET_DROPOUT 92
#define OFFSET_CONTEXT 96
#define OFFSET_HASH 108
#define OFFSET_BUCKETS 112
#define OFFSET_TENS 116

static const char *const classes[] = {"http", "dns", "tls"};

/* An independent CRC-32 (IEEE, reflected, as zlib) to re-seal edited files. */
static uint32_t crc32_of(const uint8_t *data, size_t size)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < size; i++) {
		crc ^= data[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
	}
	return crc ^ 0xffffffffu;
}

static void put_u32(uint8_t *at, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		at[i] = (uint8_t)(value >> (8 * i));
}

static void reseal(uint8_t *data, size_t size)
{
	put_u32(data + size - 4, crc32_of(data, size - 4));
}

static struct pronet_model *small_model(uint32_t batch_norm)
{
	struct pronet_cnn_config config = {4, 2, 16, batch_norm, 0.5f, 0};
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL(pronet_model_new_cnn(&config, classes, 3, 9, &model, errbuf), PRONET_OK);
	return model;
}

static void path_in_tmp(char *path, size_t size, const char *leaf)
{
	snprintf(path, size, "%s/pronet-test-model-file-%ld-%s", pronet_unit_tmpdir(),
	         (long)getpid(), leaf);
}

/* The bytes of a saved small model; the caller frees. */
static uint8_t *saved_bytes(struct pronet_model *model, size_t *size)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *data;
	FILE *file;
	long length;

	path_in_tmp(path, sizeof(path), "bytes.pnm");
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	file = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fseek(file, 0, SEEK_END);
	length = ftell(file);
	rewind(file);
	data = malloc((size_t)length);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(fread(data, 1, (size_t)length, file), (size_t)length);
	fclose(file);
	unlink(path);
	*size = (size_t)length;
	return data;
}

static void assert_same_predictions(const struct pronet_model *a, const struct pronet_model *b)
{
	struct pronet_packet_record input;
	float pa[PRONET_MAX_CLASSES], pb[PRONET_MAX_CLASSES];

	memset(&input, 0, sizeof(input));

	input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
	for (int k = 0; k < 50; k++) {
		input.length = (uint8_t)(k % 17);
		for (int i = 0; i < input.length; i++)
			PRONET_UNIT_BYTES(input)[i] = (uint8_t)(k * 31 + i * 7);
		CU_ASSERT_EQUAL(pronet_model_predict(a, NULL, &input, pa, NULL), PRONET_OK);
		CU_ASSERT_EQUAL(pronet_model_predict(b, NULL, &input, pb, NULL), PRONET_OK);
		CU_ASSERT_EQUAL(memcmp(pa, pb, pronet_model_num_classes(a) * sizeof(float)), 0);
	}
}

static void round_trip(uint32_t batch_norm)
{
	struct pronet_model *model = small_model(batch_norm), *loaded = NULL;
	float thresholds[3] = {0.25f, 0.5f, 0.75f};
	char path[512], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_cnn_config a, b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 1.5f, thresholds, errbuf), PRONET_OK);
	path_in_tmp(path, sizeof(path), "round.pnm");
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load(path, &loaded, errbuf), PRONET_OK);
	unlink(path);
	assert_same_predictions(model, loaded);
	CU_ASSERT_EQUAL(pronet_model_cnn_config(model, &a), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_cnn_config(loaded, &b), PRONET_OK);
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	CU_ASSERT_EQUAL(pronet_model_num_weights(model), pronet_model_num_weights(loaded));
	CU_ASSERT_STRING_EQUAL(pronet_model_class_name(loaded, 2), "tls");
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_temperature(loaded), 1.5, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_threshold(loaded, 1), 0.5, 0.0);
	pronet_model_free(model);
	pronet_model_free(loaded);
}

static void test_round_trip(void)
{
	round_trip(0);
}

static void test_round_trip_with_batch_norm(void)
{
	round_trip(1);
}

static void test_checksum_is_crc32_of_the_rest(void)
{
	struct pronet_model *model = small_model(0);
	size_t size;
	uint8_t *data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL(crc32_of((const uint8_t *)"123456789", 9), 0xcbf43926u);
	CU_ASSERT_EQUAL(memcmp(data, "PRONETMD", 8), 0);
	CU_ASSERT_EQUAL(data[OFFSET_VERSION], 2);
	CU_ASSERT_EQUAL(data[OFFSET_TAG], 1);
	CU_ASSERT_EQUAL(memcmp(data + 16, "\012pronet-cnn", 11), 0);
	CU_ASSERT_EQUAL(data[OFFSET_BLOCK_COUNT], 2);
	CU_ASSERT_EQUAL(memcmp(data + OFFSET_HYPR, "HYPR\050\0\0\0", 8), 0);
	CU_ASSERT_EQUAL(memcmp(data + OFFSET_TENS, "TENS", 4), 0);
	CU_ASSERT_EQUAL(data[OFFSET_EMBED_DIM], 4);
	CU_ASSERT_EQUAL(data[OFFSET_FILTERS], 2);
	CU_ASSERT_EQUAL(data[OFFSET_BUCKETS], 16);
	CU_ASSERT_EQUAL(data[OFFSET_CLASS_COUNT], 3);
	CU_ASSERT_EQUAL(data[size - 4] | data[size - 3] << 8 | data[size - 2] << 16 |
	                    (uint32_t)data[size - 1] << 24,
	                crc32_of(data, size - 4));
	free(data);
	pronet_model_free(model);
}

static void assert_every_truncation_refused(const uint8_t *data, size_t size)
{
	struct pronet_model *loaded;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t refused = 0;

	for (size_t length = 0; length < size; length++) {
		loaded = NULL;
		errbuf[0] = '\0';
		/* A copy of exactly `length` bytes, so a read past it is caught by ASan. */
		uint8_t *copy = malloc(length ? length : 1);

		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		memcpy(copy, data, length);
		refused += pronet_model_load_buffer(copy, length, "cut.pnm", &loaded, errbuf) ==
		           PRONET_ERR_TRUNCATED;
		CU_ASSERT_PTR_NULL(loaded);
		CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cut.pnm"));
		free(copy);
	}
	CU_ASSERT_EQUAL(refused, size);
}

static void assert_every_flip_refused(uint8_t *data, size_t size)
{
	struct pronet_model *loaded;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t refused = 0, checksum = 0;

	for (size_t i = 0; i < size; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			enum pronet_err err;

			loaded = NULL;
			errbuf[0] = '\0';
			data[i] ^= (uint8_t)(1u << bit);
			err = pronet_model_load_buffer(data, size, "flip.pnm", &loaded, errbuf);
			data[i] ^= (uint8_t)(1u << bit);
			refused += err != PRONET_OK;
			checksum += err == PRONET_ERR_CHECKSUM;
			CU_ASSERT_PTR_NULL(loaded);
			CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "flip.pnm"));
			pronet_model_free(loaded);
		}
	}
	CU_ASSERT_EQUAL(refused, 2 * size);
	CU_ASSERT_TRUE(checksum > size); /* most flips land in weights: the checksum catches them */
}

static void test_every_truncation_is_refused(void)
{
	struct pronet_model *model = small_model(1);
	size_t size;
	uint8_t *data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data = saved_bytes(model, &size);
	assert_every_truncation_refused(data, size);
	free(data);
	pronet_model_free(model);
}

static void test_every_flipped_byte_is_refused(void)
{
	struct pronet_model *model = small_model(1);
	size_t size;
	uint8_t *data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data = saved_bytes(model, &size);
	assert_every_flip_refused(data, size);
	free(data);
	pronet_model_free(model);
}

static size_t put_le32(uint8_t *at, uint32_t value)
{
	put_u32(at, value);
	return 4;
}

/* The same model as a version 1 file, written here field by field from the
 * version 2 bytes (docs/model-format.md, "Version 1"), independently of the
 * library: a 20-byte hyperparameter block, the vocabulary, the classes, the
 * TENS block's content (v1's tensor records), calibration, CRC. */
static uint8_t *v1_bytes(const uint8_t *v2, size_t v2_size, size_t *size)
{
	const uint8_t *at = v2 + OFFSET_TENS + 4;
	uint32_t tens_length =
	    (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
	uint8_t *v1 = malloc(v2_size);
	size_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(v1);
	memcpy(v1, "PRONETMD", 8);
	n = 8;
	n += put_le32(v1 + n, 1);
	n += put_le32(v1 + n, 1);
	n += put_le32(v1 + n, 20);
	memcpy(v1 + n, v2 + OFFSET_HYPR + 8, 20); /* payload bytes, m, t, batch_norm, dropout */
	n += 20;
	memcpy(v1 + n, v2 + OFFSET_HYPR + 8 + 24, 16); /* vocabulary, n, hash, buckets */
	n += 16;
	memcpy(v1 + n, v2 + OFFSET_CLASS_COUNT, 44 - OFFSET_CLASS_COUNT); /* classes */
	n += 44 - OFFSET_CLASS_COUNT;
	memcpy(v1 + n, v2 + OFFSET_TENS + 8, tens_length);
	n += tens_length;
	memcpy(v1 + n, v2 + 44, OFFSET_BLOCK_COUNT - 44); /* calibration */
	n += OFFSET_BLOCK_COUNT - 44;
	n += put_le32(v1 + n, crc32_of(v1, n));
	*size = n;
	return v1;
}

/* Version 1 files still load and predict as the model they were written
 * from; saving one writes version 2, which loads with the same weights. Every
 * truncation and flip of the v1 file is refused. */
static void test_version_1_loads_and_resaves_as_version_2(void)
{
	struct pronet_model *model = small_model(1), *from_v1 = NULL, *from_v2 = NULL;
	float thresholds[3] = {0.25f, 0.5f, 0.75f};
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t v2_size, v1_size, resaved_size;
	uint8_t *v2, *v1, *resaved;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 1.25f, thresholds, errbuf), PRONET_OK);
	v2 = saved_bytes(model, &v2_size);
	v1 = v1_bytes(v2, v2_size, &v1_size);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load_buffer(v1, v1_size, "v1.pnm", &from_v1, errbuf),
	                      PRONET_OK);
	assert_same_predictions(model, from_v1);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_temperature(from_v1), 1.25, 0.0);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_threshold(from_v1, 2), 0.75, 0.0);
	resaved = saved_bytes(from_v1, &resaved_size);
	CU_ASSERT_EQUAL(resaved_size, v2_size);
	CU_ASSERT_EQUAL(memcmp(resaved, v2, v2_size), 0);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_model_load_buffer(resaved, resaved_size, "v2.pnm", &from_v2, errbuf), PRONET_OK);
	assert_same_predictions(from_v1, from_v2);
	assert_every_truncation_refused(v1, v1_size);
	assert_every_flip_refused(v1, v1_size);
	free(v2);
	free(v1);
	free(resaved);
	pronet_model_free(model);
	pronet_model_free(from_v1);
	pronet_model_free(from_v2);
}

static enum pronet_err load_edited(uint8_t *data, size_t size, size_t offset, uint32_t value,
                                   char *errbuf)
{
	struct pronet_model *loaded = NULL;
	uint8_t *copy = malloc(size);
	enum pronet_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	memcpy(copy, data, size);
	put_u32(copy + offset, value);
	reseal(copy, size);
	err = pronet_model_load_buffer(copy, size, "edited.pnm", &loaded, errbuf);
	CU_ASSERT_EQUAL(err != PRONET_OK, loaded == NULL);
	pronet_model_free(loaded);
	free(copy);
	return err;
}

static void test_wrong_magic_version_and_sizes_are_refused(void)
{
	struct pronet_model *model = small_model(0), *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size;
	uint8_t *data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data = saved_bytes(model, &size);
	CU_ASSERT_EQUAL(load_edited(data, size, 0, 0x4e4f5250u, errbuf), PRONET_OK); /* "PRON" */
	CU_ASSERT_EQUAL(load_edited(data, size, 0, 0x464c457fu, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "edited.pnm: not a pronet model file"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_VERSION, 3, errbuf), PRONET_ERR_VERSION);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "version 3, this build reads versions 1 and 2"));
	CU_ASSERT_NOT_EQUAL(load_edited(data, size, OFFSET_VERSION, 1, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_TAG, 77, errbuf), PRONET_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "edited.pnm: unknown architecture 77"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_BLOCK_COUNT, 1, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_BLOCK_COUNT, 3, errbuf),
	                PRONET_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_HYPR, 0x4f464e49u, errbuf), /* "INFO" */
	                PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "the first block is not HYPR"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_TENS, 0x52505948u, errbuf), /* "HYPR" */
	                PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "unknown or repeated"));
	/* A lowercase tag is optional: a reader skips it, so the tensors are
	 * then missing. */
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_TENS, 0x6174656du, errbuf), /* "meta" */
	                PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "no TENS block"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_HASH, 2, errbuf), PRONET_ERR_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "unknown 3-gram hash 2"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_CONTEXT, 2, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_HYPR + 4, 44, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "block HYPR has"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_FILTERS, 1000000000, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "edited.pnm: filters 1000000000"));
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_EMBED_DIM, 0xffffffffu, errbuf),
	                PRONET_ERR_LIMIT);
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_CLASS_COUNT, 0x7fffffffu, errbuf),
	                PRONET_ERR_LIMIT);
	/* Within the limits but far more weights than the file holds: refused
	 * before anything that size is allocated. */
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_BUCKETS, 65536, errbuf),
	                PRONET_ERR_TRUNCATED);
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_FILTERS, 3, errbuf), PRONET_ERR_TRUNCATED);
	/* dropout 1.5 (f32 0x3fc00000) */
	CU_ASSERT_NOT_EQUAL(load_edited(data, size, OFFSET_DROPOUT, 0x3fc00000u, errbuf),
	                    PRONET_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "dropout"));
	/* Class names "http" (offset 31), "dns" (36), "tls" (40): "dns" -> "tls". */
	uint8_t *twice = malloc(size);

	CU_ASSERT_PTR_NOT_NULL_FATAL(twice);
	memcpy(twice, data, size);
	CU_ASSERT_EQUAL(memcmp(twice + 36, "\003dns\003tls", 8), 0);
	memcpy(twice + 37, "tls", 3);
	reseal(twice, size);
	CU_ASSERT_EQUAL(pronet_model_load_buffer(twice, size, "twice.pnm", &loaded, errbuf),
	                PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "twice.pnm: class name 'tls' appears twice"));
	free(twice);
	/* Trailing bytes after the checksum. */
	uint8_t *longer = calloc(1, size + 1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(longer);
	memcpy(longer, data, size);
	CU_ASSERT_EQUAL(pronet_model_load_buffer(longer, size + 1, "long.pnm", &loaded, errbuf),
	                PRONET_ERR_FORMAT);
	free(longer);
	free(data);
	pronet_model_free(model);
}

static void test_missing_file_names_the_path(void)
{
	struct pronet_model *model = (struct pronet_model *)1;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_EQUAL(pronet_model_load("/nonexistent/pronet/model.pnm", &model, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NULL(model);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/pronet/model.pnm"));
}

static void test_save_leaves_no_temporary_file(void)
{
	struct pronet_model *model = small_model(0);
	char dir[512], path[600], errbuf[PRONET_ERRBUF_SIZE];
	struct dirent *entry;
	struct stat st;
	int entries = 0;
	DIR *listing;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	path_in_tmp(dir, sizeof(dir), "dir");
	snprintf(path, sizeof(path), "%s/model.pnm", dir);
	CU_ASSERT_EQUAL(pronet_model_save(model, path, errbuf), PRONET_ERR_IO); /* no dir yet */
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	CU_ASSERT_EQUAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644); /* readable by the plugin's user */
	CU_ASSERT_EQUAL(chmod(path, 0640), 0);
	CU_ASSERT_EQUAL(pronet_model_save(model, path, errbuf), PRONET_OK); /* replaces */
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640); /* keeps the mode it replaced */
	listing = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(listing);
	while ((entry = readdir(listing)) != NULL)
		entries += entry->d_name[0] != '.';
	closedir(listing);
	CU_ASSERT_EQUAL(entries, 1);
	unlink(path);
	rmdir(dir);
	pronet_model_free(model);
}

/* A clone is the saved file's model without the file: the same bytes when
 * saved, the same predictions and calibration, and weights of its own (a
 * change to the copy, as training makes, leaves the original as it was). */
static void test_a_clone_is_the_saved_model(void)
{
	struct pronet_model *model = small_model(1), *copy = NULL;
	float thresholds[3] = {0.25f, 0.5f, 0.75f};
	char errbuf[PRONET_ERRBUF_SIZE];
	uint8_t *original, *copied;
	size_t original_size, copied_size;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(model, 1.5f, thresholds, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_clone(model, &copy, errbuf), PRONET_OK);
	original = saved_bytes(model, &original_size);
	copied = saved_bytes(copy, &copied_size);
	CU_ASSERT_EQUAL(original_size, copied_size);
	CU_ASSERT_EQUAL(memcmp(original, copied, original_size), 0);
	assert_same_predictions(model, copy);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_temperature(copy), 1.5, 0.0);
	CU_ASSERT_EQUAL(pronet_model_set_calibration(copy, 2.0f, NULL, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(pronet_model_temperature(model), 1.5, 0.0);
	free(copied);
	copied = saved_bytes(model, &copied_size);
	CU_ASSERT_EQUAL(memcmp(original, copied, original_size), 0);
	CU_ASSERT_EQUAL(pronet_model_clone(NULL, &copy, errbuf), PRONET_ERR_ARG);
	free(original);
	free(copied);
	pronet_model_free(copy);
	pronet_model_free(model);
}

static CU_TestInfo tests[] = {
    {"a clone is the saved model, and a model of its own", test_a_clone_is_the_saved_model},
    {"save -> load predicts identically", test_round_trip},
    {"save -> load with batch norm predicts identically", test_round_trip_with_batch_norm},
    {"layout and CRC-32 as documented", test_checksum_is_crc32_of_the_rest},
    {"a file truncated at every length is refused", test_every_truncation_is_refused},
    {"every flipped byte is refused", test_every_flipped_byte_is_refused},
    {"version 1 loads, predicts the same and re-saves as version 2",
     test_version_1_loads_and_resaves_as_version_2},
    {"wrong magic, version and absurd sizes are refused",
     test_wrong_magic_version_and_sizes_are_refused},
    {"a missing file is an I/O error naming the path", test_missing_file_names_the_path},
    {"save replaces whole and leaves no temporary file", test_save_leaves_no_temporary_file},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/model/model_file", tests);
}
