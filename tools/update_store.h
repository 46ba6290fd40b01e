/* The bounded store of labelled samples `pronet classify --update` keeps
 * (seed 003's local database, DB): whole flows of packet records, each flow
 * under one model class, their bytes copied in. Its room is made once, so
 * keeping a flow allocates nothing; a flow that does not fit is refused and
 * counted by the caller. One thread fills a store; the update hands the whole
 * store to its worker, which turns it into a dataset (in memory, the records
 * as `pronet label` writes them) and empties it. */
#ifndef PRONET_TOOLS_UPDATE_STORE_H
#define PRONET_TOOLS_UPDATE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/data/input_spec.h"
#include "core/model/model.h"
#include "core/util/error.h"

struct update_store;

/* Room for `capacity` records of spec->window_bytes bytes each (at least 1). */
enum pronet_err update_store_new(size_t capacity, const struct pronet_input_spec *spec,
                                 struct update_store **out, char *errbuf);
void update_store_free(struct update_store *store);

/* Keeps one flow's records (1..PRONET_FLOW_MAX_PACKETS; bytes copied, cut to
 * the window) under model class `label`, from capture number `capture`;
 * returns 1, or 0 and keeps nothing when they do not fit. */
int update_store_add_flow(struct update_store *store, const struct pronet_packet_record *records,
                          size_t count, uint16_t label, uint32_t capture);
size_t update_store_samples(const struct update_store *store);
size_t update_store_flows(const struct update_store *store);
void update_store_clear(struct update_store *store);

/* The stored flows as an in-memory dataset under the store's spec: the
 * model's classes in its order (a sample's label is its model class), one
 * capture name per capture number, each flow numbered in arrival order. */
enum pronet_err update_store_dataset(const struct update_store *store,
                                     const struct pronet_model *model, struct pronet_dataset **out,
                                     char *errbuf);

#endif
