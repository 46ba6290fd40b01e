/* pronet classify --threads N: one capture through N flow-hash sharded
 * engines (ndpi-glue/engine/shards.h), each with its own nDPI module, plugin
 * attachment and sink (tools/classify_sink.h). */
#ifndef PRONET_TOOLS_CLASSIFY_WORKERS_H
#define PRONET_TOOLS_CLASSIFY_WORKERS_H

#include <signal.h>

#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "tools/classify_sink.h"

/* Reads `capture` (named `name`; live: an interface, expired by the wall
 * clock when quiet) through run->threads engines until its end, an error
 * or *stop, then finishes every flow. 0 if it was read without error; else
 * 1 after a message on standard error. */
int classify_capture_sharded(const struct pronet_ndpi_engine_options *options,
                             struct classify_run *run, struct pronet_capture *capture,
                             const char *name, int live, const volatile sig_atomic_t *stop);

#endif
