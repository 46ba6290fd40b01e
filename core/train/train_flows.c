/* The training units of a per-flow family and their records (train_flows.h). */
#include "core/train/train_flows.h"

#include <stdlib.h>
#include <string.h>

#include "core/data/flows.h"

void pronet_train_flows_free(struct pronet_train_flows *f)
{
	if (f == NULL)
		return;
	free(f->members);
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
		f->members[(*used)++] = sample;
	}
	if (first == SIZE_MAX)
		return;
	f->offset[first] = begin;
	f->length[first] = *used - begin;
	if (f->length[first] > f->longest)
		f->longest = f->length[first];
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
	f->members = malloc(n * sizeof(*f->members));
	f->offset = calloc(n, sizeof(*f->offset));
	f->length = calloc(n, sizeof(*f->length));
	f->train = malloc(n * sizeof(*f->train));
	f->validation = malloc(n * sizeof(*f->validation));
	if (side == NULL || !f->members || !f->offset || !f->length || !f->train ||
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

void pronet_flow_records_free(struct pronet_flow_records *room)
{
	if (room == NULL)
		return;
	free(room->records);
	free(room->bytes);
	memset(room, 0, sizeof(*room));
}

enum pronet_err pronet_flow_records_init(struct pronet_flow_records *room,
                                         const struct pronet_dataset *data,
                                         const struct pronet_train_flows *flows)
{
	size_t longest = flows->longest > 0 ? flows->longest : 1;

	memset(room, 0, sizeof(*room));
	/* In memory a record's bytes stay in the dataset: no copies. */
	room->record_bytes =
	    pronet_dataset_is_streamed(data) ? pronet_dataset_record_bytes_max(data) : 0;
	room->records = malloc(longest * sizeof(*room->records));
	room->bytes = malloc(longest * room->record_bytes + 1);
	if (room->records == NULL || room->bytes == NULL) {
		pronet_flow_records_free(room);
		return PRONET_ERR_NOMEM;
	}
	return PRONET_OK;
}

enum pronet_err pronet_train_flows_gather(const struct pronet_dataset *data,
                                          const struct pronet_train_flows *flows, size_t unit,
                                          struct pronet_flow_records *room, char *errbuf)
{
	const size_t *member = flows->members + flows->offset[unit];
	enum pronet_err err = PRONET_OK;

	for (size_t k = 0; err == PRONET_OK && k < flows->length[unit]; k++)
		err = pronet_dataset_record(data, member[k], room->bytes + k * room->record_bytes,
		                            &room->records[k], errbuf);
	return err;
}
