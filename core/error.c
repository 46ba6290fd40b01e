#include "core/error.h"

#include <stdio.h>

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
