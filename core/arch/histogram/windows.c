/* The training windows of a histogram fit (histogram.h): the training
 * samples grouped into flows, each flow cut into windows, each window's
 * features one row. */
#include <stdlib.h>
#include <string.h>

#include "core/arch/histogram/histogram.h"
#include "core/data/flows.h"
#include "core/model/model_internal.h"
#include "core/util/rng.h"

void pronet_histogram_windows_free(struct pronet_histogram_windows *windows)
{
	free(windows->features);
	free(windows->labels);
	memset(windows, 0, sizeof(*windows));
}

/* The training samples of each flow, in flow order, as one record array. */
struct gather {
	const struct pronet_dataset *data;
	const struct pronet_flows *flows;
	const uint8_t *chosen; /* [num_samples]: 1 if a training sample */
	struct pronet_packet_record *records;
};

static size_t gather_flow(struct gather *g, size_t flow)
{
	size_t n = 0;

	for (size_t k = g->flows->start[flow]; k < g->flows->start[flow + 1]; k++) {
		size_t sample = g->flows->samples[k];

		if (g->chosen[sample])
			g->records[n++] = g->data->samples[sample].input;
	}
	return n;
}

/* Keeps at most max windows of each class, drawn by a seeded partial
 * Fisher-Yates, in their original order. */
static void keep_per_class(struct pronet_histogram_windows *set, uint8_t *keep, size_t *members,
                           size_t classes, uint32_t max, uint64_t seed)
{
	struct pronet_rng rng;

	pronet_rng_seed(&rng, seed ^ 0x68697374u); /* "hist": apart from other draws */
	memset(keep, 1, set->count);
	for (size_t c = 0; c < classes; c++) {
		size_t n = 0;

		for (size_t i = 0; i < set->count; i++)
			if (set->labels[i] == c)
				members[n++] = i;
		for (size_t i = 0; i < n && i < max; i++) {
			size_t j = i + (size_t)pronet_rng_below(&rng, n - i), swap = members[i];

			members[i] = members[j];
			members[j] = swap;
		}
		for (size_t i = max; i < n; i++)
			keep[members[i]] = 0;
	}
}

static void compact(struct pronet_histogram_windows *set, const uint8_t *keep)
{
	size_t kept = 0, f = set->num_features;

	for (size_t i = 0; i < set->count; i++) {
		if (!keep[i])
			continue;
		memmove(set->features + kept * f, set->features + i * f, f * sizeof(float));
		set->labels[kept++] = set->labels[i];
	}
	set->count = kept;
}

/* The model class of each flow trained on: its first training sample's
 * (pronet_train mapped them by name; a flow has one label). */
static void flow_classes(struct gather *g, const uint32_t *labels, uint32_t *classes)
{
	for (size_t i = 0; i < g->flows->num_flows; i++) {
		classes[i] = UINT32_MAX;
		for (size_t k = g->flows->start[i]; k < g->flows->start[i + 1]; k++)
			if (g->chosen[g->flows->samples[k]]) {
				classes[i] = labels[g->flows->samples[k]];
				break;
			}
	}
}

static enum pronet_err fill(const struct pronet_model *model, struct gather *g,
                            const uint32_t *classes, struct pronet_histogram_windows *out,
                            char *errbuf)
{
	const struct pronet_histogram_layout *layout = &pronet_histogram_state(model)->layout;
	size_t count = 0;

	for (size_t i = 0; i < g->flows->num_flows; i++)
		count += pronet_histogram_num_windows(layout, gather_flow(g, i));
	out->num_features = layout->num_features;
	out->features = malloc((count ? count : 1) * layout->num_features * sizeof(float));
	out->labels = malloc((count ? count : 1) * sizeof(uint32_t));
	if (out->features == NULL || out->labels == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for %zu training windows",
		                    count);
	for (size_t i = 0; i < g->flows->num_flows; i++) {
		size_t n = gather_flow(g, i), windows = pronet_histogram_num_windows(layout, n);

		for (size_t w = 0; w < windows; w++) {
			size_t begin, end;

			pronet_histogram_window_range(layout, n, w, &begin, &end);
			pronet_histogram_window_features(layout, g->records, begin, end,
			                                 out->features +
			                                     out->count * out->num_features);
			out->labels[out->count++] = classes[i];
		}
	}
	if (out->count == 0)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "no training windows (no training flows)");
	return PRONET_OK;
}

enum pronet_err pronet_histogram_windows_build(const struct pronet_model *model,
                                               const struct pronet_dataset *data,
                                               const uint32_t *labels,
                                               const struct pronet_train_options *options,
                                               struct pronet_histogram_windows *out, char *errbuf)
{
	struct pronet_flows *flows = NULL;
	struct gather g = {data, NULL, NULL, NULL};
	uint8_t *chosen = calloc(data->num_samples ? data->num_samples : 1, 1);
	uint32_t *classes = NULL;
	uint8_t *keep = NULL;
	enum pronet_err err;

	memset(out, 0, sizeof(*out));
	err = chosen ? pronet_flows_index(data, &flows, errbuf)
	             : pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the training set");
	if (err == PRONET_OK) {
		classes = malloc((flows->num_flows ? flows->num_flows : 1) * sizeof(*classes));
		g.records =
		    malloc((data->num_samples ? data->num_samples : 1) * sizeof(*g.records));
		if (classes == NULL || g.records == NULL)
			err = pronet_error(errbuf, PRONET_ERR_NOMEM,
			                   "no memory for the training set");
	}
	if (err == PRONET_OK) {
		for (size_t i = 0; i < (options->train_indices ? options->num_train : 0); i++)
			if (options->train_indices[i] < data->num_samples)
				chosen[options->train_indices[i]] = 1;
		if (options->train_indices == NULL)
			memset(chosen, 1, data->num_samples);
		g.flows = flows;
		g.chosen = chosen;
		flow_classes(&g, labels, classes);
	}
	if (err == PRONET_OK)
		err = fill(model, &g, classes, out, errbuf);
	if (err == PRONET_OK && options->max_per_class > 0) {
		size_t *members = malloc(out->count * sizeof(*members));

		keep = malloc(out->count);
		if (keep == NULL || members == NULL)
			err = pronet_error(errbuf, PRONET_ERR_NOMEM,
			                   "no memory for the training set");
		else {
			keep_per_class(out, keep, members, model->num_classes,
			               options->max_per_class, options->seed);
			compact(out, keep);
		}
		free(members);
	}
	free(keep);
	free(g.records);
	free(classes);
	free(chosen);
	pronet_flows_free(flows);
	if (err != PRONET_OK)
		pronet_histogram_windows_free(out);
	return err;
}
