/* One error code for the whole library, threaded through every call.
 *
 * Library functions return enum pronet_err and write results through
 * out-parameters. Where a caller passes an error buffer (char errbuf
 * [PRONET_ERRBUF_SIZE], owned by the caller, as in libpcap) the function
 * writes a sentence naming the file and what is wrong. The library never
 * prints and never exits. */
#ifndef PRONET_CORE_ERROR_H
#define PRONET_CORE_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define PRONET_ERRBUF_SIZE 512

enum pronet_err {
	PRONET_OK = 0,
	PRONET_ERR_NOMEM,       /* an allocation failed */
	PRONET_ERR_IO,          /* open/read/write/rename failed (errno in the message) */
	PRONET_ERR_ARG,         /* a caller passed an invalid argument or option */
	PRONET_ERR_FORMAT,      /* input is not in the expected format (bad magic, bad field) */
	PRONET_ERR_VERSION,     /* a format version this build does not read */
	PRONET_ERR_TRUNCATED,   /* input ends before a length it declared */
	PRONET_ERR_CHECKSUM,    /* stored checksum does not match the content */
	PRONET_ERR_UNSUPPORTED, /* valid, but not supported by this build (architecture, link type)
	                         */
	PRONET_ERR_PARSE,       /* a text file (rules, hex) has a syntax error */
	PRONET_ERR_LIMIT,       /* a configured bound was reached (table full, too many classes) */
	PRONET_ERR_NDPI,        /* nDPI refused an operation */
	PRONET_ERR_CAPTURE,     /* libpcap reported an error */
	PRONET_ERR_NOT_FOUND,   /* a named thing (class, protocol, symbol) does not exist */
	PRONET_ERR_COUNT_       /* number of codes; not an error */
};

/* A short constant description of a code; never NULL. */
const char *pronet_strerror(enum pronet_err err);

/* The system's words for errno value `errnum`, thread-safe (strerror_r,
 * whichever of its XSI or GNU forms the C library has): a pointer to `buf`
 * or to a constant string, never NULL. Library code calls this, never
 * strerror, whose buffer other threads of the host may overwrite. 64 bytes
 * hold every glibc message. */
#define PRONET_STRERROR_SIZE 64
const char *pronet_strerror_errno(int errnum, char *buf, size_t size);

/* Writes a formatted message into errbuf (if not NULL) and returns err, so
 * that `return pronet_error(errbuf, PRONET_ERR_FORMAT, "%s: bad magic", path);`
 * reports and returns in one line. */
enum pronet_err pronet_error(char *errbuf, enum pronet_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same, followed by ": " and the system's words for `errnum`
 * (pronet_strerror_errno): "path: cannot open: No such file or directory". */
enum pronet_err pronet_error_errno(char *errbuf, enum pronet_err err, int errnum, const char *fmt,
                                   ...) __attribute__((format(printf, 4, 5)));

#endif
