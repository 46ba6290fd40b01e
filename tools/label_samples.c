/* Dedup and per-class caps for `pronet label` (tools/label_samples.h). */
#include "config.h"

#include "tools/label_samples.h"

#include <stdlib.h>
#include <string.h>

#include "core/util/rng.h"
#include "core/arch/pronet_cnn/tokens.h"

/* A stored flow: samples[first .. first+count) of one label. */
struct stored_flow {
	size_t first, count;
	uint16_t label;
	uint8_t kept;
};

/* What makes two samples identical for the model: its bytes and length
 * (core/arch/pronet_cnn/tokens.h: the model sees nothing else), and the label. */
struct dedup_key {
	uint8_t bytes[PRONET_PAYLOAD_BYTES];
	uint8_t length;
	uint8_t used;
	uint16_t label;
};

struct label_samples {
	int dedup;
	struct dedup_key *keys; /* open addressing, power-of-two size */
	size_t num_keys, keys_capacity;
	struct pronet_sample *samples; /* bytes: NULL; theirs are at byte_offsets */
	size_t num_samples, samples_capacity;
	size_t *byte_offsets; /* [samples_capacity]: where each sample's bytes start */
	uint8_t *bytes;       /* the stored samples' bytes, one after another */
	size_t num_bytes, bytes_capacity;
	struct stored_flow *flows;
	size_t num_flows, flows_capacity;
};

struct label_samples *label_samples_new(int dedup)
{
	struct label_samples *samples = calloc(1, sizeof(*samples));
	if (samples != NULL)
		samples->dedup = dedup;
	return samples;
}

void label_samples_free(struct label_samples *samples)
{
	if (samples == NULL)
		return;
	free(samples->keys);
	free(samples->samples);
	free(samples->byte_offsets);
	free(samples->bytes);
	free(samples->flows);
	free(samples);
}

static struct dedup_key key_of(const struct pronet_sample *sample)
{
	struct dedup_key key;
	memset(&key, 0, sizeof(key));
	size_t length =
	    sample->input.length < sizeof(key.bytes) ? sample->input.length : sizeof(key.bytes);
	if (length > 0)
		memcpy(key.bytes, sample->input.bytes, length);
	key.length = (uint8_t)length;
	key.used = 1;
	key.label = sample->label;
	return key;
}

static size_t key_hash(const struct dedup_key *key)
{
	uint32_t hash = pronet_ngram_hash_fnv1a32(key->bytes, sizeof(key->bytes));
	uint64_t mixed = ((uint64_t)hash << 24) ^ ((uint64_t)key->length << 16) ^ key->label;
	return (size_t)pronet_splitmix64(&mixed);
}

static int same_key(const struct dedup_key *a, const struct dedup_key *b)
{
	return a->length == b->length && a->label == b->label &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Slot of `key`, or of the empty slot where it belongs. */
static size_t find_slot(const struct dedup_key *keys, size_t capacity, const struct dedup_key *key)
{
	size_t slot = key_hash(key) & (capacity - 1);
	while (keys[slot].used && !same_key(&keys[slot], key))
		slot = (slot + 1) & (capacity - 1);
	return slot;
}

static int grow_keys(struct label_samples *samples)
{
	size_t capacity = samples->keys_capacity ? 2 * samples->keys_capacity : 4096;
	struct dedup_key *keys = calloc(capacity, sizeof(*keys));
	if (keys == NULL)
		return -1;
	for (size_t i = 0; i < samples->keys_capacity; i++)
		if (samples->keys[i].used)
			keys[find_slot(keys, capacity, &samples->keys[i])] = samples->keys[i];
	free(samples->keys);
	samples->keys = keys;
	samples->keys_capacity = capacity;
	return 0;
}

int label_samples_seen(struct label_samples *samples, const struct pronet_sample *sample)
{
	if (!samples->dedup)
		return 0;
	/* At most half full, so probing ends. */
	if (2 * (samples->num_keys + 1) > samples->keys_capacity && grow_keys(samples) != 0)
		return -1;
	struct dedup_key key = key_of(sample);
	size_t slot = find_slot(samples->keys, samples->keys_capacity, &key);
	if (samples->keys[slot].used)
		return 1;
	samples->keys[slot] = key;
	samples->num_keys++;
	return 0;
}

static int reserve(void **items, size_t *capacity, size_t needed, size_t item_size)
{
	if (needed <= *capacity)
		return 0;
	size_t grown = *capacity ? *capacity : 1024;
	while (grown < needed)
		grown *= 2;
	void *bigger = realloc(*items, grown * item_size);
	if (bigger == NULL)
		return -1;
	*items = bigger;
	*capacity = grown;
	return 0;
}

int label_samples_store_flow(struct label_samples *samples,
                             const struct pronet_sample *flow_samples, size_t count)
{
	size_t bytes = 0, offsets_capacity = samples->samples_capacity;
	if (count == 0)
		return 0;
	for (size_t i = 0; i < count; i++)
		bytes += flow_samples[i].input.length;
	if (reserve((void **)&samples->byte_offsets, &offsets_capacity,
	            samples->num_samples + count, sizeof(*samples->byte_offsets)) != 0 ||
	    reserve((void **)&samples->bytes, &samples->bytes_capacity, samples->num_bytes + bytes,
	            1) != 0 ||
	    reserve((void **)&samples->samples, &samples->samples_capacity,
	            samples->num_samples + count, sizeof(*samples->samples)) != 0 ||
	    reserve((void **)&samples->flows, &samples->flows_capacity, samples->num_flows + 1,
	            sizeof(*samples->flows)) != 0)
		return -1;
	memcpy(samples->samples + samples->num_samples, flow_samples,
	       count * sizeof(*flow_samples));
	for (size_t i = 0; i < count; i++) {
		struct pronet_sample *stored = &samples->samples[samples->num_samples + i];
		samples->byte_offsets[samples->num_samples + i] = samples->num_bytes;
		if (stored->input.length > 0)
			memcpy(samples->bytes + samples->num_bytes, stored->input.bytes,
			       stored->input.length);
		samples->num_bytes += stored->input.length;
		stored->input.bytes = NULL;
	}
	samples->flows[samples->num_flows++] = (struct stored_flow){.first = samples->num_samples,
	                                                            .count = count,
	                                                            .label = flow_samples[0].label,
	                                                            .kept = 1};
	samples->num_samples += count;
	return 0;
}

int label_samples_cap(struct label_samples *samples, size_t num_labels, uint64_t max_per_class,
                      uint64_t seed, uint64_t *dropped_flows, uint64_t *dropped_samples)
{
	memset(dropped_flows, 0, num_labels * sizeof(*dropped_flows));
	memset(dropped_samples, 0, num_labels * sizeof(*dropped_samples));
	size_t *order = malloc((samples->num_flows + 1) * sizeof(*order));
	if (order == NULL)
		return -1;
	for (size_t label = 0; label < num_labels; label++) {
		size_t n = 0;
		uint64_t total = 0;
		for (size_t f = 0; f < samples->num_flows; f++)
			if (samples->flows[f].label == label) {
				order[n++] = f;
				total += samples->flows[f].count;
			}
		if (total <= max_per_class)
			continue;
		/* One stream per label, so a label's subset does not depend on
		 * how many other labels were capped before it. */
		struct pronet_rng rng;
		pronet_rng_seed(&rng, seed ^ (0x9e3779b97f4a7c15ull * (label + 1)));
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)pronet_rng_below(&rng, i);
			size_t swap = order[i - 1];
			order[i - 1] = order[j];
			order[j] = swap;
		}
		uint64_t kept = 0;
		for (size_t i = 0; i < n; i++) {
			struct stored_flow *flow = &samples->flows[order[i]];
			if (kept + flow->count <= max_per_class) {
				kept += flow->count;
			} else {
				flow->kept = 0;
				dropped_flows[label]++;
				dropped_samples[label] += flow->count;
			}
		}
	}
	free(order);
	return 0;
}

size_t label_samples_count(const struct label_samples *samples)
{
	return samples->num_samples;
}

int label_samples_get(const struct label_samples *samples, size_t i, struct pronet_sample *out)
{
	/* Flows are stored in sample order: binary search for the owner. */
	size_t low = 0, high = samples->num_flows;
	while (high - low > 1) {
		size_t middle = (low + high) / 2;
		if (samples->flows[middle].first <= i)
			low = middle;
		else
			high = middle;
	}
	if (i >= samples->num_samples || !samples->flows[low].kept)
		return 0;
	*out = samples->samples[i];
	out->input.bytes = samples->bytes + samples->byte_offsets[i];
	return 1;
}
