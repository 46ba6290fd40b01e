/* Checked parsing of command-line numbers for the subcommands: strtoul /
 * strtod with every check (no atoi), one message format for all. Each
 * returns 1 on success; on failure it prints
 * "pronet COMMAND: --OPTION: 'TEXT' ..." to stderr and returns 0. */
#ifndef PRONET_TOOLS_CLI_ARGS_H
#define PRONET_TOOLS_CLI_ARGS_H

#include <stdint.h>

int pronet_cli_parse_u32(const char *command, const char *option, const char *text, uint32_t min,
                         uint32_t max, uint32_t *out);
int pronet_cli_parse_u64(const char *command, const char *option, const char *text, uint64_t *out);
/* A finite number in [min, max]. */
int pronet_cli_parse_float(const char *command, const char *option, const char *text, float min,
                           float max, float *out);

#endif
