/* pronet label's command line (tools/label_args.h). */
#include "config.h"

#include "tools/label_args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/data/record.h"
#include "tools/cli_args.h"

void label_args_init(struct label_args *args)
{
	memset(args, 0, sizeof(*args));
	args->seed = 1;
	args->directions = 3;
	pronet_cli_engine_args_init(&args->shared);
}

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: pronet label [OPTION]... CAPTURE... -o DATASET\n"
	        "Write a training dataset from captures, labelled by nDPI 4.2's deep packet\n"
	        "inspection. A CAPTURE is a pcap or pcapng file, a directory (every *.pcap,\n"
	        "*.pcapng and *.cap below it, sorted) or @LIST (a file naming one capture or\n"
	        "directory per line; '#' comments; relative to the list's directory).\n"
	        "\n"
	        "Each flow nDPI names by DPI (confidence DPI or DPI (cache)) gives its first\n"
	        "K payload packets per direction as samples (N bytes each), labelled by the\n"
	        "class map: the master protocol if there is one (TLS for TLS.Google), else\n"
	        "the app protocol (DNS). Flows left Unknown, named by port or IP address,\n"
	        "guessed, excluded by the class map or without payload are counted by\n"
	        "reason. Samples record their capture and flow number (the flow's line in\n"
	        "`pronet flows` for that capture). A table per class goes to standard\n"
	        "output. The dataset is written whole or not at all.\n"
	        "\n"
	        "  -o, --output FILE        the dataset to write (required)\n"
	        "  -k, --packets K          packets recorded per direction, 1..%d (default 4);\n"
	        "                           with --bytes 0 up to %d, a flow's first\n"
	        "                           min(2K, %d) packets (sizes and times, 40 bytes a\n"
	        "                           packet: the histogram models' windows)\n"
	        "      --bytes N            bytes kept per packet, 0..%d (default 16)\n"
	        "      --layer LAYER        payload (from the first payload byte, default) or\n"
	        "                           l3 (from the IP header on, addresses and checksums\n"
	        "                           zeroed)\n"
	        "      --all-packets        record packets without payload too (a TCP SYN)\n"
	        "      --record-memory MB   bytes of records held at once, all flows together\n"
	        "                           (default: room for every flow's K per direction);\n"
	        "                           records past it are dropped and counted\n"
	        "  -d, --direction DIR      client, server or both (default both)\n"
	        "      --max-per-class N    at most N samples per class: whole flows are\n"
	        "                           dropped at random (reproducible for --seed)\n"
	        "      --seed N             seed of that choice (default 1)\n"
	        "      --dedup              drop samples whose bytes and label were seen before\n"
	        "      --label WHAT         protocol (default: the class map's label) or app:\n"
	        "                           nDPI's application protocol, the part after the\n"
	        "                           dot as ndpiReader prints it (Google for\n"
	        "                           TLS.Google, YouTube for QUIC.YouTube, DNS for\n"
	        "                           DNS), from the SNI or host name nDPI matched;\n"
	        "                           the class map does not apply\n"
	        "  -c, --class-map FILE     class map (default: class-map.conf in\n"
	        "                           $PRONET_RULES_DIR or the installed rules; none:\n"
	        "                           the default policy alone)\n"
	        "  -l, --list FILE          read captures from FILE as well (like @FILE)\n"

	        "  -p, --protos FILE        load an nDPI protos file (like ndpiReader -p)\n"
	        "  -t, --tunnels            decode GTP-U, TZSP, CAPWAP (like ndpiReader -t)\n"
	        "      --max-flows N        flows at once per capture (default 65536)\n"
	        "  -q, --quiet              no progress line\n"
	        "  -h, --help               show this help and exit\n"
	        "\n"
	        "Progress goes to standard error: on a terminal after every capture,\n"
	        "otherwise every 100 captures.\n"
	        "\n"
	        "Exit status: 0 all captures read, 1 a capture could not be read (the\n"
	        "others are still labelled and written) or the dataset could not be\n"
	        "written, 2 usage error. The dataset is format version 2\n"
	        "(docs/dataset-format.md).\n",
	        PRONET_FLOW_MAX_INPUTS_PER_DIRECTION, PRONET_FLOW_MAX_RECORDS,
	        PRONET_FLOW_MAX_RECORDS, PRONET_RECORD_MAX_BYTES);
}

static int parse_direction(const char *text, int *directions)
{
	if (strcmp(text, "client") == 0)
		*directions = 1 << PRONET_DIR_CLIENT_TO_SERVER;
	else if (strcmp(text, "server") == 0)
		*directions = 1 << PRONET_DIR_SERVER_TO_CLIENT;
	else if (strcmp(text, "both") == 0)
		*directions = 3;
	else {
		fprintf(stderr, "pronet label: --direction: '%s' is not client, server or both\n",
		        text);
		return 0;
	}
	return 1;
}

enum {
	OPT_MAX_PER_CLASS = 256,
	OPT_SEED,
	OPT_DEDUP,
	OPT_BYTES,
	OPT_LAYER,
	OPT_ALL_PACKETS,
	OPT_RECORD_MEMORY,
	OPT_LABEL
};

int label_args_parse(int argc, char **argv, struct label_args *args,
                     struct pronet_ndpi_engine_options *options)
{
	static const struct option own_options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"packets", required_argument, NULL, 'k'},
	    {"direction", required_argument, NULL, 'd'},
	    {"max-per-class", required_argument, NULL, OPT_MAX_PER_CLASS},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"dedup", no_argument, NULL, OPT_DEDUP},
	    {"bytes", required_argument, NULL, OPT_BYTES},
	    {"layer", required_argument, NULL, OPT_LAYER},
	    {"all-packets", no_argument, NULL, OPT_ALL_PACKETS},
	    {"record-memory", required_argument, NULL, OPT_RECORD_MEMORY},
	    {"class-map", required_argument, NULL, 'c'},
	    {"label", required_argument, NULL, OPT_LABEL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct pronet_cli_getopt table;
	int opt;
	pronet_cli_getopt_init(&table, "label", "o:k:d:c:h", own_options,
	                       PRONET_CLI_LIST | PRONET_CLI_PROTOS | PRONET_CLI_TUNNELS |
	                           PRONET_CLI_MAX_FLOWS | PRONET_CLI_QUIET,
	                       &args->shared, options);
	while ((opt = pronet_cli_getopt_next(&table, argc, argv)) != -1) {
		switch (opt) {
		case PRONET_CLI_BAD_VALUE:
			return 2;
		case 'o':
			args->output = optarg;
			break;
		case 'k':
			if (!pronet_cli_parse_u32("label", "packets", optarg, 1,
			                          PRONET_FLOW_MAX_RECORDS,
			                          &options->flows.inputs_per_direction))
				return 2;
			break;
		case 'd':
			if (!parse_direction(optarg, &args->directions))
				return 2;
			break;
		case OPT_MAX_PER_CLASS:
			if (!pronet_cli_parse_u64("label", "max-per-class", optarg,
			                          &args->max_per_class))
				return 2;
			if (args->max_per_class == 0) {
				fprintf(stderr,
				        "pronet label: --max-per-class: must be at least 1\n");
				return 2;
			}
			break;
		case OPT_SEED:
			if (!pronet_cli_parse_u64("label", "seed", optarg, &args->seed))
				return 2;
			break;
		case OPT_DEDUP:
			args->dedup = 1;
			break;
		case OPT_BYTES: {
			uint32_t bytes;
			if (!pronet_cli_parse_u32("label", "bytes", optarg, 0,
			                          PRONET_RECORD_MAX_BYTES, &bytes))
				return 2;
			options->flows.window_bytes = (uint16_t)bytes;
			break;
		}
		case OPT_LAYER:
			if (strcmp(optarg, "payload") == 0) {
				options->flows.layer = PRONET_LAYER_PAYLOAD;
			} else if (strcmp(optarg, "l3") == 0) {
				options->flows.layer = PRONET_LAYER_L3;
			} else {
				fprintf(stderr,
				        "pronet label: --layer: '%s' is not payload or l3\n",
				        optarg);
				return 2;
			}
			break;
		case OPT_ALL_PACKETS:
			options->flows.record_flags |= PRONET_SPEC_ALL_PACKETS;
			break;
		case OPT_RECORD_MEMORY:
			if (!pronet_cli_parse_u64("label", "record-memory", optarg,
			                          &args->record_memory_mb))
				return 2;
			if (args->record_memory_mb == 0 || args->record_memory_mb > (1u << 20)) {
				fprintf(stderr, "pronet label: --record-memory: 1..%u MB\n",
				        1u << 20);
				return 2;
			}
			break;
		case 'c':
			args->class_map = optarg;
			break;
		case OPT_LABEL:
			if (strcmp(optarg, "protocol") == 0) {
				args->by_app = 0;
			} else if (strcmp(optarg, "app") == 0) {
				args->by_app = 1;
			} else {
				fprintf(stderr,
				        "pronet label: --label: '%s' is not protocol or app\n",
				        optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (args->by_app && args->class_map != NULL) {
		fprintf(stderr, "pronet label: --label app takes no class map (-c): its rules "
		                "name protocols\n");
		return 2;
	}
	if (args->output == NULL) {
		fprintf(stderr, "pronet label: no output dataset (-o FILE)\n");
		usage(stderr);
		return 2;
	}
	if (optind >= argc && args->shared.list == NULL) {
		fprintf(stderr, "pronet label: no capture given\n");
		usage(stderr);
		return 2;
	}
	/* Many packets per flow only without bytes: a record's bytes are what
	 * would make 1024 of them per flow large. */
	if (options->flows.inputs_per_direction > PRONET_FLOW_MAX_INPUTS_PER_DIRECTION &&
	    options->flows.window_bytes > 0) {
		fprintf(stderr,
		        "pronet label: --packets %u: at most %d with bytes (--bytes 0 allows up to "
		        "%d)\n",
		        options->flows.inputs_per_direction, PRONET_FLOW_MAX_INPUTS_PER_DIRECTION,
		        PRONET_FLOW_MAX_RECORDS);
		return 2;
	}
	/* The budget in records: each holds a window of bytes (at least one). */
	if (args->record_memory_mb != 0) {
		uint64_t per_record =
		    options->flows.window_bytes > 0 ? options->flows.window_bytes : 1;
		uint64_t records = args->record_memory_mb * 1024 * 1024 / per_record;
		options->flows.max_records = records > (1u << 31) ? (1u << 31) : (uint32_t)records;
		if (options->flows.max_records == 0)
			options->flows.max_records = 1;
	}
	return -1;
}
