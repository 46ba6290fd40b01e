/* A dataset larger than memory: the file is checked and indexed in one pass
 * through a sliding window (the loader's own parser and cursor), and the
 * records' bytes are read later, on demand, through a bounded block cache.
 *
 * Why a block cache rather than mmap: the process's resident record bytes
 * are then ours to count and bound (at most cache_bytes, whole blocks), on
 * any file size; a record is copied out of the cache into the caller's
 * buffer under the cache's lock, so no block is pinned while a caller
 * trains on it, and eviction never invalidates what a caller holds. The
 * kernel's page cache may still hold the file, but that memory is the
 * kernel's to reclaim. Blocks are evicted by the clock (second chance)
 * rule: flows are contiguous in the file, so evaluation's flow-by-flow
 * reads hit the block just loaded; training's shuffled reads hit when the
 * cache is large enough for the file. */
#include "core/data/dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/data/dataset_format.h"

/* The index pass's window: above the longest thing need() asks for at once
 * (a 4096-byte capture name, a 1530-byte record). */
#define WINDOW_BYTES ((size_t)1 << 20)
#define NO_SLOT UINT32_MAX

struct block_slot {
	size_t block;       /* file offset / PRONET_DATASET_BLOCK_BYTES */
	uint8_t *bytes;     /* PRONET_DATASET_BLOCK_BYTES, allocated on first use */
	uint8_t referenced; /* the clock's second chance */
};

struct pronet_dataset_source {
	int fd;
	char *name;
	size_t file_size;
	size_t holders;       /* datasets reading through it (a dataset and its subsets) */
	uint8_t *window;      /* the index pass's, freed when it ends */
	pthread_mutex_t lock; /* the cache below */
	struct block_slot *slots;
	size_t num_slots, slots_used, hand;
	uint32_t *slot_of_block; /* [num_blocks]: NO_SLOT when not cached */
	size_t num_blocks;
};

void pronet_dataset_source_free(struct pronet_dataset_source *source)
{
	if (source == NULL || --source->holders > 0)
		return;
	if (source->fd >= 0)
		close(source->fd);
	for (size_t i = 0; i < source->slots_used; i++)
		free(source->slots[i].bytes);
	free(source->slots);
	free(source->slot_of_block);
	free(source->window);
	free(source->name);
	pthread_mutex_destroy(&source->lock);
	free(source);
}

/* `count` bytes at `offset` of the file, all of them, or an error naming
 * where the file ended or failed. */
static enum pronet_err read_at(const struct pronet_dataset_source *source, size_t offset,
                               uint8_t *bytes, size_t count, char *errbuf)
{
	size_t done = 0;

	while (done < count) {
		ssize_t got = pread(source->fd, bytes + done, count - done, (off_t)(offset + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return pronet_error_errno(errbuf, PRONET_ERR_IO, errno,
			                          "%s: offset %zu: cannot read", source->name,
			                          offset + done);
		if (got == 0)
			return pronet_error(
			    errbuf, PRONET_ERR_TRUNCATED,
			    "%s: offset %zu: truncated: the file ends before the %zu "
			    "bytes its index expects (changed since it was read?)",
			    source->name, offset + done, count - done);
		done += (size_t)got;
	}
	return PRONET_OK;
}

enum pronet_err pronet_dataset_refill(struct pronet_dataset_cursor *cursor, size_t count)
{
	struct pronet_dataset_source *source = cursor->source;
	size_t kept, wanted;
	enum pronet_err err;

	/* Only a streamed cursor's window is partial; need() checked the size. */
	if (source == NULL || count > WINDOW_BYTES)
		return pronet_error(cursor->errbuf, PRONET_ERR_ARG,
		                    "%s: offset %zu: %zu bytes asked at once", cursor->name,
		                    cursor->offset, count);
	cursor->crc = pronet_dataset_crc_so_far(cursor);
	kept = cursor->base + cursor->length - cursor->offset;
	memmove(source->window, pronet_dataset_here(cursor), kept);
	cursor->base = cursor->offset;
	cursor->data = source->window;
	wanted = cursor->size - cursor->base;
	if (wanted > WINDOW_BYTES)
		wanted = WINDOW_BYTES;
	err = read_at(source, cursor->base + kept, source->window + kept, wanted - kept,
	              cursor->errbuf);
	cursor->length = err == PRONET_OK ? wanted : kept;
	return err;
}

enum pronet_err pronet_dataset_source_keep(struct pronet_dataset_source *source,
                                           struct pronet_dataset *dataset,
                                           const struct pronet_sample *sample, size_t offset)
{
	struct pronet_sample entry = *sample;

	(void)source;
	if (dataset->num_samples == dataset->byte_offsets_capacity) {
		size_t capacity =
		    dataset->byte_offsets_capacity ? dataset->byte_offsets_capacity * 2 : 64;
		size_t *grown = capacity <= SIZE_MAX / sizeof(*grown)
		                    ? realloc(dataset->byte_offsets, capacity * sizeof(*grown))
		                    : NULL;

		if (grown == NULL)
			return PRONET_ERR_NOMEM;
		dataset->byte_offsets = grown;
		dataset->byte_offsets_capacity = capacity;
	}
	dataset->byte_offsets[dataset->num_samples] = offset;
	entry.input.bytes = NULL;
	return pronet_dataset_append_index(dataset, &entry);
}

struct pronet_dataset_source *pronet_dataset_source_share(struct pronet_dataset_source *source)
{
	source->holders++;
	return source;
}

/* Under the lock: the slot holding `block`, loaded (evicting by the clock
 * rule once every slot is in use) if it is not cached. */
static enum pronet_err cached_block(struct pronet_dataset_source *source, size_t block,
                                    struct block_slot **out, char *errbuf)
{
	struct block_slot *slot;
	size_t start = block * PRONET_DATASET_BLOCK_BYTES, length;
	enum pronet_err err;

	if (source->slot_of_block[block] != NO_SLOT) {
		*out = &source->slots[source->slot_of_block[block]];
		(*out)->referenced = 1;
		return PRONET_OK;
	}
	if (source->slots_used < source->num_slots) {
		slot = &source->slots[source->slots_used];
		slot->bytes = malloc(PRONET_DATASET_BLOCK_BYTES);
		if (slot->bytes == NULL)
			return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: no memory for the cache",
			                    source->name);
		source->slots_used++;
	} else {
		for (;;) {
			slot = &source->slots[source->hand];
			source->hand = (source->hand + 1) % source->num_slots;
			if (!slot->referenced)
				break;
			slot->referenced = 0;
		}
		/* A slot whose read failed maps no block. */
		if (source->slot_of_block[slot->block] == (uint32_t)(slot - source->slots))
			source->slot_of_block[slot->block] = NO_SLOT;
	}
	length = source->file_size - start < PRONET_DATASET_BLOCK_BYTES
	             ? source->file_size - start
	             : PRONET_DATASET_BLOCK_BYTES;
	err = read_at(source, start, slot->bytes, length, errbuf);
	if (err != PRONET_OK)
		return err; /* the slot stays free (no block maps to it) */
	slot->block = block;
	slot->referenced = 1;
	source->slot_of_block[block] = (uint32_t)(slot - source->slots);
	*out = slot;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_source_read(struct pronet_dataset_source *source, size_t offset,
                                           size_t length, uint8_t *bytes, char *errbuf)
{
	size_t done = 0;
	enum pronet_err err = PRONET_OK;

	if (offset > source->file_size || source->file_size - offset < length)
		return pronet_error(errbuf, PRONET_ERR_TRUNCATED,
		                    "%s: offset %zu: a record past the end of the file",
		                    source->name, offset);
	pthread_mutex_lock(&source->lock);
	while (err == PRONET_OK && done < length) {
		size_t at = offset + done, within = at % PRONET_DATASET_BLOCK_BYTES;
		size_t piece = PRONET_DATASET_BLOCK_BYTES - within;
		struct block_slot *slot = NULL;

		if (piece > length - done)
			piece = length - done;
		err = cached_block(source, at / PRONET_DATASET_BLOCK_BYTES, &slot, errbuf);
		if (err == PRONET_OK)
			memcpy(bytes + done, slot->bytes + within, piece);
		done += piece;
	}
	pthread_mutex_unlock(&source->lock);
	return err;
}

size_t pronet_dataset_source_resident(struct pronet_dataset_source *source)
{
	size_t slots;

	pthread_mutex_lock(&source->lock);
	slots = source->slots_used;
	pthread_mutex_unlock(&source->lock);
	return slots * PRONET_DATASET_BLOCK_BYTES;
}

static enum pronet_err source_open(const char *path, size_t cache_bytes,
                                   struct pronet_dataset_source **out, char *errbuf)
{
	struct pronet_dataset_source *source = calloc(1, sizeof(*source));
	struct stat st;

	if (source == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", path);
	pthread_mutex_init(&source->lock, NULL);
	source->holders = 1;
	source->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (source->fd < 0) {
		int saved = errno;

		pronet_dataset_source_free(source);
		return pronet_error_errno(errbuf, PRONET_ERR_IO, saved, "%s: cannot open", path);
	}
	*out = source;
	if (fstat(source->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return pronet_error(errbuf, PRONET_ERR_IO, "%s: not a regular file", path);
	source->file_size = (size_t)st.st_size;
	source->num_blocks = source->file_size / PRONET_DATASET_BLOCK_BYTES + 1;
	source->num_slots = cache_bytes / PRONET_DATASET_BLOCK_BYTES;
	if (source->num_slots > source->num_blocks)
		source->num_slots = source->num_blocks;
	source->name = strdup(path);
	source->window = malloc(WINDOW_BYTES);
	source->slots = calloc(source->num_slots, sizeof(*source->slots));
	source->slot_of_block = malloc(source->num_blocks * sizeof(*source->slot_of_block));
	if (!source->name || !source->window || !source->slots || !source->slot_of_block ||
	    source->num_slots >= NO_SLOT)
		return pronet_error(errbuf, PRONET_ERR_NOMEM,
		                    "%s: no memory for a cache of %zu bytes", path, cache_bytes);
	for (size_t i = 0; i < source->num_blocks; i++)
		source->slot_of_block[i] = NO_SLOT;
	return PRONET_OK;
}

enum pronet_err pronet_dataset_load_streamed(const char *path, size_t cache_bytes,
                                             struct pronet_dataset **out, char *errbuf)
{
	struct pronet_dataset_cursor cursor = {.name = path, .errbuf = errbuf};
	struct pronet_dataset *dataset;
	enum pronet_err err;

	if (path == NULL || out == NULL)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "pronet_dataset_load_streamed: bad argument");
	*out = NULL;
	if (cache_bytes < PRONET_DATASET_BLOCK_BYTES)
		return pronet_error(errbuf, PRONET_ERR_ARG,
		                    "%s: a cache of %zu bytes is below one block of %zu", path,
		                    cache_bytes, PRONET_DATASET_BLOCK_BYTES);
	dataset = pronet_dataset_new();
	if (dataset == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "%s: out of memory", path);
	err = source_open(path, cache_bytes, &dataset->source, errbuf);
	if (err == PRONET_OK) {
		cursor.source = dataset->source;
		cursor.size = dataset->source->file_size;
		cursor.data = dataset->source->window;
		err = pronet_dataset_parse(&cursor, dataset);
	}
	if (err != PRONET_OK) {
		pronet_dataset_free(dataset);
		return err;
	}
	free(dataset->source->window); /* the index pass is over */
	dataset->source->window = NULL;
	*out = dataset;
	return PRONET_OK;
}
