/* Names for learned classes nDPI lacks (rules/protos.txt), in nDPI's own
 * protos-file syntax so the same file can be given to `ndpiReader -p`.
 *
 * Only name-only rules are accepted: `@NAME` on a line of its own. A port,
 * host or IP rule before the '@' would make nDPI label matching flows
 * before any dissector (or our model) sees them, so a learned class must
 * not have one. The parser accepts only lines nDPI 4.2's
 * ndpi_load_protocols_file() reads the same way: `#` comments in column 1,
 * empty lines, every line ended by '\n' (nDPI drops an unterminated last
 * line), names nDPI would not rewrite. It cannot know nDPI's built-in names
 * (no nDPI here): whoever creates the protocols (the plugin, through
 * ndpi_handle_rule) must refuse a name nDPI already has. */
#ifndef PRONET_RULES_PROTOS_H
#define PRONET_RULES_PROTOS_H

#include <stddef.h>

#include "core/util/error.h"

#define PRONET_PROTOS_FILE "protos.txt"
/* nDPI 4.2 creates at most 229 custom protocols per module. */
#define PRONET_PROTOS_MAX 229

struct pronet_protos;

/* Parses a protos file; errors read "FILE:LINE: problem". */
enum pronet_err pronet_protos_load(const char *path, struct pronet_protos **out, char *errbuf);
enum pronet_err pronet_protos_load_buffer(const char *text, size_t size, const char *name,
                                          struct pronet_protos **out, char *errbuf);
void pronet_protos_free(struct pronet_protos *protos);

size_t pronet_protos_count(const struct pronet_protos *protos);
/* The i-th name, in file order. */
const char *pronet_protos_name(const struct pronet_protos *protos, size_t i);
/* The i-th rule as nDPI reads it ("@NAME"). ndpi_handle_rule() writes into
 * its argument: pass it a copy. */
const char *pronet_protos_rule(const struct pronet_protos *protos, size_t i);
/* Index of `name` (case-insensitive, as nDPI compares), or -1. */
int pronet_protos_find(const struct pronet_protos *protos, const char *name);

#endif
