/* The class map: which training label a flow gets from the protocol nDPI
 * named for it (rules/class-map.conf; its syntax is documented at the top of
 * that file).
 *
 * nDPI names a flow by a pair (master, app): TLS.Google is master TLS, app
 * Google; DNS is app DNS with no master. Rules are tried top to bottom and
 * the first match decides; a flow no rule matches gets the default policy:
 * the master protocol when there is one (TLS for TLS.Google, QUIC for
 * QUIC.YouTube), otherwise the app protocol (DNS, BitTorrent). A flow nDPI
 * could not name (Unknown) is always excluded: it teaches nothing. */
#ifndef PRONET_RULES_CLASS_MAP_H
#define PRONET_RULES_CLASS_MAP_H

#include <stddef.h>

#include "core/util/error.h"

#define PRONET_CLASS_MAP_FILE "class-map.conf"
#define PRONET_CLASS_MAP_LABEL_SIZE 64 /* longest label + NUL */

struct pronet_class_map;

/* Parses a class-map file; errors read "FILE:LINE: problem". */
enum pronet_err pronet_class_map_load(const char *path, struct pronet_class_map **out,
                                      char *errbuf);
/* The same from text[0..size); `name` stands for the file in messages. */
enum pronet_err pronet_class_map_load_buffer(const char *text, size_t size, const char *name,
                                             struct pronet_class_map **out, char *errbuf);
void pronet_class_map_free(struct pronet_class_map *map);
size_t pronet_class_map_num_rules(const struct pronet_class_map *map);

/* The label for nDPI's (master, app) names. Either may be NULL, "" or
 * "Unknown" for none; names compare case-insensitively, as nDPI's do.
 * Returns 1 with the label in label[PRONET_CLASS_MAP_LABEL_SIZE], or 0 if the
 * flow is excluded from training. `map` may be NULL: default policy only. */
int pronet_class_map_lookup(const struct pronet_class_map *map, const char *master, const char *app,
                            char *label);

#endif
