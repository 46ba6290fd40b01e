/* Shared capture and engine options of flows, label and classify
 * (tools/engine_args.h). */
#include "config.h"

#include "tools/engine_args.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "ndpi-glue/capture/decode.h"
#include "tools/cli_args.h"

enum { OPT_IDLE = PRONET_CLI_OPT_FIRST_, OPT_ACTIVE, OPT_MAX_FLOWS };

/* Longest accepted: a hundred years. */
#define MAX_TIMEOUT_SECONDS (100u * 365 * 86400)

static const struct shared_option {
	unsigned flag;
	struct option long_option;
	const char *shorts; /* "" for a long option alone */
} shared_options[] = {
    {PRONET_CLI_PROTOS, {"protos", required_argument, NULL, 'p'}, "p:"},
    {PRONET_CLI_TUNNELS, {"tunnels", no_argument, NULL, 't'}, "t"},
    {PRONET_CLI_NO_GUESS, {"no-guess", no_argument, NULL, 'g'}, "g"},
    {PRONET_CLI_TIMEOUTS, {"idle-timeout", required_argument, NULL, OPT_IDLE}, ""},
    {PRONET_CLI_TIMEOUTS, {"active-timeout", required_argument, NULL, OPT_ACTIVE}, ""},
    {PRONET_CLI_MAX_FLOWS, {"max-flows", required_argument, NULL, OPT_MAX_FLOWS}, ""},
    {PRONET_CLI_LIST, {"list", required_argument, NULL, 'l'}, "l:"},
    {PRONET_CLI_QUIET, {"quiet", no_argument, NULL, 'q'}, "q"},
};

#define NUM_SHARED (sizeof(shared_options) / sizeof(shared_options[0]))

void pronet_cli_getopt_init(struct pronet_cli_getopt *table, const char *command,
                            const char *own_shorts, const struct option *own_longs,
                            unsigned accepted, struct pronet_cli_engine_args *args,
                            struct pronet_ndpi_engine_options *options)
{
	size_t n = 0;
	table->command = command;
	table->args = args;
	table->options = options;
	table->overflowed = 0;
	optind = 1;
	/* The tables are fixed at compile time; one that outgrows the sizes
	 * is refused on every run (so by every test of the command), never
	 * cut short, which once dropped classify's -q and timeouts. */
	if (snprintf(table->shorts, sizeof(table->shorts), "%s", own_shorts) >=
	    (int)sizeof(table->shorts))
		table->overflowed = 1;
	for (; own_longs[n].name != NULL; n++) {
		if (n + 1 >= PRONET_CLI_MAX_OPTIONS) {
			table->overflowed = 1;
			break;
		}
		table->longs[n] = own_longs[n];
	}
	for (size_t i = 0; i < NUM_SHARED && !table->overflowed; i++) {
		if (!(accepted & shared_options[i].flag))
			continue;
		if (n + 1 >= PRONET_CLI_MAX_OPTIONS ||
		    strlen(table->shorts) + strlen(shared_options[i].shorts) >=
		        sizeof(table->shorts)) {
			table->overflowed = 1;
			break;
		}
		table->longs[n++] = shared_options[i].long_option;
		size_t used = strlen(table->shorts);
		snprintf(table->shorts + used, sizeof(table->shorts) - used, "%s",
		         shared_options[i].shorts);
	}
	memset(&table->longs[n], 0, sizeof(table->longs[n]));
}

void pronet_cli_engine_args_init(struct pronet_cli_engine_args *args)
{
	args->list = NULL;
	args->quiet = 0;
	args->idle_seconds = UINT32_MAX;
	args->active_seconds = UINT32_MAX;
}

/* 1: `opt` was a shared option, applied; 0: not a shared option; -1: a bad
 * value, said. */
static int shared_option(const char *command, int opt, const char *arg,
                         struct pronet_cli_engine_args *args,
                         struct pronet_ndpi_engine_options *options)
{
	switch (opt) {
	case 'p':
		options->protos_file = arg;
		return 1;
	case 't':
		options->decode_options |= PRONET_DECODE_TUNNELS;
		return 1;
	case 'g':
		options->enable_guess = 0;
		return 1;
	case OPT_IDLE:
		return pronet_cli_parse_u32(command, "idle-timeout", arg, 0, MAX_TIMEOUT_SECONDS,
		                            &args->idle_seconds)
		           ? 1
		           : -1;
	case OPT_ACTIVE:
		return pronet_cli_parse_u32(command, "active-timeout", arg, 0, MAX_TIMEOUT_SECONDS,
		                            &args->active_seconds)
		           ? 1
		           : -1;
	case OPT_MAX_FLOWS:
		return pronet_cli_parse_u32(command, "max-flows", arg, 1, 1u << 26,
		                            &options->flows.max_flows)
		           ? 1
		           : -1;
	case 'l':
		args->list = arg;
		return 1;
	case 'q':
		args->quiet = 1;
		return 1;
	}
	return 0;
}

int pronet_cli_getopt_next(struct pronet_cli_getopt *table, int argc, char **argv)
{
	int opt;
	if (table->overflowed) {
		fprintf(stderr,
		        "pronet %s: internal error: more options than the table holds "
		        "(PRONET_CLI_MAX_OPTIONS %d)\n",
		        table->command, PRONET_CLI_MAX_OPTIONS);
		return PRONET_CLI_BAD_VALUE;
	}
	while ((opt = getopt_long(argc, argv, table->shorts, table->longs, NULL)) != -1) {
		int shared =
		    shared_option(table->command, opt, optarg, table->args, table->options);
		if (shared < 0)
			return PRONET_CLI_BAD_VALUE;
		if (shared == 0)
			return opt;
	}
	return -1;
}

int pronet_cli_engine_seed_hash(const char *command, struct pronet_ndpi_engine_options *options)
{
	uint64_t key[2];
	ssize_t got;
	do /* 16 bytes: getrandom returns them whole once the pool is ready */
		got = getrandom(key, sizeof(key), 0);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof(key)) {
		fprintf(stderr, "pronet %s: cannot draw the flow hash key from the OS: %s\n",
		        command, got < 0 ? strerror(errno) : "short read");
		return 0;
	}
	options->flows.hash_key[0] = key[0];
	options->flows.hash_key[1] = key[1];
	return 1;
}

void pronet_cli_engine_timeouts(const struct pronet_cli_engine_args *args, uint32_t idle_default,
                                uint32_t active_default, struct pronet_ndpi_engine_options *options)
{
	uint32_t idle = args->idle_seconds != UINT32_MAX ? args->idle_seconds : idle_default;
	uint32_t active =
	    args->active_seconds != UINT32_MAX ? args->active_seconds : active_default;
	options->flows.idle_timeout_us = (uint64_t)idle * 1000000u;
	options->flows.active_timeout_us = (uint64_t)active * 1000000u;
}

int pronet_cli_engine_run_file(const char *command,
                               const struct pronet_ndpi_engine_options *options, const char *path,
                               struct pronet_ndpi_engine_stats *stats)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_ndpi_engine *engine;
	if (pronet_ndpi_engine_new(options, &engine, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet %s: %s\n", command, errbuf);
		return PRONET_CLI_NO_ENGINE;
	}
	int failed = pronet_ndpi_engine_process_file(engine, path, errbuf) != PRONET_OK;
	if (failed)
		fprintf(stderr, "pronet %s: %s\n", command, errbuf);
	pronet_ndpi_engine_finish(engine);
	if (stats != NULL)
		pronet_ndpi_engine_get_stats(engine, stats);
	pronet_ndpi_engine_free(engine);
	return failed ? PRONET_CLI_READ_FAILED : 0;
}

void pronet_cli_print_engine_stats(const char *path, const struct pronet_ndpi_engine_stats *stats,
                                   const char *more)
{
	fprintf(stderr,
	        "%s: packets %llu, in flows %llu, snapped %llu, refused %llu, flows %llu, "
	        "evictions %llu, gave up %llu, uninspected %llu, clamped times %llu, "
	        "clamped lengths %llu",
	        path, (unsigned long long)stats->packets, (unsigned long long)stats->decoded,
	        (unsigned long long)stats->snapped, (unsigned long long)stats->refused,
	        (unsigned long long)stats->flows, (unsigned long long)stats->evictions,
	        (unsigned long long)stats->gave_up, (unsigned long long)stats->uninspected,
	        (unsigned long long)stats->clamped_times,
	        (unsigned long long)stats->clamped_lengths);
	for (int i = 1; i < PRONET_SKIP_COUNT_; i++)
		fprintf(stderr, ", %s %llu", pronet_packet_skip_name((enum pronet_packet_skip)i),
		        (unsigned long long)stats->skipped[i]);
	fprintf(stderr, "%s\n", more);
}
