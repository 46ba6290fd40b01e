/* A file written whole or not at all: the bytes go to a temporary file
 * beside the target ("PATH.tmp.XXXXXX", same directory, so the rename
 * stays on one file system), which commit syncs to disk and renames onto
 * PATH. Until then PATH keeps its old content (or does not exist); abort,
 * or any failure, removes the temporary file. A reader therefore sees the
 * old file or the whole new one, never a part, even after a crash or a
 * signal.
 *
 *   struct pronet_atomic_file *file;
 *   if (pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file,
 *                               errbuf) != PRONET_OK)
 *           return ...;
 *   fputs("...", pronet_atomic_file_stream(file));
 *   return pronet_atomic_file_commit(file, errbuf);   (frees the file)
 *
 * Error messages start with PATH (the target, not the temporary name). */
#ifndef PRONET_CORE_ATOMIC_FILE_H
#define PRONET_CORE_ATOMIC_FILE_H

#include <stdio.h>

#include "core/util/error.h"

struct pronet_atomic_file;

/* The permission bits the finished file gets (mkstemp creates 0600). */
enum pronet_atomic_file_mode {
	/* 0666 less the umask, as open(2) or fopen would create it. The
	 * umask can only be read by setting it and back, and a file another
	 * thread creates in that instant escapes it: this mode is for the
	 * command-line tools, not for hosts running other threads. */
	PRONET_ATOMIC_FILE_MODE_UMASK,
	/* The mode of the file replaced, else 0644 whatever the umask: for
	 * files other users must read (a model read by ndpiReader's user). */
	PRONET_ATOMIC_FILE_MODE_KEEP_OR_0644,
};

/* Creates the temporary file. On failure *out is NULL, nothing is left on
 * disk and errbuf names path. */
enum pronet_err pronet_atomic_file_open(const char *path, enum pronet_atomic_file_mode mode,
                                        struct pronet_atomic_file **out, char *errbuf);

/* The stream to write to; owned by the file (do not fclose it). */
FILE *pronet_atomic_file_stream(struct pronet_atomic_file *file);

/* The target path, as given to open. */
const char *pronet_atomic_file_path(const struct pronet_atomic_file *file);

/* Flushes, fsyncs, closes and renames the temporary file onto the path.
 * An earlier write error on the stream fails it too. Frees the file
 * whatever the outcome; on failure the temporary file is removed and the
 * path untouched. */
enum pronet_err pronet_atomic_file_commit(struct pronet_atomic_file *file, char *errbuf);

/* Closes and removes the temporary file, leaves the path untouched, frees.
 * NULL: no-op. */
void pronet_atomic_file_abort(struct pronet_atomic_file *file);

#endif
