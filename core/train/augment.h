/* Byte-noise augmentation (internal to core/train, `pronet train
 * --augment-bytes`): against learning one capture's bytes (ids, addresses,
 * nonces) instead of its protocol's. */
#ifndef PRONET_CORE_TRAIN_AUGMENT_H
#define PRONET_CORE_TRAIN_AUGMENT_H

#include <stdint.h>

#include "core/data/record.h"
#include "core/util/rng.h"

/* The record to train on: `input` itself when `chance` (0..0.5) is 0, else
 * `copy`, holding ProNet's window of `input` (at most PRONET_PAYLOAD_BYTES,
 * in copy_bytes) with each byte replaced by a random one with probability
 * `chance`. */
const struct pronet_packet_record *pronet_augment_record(float chance,
                                                         const struct pronet_packet_record *input,
                                                         struct pronet_packet_record *copy,
                                                         uint8_t copy_bytes[PRONET_PAYLOAD_BYTES],
                                                         struct pronet_rng *rng);

#endif
