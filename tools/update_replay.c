/* The replay reservoir of `pronet classify --update` (tools/update_replay.h). */
#include "tools/update_replay.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/rng.h"

struct replay_slot {
	struct pronet_packet_record record; /* bytes point into the reservoir's room */
	uint32_t origin;                    /* capture of an offer: one per offered capture */
	uint64_t flow;
	uint64_t order; /* offered as the order-th sample: a flow's packets stay in order */
};

struct update_replay {
	const struct pronet_model *model;
	struct pronet_input_spec spec;
	size_t window;             /* bytes of room per slot, at least 1 */
	size_t classes, per_class; /* slots of class c: [c * per_class, (c + 1) * per_class) */
	struct replay_slot *slots; /* [classes * per_class] */
	uint8_t *bytes;            /* [classes * per_class][window] */
	size_t *filled;            /* [classes] */
	uint64_t *seen;            /* [classes]: samples offered of each class */
	struct pronet_rng rng;
	uint32_t origins;              /* captures offered so far */
	uint64_t offered, not_a_class; /* samples offered, and left for lack of a class */
	uint64_t file_samples;         /* of them, from --update-replay's file */
	const char *file;              /* that file, NULL when none */
};

enum pronet_err update_replay_new(const struct pronet_model *model,
                                  const struct pronet_input_spec *spec, uint32_t per_class,
                                  uint32_t total, uint64_t seed, const char *file,
                                  struct update_replay **out, char *errbuf)
{
	size_t classes = pronet_model_num_classes(model);
	struct update_replay *replay;
	size_t slots;

	*out = NULL;
	if ((per_class == 0 || total == 0 || classes == 0) && file != NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "--update-replay with a replay of 0 samples");
	if (per_class == 0 || total == 0 || classes == 0)
		return PRONET_OK;
	replay = calloc(1, sizeof(*replay));
	if (replay == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	replay->model = model;
	replay->spec = *spec;
	replay->window = spec->window_bytes > 0 ? spec->window_bytes : 1;
	replay->classes = classes;
	/* The total bounds memory whatever the model's classes; every class
	 * gets at least one slot. */
	replay->per_class = total / classes < per_class ? total / classes : per_class;
	if (replay->per_class == 0)
		replay->per_class = 1;
	slots = classes * replay->per_class;
	pronet_rng_seed(&replay->rng, seed);
	replay->slots = calloc(slots, sizeof(*replay->slots));
	replay->bytes = malloc(slots * replay->window);
	replay->filled = calloc(classes, sizeof(*replay->filled));
	replay->seen = calloc(classes, sizeof(*replay->seen));
	if (!replay->slots || !replay->bytes || !replay->filled || !replay->seen) {
		update_replay_free(replay);
		return pronet_error(
		    errbuf, PRONET_ERR_NOMEM, "no memory for a replay of %zu samples of %zu bytes",
		    slots, spec->window_bytes > 0 ? (size_t)spec->window_bytes : (size_t)1);
	}
	if (file != NULL) {
		enum pronet_err err = update_replay_offer_file(replay, file, errbuf);

		if (err != PRONET_OK) {
			update_replay_free(replay);
			return err;
		}
	}
	*out = replay;
	return PRONET_OK;
}

void update_replay_free(struct update_replay *replay)
{
	if (replay == NULL)
		return;
	free(replay->slots);
	free(replay->bytes);
	free(replay->filled);
	free(replay->seen);
	free(replay);
}

/* Algorithm R for one sample of model class `c`: the slot it takes, or -1. */
static long choose_slot(struct update_replay *replay, size_t c)
{
	uint64_t seen = ++replay->seen[c];
	uint64_t j;

	if (replay->filled[c] < replay->per_class)
		return (long)replay->filled[c]++;
	j = pronet_rng_below(&replay->rng, seen);
	return j < replay->per_class ? (long)j : -1;
}

static void keep(struct update_replay *replay, size_t c, long at,
                 const struct pronet_packet_record *record, uint32_t origin, uint64_t flow)
{
	size_t index = c * replay->per_class + (size_t)at;
	struct replay_slot *slot = &replay->slots[index];
	uint8_t *room = replay->bytes + index * replay->window;
	size_t length = record->length;

	if (length > replay->spec.window_bytes)
		length = replay->spec.window_bytes;
	slot->record = *record;
	if (length > 0)
		memcpy(room, record->bytes, length);
	slot->record.bytes = room;
	slot->record.length = (uint16_t)length;
	slot->origin = origin;
	slot->flow = flow;
	slot->order = replay->offered;
}

enum pronet_err update_replay_offer(struct update_replay *replay, const struct pronet_dataset *data,
                                    size_t first, size_t count, char *errbuf)
{
	size_t room = pronet_dataset_record_bytes_max(data);
	uint8_t *bytes = malloc(room > 0 ? room : 1);
	int *model_class = malloc((data->num_classes + 1) * sizeof(*model_class));
	enum pronet_err err = PRONET_OK;

	if (bytes == NULL || model_class == NULL)
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	for (size_t c = 0; err == PRONET_OK && c < data->num_classes; c++)
		model_class[c] = pronet_model_find_class(replay->model, data->class_names[c]);
	for (size_t i = first; err == PRONET_OK && i < first + count && i < data->num_samples;
	     i++) {
		const struct pronet_sample *sample = &data->samples[i];
		struct pronet_packet_record record;
		int c = sample->label < data->num_classes ? model_class[sample->label] : -1;
		long at;

		if (c < 0) {
			replay->not_a_class++;
			continue;
		}
		at = choose_slot(replay, (size_t)c);
		if (at >= 0)
			err = pronet_dataset_record(data, i, bytes, &record, errbuf);
		if (at >= 0 && err == PRONET_OK)
			keep(replay, (size_t)c, at, &record, replay->origins + sample->capture,
			     sample->flow);
		replay->offered++;
	}
	replay->origins += (uint32_t)data->num_captures; /* the next offer's flows are others */
	free(bytes);
	free(model_class);
	return err;
}

enum pronet_err update_replay_offer_file(struct update_replay *replay, const char *path,
                                         char *errbuf)
{
	struct pronet_dataset *data = NULL;
	uint64_t before = replay->offered;
	struct pronet_input_spec need = replay->spec;
	enum pronet_err err =
	    pronet_dataset_load_streamed(path, PRONET_DATASET_CACHE_DEFAULT, &data, errbuf);

	/* The update's records are the model's window under the plugin's K;
	 * the dataset's need hold the model's window (K may differ). */
	need.packets_per_direction = 0;
	if (err == PRONET_OK)
		err = pronet_input_spec_covers(&data->spec, &need, path, errbuf);
	if (err == PRONET_OK)
		err = update_replay_offer(replay, data, 0, data->num_samples, errbuf);
	if (err == PRONET_OK && replay->offered == before)
		err =
		    pronet_error(errbuf, PRONET_ERR_FORMAT,
		                 "%s: no sample of a class the model has: nothing to replay", path);
	if (err == PRONET_OK) {
		replay->file_samples = replay->offered - before;
		replay->file = path;
	}
	pronet_dataset_free(data);
	return err;
}

/* Slots in flow order: by offered capture, flow, then order offered. */
static int compare_slots(const void *a, const void *b)
{
	const struct replay_slot *x = *(const struct replay_slot *const *)a;
	const struct replay_slot *y = *(const struct replay_slot *const *)b;

	if (x->origin != y->origin)
		return x->origin < y->origin ? -1 : 1;
	if (x->flow != y->flow)
		return x->flow < y->flow ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static enum pronet_err append_slot(const struct update_replay *replay, struct pronet_dataset *data,
                                   const struct replay_slot *slot, size_t c)
{
	char name[32];
	struct pronet_sample sample = {.input = slot->record, .flow = slot->flow};
	enum pronet_err err;

	snprintf(name, sizeof(name), "replay %u", (unsigned)slot->origin);
	err = pronet_dataset_intern_capture(data, name, &sample.capture);
	if (err == PRONET_OK)
		err = pronet_dataset_intern_class(data, pronet_model_class_name(replay->model, c),
		                                  &sample.label);
	if (err == PRONET_OK)
		err = pronet_dataset_append(data, &sample);
	return err;
}

enum pronet_err update_replay_append(const struct update_replay *replay,
                                     struct pronet_dataset *data, size_t *appended, char *errbuf)
{
	size_t total = replay->classes * replay->per_class, n = 0;
	const struct replay_slot **order = malloc((total + 1) * sizeof(*order));
	enum pronet_err err = order != NULL ? PRONET_OK : PRONET_ERR_NOMEM;

	*appended = 0;
	for (size_t c = 0; err == PRONET_OK && c < replay->classes; c++)
		for (size_t s = 0; s < replay->filled[c]; s++)
			order[n++] = &replay->slots[c * replay->per_class + s];
	if (err == PRONET_OK)
		qsort(order, n, sizeof(*order), compare_slots);
	for (size_t i = 0; err == PRONET_OK && i < n; i++) {
		size_t c = (size_t)(order[i] - replay->slots) / replay->per_class;

		err = append_slot(replay, data, order[i], c);
	}
	free(order);
	if (err != PRONET_OK)
		return pronet_error(errbuf, err, "update: no memory to replay %zu samples", n);
	*appended = n;
	return PRONET_OK;
}

void update_replay_print_summary(const struct update_replay *replay, FILE *out)
{
	size_t held = 0, classes = 0;

	if (replay == NULL) {
		fprintf(out, "update: no replay (each update trains on its own samples only)\n");
		return;
	}
	for (size_t c = 0; c < replay->classes; c++) {
		held += replay->filled[c];
		classes += replay->filled[c] > 0;
	}
	fprintf(out,
	        "update: replay of at most %zu samples per class: holds %zu of %zu classes (%zu "
	        "samples); offered %llu (%llu from %s), %llu not a model class\n",
	        replay->per_class, classes, replay->classes, held,
	        (unsigned long long)replay->offered, (unsigned long long)replay->file_samples,
	        replay->file != NULL ? replay->file : "no dataset",
	        (unsigned long long)replay->not_a_class);
}
