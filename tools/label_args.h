/* pronet label's command line: its own options and the engine options it
 * shares with flows and classify (tools/engine_args.h), parsed once. */
#ifndef PRONET_TOOLS_LABEL_ARGS_H
#define PRONET_TOOLS_LABEL_ARGS_H

#include <stdint.h>

#include "ndpi-glue/engine/ndpi_engine.h"
#include "tools/engine_args.h"

struct label_args {
	const char *output, *class_map;
	uint64_t seed;
	uint64_t record_memory_mb; /* 0: the flow table's default budget */
	int dedup;
	int directions;                       /* bit 0: client to server, bit 1: server to client */
	uint64_t max_per_class;               /* 0: no cap */
	int by_app;                           /* --label app: nDPI's application, no class map */
	struct pronet_cli_engine_args shared; /* -l, -q (and -p, -t, --max-flows) */
};

/* Defaults: seed 1, both directions, no cap. */
void label_args_init(struct label_args *args);
/* Options into args and the engine's options (window, layer, packets,
 * record budget). Returns -1 to go on, else the exit status (0 after
 * --help, 2 after a bad option, which it reports on stderr). */
int label_args_parse(int argc, char **argv, struct label_args *args,
                     struct pronet_ndpi_engine_options *options);

#endif
