/* pronet flows: nDPI's verdict for every flow of capture files, one TSV line
 * per flow, through ndpi-glue's engine (the flow table and nDPI driven the
 * way ndpiReader 4.2 drives them). Each capture gets a fresh engine, as if
 * ndpiReader ran once per file. tools/ndpi-agreement compares this output
 * with ndpiReader's. */
#include "config.h"

#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "tools/cli_captures.h"
#include "tools/engine_args.h"

int pronet_cmd_flows(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: pronet flows [OPTION]... CAPTURE...\n"
	        "Print nDPI 4.2's verdict for every flow of each capture (pcap or pcapng),\n"
	        "one tab-separated line per flow, in the order flows end:\n"
	        "  PROTO  CLIENT:PORT  SERVER:PORT  VLAN  PACKETS  PROTOCOL  CONFIDENCE\n"
	        "PROTO is TCP, UDP, ICMP... as ndpiReader names it; the client is the sender\n"
	        "of the flow's first packet; IPv6 addresses are in brackets; PROTOCOL is\n"
	        "nDPI's \"Master.App\" name (ndpiReader's); CONFIDENCE says how nDPI decided.\n"
	        "nDPI is driven as ndpiReader 4.2 drives it (all protocols, give-up after\n"
	        "80 TCP / 24 UDP packets or at the end, guessing on); flows never expire\n"
	        "within a capture unless a timeout is given.\n"
	        "A CAPTURE is a file, a directory (every *.pcap, *.pcapng and *.cap below\n"
	        "it, sorted) or @LIST (a file naming one capture or directory per line;\n"
	        "relative to the list's directory).\n"
	        "\n"
	        "  -p, --protos FILE        load an nDPI protos file (like ndpiReader -p)\n"
	        "  -t, --tunnels            decode GTP-U, TZSP, CAPWAP (like ndpiReader -t)\n"
	        "  -g, --no-guess           no protocol guess at give-up (like ndpiReader -d)\n"
	        "      --idle-timeout SEC   end flows idle this long (default 0: never)\n"
	        "      --active-timeout SEC end flows this old (default 0: never)\n"
	        "      --max-flows N        flows at once per capture (default 65536); when full\n"
	        "                           the flow idle the longest is ended\n"
	        "  -l, --list FILE          read captures from FILE as well (like @FILE)\n"
	        "  -H, --header             print a header line first ('#' comment)\n"
	        "  -f, --with-filename      start each line with the capture's path\n"
	        "  -s, --stats              print per-capture counters to standard error\n"
	        "  -h, --help               show this help and exit\n"
	        "\n"
	        "Exit status: 0 all captures read, 1 a capture could not be read (the\n"
	        "others are still printed), 2 usage error.\n");
}

struct flows_run {
	const char *path;
	int with_filename;
};

static const char *ip_protocol_name(uint8_t protocol, char *buffer, size_t size)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_ICMP:
		return "ICMP";
	case IPPROTO_ICMPV6:
		return "ICMPV6";
	case 112:
		return "VRRP";
	case IPPROTO_IGMP:
		return "IGMP";
	}
	snprintf(buffer, size, "%u", protocol);
	return buffer;
}

static void print_flow(void *user, const struct pronet_flow_report *report)
{
	const struct flows_run *run = user;
	const struct pronet_flow *flow = report->flow;
	char client[PRONET_FLOW_END_SIZE], server[PRONET_FLOW_END_SIZE], number[8];
	pronet_flow_format_end(&flow->key, flow->client_side, client, sizeof(client));
	pronet_flow_format_end(&flow->key, 1 - flow->client_side, server, sizeof(server));
	if (run->with_filename)
		printf("%s\t", run->path);
	printf("%s\t%s\t%s\t%u\t%llu\t%s\t%s\n",
	       ip_protocol_name(flow->key.l4_protocol, number, sizeof(number)), client, server,
	       flow->key.vlan_id, (unsigned long long)(flow->packets[0] + flow->packets[1]),
	       report->name, report->confidence_name);
}

/* One capture through a fresh engine; 0 on success. */
static int run_capture(struct pronet_ndpi_engine_options *options, struct flows_run *run,
                       int show_stats)
{
	struct pronet_ndpi_engine_stats stats;
	options->report_user = run;
	int status =
	    pronet_cli_engine_run_file("flows", options, run->path, show_stats ? &stats : NULL);
	if (show_stats && status != PRONET_CLI_NO_ENGINE)
		pronet_cli_print_engine_stats(run->path, &stats, "");
	return status != 0;
}

int pronet_cmd_flows(int argc, char **argv)
{
	static const struct option own_options[] = {
	    {"header", no_argument, NULL, 'H'},
	    {"with-filename", no_argument, NULL, 'f'},
	    {"stats", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct pronet_cli_getopt table;
	struct pronet_cli_engine_args shared;
	struct pronet_ndpi_engine_options options;
	struct flows_run run = {NULL, 0};
	int header = 0, show_stats = 0, opt;
	pronet_cli_engine_args_init(&shared);
	pronet_ndpi_engine_options_default(&options);
	options.report = print_flow;
	if (!pronet_cli_engine_seed_hash("flows", &options))
		return 1;
	pronet_cli_getopt_init(&table, "flows", "Hfsh", own_options,
	                       PRONET_CLI_PROTOS | PRONET_CLI_TUNNELS | PRONET_CLI_NO_GUESS |
	                           PRONET_CLI_TIMEOUTS | PRONET_CLI_MAX_FLOWS | PRONET_CLI_LIST,
	                       &shared, &options);
	while ((opt = pronet_cli_getopt_next(&table, argc, argv)) != -1) {
		switch (opt) {
		case PRONET_CLI_BAD_VALUE:
			return 2;
		case 'H':
			header = 1;
			break;
		case 'f':
			run.with_filename = 1;
			break;
		case 's':
			show_stats = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc && shared.list == NULL) {
		fprintf(stderr, "pronet flows: no capture given\n");
		usage(stderr);
		return 2;
	}
	pronet_cli_engine_timeouts(&shared, 0, 0, &options);
	if (header)
		printf("#%sproto\tclient\tserver\tvlan\tpackets\tprotocol\tconfidence\n",
		       run.with_filename ? "capture\t" : "");
	unsigned failed = 0;
	struct pronet_capture_inputs *inputs =
	    pronet_cli_captures("flows", argv + optind, argc - optind, shared.list, &failed);
	if (inputs == NULL)
		return 1;
	for (size_t i = 0; i < pronet_capture_inputs_count(inputs); i++) {
		run.path = pronet_capture_inputs_path(inputs, i);
		failed += run_capture(&options, &run, show_stats);
		fflush(stdout);
	}
	pronet_capture_inputs_free(inputs);
	/* The lines are the output: losing them (a full disk) is a failure. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pronet flows: error writing standard output\n");
		return 1;
	}
	return failed ? 1 : 0;
}
