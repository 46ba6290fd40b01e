/* Tests of core/util/error.c: every code has words, and pronet_error reports and returns. */
#include "core/util/error.h"
#include "tests/unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void test_every_code_has_a_message(void)
{
	for (int code = 0; code < PRONET_ERR_COUNT_; code++) {
		const char *message = pronet_strerror((enum pronet_err)code);
		CU_ASSERT_PTR_NOT_NULL_FATAL(message);
		CU_ASSERT_STRING_NOT_EQUAL(message, "unknown error");
	}
	CU_ASSERT_STRING_EQUAL(pronet_strerror(PRONET_ERR_COUNT_), "unknown error");
	CU_ASSERT_STRING_EQUAL(pronet_strerror((enum pronet_err) - 1), "unknown error");
}

static void test_error_formats_and_returns_code(void)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	enum pronet_err err =
	    pronet_error(errbuf, PRONET_ERR_FORMAT, "%s: bad magic %#x", "m.bin", 0x41u);

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

/* The system's words for errno values, thread-safe: what strerror says
 * (compared once here, single-threaded), a message for an unknown value,
 * a truncated one in a small buffer; and pronet_error_errno appends them. */
static void test_errno_messages(void)
{
	char buf[PRONET_STRERROR_SIZE], tiny[6], errbuf[PRONET_ERRBUF_SIZE];
	CU_ASSERT_STRING_EQUAL(pronet_strerror_errno(ENOENT, buf, sizeof(buf)), strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(pronet_strerror_errno(EACCES, buf, sizeof(buf)), strerror(EACCES));
	const char *unknown = pronet_strerror_errno(99999, buf, sizeof(buf));
	CU_ASSERT_PTR_NOT_NULL_FATAL(unknown);
	CU_ASSERT_PTR_NOT_NULL(strstr(unknown, "99999"));
	const char *cut = pronet_strerror_errno(ENOENT, tiny, sizeof(tiny));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
	CU_ASSERT(strlen(cut) > 0);
	CU_ASSERT_STRING_EQUAL(pronet_strerror_errno(ENOENT, NULL, 0), "unknown system error");
	CU_ASSERT_EQUAL(
	    pronet_error_errno(errbuf, PRONET_ERR_IO, ENOENT, "%s: cannot open", "m.bin"),
	    PRONET_ERR_IO);
	snprintf(buf, sizeof(buf), "m.bin: cannot open: %s", strerror(ENOENT));
	CU_ASSERT_STRING_EQUAL(errbuf, buf);
	CU_ASSERT_EQUAL(pronet_error_errno(NULL, PRONET_ERR_IO, ENOENT, "ignored"), PRONET_ERR_IO);
}

static CU_TestInfo tests[] = {
    {"every code has a message", test_every_code_has_a_message},
    {"pronet_error formats and returns the code", test_error_formats_and_returns_code},
    {"long messages are truncated, not overflowed", test_error_truncates_long_messages},
    {"errno values in words, thread-safe", test_errno_messages},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/util/error", tests);
}
