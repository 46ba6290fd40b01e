/* Tests of core/util/file_read.c and core/util/crc32.c: a file is read whole and
 * NUL-terminated; one over the cap is refused before it is read, naming
 * the file and the cap (also through the dataset loader, on a sparse file
 * past PRONET_DATASET_FILE_MAX); missing files and directories are clear
 * errors; the CRC-32 is zlib's. */
#include "core/util/crc32.h"
#include "core/data/dataset.h"
#include "core/util/file_read.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void temp_path(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/pronet-test-file-read-%ld-%s", pronet_unit_tmpdir(),
	         (long)getpid(), name);
}

static void test_reads_whole_file_with_cap(void)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE] = "", want[64];
	uint8_t *data = NULL;
	size_t size = 0;
	temp_path(path, sizeof(path), "ten");
	FILE *file = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL(fwrite("0123456789", 1, 10, file), 10);
	CU_ASSERT_EQUAL(fclose(file), 0);

	CU_ASSERT_EQUAL_FATAL(pronet_file_read(path, 10, &data, &size, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(size, 10);
	CU_ASSERT_EQUAL(memcmp(data, "0123456789", 11), 0); /* and the NUL after */
	free(data);

	CU_ASSERT_EQUAL(pronet_file_read(path, 9, &data, &size, errbuf), PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NULL(data);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	snprintf(want, sizeof(want), "10 bytes is larger than the 9");
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, want));
	CU_ASSERT_EQUAL(unlink(path), 0);

	CU_ASSERT_EQUAL(pronet_file_read(path, 9, &data, &size, errbuf), PRONET_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cannot open: No such file"));
	CU_ASSERT_EQUAL(pronet_file_read(pronet_unit_tmpdir(), 9, &data, &size, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "not a regular file"));
}

/* A sparse file one byte past the dataset cap: refused by its size, never
 * read (the old loader read it all). */
static void test_dataset_over_cap_is_refused(void)
{
	char path[512], errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_dataset *dataset = NULL;
	temp_path(path, sizeof(path), "huge.dataset");
	FILE *file = fopen(path, "wb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL_FATAL(ftruncate(fileno(file), (off_t)PRONET_DATASET_FILE_MAX + 1), 0);
	CU_ASSERT_EQUAL(fclose(file), 0);
	CU_ASSERT_EQUAL(pronet_dataset_load(path, &dataset, errbuf), PRONET_ERR_LIMIT);
	CU_ASSERT_PTR_NULL(dataset);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "larger than the 2147483648"));
	CU_ASSERT_EQUAL(unlink(path), 0);
}

static void test_crc32_is_zlibs(void)
{
	/* The check value of CRC-32/ISO-HDLC (zlib's crc32): "123456789". */
	CU_ASSERT_EQUAL(pronet_crc32(0, "123456789", 9), 0xcbf43926u);
	CU_ASSERT_EQUAL(pronet_crc32(pronet_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	CU_ASSERT_EQUAL(pronet_crc32(0, "", 0), 0);
}

static CU_TestInfo tests[] = {
    {"a file is read whole; one over the cap is refused", test_reads_whole_file_with_cap},
    {"a dataset over the cap is refused before it is read", test_dataset_over_cap_is_refused},
    {"CRC-32 is zlib's", test_crc32_is_zlibs},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/util/file_read", tests);
}
