/* Giving up root after a live capture is open. The CLI decides this; the
 * library (ndpi-glue/capture/capture.c) opens captures and never changes
 * credentials, as libpcap leaves it to its callers. */
#ifndef PRONET_TOOLS_PRIVILEGES_H
#define PRONET_TOOLS_PRIVILEGES_H

#include "core/util/error.h"

/* After opening a live capture as root: switch to `user` (NULL means
 * "nobody") with setgroups/setgid/setuid and check that root cannot be
 * regained. When not running as root there is nothing to drop and it returns
 * PRONET_OK once the user exists. PRONET_ERR_ARG for an empty name,
 * PRONET_ERR_NOT_FOUND for an unknown user, PRONET_ERR_IO if a call fails. */
enum pronet_err pronet_cli_drop_privileges(const char *user, char *errbuf);

#endif
