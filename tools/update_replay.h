/* The replay reservoir of `pronet classify --update` (issue 14): earlier
 * samples that each update trains on beside its own, so that an update whose
 * samples hold a few classes does not forget the others (seed 003's OLUC
 * trains on the latest samples only, and forgets).
 *
 * Per model class, a uniform sample of every sample offered so far
 * (Algorithm R, Vitter 1985: the n-th sample of a class replaces a random
 * slot with probability capacity / n), drawn from one seeded generator, so
 * that two runs over the same input hold the same samples. Offered are the
 * samples of each finished update and, once at the start, those of the
 * dataset the model was trained on (`--update-replay DATASET`). Each class
 * keeps at most min(per_class, total / classes) samples, their bytes cut to
 * the update's window. Used by the worker thread alone once it runs. */
#ifndef PRONET_TOOLS_UPDATE_REPLAY_H
#define PRONET_TOOLS_UPDATE_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/data/dataset.h"
#include "core/data/input_spec.h"
#include "core/model/model.h"
#include "core/util/error.h"

struct update_replay;

/* A reservoir for `model`'s classes of records under `spec` (the update's
 * samples'), offered the samples of the dataset file `file` (NULL: none;
 * update_replay_offer_file); `per_class` or `total` 0: no replay (*out
 * NULL, PRONET_OK), refused with a file. */
enum pronet_err update_replay_new(const struct pronet_model *model,
                                  const struct pronet_input_spec *spec, uint32_t per_class,
                                  uint32_t total, uint64_t seed, const char *file,
                                  struct update_replay **out, char *errbuf);
void update_replay_free(struct update_replay *replay);

/* Offers samples [first, first + count) of `data`; those of a class the
 * model lacks are counted and left. Each call's captures are new flows. */
enum pronet_err update_replay_offer(struct update_replay *replay, const struct pronet_dataset *data,
                                    size_t first, size_t count, char *errbuf);
/* Offers every sample of the dataset file `path` (v1 or v2), read streamed;
 * refused (naming the file) when its records lack what the update's hold. */
enum pronet_err update_replay_offer_file(struct update_replay *replay, const char *path,
                                         char *errbuf);

/* Appends the reservoir's samples to `data`, flow by flow, each flow under
 * a capture of its own ("replay K"), labelled by class name; *appended
 * says how many. */
enum pronet_err update_replay_append(const struct update_replay *replay,
                                     struct pronet_dataset *data, size_t *appended, char *errbuf);

/* The summary's replay line. */
void update_replay_print_summary(const struct update_replay *replay, FILE *out);

#endif
