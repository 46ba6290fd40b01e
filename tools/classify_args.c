/* pronet classify's command line (tools/classify_args.h). */
#include "config.h"

#include "tools/classify_args.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "ndpi-glue/engine/shards.h"
#include "plugin/pronet_plugin.h"
#include "tools/cli_args.h"

void classify_args_init(struct classify_args *args)
{
	memset(args, 0, sizeof(*args));
	args->threads = 1;
	redis_output_options_default(&args->redis);
	classify_update_options_default(&args->update_args);
	pronet_cli_engine_args_init(&args->shared);
}

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: pronet classify [OPTION]... CAPTURE...\n"
	        "  or:  pronet classify [OPTION]... -i INTERFACE\n"
	        "Print one JSON object per line for every flow, when it ends (Suricata EVE\n"
	        "style, event_type \"flow\"): addresses, ports, nDPI 4.2's verdict, the\n"
	        "model's where it was consulted, and the final verdict with its source\n"
	        "(ndpi, pronet or none). The model is consulted only for flows nDPI leaves\n"
	        "Unknown, through the pronet nDPI plugin's give-up fallback; it names a flow\n"
	        "when its best class reaches the class threshold (rules/ thresholds file,\n"
	        "else the model's calibration, else the default). A summary (flows by\n"
	        "verdict source and by protocol) goes to standard error.\n"
	        "A CAPTURE is a pcap or pcapng file, a directory (every *.pcap, *.pcapng and\n"
	        "*.cap below it, sorted) or @LIST (one capture or directory per line).\n"
	        "\n"
	        "  -m, --model FILE         the model (default: $PRONET_MODEL, else\n"
	        "                           " PRONET_DEFAULT_MODEL_FILE " in the rules directory)\n"
	        "  -o, --output FILE        write the events to FILE, whole lines only, renamed\n"
	        "                           into place at the end (default: standard output)\n"
	        "  -i, --interface IFACE    capture live from IFACE until SIGINT or SIGTERM\n"
	        "  -u, --user USER          after opening IFACE as root, run as USER\n"
	        "                           (default nobody); -o FILE is then written as USER\n"
	        "  -k, --packets K          payload packets per direction the model sees,\n"
	        "                           1..%d (default: PRONET_PACKETS, else 4); up to\n"
	        "                           %d for a model of sizes and times (histogram-*)\n"
	        "      --threshold P        default class threshold in (0, 1]\n"
	        "  -r, --rules DIR          rules directory (default: $PRONET_RULES_DIR,\n"
	        "                           else the installed rules)\n"
	        "  -l, --list FILE          read captures from FILE as well (like @FILE)\n"
	        "  -p, --protos FILE        load an nDPI protos file (like ndpiReader -p)\n"
	        "  -t, --tunnels            decode GTP-U, TZSP, CAPWAP (like ndpiReader -t)\n"
	        "  -g, --no-guess           no protocol guess by port at give-up\n"
	        "      --idle-timeout SEC   end flows idle this long (default: 0, never, for\n"
	        "                           captures; 60 live)\n"
	        "      --active-timeout SEC end flows this old (default: 0 captures, 600 live)\n"
	        "      --max-flows N        flows at once, per thread (default 65536)\n"
	        "      --threads N          N worker threads, 1..%d (default 1): one reader\n"
	        "                           hands each flow's packets, both directions, to\n"
	        "                           one worker by a hash of its flow key; each worker\n"
	        "                           has its own nDPI module, flow table and plugin\n"
	        "                           state (docs/classify-threads.md)\n"
	        "      --events FORMAT      eve (default): one Suricata EVE-style event per\n"
	        "                           flow; ndpid: nDPId's flow events (new, detected,\n"
	        "                           guessed, not-detected, end, idle) with its field\n"
	        "                           names, pronet's verdict in a \"pronet\" object\n"
	        "                           (docs/classify-events.md, nDPId events)\n"
	        "      --ndpid-framing      with --events ndpid: each line behind its length\n"
	        "                           in 5 digits, as nDPId writes to nDPIsrvd's\n"
	        "                           collector socket (not with --redis)\n"
	        "  -s, --stats              per capture, the engine's counters and the flows\n"
	        "                           the model missed (no room in the plugin's store)\n"
	        "      --redis HOST:PORT    send the events to Redis instead (Suricata's EVE\n"
	        "                           filetype redis; port 6379 if not given)\n"
	        "      --redis-key KEY      list, channel or stream name "
	        "(default " REDIS_OUTPUT_DEFAULT_KEY ")\n"
	        "      --redis-mode MODE    list (LPUSH, default), rpush (RPUSH), channel\n"
	        "                           (PUBLISH) or stream (XADD KEY * eve EVENT)\n"
	        "      --redis-stream-maxlen N  stream: XADD MAXLEN ~ N, 0 no trimming\n"
	        "                           (default %u)\n"
	        "      --redis-batch-size N pipelining: commands per write (default 1)\n"
	        "      --redis-backlog N    events held while the server is away; more are\n"
	        "                           dropped and counted (default %u)\n"
	        "      --redis-timeout MS   connect and reply timeout, and the wait at the end\n"
	        "                           for the server to take what is left (default %u)\n"
	        "      --update             learn while classifying (seed 003's online update):\n"
	        "                           flows nDPI's DPI names become samples; past N\n"
	        "                           of them or T minutes, a thread trains a copy of\n"
	        "                           the model on them, recalibrates it and swaps it in\n"
	        "      --update-samples N   N (default %u)\n"
	        "      --update-minutes T   T, of capture time for captures (default %u)\n"
	        "      --update-out FILE    write each updated model to FILE\n"
	        "      --update-class-map FILE  the samples' labels (default: the rules\n"
	        "                           directory's class-map.conf, as pronet label)\n"
	        "      --update-epochs E    training epochs per update (default %u)\n"
	        "      --update-min-threshold P  recalibrated thresholds' floor (default:\n"
	        "                           the model's lowest calibrated threshold)\n"
	        "      --update-replay DATASET  replay the model's training samples too\n"
	        "      --update-replay-class N  earlier samples each update replays, per\n"
	        "                           class (default %u; 0: no replay)\n"
	        "      --update-replay-total N  ... and in all (default %u)\n"
	        "  -q, --quiet              no progress line, no summary\n"
	        "  -h, --help               show this help and exit\n"
	        "\n"
	        "Each capture is read with a fresh nDPI module (as ndpiReader reads one).\n"
	        "SIGINT or SIGTERM stops reading: open flows are finished and written, the\n"
	        "output file is renamed into place.\n"
	        "\n"
	        "With --redis an unreachable server is said on standard error, retried with\n"
	        "a backoff while the backlog holds the events; dropped events are counted in\n"
	        "the summary (docs/classify-events.md, Redis). --update: docs/online-update.md.\n"
	        "\n"
	        "Exit status: 0 every capture read, 1 a capture could not be read (the\n"
	        "others are classified), the run was interrupted before its last capture,\n"
	        "no model could be loaded, or events could not be written (with --redis:\n"
	        "an event was dropped), 2 usage error.\n",
	        PRONET_PLUGIN_MAX_PACKETS_PER_DIRECTION,
	        PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION, PRONET_SHARDS_MAX,
	        REDIS_OUTPUT_DEFAULT_STREAM_MAXLEN, REDIS_OUTPUT_DEFAULT_BACKLOG,
	        REDIS_OUTPUT_DEFAULT_TIMEOUT_MS, CLASSIFY_UPDATE_DEFAULT_SAMPLES,
	        CLASSIFY_UPDATE_DEFAULT_MINUTES, CLASSIFY_UPDATE_DEFAULT_EPOCHS,
	        CLASSIFY_UPDATE_DEFAULT_REPLAY_PER_CLASS, CLASSIFY_UPDATE_DEFAULT_REPLAY_TOTAL);
}

enum {
	OPT_THRESHOLD = 256,
	OPT_THREADS,
	OPT_EVENTS,
	OPT_NDPID_FRAMING,
	OPT_REDIS,
	OPT_REDIS_KEY,
	OPT_REDIS_MODE,
	OPT_REDIS_STREAM_MAXLEN,
	OPT_REDIS_BATCH_SIZE,
	OPT_REDIS_BACKLOG,
	OPT_REDIS_TIMEOUT,
	OPT_UPDATE,
	OPT_UPDATE_SAMPLES,
	OPT_UPDATE_MINUTES,
	OPT_UPDATE_OUT,
	OPT_UPDATE_CLASS_MAP,
	OPT_UPDATE_EPOCHS,
	OPT_UPDATE_MIN_THRESHOLD,
	OPT_UPDATE_REPLAY,
	OPT_UPDATE_REPLAY_CLASS,
	OPT_UPDATE_REPLAY_TOTAL,
};

/* One --update* option into args; 0 on a bad value (said). */
static int parse_update_option(int opt, const char *value, struct classify_args *args)
{
	struct classify_update_options *update = &args->update_args;
	float number;
	args->update_options |= opt != OPT_UPDATE;
	switch (opt) {
	case OPT_UPDATE:
		args->update = 1;
		return 1;
	case OPT_UPDATE_SAMPLES:
		return pronet_cli_parse_u32("classify", "update-samples", value, 1, 1u << 24,
		                            &update->samples);
	case OPT_UPDATE_MINUTES:
		if (!pronet_cli_parse_float("classify", "update-minutes", value, 1e-4f, 1e6f,
		                            &number))
			return 0;
		update->minutes = number;
		return 1;
	case OPT_UPDATE_OUT:
		update->out = value;
		return 1;
	case OPT_UPDATE_CLASS_MAP:
		update->class_map = value;
		return 1;
	case OPT_UPDATE_EPOCHS:
		return pronet_cli_parse_u32("classify", "update-epochs", value, 1, 10000,
		                            &update->epochs);
	case OPT_UPDATE_REPLAY:
		update->replay = value;
		return 1;
	case OPT_UPDATE_REPLAY_CLASS:
		return pronet_cli_parse_u32("classify", "update-replay-class", value, 0, 1u << 20,
		                            &update->replay_per_class);
	case OPT_UPDATE_REPLAY_TOTAL:
		return pronet_cli_parse_u32("classify", "update-replay-total", value, 0, 1u << 24,
		                            &update->replay_total);
	default:
		return pronet_cli_parse_float("classify", "update-min-threshold", value, 0.0f, 1.0f,
		                              &update->min_threshold);
	}
}

/* One --redis* option into args->redis; 0 on a bad value (said). */
static int parse_redis_option(int opt, const char *value, struct classify_args *args)
{
	struct redis_output_options *redis = &args->redis;
	args->redis_options |= opt != OPT_REDIS;
	switch (opt) {
	case OPT_REDIS:
		redis->address = value;
		return 1;
	case OPT_REDIS_KEY:
		redis->key = value;
		if (*value == '\0')
			fprintf(stderr, "pronet classify: --redis-key: empty key\n");
		return *value != '\0';
	case OPT_REDIS_MODE:
		if (redis_output_mode_from_name(value, &redis->mode))
			return 1;
		fprintf(stderr,
		        "pronet classify: --redis-mode '%s': not list, rpush, channel or stream "
		        "(nor their Suricata aliases lpush, publish, xadd)\n",
		        value);
		return 0;
	case OPT_REDIS_STREAM_MAXLEN:
		return pronet_cli_parse_u32("classify", "redis-stream-maxlen", value, 0, UINT32_MAX,
		                            &redis->stream_maxlen);
	case OPT_REDIS_BATCH_SIZE:
		return pronet_cli_parse_u32("classify", "redis-batch-size", value, 1, 1u << 20,
		                            &redis->batch_size);
	case OPT_REDIS_BACKLOG:
		return pronet_cli_parse_u32("classify", "redis-backlog", value, 1,
		                            REDIS_OUTPUT_MAX_BACKLOG, &redis->backlog);
	default:
		return pronet_cli_parse_u32("classify", "redis-timeout", value, 1, 3600000,
		                            &redis->timeout_ms);
	}
}

/* -1 to go on, else the exit status (2: usage). */
static int check_redis_args(const struct classify_args *args)
{
	if (args->redis.address == NULL) {
		if (!args->redis_options)
			return -1;
		fprintf(stderr, "pronet classify: the --redis-* options need --redis HOST:PORT\n");
		return 2;
	}
	if (args->output != NULL) {
		fprintf(stderr, "pronet classify: give -o FILE or --redis, not both\n");
		return 2;
	}
#ifndef PRONET_HAVE_HIREDIS
	fprintf(stderr, "pronet classify: --redis: this pronet was built without hiredis "
	                "(apt-get install libhiredis-dev, then configure again)\n");
	return 2;
#else
	return -1;
#endif
}

int classify_args_parse(int argc, char **argv, struct classify_args *args,
                        struct pronet_ndpi_engine_options *options)
{
	static const struct option own_options[] = {
	    {"model", required_argument, NULL, 'm'},
	    {"output", required_argument, NULL, 'o'},
	    {"interface", required_argument, NULL, 'i'},
	    {"user", required_argument, NULL, 'u'},
	    {"packets", required_argument, NULL, 'k'},
	    {"threshold", required_argument, NULL, OPT_THRESHOLD},
	    {"threads", required_argument, NULL, OPT_THREADS},
	    {"events", required_argument, NULL, OPT_EVENTS},
	    {"ndpid-framing", no_argument, NULL, OPT_NDPID_FRAMING},
	    {"rules", required_argument, NULL, 'r'},
	    {"stats", no_argument, NULL, 's'},
	    {"redis", required_argument, NULL, OPT_REDIS},
	    {"redis-key", required_argument, NULL, OPT_REDIS_KEY},
	    {"redis-mode", required_argument, NULL, OPT_REDIS_MODE},
	    {"redis-stream-maxlen", required_argument, NULL, OPT_REDIS_STREAM_MAXLEN},
	    {"redis-batch-size", required_argument, NULL, OPT_REDIS_BATCH_SIZE},
	    {"redis-backlog", required_argument, NULL, OPT_REDIS_BACKLOG},
	    {"redis-timeout", required_argument, NULL, OPT_REDIS_TIMEOUT},
	    {"update", no_argument, NULL, OPT_UPDATE},
	    {"update-samples", required_argument, NULL, OPT_UPDATE_SAMPLES},
	    {"update-minutes", required_argument, NULL, OPT_UPDATE_MINUTES},
	    {"update-out", required_argument, NULL, OPT_UPDATE_OUT},
	    {"update-class-map", required_argument, NULL, OPT_UPDATE_CLASS_MAP},
	    {"update-epochs", required_argument, NULL, OPT_UPDATE_EPOCHS},
	    {"update-min-threshold", required_argument, NULL, OPT_UPDATE_MIN_THRESHOLD},
	    {"update-replay", required_argument, NULL, OPT_UPDATE_REPLAY},
	    {"update-replay-class", required_argument, NULL, OPT_UPDATE_REPLAY_CLASS},
	    {"update-replay-total", required_argument, NULL, OPT_UPDATE_REPLAY_TOTAL},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct pronet_cli_getopt table;
	int opt;
	pronet_cli_getopt_init(&table, "classify", "m:o:i:u:k:r:sh", own_options,
	                       PRONET_CLI_LIST | PRONET_CLI_PROTOS | PRONET_CLI_TUNNELS |
	                           PRONET_CLI_NO_GUESS | PRONET_CLI_TIMEOUTS |
	                           PRONET_CLI_MAX_FLOWS | PRONET_CLI_QUIET,
	                       &args->shared, options);
	while ((opt = pronet_cli_getopt_next(&table, argc, argv)) != -1) {
		switch (opt) {
		case PRONET_CLI_BAD_VALUE:
			return 2;
		case 'm':
			args->config.model_path = optarg;
			break;
		case 'o':
			args->output = optarg;
			break;
		case 'i':
			args->interface = optarg;
			break;
		case 'u':
			args->user = optarg;
			break;
		case 'k':
			if (!pronet_cli_parse_u32("classify", "packets", optarg, 1,
			                          PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION,
			                          &args->config.packets_per_direction))
				return 2;
			break;
		case OPT_THRESHOLD:
			if (!pronet_cli_parse_float("classify", "threshold", optarg, 1e-6f, 1.0f,
			                            &args->config.threshold))
				return 2;
			break;
		case OPT_THREADS:
			if (!pronet_cli_parse_u32("classify", "threads", optarg, 1,
			                          PRONET_SHARDS_MAX, &args->threads))
				return 2;
			break;
		case OPT_EVENTS:
			if (strcmp(optarg, "eve") != 0 && strcmp(optarg, "ndpid") != 0) {
				fprintf(stderr,
				        "pronet classify: --events '%s': not eve or ndpid\n",
				        optarg);
				return 2;
			}
			args->ndpid = strcmp(optarg, "ndpid") == 0;
			break;
		case OPT_NDPID_FRAMING:
			args->ndpid_framing = 1;
			break;
		case 'r':
			args->config.rules_dir = optarg;
			break;
		case 's':
			args->show_stats = 1;
			break;
		case OPT_REDIS:
		case OPT_REDIS_KEY:
		case OPT_REDIS_MODE:
		case OPT_REDIS_STREAM_MAXLEN:
		case OPT_REDIS_BATCH_SIZE:
		case OPT_REDIS_BACKLOG:
		case OPT_REDIS_TIMEOUT:
			if (!parse_redis_option(opt, optarg, args))
				return 2;
			break;
		case OPT_UPDATE:
		case OPT_UPDATE_SAMPLES:
		case OPT_UPDATE_MINUTES:
		case OPT_UPDATE_OUT:
		case OPT_UPDATE_CLASS_MAP:
		case OPT_UPDATE_EPOCHS:
		case OPT_UPDATE_MIN_THRESHOLD:
		case OPT_UPDATE_REPLAY:
		case OPT_UPDATE_REPLAY_CLASS:
		case OPT_UPDATE_REPLAY_TOTAL:
			if (!parse_update_option(opt, optarg, args))
				return 2;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	int captures = optind < argc || args->shared.list != NULL;
	if (captures == (args->interface != NULL)) {
		fprintf(stderr, "pronet classify: %s\n",
		        captures ? "give captures or -i INTERFACE, not both"
		                 : "no capture or interface given");
		usage(stderr);
		return 2;
	}
	if (args->user != NULL && args->interface == NULL) {
		fprintf(stderr, "pronet classify: --user is for live captures (-i)\n");
		return 2;
	}
	if (args->update_options && !args->update) {
		fprintf(stderr, "pronet classify: the --update-* options need --update\n");
		return 2;
	}
	if (args->update && args->threads > 1) {
		fprintf(stderr, "pronet classify: --update swaps the model of one engine between "
		                "two of its packets: not with --threads\n");
		return 2;
	}
	if (args->ndpid_framing && (!args->ndpid || args->redis.address != NULL)) {
		fprintf(stderr, "pronet classify: --ndpid-framing %s\n",
		        args->ndpid ? "is for files and standard output, not --redis (each "
		                      "Redis value is one event already)"
		                    : "needs --events ndpid");
		return 2;
	}
	return check_redis_args(args);
}
