#include "core/util/error.h"

#include <stdio.h>
#include <string.h>

static const char *const error_messages[PRONET_ERR_COUNT_] = {
    [PRONET_OK] = "success",
    [PRONET_ERR_NOMEM] = "out of memory",
    [PRONET_ERR_IO] = "input/output error",
    [PRONET_ERR_ARG] = "invalid argument",
    [PRONET_ERR_FORMAT] = "bad format",
    [PRONET_ERR_VERSION] = "unsupported format version",
    [PRONET_ERR_TRUNCATED] = "truncated input",
    [PRONET_ERR_CHECKSUM] = "checksum mismatch",
    [PRONET_ERR_UNSUPPORTED] = "not supported",
    [PRONET_ERR_PARSE] = "syntax error",
    [PRONET_ERR_LIMIT] = "limit reached",
    [PRONET_ERR_NDPI] = "nDPI error",
    [PRONET_ERR_CAPTURE] = "capture error",
    [PRONET_ERR_NOT_FOUND] = "not found",
};

const char *pronet_strerror(enum pronet_err err)
{
	if ((unsigned)err >= PRONET_ERR_COUNT_ || error_messages[err] == NULL)
		return "unknown error";
	return error_messages[err];
}

enum pronet_err pronet_error(char *errbuf, enum pronet_err err, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL)
		return err;
	va_start(ap, fmt);
	vsnprintf(errbuf, PRONET_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
	return err;
}

/* strerror_r is int (XSI: 0, or an error and nothing written) or char *
 * (GNU: the message, in buf or a constant) depending on the feature macros;
 * _Generic picks the reading that matches, so either compiles. */
static const char *xsi_result(int result, char *buf)
{
	return result == 0 ? buf : NULL;
}

static const char *gnu_result(char *result, char *buf)
{
	(void)buf;
	return result;
}

#define STRERROR_RESULT(call, buf)                                                                 \
	_Generic((call), int : xsi_result, default : gnu_result)(call, buf)

const char *pronet_strerror_errno(int errnum, char *buf, size_t size)
{
	if (buf == NULL || size == 0)
		return "unknown system error";
	buf[0] = '\0';
	const char *message = STRERROR_RESULT(strerror_r(errnum, buf, size), buf);
	if (message == NULL || message[0] == '\0') {
		snprintf(buf, size, "system error %d", errnum);
		message = buf;
	}
	return message;
}

enum pronet_err pronet_error_errno(char *errbuf, enum pronet_err err, int errnum, const char *fmt,
                                   ...)
{
	char reason[PRONET_STRERROR_SIZE];
	va_list ap;

	if (errbuf == NULL)
		return err;
	va_start(ap, fmt);
	int length = vsnprintf(errbuf, PRONET_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
	if (length >= 0 && length < PRONET_ERRBUF_SIZE)
		snprintf(errbuf + length, PRONET_ERRBUF_SIZE - (size_t)length, ": %s",
		         pronet_strerror_errno(errnum, reason, sizeof(reason)));
	return err;
}
