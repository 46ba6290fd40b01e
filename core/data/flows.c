/* A dataset's samples grouped by flow (core/data/flows.h). */
#include "core/data/flows.h"

#include <stdlib.h>
#include <string.h>

/* A sample's sort key, self-contained so qsort needs no context. */
struct flow_key {
	uint32_t capture;
	uint64_t flow;
	uint32_t packet_index; /* the record's whole index: a v2 flow may pass 255 */
	size_t sample;
};

static int by_flow_then_packet(const void *x, const void *y)
{
	const struct flow_key *a = x, *b = y;

	if (a->capture != b->capture)
		return a->capture < b->capture ? -1 : 1;
	if (a->flow != b->flow)
		return a->flow < b->flow ? -1 : 1;
	if (a->packet_index != b->packet_index)
		return a->packet_index < b->packet_index ? -1 : 1;
	return (a->sample > b->sample) - (a->sample < b->sample);
}

void pronet_flows_free(struct pronet_flows *flows)
{
	if (flows == NULL)
		return;
	free(flows->samples);
	free(flows->start);
	free(flows->label);
	free(flows->capture);
	free(flows);
}

static enum pronet_err group_flows(const struct pronet_dataset *data, const struct flow_key *keys,
                                   struct pronet_flows *f, char *errbuf)
{
	size_t n = data->num_samples;

	f->num_flows = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pronet_sample *s = &data->samples[keys[i].sample];
		int new_flow = i == 0 || keys[i].capture != keys[i - 1].capture ||
		               keys[i].flow != keys[i - 1].flow;

		f->samples[i] = keys[i].sample;
		if (new_flow) {
			f->start[f->num_flows] = i;
			f->label[f->num_flows] = s->label;
			f->capture[f->num_flows++] = s->capture;
		} else if (s->label != f->label[f->num_flows - 1]) {
			return pronet_error(errbuf, PRONET_ERR_FORMAT,
			                    "flow %llu of capture %s has samples of two classes",
			                    (unsigned long long)s->flow,
			                    data->capture_names[s->capture]);
		}
	}
	f->start[f->num_flows] = n;
	return PRONET_OK;
}

enum pronet_err pronet_flows_index(const struct pronet_dataset *data, struct pronet_flows **out,
                                   char *errbuf)
{
	size_t n = data->num_samples, cells = n > 0 ? n : 1;
	struct pronet_flows *f = calloc(1, sizeof(*f));
	struct flow_key *keys = malloc(cells * sizeof(*keys));
	enum pronet_err err;

	*out = NULL;
	if (f != NULL) {
		f->samples = malloc(cells * sizeof(*f->samples));
		f->start = malloc((n + 1) * sizeof(*f->start));
		f->label = malloc(cells * sizeof(*f->label));
		f->capture = malloc(cells * sizeof(*f->capture));
	}
	if (f == NULL || keys == NULL || !f->samples || !f->start || !f->label || !f->capture) {
		free(keys);
		pronet_flows_free(f);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to index %zu samples", n);
	}
	for (size_t i = 0; i < n; i++) {
		keys[i].capture = data->samples[i].capture;
		keys[i].flow = data->samples[i].flow;
		keys[i].packet_index = data->samples[i].input.packet_index;
		keys[i].sample = i;
	}
	qsort(keys, n, sizeof(*keys), by_flow_then_packet);
	err = group_flows(data, keys, f, errbuf);
	free(keys);
	if (err != PRONET_OK) {
		pronet_flows_free(f);
		return err;
	}
	*out = f;
	return PRONET_OK;
}

enum pronet_err pronet_flows_gather_inputs(const struct pronet_dataset *data,
                                           const struct pronet_flows *flows, size_t flow,
                                           uint32_t flow_packets, size_t capacity,
                                           struct pronet_packet_record *inputs, uint8_t *bytes,
                                           size_t *gathered, char *errbuf)
{
	size_t count = flows->start[flow + 1] - flows->start[flow];
	size_t stride = pronet_flows_bytes_per_input(data);
	enum pronet_err err = PRONET_OK;

	if (flow_packets != 0 && count > flow_packets)
		count = flow_packets;
	if (count > capacity)
		count = capacity;
	for (size_t i = 0; err == PRONET_OK && i < count; i++)
		err = pronet_dataset_record(data, flows->samples[flows->start[flow] + i],
		                            bytes != NULL ? bytes + i * stride : NULL, &inputs[i],
		                            errbuf);
	*gathered = err == PRONET_OK ? count : 0;
	return err;
}

size_t pronet_flows_bytes_per_input(const struct pronet_dataset *data)
{
	return pronet_dataset_is_streamed(data) ? pronet_dataset_record_bytes_max(data) : 0;
}

size_t pronet_flows_longest(const struct pronet_flows *flows)
{
	size_t longest = 0;

	for (size_t f = 0; f < flows->num_flows; f++)
		if (flows->start[f + 1] - flows->start[f] > longest)
			longest = flows->start[f + 1] - flows->start[f];
	return longest;
}
