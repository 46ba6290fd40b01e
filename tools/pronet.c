/* pronet: the command-line tool. Dispatches to one tools/cmd_<name>.c per
 * subcommand; this file only knows their names. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tools/commands.h"

/* Declarations of the subcommands; one line each. */
#define PRONET_DECLARE_COMMAND(fn) int fn(int argc, char **argv)
PRONET_DECLARE_COMMAND(pronet_cmd_train);
PRONET_DECLARE_COMMAND(pronet_cmd_predict);
PRONET_DECLARE_COMMAND(pronet_cmd_info);
PRONET_DECLARE_COMMAND(pronet_cmd_flows);
PRONET_DECLARE_COMMAND(pronet_cmd_eval);
PRONET_DECLARE_COMMAND(pronet_cmd_explain);
PRONET_DECLARE_COMMAND(pronet_cmd_label);
PRONET_DECLARE_COMMAND(pronet_cmd_classify);
PRONET_DECLARE_COMMAND(pronet_cmd_render);
PRONET_DECLARE_COMMAND(pronet_cmd_tunnel);

const struct pronet_command pronet_commands[] = {
	/* {"name", "summary", pronet_cmd_name}, */
	{"train", "train a model on a dataset file", pronet_cmd_train},
	{"predict", "classify hex payloads read from standard input", pronet_cmd_predict},
	{"info", "describe a model file", pronet_cmd_info},
	{"flows", "print nDPI's verdict for every flow of captures", pronet_cmd_flows},
	{"label", "write a training dataset labelled by nDPI's DPI verdicts", pronet_cmd_label},
	{"classify", "print a JSON verdict for every flow of captures or an interface",
	 pronet_cmd_classify},
	{"eval", "cross-validate a model on a dataset, per flow", pronet_cmd_eval},
	{"explain", "what a model learned: evidence per position and byte, signatures",
	 pronet_cmd_explain},
	{"render", "write a dataset's records as grayscale PNG images", pronet_cmd_render},
	{"tunnel", "write a dataset as an ESP or Tor tunnel would carry its flows",
	 pronet_cmd_tunnel},
	{NULL, NULL, NULL},
};

static void print_usage(FILE *out)
{
	fprintf(out, "Usage: pronet COMMAND [OPTION]... [ARG]...\n"
		     "Learned protocol fingerprints for nDPI pipelines.\n\nCommands:\n");
	for (const struct pronet_command *c = pronet_commands; c->name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'pronet COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pronet %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (const struct pronet_command *c = pronet_commands; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "pronet: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return 2;
}
