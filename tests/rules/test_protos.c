/* Tests of rules/protos.c: name-only rules in nDPI's protos syntax; every
 * line nDPI 4.2 would read differently (port/host rules, spaces, CR,
 * indented comments, an unterminated last line) is refused at its line;
 * missing and empty files; the shipped rules/protos.txt and nDPI's own
 * example syntax. */
#include "rules/protos.h"
#include "rules/rules_file.h"
#include "tests/rules/rules_test.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct pronet_protos *parse(const char *text, size_t size, char *errbuf)
{
	struct pronet_protos *protos = NULL;

	if (pronet_protos_load_buffer(text, size, "p.txt", &protos, errbuf) != PRONET_OK)
		return NULL;
	return protos;
}

/* rules_test_load_fn: 1 if text loads (freed again), 0 if refused. */
static int loads(const char *text, char *errbuf)
{
	struct pronet_protos *loaded = parse(text, strlen(text), errbuf);

	pronet_protos_free(loaded);
	return loaded != NULL;
}

static void test_names_in_order(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	const char text[] = "# learned classes\n"
	                    "\n"
	                    "@PPStream_UDP\n"
	                    "#@Disabled\n"
	                    "@my-tunnel2\n";
	struct pronet_protos *protos = parse(text, strlen(text), errbuf);

	CU_ASSERT_PTR_NOT_NULL_FATAL(protos);
	CU_ASSERT_EQUAL_FATAL(pronet_protos_count(protos), 2);
	CU_ASSERT_STRING_EQUAL(pronet_protos_name(protos, 0), "PPStream_UDP");
	CU_ASSERT_STRING_EQUAL(pronet_protos_rule(protos, 0), "@PPStream_UDP");
	CU_ASSERT_STRING_EQUAL(pronet_protos_name(protos, 1), "my-tunnel2");
	CU_ASSERT_PTR_NULL(pronet_protos_name(protos, 2));
	CU_ASSERT_EQUAL(pronet_protos_find(protos, "MY-TUNNEL2"), 1);
	CU_ASSERT_EQUAL(pronet_protos_find(protos, "Disabled"), -1);
	pronet_protos_free(protos);
	pronet_protos_free(NULL);
}

static void test_wrong_lines_name_their_line(void)
{
	static const struct rules_test_case cases[] = {
	    {"tcp:81,tcp:8181@Web", "take no port/host/ip rules"},
	    {"udp:5061-5062@Voice", "take no port/host/ip rules"},
	    {"host:\"example.com\"@Ex", "take no port/host/ip rules"},
	    {"ip:192.0.2.1@Ex", "take no port/host/ip rules"},
	    {"Name", "expected '@NAME'"},
	    {" # indented comment", "expected '@NAME'"},
	    {"@", "no name after '@'"},
	    {"@My Proto", "character 0x20"},
	    {"@Trailing ", "character 0x20"},
	    {" @Leading", "before '@'"},
	    {"@Crlf\r", "character 0x0d"},
	    {"@a/b", "character 0x2f"},
	    {"@a:b", "character 0x3a"},
	    {"@a.b", "character 0x2e"},
	    {"@a@b", "character 0x40"},
	    {"@unknown", "nDPI's protocol 0"},
	    {"@first", "already defined on line 2"},
	    {"@x123456789x123456789x123456789x123456789x123456789x123456789xyzw", "longer than 63"},
	};
	rules_test_wrong_lines(cases, sizeof(cases) / sizeof(cases[0]), "# names\n@First\n",
	                       "@Last\n", "p.txt:3: ", loads);
}

static void test_unterminated_last_line(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_protos *protos;

	/* nDPI drops a last line without '\n': we refuse it rather than lose it. */
	CU_ASSERT_PTR_NULL(parse("@One\n@Two", 9, errbuf));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "p.txt:2: no newline"));
	/* An unterminated comment loses nothing. */
	protos = parse("@One\n# end", 10, errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(protos);
	CU_ASSERT_EQUAL(pronet_protos_count(protos), 1);
	pronet_protos_free(protos);
}

static void test_too_many_names(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	size_t size = (PRONET_PROTOS_MAX + 1) * 16;
	char *text = malloc(size);
	size_t used = 0;

	CU_ASSERT_FATAL(text != NULL);
	for (int i = 0; i <= PRONET_PROTOS_MAX; i++)
		used += (size_t)snprintf(text + used, size - used, "@Learned%d\n", i);
	CU_ASSERT_PTR_NULL(parse(text, used, errbuf));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "p.txt:230: more than 229 names"));
	/* Exactly the limit is fine. */
	used -= strlen("@Learned229\n");
	{
		struct pronet_protos *protos = parse(text, used, errbuf);

		CU_ASSERT_PTR_NOT_NULL_FATAL(protos);
		CU_ASSERT_EQUAL(pronet_protos_count(protos), PRONET_PROTOS_MAX);
		pronet_protos_free(protos);
	}
	free(text);
}

static void test_files_missing_empty_long_lines(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_protos *protos = NULL;
	size_t long_size = 100000;
	char *text = malloc(long_size + 64);

	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(pronet_protos_load("/nonexistent/protos.txt", &protos, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/protos.txt"));

	rules_test_temporary_path(path, sizeof(path), "protos");
	rules_test_write_file(path, "", 0);
	CU_ASSERT_EQUAL_FATAL(pronet_protos_load(path, &protos, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_protos_count(protos), 0);
	pronet_protos_free(protos);

	text[0] = '#';
	memset(text + 1, 'x', long_size);
	snprintf(text + 1 + long_size, 32, "\n@AfterLong\n");
	rules_test_write_file(path, text, strlen(text));
	CU_ASSERT_EQUAL_FATAL(pronet_protos_load(path, &protos, errbuf), PRONET_OK);
	CU_ASSERT_STRING_EQUAL(pronet_protos_name(protos, 0), "AfterLong");
	pronet_protos_free(protos);

	text[0] = '@';
	rules_test_write_file(path, text, strlen(text));
	CU_ASSERT_EQUAL(pronet_protos_load(path, &protos, errbuf), PRONET_ERR_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, ":1: name longer than 63"));
	unlink(path);
	free(text);
}

/* The one protocol-name rule, shared with the plugin: the cases where the
 * plugin's own check used to disagree ('.', '+', "Unknown") and the bounds. */
static void test_protocol_name_rule(void)
{
	char longest[PRONET_RULES_NAME_MAX + 2];
	char errbuf[PRONET_ERRBUF_SIZE], why[128];

	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	CU_ASSERT(pronet_rules_check_protocol_name("PPStream_UDP-2", 14, why, sizeof(why)));
	CU_ASSERT(
	    pronet_rules_check_protocol_name(longest, PRONET_RULES_NAME_MAX, why, sizeof(why)));
	CU_ASSERT_FALSE(
	    pronet_rules_check_protocol_name(longest, PRONET_RULES_NAME_MAX + 1, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "longer than 63"));
	CU_ASSERT_FALSE(pronet_rules_check_protocol_name("", 0, why, sizeof(why)));
	CU_ASSERT_FALSE(pronet_rules_check_protocol_name("a.b", 3, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "character 0x2e"));
	CU_ASSERT_FALSE(pronet_rules_check_protocol_name("a+b", 3, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "character 0x2b"));
	CU_ASSERT_FALSE(pronet_rules_check_protocol_name("UNKNOWN", 7, why, sizeof(why)));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "protocol 0"));
	/* Only `length` bytes count. */
	CU_ASSERT(pronet_rules_check_protocol_name("ab.c", 2, why, sizeof(why)));
	/* The protos file applies exactly this rule. */
	CU_ASSERT_FALSE(loads("@a+b\n", errbuf));
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "p.txt:1: name character 0x2b"));
	CU_ASSERT_TRUE(loads("@a_b-c\n", errbuf));
}

static void test_shipped_file_parses(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	struct pronet_protos *protos = NULL;

	rules_test_shipped_path(path, sizeof(path), "protos.txt");
	if (pronet_protos_load(path, &protos, errbuf) != PRONET_OK)
		fprintf(stderr, "\n  %s\n", errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(protos);
	pronet_protos_free(protos);
}

/* The directory is an argument; the library reads no environment. */
static void test_default_path_takes_the_directory(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[64];
	char *saved =
	    getenv("PRONET_RULES_DIR") != NULL ? strdup(getenv("PRONET_RULES_DIR")) : NULL;

	setenv("PRONET_RULES_DIR", "/from/environment", 1);
	CU_ASSERT_EQUAL(
	    pronet_rules_default_path("/opt/rules", "protos.txt", path, sizeof(path), errbuf),
	    PRONET_OK);
	CU_ASSERT_STRING_EQUAL(path, "/opt/rules/protos.txt");
	CU_ASSERT_EQUAL(pronet_rules_default_path(NULL, "protos.txt", path, sizeof(path), errbuf),
	                PRONET_OK);
	CU_ASSERT_STRING_EQUAL(path, PRONET_DATADIR "/protos.txt");
	CU_ASSERT_EQUAL(pronet_rules_default_path("", "protos.txt", path, sizeof(path), errbuf),
	                PRONET_OK);
	CU_ASSERT_STRING_EQUAL(path, PRONET_DATADIR "/protos.txt");
	CU_ASSERT_EQUAL(pronet_rules_default_path("/opt/rules", "protos.txt", path, 8, errbuf),
	                PRONET_ERR_LIMIT);
	if (saved != NULL)
		setenv("PRONET_RULES_DIR", saved, 1);
	else
		unsetenv("PRONET_RULES_DIR");
	free(saved);
}

static CU_TestInfo tests[] = {
    {"name-only rules give names in file order", test_names_in_order},
    {"each kind of wrong line is reported at its line", test_wrong_lines_name_their_line},
    {"an unterminated last rule is refused", test_unterminated_last_line},
    {"more names than nDPI 4.2 can create are refused", test_too_many_names},
    {"missing, empty and long-line files", test_files_missing_empty_long_lines},
    {"one protocol-name rule, shared with the plugin", test_protocol_name_rule},
    {"rules/protos.txt parses", test_shipped_file_parses},
    {"default path: the directory given, else PRONET_DATADIR",
     test_default_path_takes_the_directory},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("rules/protos", tests);
}
