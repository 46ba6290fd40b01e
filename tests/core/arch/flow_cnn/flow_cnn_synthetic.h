/* What the flow-cnn tests share (tests/core/arch/flow_cnn/flow_cnn_synthetic.c):
 * a small configuration, models and workspaces that fail the test when they
 * cannot be made, payload records, and synthetic flows.
 *
 * The synthetic flows (three classes, 4 packets each of 6..21 random
 * bytes): "marked" has bytes below 64 and 100 us gaps, "slow" bytes from
 * 128 up and 50 ms gaps, "fast" bytes from 128 up and 100 us gaps. Easy on purpose: they show that
 * the network learns from both bytes and times, not how well it does on traffic. */
#ifndef PRONET_TESTS_FLOW_CNN_SYNTHETIC_H
#define PRONET_TESTS_FLOW_CNN_SYNTHETIC_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/flow_cnn/flow_cnn.h"
#include "core/data/dataset.h"
#include "core/model/model.h"
#include "core/util/rng.h"

#define CLASSES 3
#define FLOW_PACKETS 4
#define TCP 6
#define UDP 17

extern const char *const classes[CLASSES];

/* Filters 2, 3, 2, 3, dense 5 and 4, over 64 input values. */
struct flow_cnn_config small_config(void);
struct pronet_model *new_model(const struct flow_cnn_config *config, uint64_t seed);
struct pronet_workspace *workspace_for(const struct pronet_model *model);
/* A payload record of `length` bytes (caller fills them) at time t us. */
struct pronet_packet_record record_at(size_t length, uint64_t t, uint8_t protocol, uint16_t index);
/* Flow f of class c: FLOW_PACKETS payload packets of 6..21 random bytes. */
void synthetic_flow(struct pronet_packet_record *r, size_t c, struct pronet_rng *rng);
/* per_class flows of each class, their packets as samples. */
struct pronet_dataset *synthetic_dataset(size_t per_class, uint64_t seed);

#endif
