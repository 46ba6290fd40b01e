/* Tests of core/util/atomic_file.c: commit replaces the target whole, abort and
 * every failure leave it untouched with no temporary file beside it, and
 * errors name the target. Each test works in its own fresh directory, so
 * "nothing else in the directory" is something a test can check. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/atomic_file.h"
#include "tests/unit.h"

/* A new empty directory for one test. */
static void make_directory(char *dir, size_t size, const char *leaf)
{
	snprintf(dir, size, "%s/pronet-test-atomic-file-%ld-%s", pronet_unit_tmpdir(),
	         (long)getpid(), leaf);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
}

/* Entries of dir other than "." and "..". */
static int count_entries(const char *dir)
{
	DIR *listing = opendir(dir);
	struct dirent *entry;
	int entries = 0;

	if (listing == NULL)
		return -1;
	while ((entry = readdir(listing)) != NULL)
		entries += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
	closedir(listing);
	return entries;
}

static void write_text(const char *path, const char *text)
{
	FILE *file = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL(fputs(text, file) >= 0, 1);
	CU_ASSERT_EQUAL(fclose(file), 0);
}

/* The whole content of path as a string ("" if it cannot be read). */
static void read_text(const char *path, char *text, size_t size)
{
	FILE *file = fopen(path, "r");
	size_t length = 0;

	if (file != NULL) {
		length = fread(text, 1, size - 1, file);
		fclose(file);
	}
	text[length] = '\0';
}

static void remove_directory(const char *dir, const char *leaf)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", dir, leaf);
	unlink(path);
	CU_ASSERT_EQUAL(rmdir(dir), 0); /* fails if anything else was left */
}

static void test_commit_replaces_whole(void)
{
	char dir[512], path[600], text[64], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_atomic_file *file;
	struct stat st;
	mode_t mask = umask(022);

	make_directory(dir, sizeof(dir), "commit");
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	write_text(path, "old\n");
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf), PRONET_OK);
	CU_ASSERT_STRING_EQUAL(pronet_atomic_file_path(file), path);
	fputs("new\n", pronet_atomic_file_stream(file));
	/* Not yet committed: the target is the old file, the new one is beside it. */
	read_text(path, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "old\n");
	CU_ASSERT_EQUAL(count_entries(dir), 2);
	CU_ASSERT_EQUAL(pronet_atomic_file_commit(file, errbuf), PRONET_OK);
	read_text(path, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "new\n");
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644); /* 0666 less umask 022, not mkstemp's 0600 */
	umask(mask);
	remove_directory(dir, "out.txt");
}

static void test_keep_mode(void)
{
	char dir[512], path[600], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_atomic_file *file;
	struct stat st;
	mode_t mask = umask(077); /* ignored by this mode */

	make_directory(dir, sizeof(dir), "mode");
	snprintf(path, sizeof(path), "%s/model", dir);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_KEEP_OR_0644, &file, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(pronet_atomic_file_commit(file, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644); /* new: 0644 */
	CU_ASSERT_EQUAL(chmod(path, 0640), 0);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_KEEP_OR_0644, &file, errbuf),
	    PRONET_OK);
	CU_ASSERT_EQUAL(pronet_atomic_file_commit(file, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0640); /* replaced: its mode kept */
	umask(mask);
	remove_directory(dir, "model");
}

static void test_abort_leaves_target_untouched(void)
{
	char dir[512], path[600], text[64], errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_atomic_file *file;

	make_directory(dir, sizeof(dir), "abort");
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	/* No target yet: abort leaves nothing at all. */
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf), PRONET_OK);
	fputs("never seen\n", pronet_atomic_file_stream(file));
	pronet_atomic_file_abort(file);
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	/* A target: abort keeps it as it was. */
	write_text(path, "old\n");
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf), PRONET_OK);
	fputs("never seen\n", pronet_atomic_file_stream(file));
	pronet_atomic_file_abort(file);
	read_text(path, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "old\n");
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	pronet_atomic_file_abort(NULL); /* a no-op */
	remove_directory(dir, "out.txt");
}

static void test_missing_directory_is_a_clear_error(void)
{
	char dir[512], path[600], errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_atomic_file *file = (struct pronet_atomic_file *)1;

	snprintf(dir, sizeof(dir), "%s/pronet-test-atomic-file-%ld-missing", pronet_unit_tmpdir(),
	         (long)getpid());
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	CU_ASSERT_EQUAL(pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NULL(file);
	CU_ASSERT_EQUAL(strncmp(errbuf, path, strlen(path)), 0); /* starts with the target */
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cannot create"));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "No such file or directory"));
	CU_ASSERT_NOT_EQUAL(access(dir, F_OK), 0); /* nothing made on the way */
}

/* The parent "directory" is a regular file: creation fails, naming the path. */
static void test_file_as_directory_is_a_clear_error(void)
{
	char dir[512], parent[600], path[700], errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_atomic_file *file;

	make_directory(dir, sizeof(dir), "notdir");
	snprintf(parent, sizeof(parent), "%s/plain", dir);
	write_text(parent, "a file\n");
	snprintf(path, sizeof(path), "%s/out.txt", parent);
	CU_ASSERT_EQUAL(pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NULL(file);
	CU_ASSERT_EQUAL(strncmp(errbuf, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "Not a directory"));
	CU_ASSERT_EQUAL(count_entries(dir), 1);
	remove_directory(dir, "plain");
}

/* The target is a non-empty directory: the rename at commit fails; the
 * directory is untouched and the temporary file removed. */
static void test_failed_rename_leaves_no_temporary(void)
{
	char dir[512], path[600], inside[700], errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_atomic_file *file;
	struct stat st;

	make_directory(dir, sizeof(dir), "rename");
	snprintf(path, sizeof(path), "%s/target", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	snprintf(inside, sizeof(inside), "%s/kept", path);
	write_text(inside, "kept\n");
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf), PRONET_OK);
	fputs("new\n", pronet_atomic_file_stream(file));
	CU_ASSERT_EQUAL(pronet_atomic_file_commit(file, errbuf), PRONET_ERR_IO);
	CU_ASSERT_EQUAL(strncmp(errbuf, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cannot replace"));
	CU_ASSERT_EQUAL(count_entries(dir), 1); /* the directory only */
	CU_ASSERT(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(count_entries(path), 1);
	unlink(inside);
	rmdir(path);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

/* A stream whose error flag is set (as after a failed write) fails
 * commit; nothing is left. */
static void test_write_error_fails_commit(void)
{
	char dir[512], path[600], block[4096], errbuf[PRONET_ERRBUF_SIZE] = "";
	struct pronet_atomic_file *file;

	make_directory(dir, sizeof(dir), "ferror");
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	CU_ASSERT_EQUAL_FATAL(
	    pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file, errbuf), PRONET_OK);
	memset(block, 'x', sizeof(block));
	/* Reading from a stream opened "w" fails and sets its error flag, as
	 * a failed write would. */
	CU_ASSERT_EQUAL(fgetc(pronet_atomic_file_stream(file)), EOF);
	CU_ASSERT_NOT_EQUAL_FATAL(ferror(pronet_atomic_file_stream(file)), 0);
	fwrite(block, 1, sizeof(block), pronet_atomic_file_stream(file));
	CU_ASSERT_EQUAL(pronet_atomic_file_commit(file, errbuf), PRONET_ERR_IO);
	CU_ASSERT_EQUAL(strncmp(errbuf, path, strlen(path)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "cannot write"));
	CU_ASSERT_EQUAL(count_entries(dir), 0);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static CU_TestInfo tests[] = {
    {"commit replaces the target whole, mode 0666 less umask", test_commit_replaces_whole},
    {"KEEP_OR_0644: 0644 new, the replaced file's mode kept", test_keep_mode},
    {"abort leaves no file and the target untouched", test_abort_leaves_target_untouched},
    {"a missing directory: I/O error naming the path", test_missing_directory_is_a_clear_error},
    {"a file where the directory should be: error naming the path",
     test_file_as_directory_is_a_clear_error},
    {"a failed rename removes the temporary file", test_failed_rename_leaves_no_temporary},
    {"a stream in error fails commit and leaves nothing", test_write_error_fails_commit},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/util/atomic_file", tests);
}
