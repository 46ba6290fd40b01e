/* Leroux et al.'s two feature spaces over a window of packets (seed 004,
 * Sec. III-A and III-B); see features.h and docs/histogram-models.md. */
#include "core/arch/histogram/features.h"

#include <math.h>
#include <string.h>

static enum pronet_err axis_edges(const struct pronet_histogram_axis *axis, const char *what,
                                  const char *name, struct pronet_histogram_edges *edges,
                                  char *errbuf)
{
	if (!(axis->low > 0.0f) || !(axis->high > axis->low) || !isfinite(axis->high) ||
	    axis->bins < 1 || axis->bins > PRONET_HISTOGRAM_MAX_BINS)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: the %s axis (%g .. %g, %u bins) needs 0 < low < high and "
		                    "1..%u bins",
		                    name, what, (double)axis->low, (double)axis->high, axis->bins,
		                    PRONET_HISTOGRAM_MAX_BINS);
	edges->bins = axis->bins;
	for (uint32_t k = 1; k < axis->bins; k++)
		edges->edge[k - 1] = (double)axis->low * pow((double)axis->high / (double)axis->low,
		                                             (double)k / (double)axis->bins);
	return PRONET_OK;
}

enum pronet_err pronet_histogram_layout_init(const struct pronet_histogram_config *config,
                                             const char *name,
                                             struct pronet_histogram_layout *layout, char *errbuf)
{
	enum pronet_err err;

	memset(layout, 0, sizeof(*layout));
	if (config->spaces < 1 || config->spaces > 3)
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "%s: feature spaces %u is not 1 (A), 2 (B) or 3 (A+B)", name,
		                    config->spaces);
	if (config->window < 1 || config->window > 65536)
		return pronet_error(errbuf, PRONET_ERR_LIMIT, "%s: window %u is outside 1..65536",
		                    name, config->window);
	err = axis_edges(&config->size, "packet size", name, &layout->size, errbuf);
	if (err == PRONET_OK)
		err = axis_edges(&config->iat, "inter-arrival time", name, &layout->iat, errbuf);
	if (err == PRONET_OK)
		err = axis_edges(&config->burst, "burst size", name, &layout->burst, errbuf);
	if (err == PRONET_OK)
		err = axis_edges(&config->surge, "surge period", name, &layout->surge, errbuf);
	if (err != PRONET_OK)
		return err;
	layout->spaces = config->spaces;
	layout->window = config->window;
	layout->surge_gap_us = config->surge_gap_us;
	if (config->spaces & PRONET_HISTOGRAM_SPACE_A)
		layout->offset_b = 2 * (size_t)layout->size.bins * layout->iat.bins;
	layout->num_features = layout->offset_b;
	if (config->spaces & PRONET_HISTOGRAM_SPACE_B)
		layout->num_features += (size_t)layout->burst.bins * layout->surge.bins;
	return PRONET_OK;
}

uint32_t pronet_histogram_bin(const struct pronet_histogram_edges *edges, double value)
{
	uint32_t low = 0, high = edges->bins - 1; /* the answer lies in [low, high] */

	while (low < high) {
		uint32_t mid = (low + high) / 2;

		if (value >= edges->edge[mid])
			low = mid + 1;
		else
			high = mid;
	}
	return low;
}

size_t pronet_histogram_num_windows(const struct pronet_histogram_layout *layout, size_t n)
{
	size_t full = n / layout->window, rest = n % layout->window;

	if (rest > 0 && (full == 0 || rest * 4 >= layout->window))
		full++;
	return full;
}

void pronet_histogram_window_range(const struct pronet_histogram_layout *layout, size_t n,
                                   size_t index, size_t *begin, size_t *end)
{
	*begin = index * layout->window;
	*end = *begin + layout->window < n ? *begin + layout->window : n;
}

/* The size the paper histograms: the IP packet's length (what an observer of
 * an encrypted stream sees); the payload length when it is unknown. */
static double packet_size(const struct pronet_packet_record *record)
{
	return record->wire_length ? record->wire_length : record->payload_length;
}

static double gap_before(const struct pronet_packet_record *records, size_t i)
{
	if (i == 0 || records[i].timestamp_us < records[i - 1].timestamp_us)
		return 0.0;
	return (double)(records[i].timestamp_us - records[i - 1].timestamp_us);
}

/* The time from records[a] to records[b]; 0 if the clock went backwards. */
static double period_between(const struct pronet_packet_record *records, size_t a, size_t b)
{
	return records[b].timestamp_us > records[a].timestamp_us
	           ? (double)(records[b].timestamp_us - records[a].timestamp_us)
	           : 0.0;
}

static void count_space_a(const struct pronet_histogram_layout *layout,
                          const struct pronet_packet_record *records, size_t begin, size_t end,
                          float scale, float *histogram)
{
	for (size_t i = begin; i < end; i++) {
		uint32_t sign =
		    records[i].direction ? 1 : 0; /* 0: upstream (+), 1: downstream (-) */
		uint32_t size = pronet_histogram_bin(&layout->size, packet_size(&records[i]));
		uint32_t iat = pronet_histogram_bin(&layout->iat, gap_before(records, i));

		histogram[((size_t)sign * layout->size.bins + size) * layout->iat.bins + iat] +=
		    scale;
	}
}

/* Space B in one pass. A burst is counted once its surge's period is known:
 * either its surge closed while it was still open (period noted), or it ends
 * inside its surge and waits in `pending` (by burst-size bin) for the surge
 * to close. */
struct burst_state {
	int open;
	uint8_t direction;
	double bytes;
	size_t surge;        /* the surge its first packet lies in */
	double surge_period; /* < 0 while that surge is open */
};

static void count_burst(const struct pronet_histogram_layout *layout, float scale, float *histogram,
                        uint32_t burst_bin, double period)
{
	uint32_t surge_bin = pronet_histogram_bin(&layout->surge, period);

	histogram[(size_t)burst_bin * layout->surge.bins + surge_bin] += scale;
}

static void close_burst(const struct pronet_histogram_layout *layout, struct burst_state *burst,
                        float *pending, float scale, float *histogram)
{
	uint32_t bin = pronet_histogram_bin(&layout->burst, burst->bytes);

	if (burst->surge_period >= 0.0)
		count_burst(layout, scale, histogram, bin, burst->surge_period);
	else
		pending[bin] += scale;
	burst->open = 0;
}

static void close_surge(const struct pronet_histogram_layout *layout, double period, size_t surge,
                        struct burst_state *burst, float *pending, float *histogram)
{
	for (uint32_t b = 0; b < layout->burst.bins; b++)
		if (pending[b] != 0.0f) {
			count_burst(layout, pending[b], histogram, b, period);
			pending[b] = 0.0f;
		}
	if (burst->open && burst->surge == surge)
		burst->surge_period = period;
}

static void count_space_b(const struct pronet_histogram_layout *layout,
                          const struct pronet_packet_record *records, size_t begin, size_t end,
                          float scale, float *histogram)
{
	float pending[PRONET_HISTOGRAM_MAX_BINS] = {0};
	struct burst_state burst = {0, 0, 0.0, 0, -1.0};
	size_t surge = 0, surge_start = begin;

	for (size_t i = begin; i < end; i++) {
		if (i > begin && gap_before(records, i) > (double)layout->surge_gap_us) {
			close_surge(layout, period_between(records, surge_start, i - 1), surge,
			            &burst, pending, histogram);
			surge++;
			surge_start = i;
		}
		if (records[i].payload_length == 0)
			continue; /* pure ACKs, SYNs: not part of a burst */
		if (burst.open && burst.direction != records[i].direction)
			close_burst(layout, &burst, pending, scale, histogram);
		if (!burst.open)
			burst = (struct burst_state){1, records[i].direction, 0.0, surge, -1.0};
		burst.bytes += packet_size(&records[i]);
	}
	if (burst.open)
		close_burst(layout, &burst, pending, scale, histogram);
	if (end > begin)
		close_surge(layout, period_between(records, surge_start, end - 1), surge, &burst,
		            pending, histogram);
}

void pronet_histogram_window_features(const struct pronet_histogram_layout *layout,
                                      const struct pronet_packet_record *records, size_t begin,
                                      size_t end, float *features)
{
	float scale = end > begin ? 1.0f / (float)(end - begin) : 0.0f;

	memset(features, 0, layout->num_features * sizeof(float));
	if (layout->spaces & PRONET_HISTOGRAM_SPACE_A)
		count_space_a(layout, records, begin, end, scale, features);
	if (layout->spaces & PRONET_HISTOGRAM_SPACE_B)
		count_space_b(layout, records, begin, end, scale, features + layout->offset_b);
}
