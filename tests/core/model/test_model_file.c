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

/* Offsets fixed by docs/model-format.md. */
#define OFFSET_VERSION 8
#define OFFSET_EMBED_DIM 24
#define OFFSET_FILTERS 28
#define OFFSET_BUCKETS 52
#define OFFSET_CLASS_COUNT 56

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

	CU_ASSERT_EQUAL(pronet_model_new(&config, classes, 3, 9, &model, errbuf), PRONET_OK);
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
		CU_ASSERT_EQUAL(pronet_model_predict(a, &input, pa, NULL), PRONET_OK);
		CU_ASSERT_EQUAL(pronet_model_predict(b, &input, pb, NULL), PRONET_OK);
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
	CU_ASSERT_EQUAL(data[OFFSET_VERSION], 1);
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

static void test_every_truncation_is_refused(void)
{
	struct pronet_model *model = small_model(1), *loaded;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size, refused = 0;
	uint8_t *data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data = saved_bytes(model, &size);
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
	free(data);
	pronet_model_free(model);
}

static void test_every_flipped_byte_is_refused(void)
{
	struct pronet_model *model = small_model(1), *loaded;
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size, refused = 0, checksum = 0;
	uint8_t *data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	data = saved_bytes(model, &size);
	for (size_t i = 0; i < size; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			enum pronet_err err;

			loaded = NULL;
			data[i] ^= (uint8_t)(1u << bit);
			err = pronet_model_load_buffer(data, size, "flip.pnm", &loaded, errbuf);
			data[i] ^= (uint8_t)(1u << bit);
			refused += err != PRONET_OK;
			checksum += err == PRONET_ERR_CHECKSUM;
			CU_ASSERT_PTR_NULL(loaded);
			pronet_model_free(loaded);
		}
	}
	CU_ASSERT_EQUAL(refused, 2 * size);
	CU_ASSERT_TRUE(checksum > size); /* most flips land in weights: the checksum catches them */
	free(data);
	pronet_model_free(model);
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
	CU_ASSERT_EQUAL(load_edited(data, size, OFFSET_VERSION, 2, errbuf), PRONET_ERR_VERSION);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "version 2"));
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
	/* dropout 1.5 (f32 0x3fc00000) at offset 36 */
	CU_ASSERT_EQUAL(load_edited(data, size, 36, 0x3fc00000u, errbuf), PRONET_ERR_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "dropout"));
	/* Class names "http" (offset 60), "dns" (65), "tls" (69): "dns" -> "tls". */
	uint8_t *twice = malloc(size);

	CU_ASSERT_PTR_NOT_NULL_FATAL(twice);
	memcpy(twice, data, size);
	CU_ASSERT_EQUAL(memcmp(twice + 65, "\003dns\003tls", 8), 0);
	memcpy(twice + 66, "tls", 3);
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

static CU_TestInfo tests[] = {
    {"save -> load predicts identically", test_round_trip},
    {"save -> load with batch norm predicts identically", test_round_trip_with_batch_norm},
    {"layout and CRC-32 as documented", test_checksum_is_crc32_of_the_rest},
    {"a file truncated at every length is refused", test_every_truncation_is_refused},
    {"every flipped byte is refused", test_every_flipped_byte_is_refused},
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
