/* Tests of core/error.c: every code has words, and pronet_error reports and returns. */
#include "core/error.h"
#include "tests/unit.h"

#include <string.h>

static void test_every_code_has_a_message(void)
{
	for (int code = 0; code < PRONET_ERR_COUNT_; code++) {
		const char *message = pronet_strerror((enum pronet_err)code);
		CU_ASSERT_PTR_NOT_NULL_FATAL(message);
		CU_ASSERT_STRING_NOT_EQUAL(message, "unknown error");
	}
	CU_ASSERT_STRING_EQUAL(pronet_strerror(PRONET_ERR_COUNT_), "unknown error");
	CU_ASSERT_STRING_EQUAL(pronet_strerror((enum pronet_err)-1), "unknown error");
}

static void test_error_formats_and_returns_code(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	enum pronet_err err = pronet_error(errbuf, PRONET_ERR_FORMAT, "%s: bad magic %#x", "m.bin", 0x41u);

	CU_ASSERT_EQUAL(err, PRONET_ERR_FORMAT);
	CU_ASSERT_STRING_EQUAL(errbuf, "m.bin: bad magic 0x41");
	CU_ASSERT_EQUAL(pronet_error(NULL, PRONET_ERR_IO, "ignored"), PRONET_ERR_IO);
}

static void test_error_truncates_long_messages(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	char long_name[2 * PRONET_ERRBUF_SIZE];

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	pronet_error(errbuf, PRONET_ERR_IO, "%s", long_name);
	CU_ASSERT_EQUAL(strlen(errbuf), PRONET_ERRBUF_SIZE - 1);
}

static CU_TestInfo tests[] = {
	{"every code has a message", test_every_code_has_a_message},
	{"pronet_error formats and returns the code", test_error_formats_and_returns_code},
	{"long messages are truncated, not overflowed", test_error_truncates_long_messages},
	CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/error", tests);
}
