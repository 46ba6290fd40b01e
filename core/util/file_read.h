/* One whole-file reader for every file the library loads (models, datasets,
 * rules): open, fstat, refuse a file over the caller's cap (naming the file
 * and the cap) before reading, then read it all. Errors go into the
 * caller's errbuf (thread-safe words for errno, core/util/error.h). */
#ifndef PRONET_CORE_FILE_READ_H
#define PRONET_CORE_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"

/* Reads regular file `path`, at most `max_bytes` long, into a malloc'd
 * buffer (*data, *size bytes, followed by one NUL not counted in *size, so
 * text can be parsed in place). PRONET_ERR_IO if it cannot be opened, is
 * not a regular file or a read fails; PRONET_ERR_LIMIT if it is larger than
 * max_bytes; PRONET_ERR_NOMEM. On error *data is NULL. */
enum pronet_err pronet_file_read(const char *path, size_t max_bytes, uint8_t **data, size_t *size,
                                 char *errbuf);

#endif
