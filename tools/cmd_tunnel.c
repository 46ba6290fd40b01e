/* pronet tunnel: the dataset an observer of a tunnel sees, built from a
 * dataset of sizes and times (issue 14; Leroux et al., seed 004, Sec. IV):
 * the flows that share a tunnel are merged in time order and transformed as
 * IPsec ESP or Tor would carry them (core/data/tunnel.h), each tunnel keeping
 * its flows' class. docs/histogram-models.md "Tunnels" says what is modelled
 * and why. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/histogram/features.h"
#include "core/arch/registry.h"
#include "core/data/dataset.h"
#include "core/data/flows.h"
#include "core/data/tunnel.h"
#include "tools/cli_args.h"

int pronet_cmd_tunnel(int argc, char **argv);

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: pronet tunnel [OPTION]... DATASET -o OUTPUT\n"
	        "Write the dataset an observer of a tunnel would see, from a dataset of every\n"
	        "packet's size and time (pronet label --bytes 0 --all-packets -k 1024): the\n"
	        "flows that share a tunnel are merged in time order and carried as IPsec ESP\n"
	        "or Tor carries them; a tunnel keeps its flows' class and capture. Per class,\n"
	        "the flows, tunnels and packets in and out go to standard output.\n"
	        "\n"
	        "  -o, --output FILE   the dataset to write (required)\n"
	        "  -t, --tunnel KIND   esp (default): ESP tunnel mode, AES-128-CBC and\n"
	        "                      HMAC-SHA-256 (20 + 8 + 16 IV + padded packet + ICV);\n"
	        "                      tor: 514-byte cells in TLS records over TCP;\n"
	        "                      none: the packets as they are\n"
	        "      --share HOW     capture (default): a capture's flows of one class share\n"
	        "                      one tunnel (with none: of one transport too); flow: a\n"
	        "                      tunnel per flow\n"
	        "      --split W       write each tunnel as flows of W consecutive packets (its\n"
	        "                      windows, as the histogram models cut them); 0 (default):\n"
	        "                      a tunnel is one flow\n"
	        "      --icv N         ESP's ICV bytes: 16 (HMAC-SHA-256-128, RFC 4868;\n"
	        "                      default) or 32\n"
	        "      --nat-t         ESP in UDP (port 4500): 8 bytes more a packet\n"
	        "  -h, --help          show this help and exit\n"
	        "\n"
	        "Exit status: 0 written, 1 the dataset could not be read or written, 2 usage\n"
	        "error. The output is written whole or not at all.\n");
}

struct tunnel_args {
	const char *input, *output;
	struct pronet_tunnel_options tunnel;
	int share_flow;
	uint32_t split;
};

enum { OPT_SHARE = 256, OPT_SPLIT, OPT_ICV, OPT_NAT_T };

static int parse_args(int argc, char **argv, struct tunnel_args *args)
{
	static const struct option options[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"tunnel", required_argument, NULL, 't'},
	    {"share", required_argument, NULL, OPT_SHARE},
	    {"split", required_argument, NULL, OPT_SPLIT},
	    {"icv", required_argument, NULL, OPT_ICV},
	    {"nat-t", no_argument, NULL, OPT_NAT_T},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	pronet_tunnel_options_default(&args->tunnel);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:t:h", options, NULL)) != -1) {
		switch (opt) {
		case 'o':
			args->output = optarg;
			break;
		case 't':
			if (strcmp(optarg, "esp") == 0)
				args->tunnel.kind = PRONET_TUNNEL_ESP;
			else if (strcmp(optarg, "tor") == 0)
				args->tunnel.kind = PRONET_TUNNEL_TOR;
			else if (strcmp(optarg, "none") == 0)
				args->tunnel.kind = PRONET_TUNNEL_NONE;
			else {
				fprintf(stderr,
				        "pronet tunnel: --tunnel: '%s' is not esp, tor or none\n",
				        optarg);
				return 2;
			}
			break;
		case OPT_SHARE:
			if (strcmp(optarg, "capture") != 0 && strcmp(optarg, "flow") != 0) {
				fprintf(stderr,
				        "pronet tunnel: --share: '%s' is not capture or flow\n",
				        optarg);
				return 2;
			}
			args->share_flow = strcmp(optarg, "flow") == 0;
			break;
		case OPT_SPLIT:
			if (!pronet_cli_parse_u32("tunnel", "split", optarg, 0, 65536,
			                          &args->split))
				return 2;
			break;
		case OPT_ICV:
			if (!pronet_cli_parse_u32("tunnel", "icv", optarg, 16, 32,
			                          &args->tunnel.esp_icv_bytes))
				return 2;
			if (args->tunnel.esp_icv_bytes != 16 && args->tunnel.esp_icv_bytes != 32) {
				fprintf(stderr, "pronet tunnel: --icv: 16 or 32\n");
				return 2;
			}
			break;
		case OPT_NAT_T:
			args->tunnel.esp_udp = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (args->output == NULL || optind + 1 != argc) {
		fprintf(stderr, "pronet tunnel: %s\n",
		        args->output == NULL ? "no output dataset (-o FILE)" : "give one DATASET");
		usage(stderr);
		return 2;
	}
	args->input = argv[optind];
	return -1;
}

/* Per class: what went in and what came out. */
struct class_count {
	uint64_t flows, tunnels, packets_in, packets_out, written;
};

struct tunnel_run {
	const struct tunnel_args *args;
	const struct pronet_dataset *data;
	const struct pronet_flows *flows;
	struct pronet_histogram_layout layout; /* the windows of --split */
	struct pronet_dataset_writer *writer;
	struct class_count *counts;
	uint64_t *next_flow; /* per capture: the next output flow number */
	struct pronet_tunnel_stats stats;
	char errbuf[PRONET_ERRBUF_SIZE];
};

/* The transport of flow f (a flow has one). */
static uint8_t flow_transport(const struct pronet_dataset *data, const struct pronet_flows *flows,
                              size_t f)
{
	return data->samples[flows->samples[flows->start[f]]].input.l4_protocol;
}

/* What flows sharing a tunnel have in common: capture and class, and with
 * --tunnel none (no outer header: the packets stay TCP or UDP) transport. */
struct share_key {
	uint32_t capture;
	uint16_t label;
	uint8_t transport;
};

static struct share_key share_key(const struct tunnel_run *run, size_t f)
{
	struct share_key key = {run->flows->capture[f], run->flows->label[f], 0};

	if (run->args->tunnel.kind == PRONET_TUNNEL_NONE)
		key.transport = flow_transport(run->data, run->flows, f);
	return key;
}

static int compare_keys(struct share_key x, struct share_key y)
{
	if (x.capture != y.capture)
		return x.capture < y.capture ? -1 : 1;
	if (x.label != y.label)
		return x.label < y.label ? -1 : 1;
	return x.transport < y.transport ? -1 : x.transport > y.transport;
}

/* The order flows are grouped in: by their share key, then as they are. */
static const struct tunnel_run *sort_run;
static int compare_flows(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int order = compare_keys(share_key(sort_run, x), share_key(sort_run, y));

	return order != 0 ? order : (x < y ? -1 : x > y);
}

/* A tunnel's inner packet: its record and which of the tunnel's flows. */
struct inner_packet {
	const struct pronet_packet_record *record;
	uint32_t stream, index;
};

static int compare_packets(const void *a, const void *b)
{
	const struct inner_packet *x = a, *y = b;

	if (x->record->timestamp_us != y->record->timestamp_us)
		return x->record->timestamp_us < y->record->timestamp_us ? -1 : 1;
	if (x->stream != y->stream)
		return x->stream < y->stream ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Writes the tunnel's packets out[0..n) as one flow, or its windows. */
static enum pronet_err write_tunnel(struct tunnel_run *run, uint16_t label, uint32_t capture,
                                    const struct pronet_packet_record *out, size_t n)
{
	const char *class_name = run->data->class_names[label];
	const char *capture_name = run->data->capture_names[capture];
	size_t windows = run->args->split ? pronet_histogram_num_windows(&run->layout, n) : 1;
	enum pronet_err err = PRONET_OK;

	for (size_t w = 0; err == PRONET_OK && n > 0 && w < windows; w++) {
		size_t begin = 0, end = n;

		if (run->args->split)
			pronet_histogram_window_range(&run->layout, n, w, &begin, &end);
		err = pronet_dataset_writer_write_flow(run->writer, class_name, capture_name,
		                                       ++run->next_flow[capture], out + begin,
		                                       end - begin, 0, run->errbuf);
		run->counts[label].written++;
	}
	return err;
}

/* One tunnel: flows order[0..m), merged, transformed, written. */
static enum pronet_err one_tunnel(struct tunnel_run *run, const size_t *order, size_t m)
{
	const struct pronet_flows *flows = run->flows;
	size_t n = 0, count = 0;
	enum pronet_err err = PRONET_OK;

	for (size_t i = 0; i < m; i++)
		n += flows->start[order[i] + 1] - flows->start[order[i]];
	struct inner_packet *packets = malloc((n ? n : 1) * sizeof(*packets));
	struct pronet_packet_record *inner = malloc((n ? n : 1) * sizeof(*inner));
	uint32_t *stream = malloc((n ? n : 1) * sizeof(*stream));
	struct pronet_packet_record *out = NULL;

	if (packets == NULL || inner == NULL || stream == NULL)
		err = pronet_error(run->errbuf, PRONET_ERR_NOMEM, "out of memory");
	for (size_t i = 0, k = 0; err == PRONET_OK && i < m; i++)
		for (size_t s = flows->start[order[i]]; s < flows->start[order[i] + 1]; s++, k++)
			packets[k] = (struct inner_packet){
			    &run->data->samples[flows->samples[s]].input, (uint32_t)i, (uint32_t)k};
	if (err == PRONET_OK) {
		qsort(packets, n, sizeof(*packets), compare_packets);
		for (size_t k = 0; k < n; k++) {
			inner[k] = *packets[k].record;
			stream[k] = packets[k].stream;
		}
		err = pronet_tunnel_transform(&run->args->tunnel, inner, stream, n, NULL, 0, &count,
		                              NULL, run->args->input, run->errbuf);
	}
	if (err == PRONET_OK && count > 0 && (out = malloc(count * sizeof(*out))) == NULL)
		err = pronet_error(run->errbuf, PRONET_ERR_NOMEM, "out of memory");
	if (err == PRONET_OK && count > 0)
		err = pronet_tunnel_transform(&run->args->tunnel, inner, stream, n, out, count,
		                              &count, &run->stats, run->args->input, run->errbuf);
	if (err == PRONET_OK) {
		uint16_t label = flows->label[order[0]];

		run->counts[label].flows += m;
		run->counts[label].tunnels++;
		run->counts[label].packets_in += n;
		run->counts[label].packets_out += count;
		err = write_tunnel(run, label, flows->capture[order[0]], out, count);
	}
	free(packets);
	free(inner);
	free(stream);
	free(out);
	return err;
}

static enum pronet_err all_tunnels(struct tunnel_run *run)
{
	const struct pronet_flows *flows = run->flows;
	size_t *order = malloc((flows->num_flows ? flows->num_flows : 1) * sizeof(*order));
	enum pronet_err err = PRONET_OK;

	if (order == NULL)
		return pronet_error(run->errbuf, PRONET_ERR_NOMEM, "out of memory");
	for (size_t f = 0; f < flows->num_flows; f++)
		order[f] = f;
	sort_run = run;
	qsort(order, flows->num_flows, sizeof(*order), compare_flows);
	for (size_t i = 0, j; err == PRONET_OK && i < flows->num_flows; i = j) {
		j = i + 1;
		while (!run->args->share_flow && j < flows->num_flows &&
		       compare_keys(share_key(run, order[j]), share_key(run, order[i])) == 0)
			j++;
		err = one_tunnel(run, order + i, j - i);
	}
	free(order);
	return err;
}

static void print_table(const struct tunnel_run *run)
{
	struct class_count total = {0};

	printf("%-24s %8s %8s %10s %10s %8s\n", "class", "flows", "tunnels", "packets", "tunnelled",
	       "written");
	for (size_t c = 0; c <= run->data->num_classes; c++) {
		const struct class_count *k = c < run->data->num_classes ? &run->counts[c] : &total;

		if (k->flows == 0 && k != &total)
			continue;
		printf("%-24s %8llu %8llu %10llu %10llu %8llu\n",
		       k == &total ? "total" : run->data->class_names[c],
		       (unsigned long long)k->flows, (unsigned long long)k->tunnels,
		       (unsigned long long)k->packets_in, (unsigned long long)k->packets_out,
		       (unsigned long long)k->written);
		total.flows += k->flows;
		total.tunnels += k->tunnels;
		total.packets_in += k->packets_in;
		total.packets_out += k->packets_out;
		total.written += k->written;
	}
	printf("# packets: inner packets in, tunnelled: the tunnels' packets; written: "
	       "flows written\n# %llu inner packets not carried (Tor: UDP, and TCP without "
	       "payload), %llu cells\n",
	       (unsigned long long)run->stats.not_carried, (unsigned long long)run->stats.cells);
}

/* The input must hold every packet's size and time. */
static enum pronet_err check_input(const struct pronet_dataset *data, const char *path,
                                   char *errbuf)
{
	if (data->spec.flags & PRONET_SPEC_NO_TIMES)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: a v1 dataset has no times or IP lengths", path);
	if (!(data->spec.flags & PRONET_SPEC_ALL_PACKETS))
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: holds payload packets only; a tunnel carries every packet "
		                    "(pronet label --all-packets)",
		                    path);
	return PRONET_OK;
}

static enum pronet_err run_tunnel(struct tunnel_run *run)
{
	struct pronet_input_spec spec = {.window_bytes = 0,
	                                 .layer = PRONET_LAYER_PAYLOAD,
	                                 .flags = PRONET_SPEC_ALL_PACKETS,
	                                 .packets_per_direction = 0};
	struct pronet_histogram_config config;
	enum pronet_err err;

	pronet_arch_config_default(pronet_arch_find("histogram-rf"), &config);
	config.window = run->args->split ? run->args->split : 1;
	err = pronet_histogram_layout_init(&config, "--split", &run->layout, run->errbuf);
	if (err == PRONET_OK)
		err = pronet_dataset_writer_open_v2(run->args->output, &spec, &run->writer,
		                                    run->errbuf);
	if (err == PRONET_OK)
		err = all_tunnels(run);
	if (err == PRONET_OK) {
		struct pronet_dataset_writer *writer = run->writer;

		run->writer = NULL;
		err = pronet_dataset_writer_close(writer, run->errbuf);
	}
	return err;
}

int pronet_cmd_tunnel(int argc, char **argv)
{
	struct tunnel_args args = {0};
	struct tunnel_run run = {.args = &args};
	struct pronet_dataset *data = NULL;
	struct pronet_flows *flows = NULL;
	int status = parse_args(argc, argv, &args);
	enum pronet_err err;

	if (status >= 0)
		return status;
	err = pronet_dataset_load(args.input, &data, run.errbuf);
	if (err == PRONET_OK)
		err = check_input(data, args.input, run.errbuf);
	if (err == PRONET_OK)
		err = pronet_flows_index(data, &flows, run.errbuf);
	if (err == PRONET_OK) {
		run.data = data;
		run.flows = flows;
		run.counts = calloc(data->num_classes + 1, sizeof(*run.counts));
		run.next_flow = calloc(data->num_captures + 1, sizeof(*run.next_flow));
		if (run.counts == NULL || run.next_flow == NULL)
			err = pronet_error(run.errbuf, PRONET_ERR_NOMEM, "out of memory");
	}
	if (err == PRONET_OK)
		err = run_tunnel(&run);
	if (err == PRONET_OK)
		print_table(&run);
	else
		fprintf(stderr, "pronet tunnel: %s\n", run.errbuf);
	pronet_dataset_writer_abort(run.writer);
	free(run.counts);
	free(run.next_flow);
	pronet_flows_free(flows);
	pronet_dataset_free(data);
	return err == PRONET_OK ? 0 : 1;
}
