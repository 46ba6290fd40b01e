/* Tests of ndpi-glue/capture/capture_inputs.c: a directory tree written into a
 * temporary directory (captures at several depths, other files, a symbolic
 * link to a directory, a dangling link) expands to its captures in sorted
 * order; list files skip comments and blanks and resolve relative entries
 * against their own directory; arguments keep their order; lists that cannot
 * be read become failed entries that name them, and the rest still counts. */
#include "ndpi-glue/capture/capture_inputs.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[512];

/* Everything make_tree created, to remove in reverse order at the end. */
static char created[16][1024];
static size_t num_created;

static void remember(const char *path)
{
	if (num_created < sizeof(created) / sizeof(created[0]))
		snprintf(created[num_created++], sizeof(created[0]), "%s", path);
}

static void path_of(char *out, size_t size, const char *relative)
{
	snprintf(out, size, "%s/%s", root, relative);
}

static void touch(const char *relative, const char *text)
{
	char path[1024];
	path_of(path, sizeof(path), relative);
	FILE *file = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	fputs(text, file);
	fclose(file);
	remember(path);
}

static void make_dir(const char *relative)
{
	char path[1024];
	path_of(path, sizeof(path), relative);
	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0755), 0);
	remember(path);
}

/* The tree every test reads (created once, by the first test). */
static void make_tree(void)
{
	if (root[0] != '\0')
		return;
	snprintf(root, sizeof(root), "%s/pronet-inputs-XXXXXX", pronet_unit_tmpdir());
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	make_dir("tree");
	make_dir("tree/sub");
	make_dir("tree/sub/deeper");
	touch("tree/b.pcap", "b");
	touch("tree/a.PCAPNG", "a");
	touch("tree/notes.txt", "not a capture");
	touch("tree/sub/c.cap", "c");
	touch("tree/sub/c.cap.txt", "not a capture");
	touch("tree/sub/deeper/d.pcap", "d");
	char target[1024], link_path[1024];
	path_of(target, sizeof(target), "tree/sub");
	path_of(link_path, sizeof(link_path), "tree/link");
	CU_ASSERT_EQUAL_FATAL(symlink(target, link_path), 0);
	remember(link_path);
	path_of(link_path, sizeof(link_path), "tree/dangling.pcap");
	CU_ASSERT_EQUAL_FATAL(symlink("/nonexistent/pronet.pcap", link_path), 0);
	remember(link_path);
}

/* Asserts that inputs hold exactly `expected` (paths relative to root). */
static void assert_paths(const struct pronet_capture_inputs *inputs, const char *const *expected,
                         size_t count)
{
	CU_ASSERT_EQUAL_FATAL(pronet_capture_inputs_count(inputs), count);
	for (size_t i = 0; i < count; i++) {
		char path[1024];
		path_of(path, sizeof(path), expected[i]);
		CU_ASSERT_STRING_EQUAL(pronet_capture_inputs_path(inputs, i), path);
	}
	CU_ASSERT_PTR_NULL(pronet_capture_inputs_path(inputs, count));
}

static void test_capture_names(void)
{
	CU_ASSERT_TRUE(pronet_capture_inputs_is_capture_name("x.pcap"));
	CU_ASSERT_TRUE(pronet_capture_inputs_is_capture_name("x.PcapNG"));
	CU_ASSERT_TRUE(pronet_capture_inputs_is_capture_name("dir/x.cap"));
	CU_ASSERT_FALSE(pronet_capture_inputs_is_capture_name(".pcap"));
	CU_ASSERT_FALSE(pronet_capture_inputs_is_capture_name("x.pcap.gz"));
	CU_ASSERT_FALSE(pronet_capture_inputs_is_capture_name("xpcap"));
	CU_ASSERT_FALSE(pronet_capture_inputs_is_capture_name(""));
}

static void test_directory_sorted_recursive(void)
{
	static const char *const expected[] = {
	    "tree/a.PCAPNG",          "tree/b.pcap", "tree/dangling.pcap", "tree/sub/c.cap",
	    "tree/sub/deeper/d.pcap",
	};
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	make_tree();
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(inputs);
	path_of(path, sizeof(path), "tree");
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	/* The link to sub/ is not followed: c.cap appears once. */
	assert_paths(inputs, expected, 5);
	CU_ASSERT_EQUAL(pronet_capture_inputs_failed_count(inputs), 0);
	pronet_capture_inputs_free(inputs);
}

static void test_files_keep_order(void)
{
	static const char *const expected[] = {
	    "tree/sub/deeper/d.pcap",
	    "missing.pcap",
	    "tree/sub/c.cap",
	    "tree/sub/deeper/d.pcap",
	};
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	make_tree();
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(inputs);
	for (size_t i = 0; i < 2; i++) {
		path_of(path, sizeof(path), expected[i]);
		CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	}
	/* A directory among files expands in place. */
	path_of(path, sizeof(path), "tree/sub");
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	assert_paths(inputs, expected, 4);
	/* A missing file is kept: opening it will say it is missing. */
	CU_ASSERT_EQUAL(pronet_capture_inputs_failed_count(inputs), 0);
	pronet_capture_inputs_free(inputs);
}

static void test_list_file(void)
{
	static const char *const expected[] = {
	    "tree/b.pcap",
	    "tree/sub/c.cap",
	    "tree/sub/deeper/d.pcap",
	    "tree/a.PCAPNG",
	};
	char errbuf[PRONET_ERRBUF_SIZE], path[1024], line[1100];
	make_tree();
	/* Relative entries resolve against the list's directory (tree/),
	 * an absolute one is taken as is; the last line has no newline. */
	path_of(path, sizeof(path), "tree/a.PCAPNG");
	snprintf(line, sizeof(line),
	         "# captures for a test\n\n  b.pcap  \r\n\t# indented comment\nsub\n%s", path);
	touch("tree/list.txt", line);
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(inputs);
	path_of(path + 1, sizeof(path) - 1, "tree/list.txt");
	path[0] = '@';
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	assert_paths(inputs, expected, 4);
	CU_ASSERT_EQUAL(pronet_capture_inputs_failed_count(inputs), 0);
	/* --list FILE is the same without the '@'. */
	struct pronet_capture_inputs *again = pronet_capture_inputs_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_EQUAL(pronet_capture_inputs_add_list(again, path + 1, errbuf), PRONET_OK);
	assert_paths(again, expected, 4);
	pronet_capture_inputs_free(again);
	pronet_capture_inputs_free(inputs);
}

static void test_bad_lists_are_failed_entries(void)
{
	static const char *const expected[] = {"tree/b.pcap"};
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	make_tree();
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(inputs);
	snprintf(path, sizeof(path), "@%s/no-such-list.txt", root);
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	/* A directory given as a list cannot be read as one. */
	snprintf(path, sizeof(path), "@%s/tree/sub", root);
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	path_of(path, sizeof(path), "tree/b.pcap");
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	assert_paths(inputs, expected, 1);
	CU_ASSERT_EQUAL_FATAL(pronet_capture_inputs_failed_count(inputs), 2);
	const char *first = pronet_capture_inputs_failed_message(inputs, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(first, "no-such-list.txt"));
	CU_ASSERT_PTR_NOT_NULL(strstr(first, "No such file"));
	const char *second = pronet_capture_inputs_failed_message(inputs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(second, "tree/sub"));
	CU_ASSERT_PTR_NOT_NULL(strstr(second, "capture list"));
	CU_ASSERT_PTR_NULL(pronet_capture_inputs_failed_message(inputs, 2));
	pronet_capture_inputs_free(inputs);
	pronet_capture_inputs_free(NULL);
}

/* Regression: an empty directory as the first argument sorted a NULL path
 * array (UBSan: null pointer passed to qsort, in the sanitizer build). */
static void test_empty_directory_first(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	make_tree();
	make_dir("empty");
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(inputs);
	path_of(path, sizeof(path), "empty");
	CU_ASSERT_EQUAL(pronet_capture_inputs_add(inputs, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_capture_inputs_count(inputs), 0);
	CU_ASSERT_EQUAL(pronet_capture_inputs_failed_count(inputs), 0);
	CU_ASSERT_PTR_NULL(pronet_capture_inputs_path(inputs, 0));
	pronet_capture_inputs_free(inputs);
}

static CU_TestInfo tests[] = {
    {"capture file names", test_capture_names},
    {"a directory: its captures, recursive, sorted", test_directory_sorted_recursive},
    {"files and directories keep argument order", test_files_keep_order},
    {"list files: comments, blanks, relative entries", test_list_file},
    {"unreadable lists are failed entries", test_bad_lists_are_failed_entries},
    {"an empty directory first: no captures, no failure", test_empty_directory_first},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	int status = pronet_unit_run("ndpi-glue/capture_inputs", tests);
	while (num_created > 0)
		remove(created[--num_created]);
	if (root[0] != '\0' && remove(root) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return status;
}
