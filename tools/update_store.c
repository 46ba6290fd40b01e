/* The bounded sample store of `pronet classify --update` (tools/update_store.h). */
#include "tools/update_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct update_store {
	struct pronet_input_spec spec;
	size_t window; /* bytes of room per record: spec.window_bytes, at least 1 */
	size_t capacity, used;
	struct pronet_packet_record *records; /* [capacity]; bytes point into `bytes` */
	uint8_t *bytes;                       /* [capacity][window] */
	uint16_t *label;                      /* [capacity]: model class */
	uint32_t *capture;                    /* [capacity] */
	uint64_t *flow;                       /* [capacity]: the flow's number in the store */
	size_t flows;
};

enum pronet_err update_store_new(size_t capacity, const struct pronet_input_spec *spec,
                                 struct update_store **out, char *errbuf)
{
	struct update_store *store = calloc(1, sizeof(*store));

	*out = NULL;
	if (store == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	store->spec = *spec;
	store->window = spec->window_bytes > 0 ? spec->window_bytes : 1;
	store->capacity = capacity > 0 ? capacity : 1;
	if (store->capacity > SIZE_MAX / store->window / 2) {
		free(store);
		return pronet_error(errbuf, PRONET_ERR_LIMIT,
		                    "update store of %zu samples: too big", capacity);
	}
	store->records = calloc(store->capacity, sizeof(*store->records));
	store->bytes = malloc(store->capacity * store->window);
	store->label = malloc(store->capacity * sizeof(*store->label));
	store->capture = malloc(store->capacity * sizeof(*store->capture));
	store->flow = malloc(store->capacity * sizeof(*store->flow));
	if (!store->records || !store->bytes || !store->label || !store->capture || !store->flow) {
		size_t window = store->window;

		update_store_free(store);
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "no memory for an update store of %zu samples of %zu bytes",
		                    capacity, window);
	}
	*out = store;
	return PRONET_OK;
}

void update_store_free(struct update_store *store)
{
	if (store == NULL)
		return;
	free(store->records);
	free(store->bytes);
	free(store->label);
	free(store->capture);
	free(store->flow);
	free(store);
}

int update_store_add_flow(struct update_store *store, const struct pronet_packet_record *records,
                          size_t count, uint16_t label, uint32_t capture)
{
	if (count == 0 || count > store->capacity - store->used)
		return 0;
	for (size_t i = 0; i < count; i++) {
		size_t at = store->used + i;
		struct pronet_packet_record *record = &store->records[at];
		uint8_t *room = store->bytes + at * store->window;
		size_t length = records[i].length;

		if (length > store->spec.window_bytes) /* the flow table keeps at most the window */
			length = store->spec.window_bytes;
		*record = records[i];
		if (length > 0)
			memcpy(room, records[i].bytes, length);
		record->bytes = room;
		record->length = (uint16_t)length;
		store->label[at] = label;
		store->capture[at] = capture;
		store->flow[at] = store->flows;
	}
	store->used += count;
	store->flows++;
	return 1;
}

size_t update_store_samples(const struct update_store *store)
{
	return store->used;
}

size_t update_store_flows(const struct update_store *store)
{
	return store->flows;
}

void update_store_clear(struct update_store *store)
{
	store->used = 0;
	store->flows = 0;
}

/* Capture numbers as names ("3"): a capture's flows stay together in the
 * dataset (core/data/flows.h keys flows by capture and number). */
static enum pronet_err intern_captures(struct pronet_dataset *data,
                                       const struct update_store *store, uint32_t *index)
{
	for (size_t i = 0; i < store->used; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%u", (unsigned)store->capture[i]);
		if (pronet_dataset_intern_capture(data, name, &index[i]) != PRONET_OK)
			return PRONET_ERR_NOMEM;
	}
	return PRONET_OK;
}

enum pronet_err update_store_dataset(const struct update_store *store,
                                     const struct pronet_model *model, struct pronet_dataset **out,
                                     char *errbuf)
{
	struct pronet_dataset *data = pronet_dataset_new();
	uint32_t *captures = malloc((store->used + 1) * sizeof(*captures));
	enum pronet_err err = data != NULL && captures != NULL ? PRONET_OK : PRONET_ERR_NOMEM;

	*out = NULL;
	for (size_t c = 0; err == PRONET_OK && c < pronet_model_num_classes(model); c++) {
		uint16_t index;

		err = pronet_dataset_intern_class(data, pronet_model_class_name(model, c), &index);
	}
	if (err == PRONET_OK) {
		data->spec = store->spec;
		err = intern_captures(data, store, captures);
	}
	for (size_t i = 0; err == PRONET_OK && i < store->used; i++) {
		struct pronet_sample sample = {.input = store->records[i],
		                               .label = store->label[i],
		                               .capture = captures[i],
		                               .flow = store->flow[i]};

		err = pronet_dataset_append(data, &sample);
	}
	free(captures);
	if (err != PRONET_OK) {
		pronet_dataset_free(data);
		return pronet_error(errbuf, err, "update: no memory for a dataset of %zu samples",
		                    store->used);
	}
	*out = data;
	return PRONET_OK;
}
