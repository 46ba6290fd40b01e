/* pronet classify's command line (tools/classify_args.c): its option table,
 * the parsing of its own options (--redis*, --update*) and of the engine
 * options it shares with flows and label (tools/engine_args.h), and its
 * help text. */
#ifndef PRONET_TOOLS_CLASSIFY_ARGS_H
#define PRONET_TOOLS_CLASSIFY_ARGS_H

#include <stdint.h>

#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/loader.h"
#include "tools/classify_update.h"
#include "tools/engine_args.h"
#include "tools/redis_output.h"

struct classify_args {
	const char *output, *interface, *user;
	int show_stats;
	uint32_t threads;                     /* --threads, 1 unless given */
	int ndpid, ndpid_framing;             /* --events ndpid, --ndpid-framing */
	struct redis_output_options redis;    /* address NULL: no --redis */
	int redis_options;                    /* a --redis-* option was given */
	struct pronet_cli_engine_args shared; /* -l, -q, the timeouts given */
	struct pronet_plugin_config config;
	/* --update; an --update-* option was given; their values */
	int update, update_options;
	struct classify_update_options update_args;
};

/* Defaults: one thread, Redis's and --update's defaults, nothing given. */
void classify_args_init(struct classify_args *args);
/* Options into args and the engine's options. Returns -1 to go on, else
 * the exit status (0 after --help, 2 after a bad option or a bad mix of
 * them, which it reports on stderr). */
int classify_args_parse(int argc, char **argv, struct classify_args *args,
                        struct pronet_ndpi_engine_options *options);

#endif
