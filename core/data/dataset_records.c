/* A dataset's records for those that read them (training, evaluation,
 * calibration, pretraining): the one accessor of a record's bytes, whether
 * the dataset is in memory or streamed from its file
 * (core/data/dataset_stream.c), and subsets that keep the kind. */
#include "core/data/dataset.h"

#include "core/data/dataset_format.h"

enum pronet_err pronet_dataset_record(const struct pronet_dataset *dataset, size_t index,
                                      uint8_t *bytes, struct pronet_packet_record *out,
                                      char *errbuf)
{
	if (dataset == NULL || out == NULL || index >= dataset->num_samples)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_dataset_record: bad argument");
	*out = dataset->samples[index].input;
	if (dataset->source == NULL || out->length == 0)
		return PRONET_OK;
	if (bytes == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_dataset_record: a streamed dataset needs a buffer");
	out->bytes = bytes;
	return pronet_dataset_source_read(dataset->source, dataset->byte_offsets[index],
	                                  out->length, bytes, errbuf);
}

size_t pronet_dataset_record_bytes_max(const struct pronet_dataset *dataset)
{
	size_t longest = dataset->spec.window_bytes;

	/* A dataset built in memory may hold longer records than its spec. */
	for (size_t i = 0; dataset->source == NULL && i < dataset->num_samples; i++)
		if (dataset->samples[i].input.length > longest)
			longest = dataset->samples[i].input.length;
	return longest;
}

int pronet_dataset_is_streamed(const struct pronet_dataset *dataset)
{
	return dataset->source != NULL;
}

static enum pronet_err subset_fill(const struct pronet_dataset *dataset, const uint8_t *keep,
                                   struct pronet_dataset *out)
{
	enum pronet_err err = PRONET_OK;
	uint16_t class_index;
	uint32_t capture_index;

	out->spec = dataset->spec;
	for (size_t i = 0; err == PRONET_OK && i < dataset->num_classes; i++)
		err = pronet_dataset_intern_class(out, dataset->class_names[i], &class_index);
	for (size_t i = 0; err == PRONET_OK && i < dataset->num_captures; i++)
		err = pronet_dataset_intern_capture(out, dataset->capture_names[i], &capture_index);
	if (dataset->source != NULL)
		out->source = pronet_dataset_source_share(dataset->source);
	for (size_t i = 0; err == PRONET_OK && i < dataset->num_samples; i++) {
		if (!keep[i])
			continue;
		if (dataset->source != NULL)
			err = pronet_dataset_source_keep(out->source, out, &dataset->samples[i],
			                                 dataset->byte_offsets[i]);
		else
			err = pronet_dataset_append(out, &dataset->samples[i]);
	}
	return err;
}

enum pronet_err pronet_dataset_subset(const struct pronet_dataset *dataset, const uint8_t *keep,
                                      struct pronet_dataset **out, char *errbuf)
{
	struct pronet_dataset *subset;
	enum pronet_err err;

	if (dataset == NULL || keep == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG, "pronet_dataset_subset: bad argument");
	*out = NULL;
	subset = pronet_dataset_new();
	if (subset == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for a dataset");
	err = subset_fill(dataset, keep, subset);
	if (err != PRONET_OK) {
		pronet_dataset_free(subset);
		return pronet_error(errbuf, err, "no memory for a subset of %zu samples",
		                    dataset->num_samples);
	}
	*out = subset;
	return PRONET_OK;
}
