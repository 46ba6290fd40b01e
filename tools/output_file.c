/* Whole-or-nothing report files for a command (tools/output_file.h). */
#include "tools/output_file.h"

#include "core/error.h"

int pronet_output_open(struct pronet_output_file *file, const char *command, const char *path)
{
	char errbuf[PRONET_ERRBUF_SIZE];

	file->stream = NULL;
	if (pronet_atomic_file_open(path, PRONET_ATOMIC_FILE_MODE_UMASK, &file->atomic, errbuf) !=
	    PRONET_OK) {
		fprintf(stderr, "pronet %s: %s\n", command, errbuf);
		return 0;
	}
	file->stream = pronet_atomic_file_stream(file->atomic);
	return 1;
}

int pronet_output_commit(struct pronet_output_file *file, const char *command)
{
	char errbuf[PRONET_ERRBUF_SIZE];

	file->stream = NULL;
	if (pronet_atomic_file_commit(file->atomic, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet %s: %s\n", command, errbuf);
		return 0;
	}
	return 1;
}
