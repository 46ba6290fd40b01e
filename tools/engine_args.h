/* The capture and nDPI engine options that flows, label and classify share
 * (-p, -t, -g, --idle-timeout, --active-timeout, --max-flows, -l, -q): one
 * getopt table entry, one check and one message each. A command names the
 * shared options it accepts; the others stay unknown to it, as before. Its
 * own options, and its help text, stay in its cmd_<name>.c. Also the run of
 * one capture file through a fresh engine, as flows and label do it. */
#ifndef PRONET_TOOLS_ENGINE_ARGS_H
#define PRONET_TOOLS_ENGINE_ARGS_H

#include <getopt.h>
#include <stdint.h>

#include "ndpi-glue/engine/ndpi_engine.h"

/* Which shared options a command accepts. */
enum pronet_cli_engine_option {
	PRONET_CLI_PROTOS = 1 << 0,    /* -p, --protos FILE */
	PRONET_CLI_TUNNELS = 1 << 1,   /* -t, --tunnels */
	PRONET_CLI_NO_GUESS = 1 << 2,  /* -g, --no-guess */
	PRONET_CLI_TIMEOUTS = 1 << 3,  /* --idle-timeout SEC, --active-timeout SEC */
	PRONET_CLI_MAX_FLOWS = 1 << 4, /* --max-flows N */
	PRONET_CLI_LIST = 1 << 5,      /* -l, --list FILE */
	PRONET_CLI_QUIET = 1 << 6,     /* -q, --quiet */
};

/* What the shared options gave, beyond the engine options they set. */
struct pronet_cli_engine_args {
	const char *list;                      /* -l, else NULL */
	int quiet;                             /* -q */
	uint32_t idle_seconds, active_seconds; /* UINT32_MAX: not given */
};

void pronet_cli_engine_args_init(struct pronet_cli_engine_args *args);

/* The shared long options' values; a command's own stay below. */
enum { PRONET_CLI_OPT_FIRST_ = 0x1000 };

/* A command's getopt table and short-option string: its own options
 * followed by the shared ones it accepts, and where those go. */
#define PRONET_CLI_MAX_OPTIONS 64
struct pronet_cli_getopt {
	struct option longs[PRONET_CLI_MAX_OPTIONS];
	char shorts[2 * PRONET_CLI_MAX_OPTIONS];
	const char *command;
	struct pronet_cli_engine_args *args;
	struct pronet_ndpi_engine_options *options;
	int overflowed; /* the command's options did not all fit: refused when parsing */
};

/* `own_longs` ends with a NULL name and uses values below
 * PRONET_CLI_OPT_FIRST_; `own_shorts` is getopt's string. Resets optind.
 * Options that do not fit the table are not dropped silently: the next
 * pronet_cli_getopt_next reports it and returns PRONET_CLI_BAD_VALUE. */
void pronet_cli_getopt_init(struct pronet_cli_getopt *table, const char *command,
                            const char *own_shorts, const struct option *own_longs,
                            unsigned accepted, struct pronet_cli_engine_args *args,
                            struct pronet_ndpi_engine_options *options);

/* getopt_long over the table, applying the shared options itself: the next
 * of the command's own options (or '?'), -1 at the end, or
 * PRONET_CLI_BAD_VALUE after "pronet COMMAND: --OPTION: ..." (exit
 * status 2). */
enum { PRONET_CLI_BAD_VALUE = -2 };
int pronet_cli_getopt_next(struct pronet_cli_getopt *table, int argc, char **argv);

/* The timeouts given, else these defaults, into the engine options. */
/* Draws the flow table's hash key from the OS (getrandom), fresh for each
 * run, so that no one can craft 5-tuples that collide in the table (the
 * library takes the key as an option and never draws it). 1, or 0 after
 * "pronet COMMAND: ..." on standard error (exit status 1). */
int pronet_cli_engine_seed_hash(const char *command, struct pronet_ndpi_engine_options *options);

void pronet_cli_engine_timeouts(const struct pronet_cli_engine_args *args, uint32_t idle_default,
                                uint32_t active_default,
                                struct pronet_ndpi_engine_options *options);

/* One capture file through a fresh engine (as ndpiReader reads one file);
 * its counters into *stats when stats is not NULL and the engine was made.
 * 0 on success; else, after "pronet COMMAND: MESSAGE" on standard error,
 * PRONET_CLI_READ_FAILED (a capture damaged part-way still reports the
 * flows read before the damage) or PRONET_CLI_NO_ENGINE (nothing read). */
enum { PRONET_CLI_READ_FAILED = 1, PRONET_CLI_NO_ENGINE = 2 };
int pronet_cli_engine_run_file(const char *command,
                               const struct pronet_ndpi_engine_options *options, const char *path,
                               struct pronet_ndpi_engine_stats *stats);

/* `--stats`: one line on standard error, "PATH: packets N, ..." with every
 * counter of *stats, then `more` (", name N" pairs of the caller's own). */
void pronet_cli_print_engine_stats(const char *path, const struct pronet_ndpi_engine_stats *stats,
                                   const char *more);

#endif
