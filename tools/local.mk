# tools/: the `pronet` command-line tool. One cmd_<name>.c per subcommand.
bin_PROGRAMS += pronet
pronet_SOURCES = \
	tools/pronet.c \
	tools/commands.h
pronet_LDADD = libpronet.la
