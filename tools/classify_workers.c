/* pronet classify's sharded run of one capture (tools/classify_workers.h). */
#include "config.h"

#include "tools/classify_workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/engine/shards.h"
#include "plugin/pronet_plugin.h"
#include "tools/engine_args.h"

static uint64_t wall_clock_us(void)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_usec;
}

/* The reader's loop: frames to the shards until the end, an error or a stop. */
static int read_frames(struct pronet_ndpi_shards *shards, struct classify_run *run,
                       struct pronet_capture *capture, const char *name, int live,
                       const volatile sig_atomic_t *stop)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	int dlt = pronet_capture_datalink(capture);
	if (!pronet_decode_supports_datalink(dlt)) {
		fprintf(stderr, "pronet classify: %s: link type %d not supported\n", name, dlt);
		return 1;
	}
	while (!*stop) {
		struct pronet_raw_packet frame;
		enum pronet_capture_status status;
		if (pronet_capture_next(capture, &frame, &status, errbuf) != PRONET_OK) {
			fprintf(stderr, "pronet classify: %s\n", errbuf);
			return 1;
		}
		if (status == PRONET_CAPTURE_END)
			return 0;
		if (status == PRONET_CAPTURE_TIMEOUT) {
			/* A quiet link: what is queued goes on, flows time out,
			 * Redis sends. */
			if (live) {
				pronet_ndpi_shards_flush(shards);
				pronet_ndpi_shards_expire(shards, wall_clock_us());
				classify_run_poll_output(run);
			}
			continue;
		}
		if (pronet_ndpi_shards_process_frame(shards, dlt, &frame) != PRONET_OK) {
			fprintf(stderr, "pronet classify: %s: cannot decode packet %llu\n", name,
			        (unsigned long long)pronet_capture_packets_read(capture));
			return 1;
		}
	}
	return 0;
}

int classify_capture_sharded(const struct pronet_ndpi_engine_options *options,
                             struct classify_run *run, struct pronet_capture *capture,
                             const char *name, int live, const volatile sig_atomic_t *stop)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	unsigned count = run->threads;
	struct classify_sink *sinks = calloc(count, sizeof(*sinks));
	struct pronet_ndpi_engine_options *each = calloc(count, sizeof(*each));
	struct pronet_ndpi_shards *shards = NULL;
	unsigned ready = 0;
	int failed = 1;
	if (sinks == NULL || each == NULL)
		goto out;
	for (; ready < count; ready++) {
		if (classify_sink_init(&sinks[ready], run, name, live,
		                       pronet_capture_datalink(capture), ready) != 0)
			goto out;
		each[ready] = *options;
		classify_sink_hook(&sinks[ready], &each[ready]);
	}
	if (pronet_ndpi_shards_new(each, count, &shards, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		snprintf(run->errbuf, sizeof(run->errbuf), "%s", errbuf);
		run->failed = 1;
		goto out;
	}
	for (unsigned i = 0; i < count; i++)
		classify_sink_set_module(
		    &sinks[i], pronet_ndpi_engine_module(pronet_ndpi_shards_engine(shards, i)));
	size_t misses_before = pronet_plugin_flow_misses();
	failed = read_frames(shards, run, capture, name, live, stop);
	pronet_ndpi_shards_finish(shards); /* reports the open flows: still this capture's */
	if (run->show_stats) {
		struct pronet_ndpi_engine_stats stats;

		pronet_ndpi_shards_get_stats(shards, &stats);
		classify_print_stats(name, &stats, misses_before);
	}
	for (unsigned i = 0; i < count; i++)
		pronet_plugin_detach(
		    pronet_ndpi_engine_module(pronet_ndpi_shards_engine(shards, i)));
out:
	if (sinks == NULL || each == NULL || (ready < count && !run->failed)) {
		snprintf(run->errbuf, sizeof(run->errbuf), "out of memory");
		run->failed = 1;
	}
	pronet_ndpi_shards_free(shards);
	for (unsigned i = 0; sinks != NULL && i < ready; i++)
		classify_sink_close(&sinks[i]);
	free(each);
	free(sinks);
	return failed;
}
