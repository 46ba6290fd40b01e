/* Tests of rules/class_map.c: the default policy, every pattern kind, first
 * match wins, each kind of wrong line reported at its line number, long
 * lines, missing and empty files, and the shipped rules/class-map.conf. */
#include "rules/class_map.h"
#include "tests/rules/rules_test.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct pronet_class_map *parse(const char *text, char *errbuf)
{
	struct pronet_class_map *map = NULL;

	if (pronet_class_map_load_buffer(text, strlen(text), "t.conf", &map, errbuf) != PRONET_OK)
		return NULL;
	return map;
}

/* rules_test_load_fn: 1 if text loads (freed again), 0 if refused. */
static int loads(const char *text, char *errbuf)
{
	struct pronet_class_map *loaded = parse(text, errbuf);

	pronet_class_map_free(loaded);
	return loaded != NULL;
}

/* The label for (master, app), or "-" when excluded. */
static const char *label_of(const struct pronet_class_map *map, const char *master, const char *app)
{
	static char label[PRONET_CLASS_MAP_LABEL_SIZE];

	if (!pronet_class_map_lookup(map, master, app, label))
		return "-";
	return label;
}

static void test_default_policy(void)
{
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "TLS", "Google"), "TLS");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "QUIC", "YouTube"), "QUIC");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "Unknown", "DNS"), "DNS");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, NULL, "BitTorrent"), "BitTorrent");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "HTTP", "HTTP"), "HTTP");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "TLS", "Unknown"), "TLS");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "Unknown", "Unknown"), "-");
	CU_ASSERT_STRING_EQUAL(label_of(NULL, "", NULL), "-");
	/* nDPI 4.2's one name with a dot becomes a valid label. */
	CU_ASSERT_STRING_EQUAL(label_of(NULL, NULL, "Z39.50"), "Z39_50");
}

static void test_patterns_and_first_match(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_class_map *map = parse("# comment line\n"
	                                     "\n"
	                                     "TLS.YouTube -> Video   # a pair\n"
	                                     "TLS.* -> Encrypted\n"
	                                     "*.Google -> -\n"
	                                     "DNS -> Names\n"
	                                     "*.* -> Other\n",
	                                     errbuf);

	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	CU_ASSERT_EQUAL(pronet_class_map_num_rules(map), 5);
	CU_ASSERT_STRING_EQUAL(label_of(map, "TLS", "YouTube"), "Video");
	CU_ASSERT_STRING_EQUAL(label_of(map, "tls", "youtube"), "Video"); /* nDPI ignores case */
	/* TLS.* comes before *.Google, so it wins for TLS.Google. */
	CU_ASSERT_STRING_EQUAL(label_of(map, "TLS", "Google"), "Encrypted");
	/* MASTER.* also covers the master alone. */
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "TLS"), "Encrypted");
	CU_ASSERT_STRING_EQUAL(label_of(map, "QUIC", "Google"), "-");
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "Google"), "-");
	/* NAME matches the protocol alone, not as a master. */
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "DNS"), "Names");
	CU_ASSERT_STRING_EQUAL(label_of(map, "DNS", "Facebook"), "Other");
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "SSH"), "Other");
	/* Unknown never reaches the rules, not even the catch-all. */
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "Unknown"), "-");
	pronet_class_map_free(map);
	pronet_class_map_free(NULL);
}

/* Each bad line, placed on line 3, must be refused naming t.conf:3. */
static void test_wrong_lines_name_their_line(void)
{
	static const struct rules_test_case cases[] = {
	    {"TLS TLS", "no '->'"},
	    {"-> TLS", "no pattern"},
	    {"TLS ->", "empty label"},
	    {"TLS -> A B", "one label expected"},
	    {"TLS.Goo*gle -> X", "wildcard stands for a whole name"},
	    {"TLS.Google.com -> X", "more than one '.'"},
	    {"TLS. -> X", "empty app name"},
	    {".Google -> X", "empty master name"},
	    {"TLS Google -> X", "contains a space"},
	    {"TL$ -> X", "character '$'"},
	    {"TLS -> a.b", "character '.'"},
	    {"TLS -> *", "'*' in label"},
	    {"Unknown -> X", "always excluded"},
	    {"Unknown.DNS -> X", "'Unknown' stands for no protocol"},
	    {"DNS -> Unknown", "use '-' to exclude"},
	    {"DNS -> "
	     "x123456789x123456789x123456789x123456789x123456789x123456789xyzw",
	     "longer than 63"},
	    {"ssh -> Y", "same pattern as line 2"},
	};
	rules_test_wrong_lines(cases, sizeof(cases) / sizeof(cases[0]), "# header\nSSH -> SSH\n",
	                       "DNS.* -> DNS\n", "t.conf:3: ", loads);
}

static void test_spacing_and_crlf_are_tolerated(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_class_map *map = parse("\t TLS.*->Encrypted \r\nSSH  ->  Shell\r\n", errbuf);

	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	CU_ASSERT_STRING_EQUAL(label_of(map, "TLS", "Google"), "Encrypted");
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "SSH"), "Shell");
	pronet_class_map_free(map);
}

static void test_files_missing_empty_long_lines(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_class_map *map = NULL;
	size_t long_size = 100000;
	char *text = malloc(long_size + 64);

	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(pronet_class_map_load("/nonexistent/class-map.conf", &map, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/class-map.conf"));

	rules_test_temporary_path(path, sizeof(path), "class-map");
	rules_test_write_file(path, "", 0);
	CU_ASSERT_EQUAL_FATAL(pronet_class_map_load(path, &map, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_class_map_num_rules(map), 0);
	pronet_class_map_free(map);

	/* A 100000-character comment, then a rule with no final newline. */
	text[0] = '#';
	memset(text + 1, 'x', long_size);
	snprintf(text + 1 + long_size, 63, "\nSSH -> Shell");
	rules_test_write_file(path, text, strlen(text));
	CU_ASSERT_EQUAL_FATAL(pronet_class_map_load(path, &map, errbuf), PRONET_OK);
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "SSH"), "Shell");
	pronet_class_map_free(map);

	/* A 100000-character pattern is refused, on its line. */
	memcpy(text, "SSH -> S\n", 9);
	memset(text + 9, 'y', long_size);
	snprintf(text + 9 + long_size, 32, " -> Y\n");
	rules_test_write_file(path, text, strlen(text));
	CU_ASSERT_EQUAL(pronet_class_map_load(path, &map, errbuf), PRONET_ERR_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, ":2: pattern longer than 63"));

	/* A NUL byte: not a text file. */
	rules_test_write_file(path, "SSH -> S\n\0\n", 11);
	CU_ASSERT_EQUAL(pronet_class_map_load(path, &map, errbuf), PRONET_ERR_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, ":2: NUL byte"));
	unlink(path);
	free(text);
}

static void test_shipped_file_parses(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	struct pronet_class_map *map = NULL;

	rules_test_shipped_path(path, sizeof(path), "class-map.conf");
	if (pronet_class_map_load(path, &map, errbuf) != PRONET_OK)
		fprintf(stderr, "\n  %s\n", errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(map);
	CU_ASSERT_STRING_EQUAL(label_of(map, "TLS", "Google"), "TLS");
	CU_ASSERT_STRING_EQUAL(label_of(map, "DNS", "Facebook"), "DNS");
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "Google"), "-");
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "FTP_CONTROL"), "FTP");
	CU_ASSERT_STRING_EQUAL(label_of(map, NULL, "SSH"), "SSH");
	pronet_class_map_free(map);
}

static CU_TestInfo tests[] = {
    {"default policy: master if any, else app; Unknown excluded", test_default_policy},
    {"pattern kinds; the first match wins", test_patterns_and_first_match},
    {"each kind of wrong line is reported at its line", test_wrong_lines_name_their_line},
    {"spaces, tabs and CRLF are tolerated", test_spacing_and_crlf_are_tolerated},
    {"missing, empty and long-line files", test_files_missing_empty_long_lines},
    {"rules/class-map.conf parses and says what it means", test_shipped_file_parses},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("rules/class_map", tests);
}
