/* Capture arguments and progress lines for the subcommands
 * (tools/cli_captures.h). */
#include "config.h"

#include "tools/cli_captures.h"

#include <stdio.h>
#include <unistd.h>

struct pronet_capture_inputs *pronet_cli_captures(const char *command, char *const *args, int count,
                                                  const char *list_file, unsigned *failed)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture_inputs *inputs = pronet_capture_inputs_new();
	enum pronet_err err = PRONET_OK;
	*failed = 0;
	if (inputs == NULL) {
		fprintf(stderr, "pronet %s: out of memory\n", command);
		return NULL;
	}
	if (list_file != NULL)
		err = pronet_capture_inputs_add_list(inputs, list_file, errbuf);
	for (int i = 0; i < count && err == PRONET_OK; i++)
		err = pronet_capture_inputs_add(inputs, args[i], errbuf);
	if (err != PRONET_OK) {
		fprintf(stderr, "pronet %s: %s\n", command, errbuf);
		pronet_capture_inputs_free(inputs);
		return NULL;
	}
	for (size_t i = 0; i < pronet_capture_inputs_failed_count(inputs); i++)
		fprintf(stderr, "pronet %s: %s\n", command,
		        pronet_capture_inputs_failed_message(inputs, i));
	*failed = (unsigned)pronet_capture_inputs_failed_count(inputs);
	return inputs;
}

void pronet_cli_progress_init(struct pronet_cli_progress *progress, const char *command,
                              size_t total, size_t every, int enabled)
{
	progress->command = command;
	progress->total = total;
	progress->every = enabled ? (every > 0 ? every : 1) : 0;
	progress->terminal = enabled && isatty(STDERR_FILENO);
	progress->shown = 0;
}

void pronet_cli_progress_update(struct pronet_cli_progress *progress, size_t done, uint64_t flows)
{
	if (progress->every == 0)
		return;
	if (progress->terminal) {
		fprintf(stderr, "\rpronet %s: %zu/%zu captures, %llu flows", progress->command,
		        done, progress->total, (unsigned long long)flows);
		progress->shown = 1;
	} else if (done % progress->every == 0) {
		fprintf(stderr, "pronet %s: %zu/%zu captures, %llu flows\n", progress->command,
		        done, progress->total, (unsigned long long)flows);
	}
	fflush(stderr);
}

void pronet_cli_progress_end(struct pronet_cli_progress *progress)
{
	if (progress->shown)
		fputc('\n', stderr);
	progress->shown = 0;
}
