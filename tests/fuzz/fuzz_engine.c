/* libFuzzer harness: a hostile capture through the whole engine
 * (ndpi-glue/engine/ndpi_engine.c): decoders, the bounded flow table with
 * eviction, nDPI 4.2, give-up and per-flow reports, as `pronet flows` runs
 * them. One engine lives for the whole run, as over a long capture; each
 * input ends with pronet_ndpi_engine_finish, so no flow outlives it.
 *
 * Input: byte 0 picks the link type (tests/fuzz/link_types.h), byte 1 bit 0
 * turns tunnel decoding on (decided by the first input, since it is an
 * engine option); then frames, each a 6-byte header (u16 big-endian
 * length, u32 big-endian microseconds added to the clock, which may wrap
 * it backwards) and that many bytes (fewer if the input ends). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ndpi-glue/capture/capture.h"
#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "tests/fuzz/link_types.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FLOWS 64 /* small, so that inputs with many flows evict */

static void report(void *user, const struct pronet_flow_report *flow_report)
{
	char end[PRONET_FLOW_END_SIZE];
	uint64_t *reports = user;

	pronet_flow_format_end(&flow_report->flow->key, 0, end, sizeof(end));
	pronet_flow_format_end(&flow_report->flow->key, 1, end, sizeof(end));
	if (flow_report->name[0] == '\0' || flow_report->flow->num_inputs > PRONET_FLOW_MAX_INPUTS)
		abort();
	(*reports)++;
}

/* One engine per tunnel setting for the whole run (a first input would
 * otherwise fix the setting for every later one), each with its own count
 * of reports. */
static struct pronet_ndpi_engine *engine_get(int tunnels, uint64_t *reports)
{
	static struct pronet_ndpi_engine *engines[2];
	struct pronet_ndpi_engine_options options;
	char errbuf[PRONET_ERRBUF_SIZE];

	if (engines[tunnels] != NULL)
		return engines[tunnels];
	pronet_ndpi_engine_options_default(&options);
	options.flows.max_flows = MAX_FLOWS;
	options.flows.idle_timeout_us = 60000000;
	options.decode_options = tunnels ? PRONET_DECODE_TUNNELS : 0;
	options.report = report;
	options.report_user = reports;
	if (pronet_ndpi_engine_new(&options, &engines[tunnels], errbuf) != PRONET_OK)
		abort();
	return engines[tunnels];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t reports[2], clock_us = 1700000000000000ull;
	struct pronet_ndpi_engine_stats stats;

	if (size < 2)
		return 0;
	int tunnels = data[1] & 1;
	struct pronet_ndpi_engine *engine = engine_get(tunnels, &reports[tunnels]);
	int dlt = fuzz_link_types[data[0] % FUZZ_NUM_LINK_TYPES];
	size_t offset = 2;

	while (size - offset >= 6) {
		struct pronet_raw_packet frame;
		size_t length = (size_t)data[offset] << 8 | data[offset + 1];
		uint32_t delta = (uint32_t)data[offset + 2] << 24 |
		                 (uint32_t)data[offset + 3] << 16 |
		                 (uint32_t)data[offset + 4] << 8 | data[offset + 5];
		offset += 6;
		if (length > size - offset)
			length = size - offset;
		clock_us += delta;
		frame.data = data + offset;
		frame.caplen = (uint32_t)length;
		frame.wire_length = (uint32_t)length;
		frame.timestamp_us = clock_us;
		(void)pronet_ndpi_engine_process_frame(engine, dlt, &frame);
		offset += length;
	}
	pronet_ndpi_engine_finish(engine);
	/* Every flow ever created has ended, evicted or finished, and was
	 * reported exactly once. */
	pronet_ndpi_engine_get_stats(engine, &stats);
	if (reports[tunnels] != stats.flows)
		abort();
	return 0;
}
