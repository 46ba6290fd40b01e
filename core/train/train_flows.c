/* The training units of a per-flow family (train_flows.h). */
#include "core/train/train_flows.h"

#include <stdlib.h>
#include <string.h>

#include "core/data/flows.h"

void pronet_train_flows_free(struct pronet_train_flows *f)
{
	if (f == NULL)
		return;
	free(f->records);
	free(f->offset);
	free(f->length);
	free(f->train);
	free(f->validation);
	memset(f, 0, sizeof(*f));
}

/* Appends flow `flow`'s samples marked `side` (1 training, 2 validation) as
 * one unit; nothing when it has none. */
static void add_unit(const struct pronet_dataset *data, const struct pronet_flows *flows,
                     size_t flow, const uint8_t *side, uint8_t which, size_t *used,
                     struct pronet_train_flows *f, size_t *units, size_t *count)
{
	size_t first = SIZE_MAX, begin = *used;

	for (size_t k = flows->start[flow]; k < flows->start[flow + 1]; k++) {
		size_t sample = flows->samples[k];

		if (side[sample] != which)
			continue;
		if (first == SIZE_MAX)
			first = sample;
		f->records[(*used)++] = data->samples[sample].input;
	}
	if (first == SIZE_MAX)
		return;
	f->offset[first] = begin;
	f->length[first] = *used - begin;
	units[(*count)++] = first;
}

enum pronet_err pronet_train_flows_build(const struct pronet_dataset *data,
                                         const struct pronet_train_options *o,
                                         struct pronet_train_flows *f, char *errbuf)
{
	size_t n = data->num_samples ? data->num_samples : 1, used = 0;
	struct pronet_flows *flows = NULL;
	uint8_t *side = calloc(n, 1);
	enum pronet_err err;

	memset(f, 0, sizeof(*f));
	f->records = malloc(n * sizeof(*f->records));
	f->offset = calloc(n, sizeof(*f->offset));
	f->length = calloc(n, sizeof(*f->length));
	f->train = malloc(n * sizeof(*f->train));
	f->validation = malloc(n * sizeof(*f->validation));
	if (side == NULL || !f->records || !f->offset || !f->length || !f->train ||
	    !f->validation) {
		free(side);
		pronet_train_flows_free(f);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory to group %zu samples",
		                    data->num_samples);
	}
	/* Indexes were range-checked by pronet_train. */
	if (o->train_indices == NULL)
		memset(side, 1, data->num_samples);
	for (size_t i = 0; o->train_indices != NULL && i < o->num_train; i++)
		side[o->train_indices[i]] = 1;
	for (size_t i = 0; o->validation_indices != NULL && i < o->num_validation; i++)
		side[o->validation_indices[i]] = 2;
	err = pronet_flows_index(data, &flows, errbuf);
	for (size_t i = 0; err == PRONET_OK && i < flows->num_flows; i++) {
		add_unit(data, flows, i, side, 1, &used, f, f->train, &f->num_train);
		add_unit(data, flows, i, side, 2, &used, f, f->validation, &f->num_validation);
	}
	pronet_flows_free(flows);
	free(side);
	if (err != PRONET_OK)
		pronet_train_flows_free(f);
	return err;
}
