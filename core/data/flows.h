/* A dataset's samples grouped by flow: the unit that eval's folds, scores
 * and calibration count in (core/data/flows.c). */
#ifndef PRONET_CORE_DATA_FLOWS_H
#define PRONET_CORE_DATA_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/data/dataset.h"
#include "core/util/error.h"

/* A dataset's samples grouped by flow (capture, flow id), each flow's
 * samples in packet order. */
struct pronet_flows {
	size_t num_flows;
	size_t *samples;   /* [num_samples]: sample indexes, flow by flow */
	size_t *start;     /* [num_flows + 1]: flow i is samples[start[i] .. start[i+1]) */
	uint16_t *label;   /* [num_flows]: dataset label */
	uint32_t *capture; /* [num_flows] */
};

/* Fails (PRONET_ERR_FORMAT) if one flow's samples carry two labels. */
enum pronet_err pronet_flows_index(const struct pronet_dataset *data, struct pronet_flows **out,
                                   char *errbuf);
void pronet_flows_free(struct pronet_flows *flows);

/* Flow `flow`'s first inputs (at most flow_packets, 0: all, and at most
 * capacity) fetched together for pronet_model_predict_flow, through
 * pronet_dataset_record; *gathered says how many. `bytes` holds their bytes
 * when the dataset is streamed: capacity x pronet_flows_bytes_per_input
 * (NULL when that is 0). A per-packet model combines at most
 * PRONET_FLOW_MAX_PACKETS; a per-flow one reads the whole flow (capacity
 * pronet_flows_longest). */
enum pronet_err pronet_flows_gather_inputs(const struct pronet_dataset *data,
                                           const struct pronet_flows *flows, size_t flow,
                                           uint32_t flow_packets, size_t capacity,
                                           struct pronet_packet_record *inputs, uint8_t *bytes,
                                           size_t *gathered, char *errbuf);
/* Bytes a gathered input needs in `bytes`: 0 in memory (the records point
 * into the dataset), the longest record of a streamed dataset. */
size_t pronet_flows_bytes_per_input(const struct pronet_dataset *data);
/* The number of samples of the longest flow (0 without flows). */
size_t pronet_flows_longest(const struct pronet_flows *flows);

#endif
