/* Tests of rules/thresholds.c: lookups and the default, each kind of wrong
 * line reported at its line number, long lines, missing and empty files,
 * and the shipped rules/thresholds.conf. */
#include "rules/thresholds.h"
#include "tests/rules/rules_test.h"
#include "tests/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct pronet_thresholds *parse(const char *text, char *errbuf)
{
	struct pronet_thresholds *thresholds = NULL;

	if (pronet_thresholds_load_buffer(text, strlen(text), "t.conf", &thresholds, errbuf) !=
	    PRONET_OK)
		return NULL;
	return thresholds;
}

/* rules_test_load_fn: 1 if text loads (freed again), 0 if refused. */
static int loads(const char *text, char *errbuf)
{
	struct pronet_thresholds *loaded = parse(text, errbuf);

	pronet_thresholds_free(loaded);
	return loaded != NULL;
}

static void test_lookup_and_default(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_thresholds *thresholds = parse("# thresholds\n"
	                                             "default 0.6\n"
	                                             "TLS 0.9   # sure answers only\n"
	                                             "\tDNS\t0\r\n"
	                                             "SSH 1\n",
	                                             errbuf);
	int from_file = -1;
	float found = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(thresholds);
	CU_ASSERT_EQUAL(pronet_thresholds_count(thresholds), 3);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "TLS"), 0.9, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "DNS"), 0.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "SSH"), 1.0, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "HTTP"), 0.6, 1e-6);
	/* Labels are the model's class names: exact case. */
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "tls"), 0.6, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_default(thresholds, &from_file), 0.6, 1e-6);
	CU_ASSERT_EQUAL(from_file, 1);
	CU_ASSERT_EQUAL(pronet_thresholds_find(thresholds, "TLS", &found), 1);
	CU_ASSERT_DOUBLE_EQUAL(found, 0.9, 1e-6);
	CU_ASSERT_EQUAL(pronet_thresholds_find(thresholds, "HTTP", &found), 0);
	pronet_thresholds_free(thresholds);
	pronet_thresholds_free(NULL);
	/* No file, or no default line: 0.5. */
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(NULL, "TLS"), 0.5, 1e-6);
	thresholds = parse("TLS 0.8\n", errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(thresholds);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "QUIC"), 0.5, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_default(thresholds, &from_file), 0.5, 1e-6);
	CU_ASSERT_EQUAL(from_file, 0);
	pronet_thresholds_free(thresholds);
}

static void test_wrong_lines_name_their_line(void)
{
	static const struct rules_test_case cases[] = {
	    {"TLS", "expected 'LABEL THRESHOLD'"},
	    {"TLS high", "'high' is not a number"},
	    {"TLS 0.5x", "'0.5x' is not a number"},
	    {"TLS nan", "not a number"},
	    {"TLS 1.5", "outside 0..1"},
	    {"TLS -0.1", "outside 0..1"},
	    {"TLS inf", "outside 0..1"},
	    {"TLS 0.5 0.6", "unexpected '0.6'"},
	    {"T.LS 0.5", "character '.'"},
	    {"x123456789x123456789x123456789x123456789x123456789x123456789xyzw 0.5",
	     "longer than 63"},
	    {"SSH 0.4", "'SSH' already has a threshold on line 2"},
	    {"default 0.1", "second 'default' line (first on line 1)"},
	    {"TLS 12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	     "is not a number"},
	};
	rules_test_wrong_lines(cases, sizeof(cases) / sizeof(cases[0]), "default 0.5\nSSH 0.9\n",
	                       "DNS 0.3\n", "t.conf:3: ", loads);
}

static void test_files_missing_empty_long_lines(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	struct pronet_thresholds *thresholds = NULL;
	size_t long_size = 100000;
	char *text = malloc(long_size + 64);

	CU_ASSERT_FATAL(text != NULL);
	CU_ASSERT_EQUAL(pronet_thresholds_load("/nonexistent/thresholds.conf", &thresholds, errbuf),
	                PRONET_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "/nonexistent/thresholds.conf"));

	rules_test_temporary_path(path, sizeof(path), "thresholds");
	rules_test_write_file(path, "", 0);
	CU_ASSERT_EQUAL_FATAL(pronet_thresholds_load(path, &thresholds, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_thresholds_count(thresholds), 0);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "TLS"), 0.5, 1e-6);
	pronet_thresholds_free(thresholds);

	/* A long comment after a rule; the last line has no newline. */
	memcpy(text, "TLS 0.25 #", 10);
	memset(text + 10, 'x', long_size);
	snprintf(text + 10 + long_size, 32, "\nDNS 0.75");
	rules_test_write_file(path, text, strlen(text));
	CU_ASSERT_EQUAL_FATAL(pronet_thresholds_load(path, &thresholds, errbuf), PRONET_OK);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "TLS"), 0.25, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "DNS"), 0.75, 1e-6);
	pronet_thresholds_free(thresholds);

	/* A long label is refused on its line. */
	memcpy(text, "\n\n", 2);
	memset(text + 2, 'y', long_size);
	snprintf(text + 2 + long_size, 32, " 0.5\n");
	rules_test_write_file(path, text, strlen(text));
	CU_ASSERT_EQUAL(pronet_thresholds_load(path, &thresholds, errbuf), PRONET_ERR_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, ":3: label longer than 63"));
	unlink(path);
	free(text);
}

static void test_shipped_file_parses(void)
{
	char errbuf[PRONET_ERRBUF_SIZE], path[1024];
	struct pronet_thresholds *thresholds = NULL;
	float value = 0.0f;

	rules_test_shipped_path(path, sizeof(path), "thresholds.conf");
	if (pronet_thresholds_load(path, &thresholds, errbuf) != PRONET_OK)
		fprintf(stderr, "\n  %s\n", errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(thresholds);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_default(thresholds, NULL), 0.5, 1e-6);
	/* No per-class line: the shipped model's calibration decides
	 * (docs/evaluation.md, "Threshold floor"). */
	CU_ASSERT_EQUAL(pronet_thresholds_find(thresholds, "BitTorrent", &value), 0);
	CU_ASSERT_DOUBLE_EQUAL(pronet_thresholds_lookup(thresholds, "DTLS"), 0.5, 1e-6);
	pronet_thresholds_free(thresholds);
}

static CU_TestInfo tests[] = {
    {"lookup by label, default line and built-in default", test_lookup_and_default},
    {"each kind of wrong line is reported at its line", test_wrong_lines_name_their_line},
    {"missing, empty and long-line files", test_files_missing_empty_long_lines},
    {"rules/thresholds.conf parses", test_shipped_file_parses},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("rules/thresholds", tests);
}
