/* The subcommands of `pronet`. Each lives in its own tools/cmd_<name>.c and
 * takes the arguments after its name (argv[0] is the subcommand name). It
 * returns the process exit status: 0 success, 1 failure, 2 usage error. */
#ifndef PRONET_TOOLS_COMMANDS_H
#define PRONET_TOOLS_COMMANDS_H

struct pronet_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* The command table, NULL-terminated (tools/pronet.c). */
extern const struct pronet_command pronet_commands[];

#endif
