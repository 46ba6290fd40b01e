/* The model object behind core/model/model.h, shared by model.c, model_file.c,
 * train.c and the architecture files. Not installed.
 *
 * Like llama2.c: a config, one contiguous float block holding every weight,
 * and per-architecture structs of pointers into that block. An architecture
 * is a descriptor of functions (struct pronet_arch_ops, core/arch/arch.h)
 * listed in core/arch/registry.c; its own state follows the model in memory. */
#ifndef PRONET_CORE_MODEL_INTERNAL_H
#define PRONET_CORE_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/arch.h"
#include "core/util/error.h"
#include "core/data/record.h"
#include "core/model/model.h"
#include "core/util/rng.h"
#include "core/util/vector_isa.h"

#define PRONET_MAX_TENSORS 32
#define PRONET_TENSOR_NAME_MAX 32 /* including the NUL */
#define PRONET_TENSOR_MAX_DIMS 4

/* One named, shaped slice of the weight block: what the model file stores. */
struct pronet_tensor {
	char name[PRONET_TENSOR_NAME_MAX];
	uint32_t num_dims;
	uint32_t dims[PRONET_TENSOR_MAX_DIMS];
	size_t offset; /* in floats, into the weight block */
	size_t count;  /* product of dims */
};

/* One mini-batch handed to an architecture's train_batch. */
struct pronet_train_batch {
	const struct pronet_packet_record *const *inputs; /* [size] */
	const uint32_t *labels;                           /* [size], model class indices */
	size_t size;
	uint64_t seed;    /* dropout randomness of this batch */
	size_t threads;   /* workers; grads[threads] */
	float *losses;    /* out [size]: per-sample cross-entropy */
	uint8_t *correct; /* out [size]: 1 if the sample's argmax was its label */
	/* Per-flow families (ops->flow_logits): a sample is a flow, inputs[b]
	 * its first record of lengths[b], in flow order. NULL for per-packet
	 * families (each input one record). */
	const size_t *lengths;
};

struct pronet_model {
	const struct pronet_arch_ops *ops;

	size_t num_classes;
	char class_names[PRONET_MAX_CLASSES][PRONET_CLASS_NAME_MAX];
	float temperature;
	float thresholds[PRONET_MAX_CLASSES];

	float *weights; /* one block: trainable weights, then running statistics */
	size_t num_weights, num_trainable;
	struct pronet_tensor tensors[PRONET_MAX_TENSORS];
	size_t num_tensors;
	/* The widest vector kernels this CPU runs, resolved once at create: the
	 * CPU is not asked again per prediction. */
	enum pronet_vector_isa isa;
};

/* The architecture's state (ops->state_size bytes) starts here, in the same
 * allocation as the model: an address computation, no pointer to load. */
#define PRONET_MODEL_STATE_OFFSET ((sizeof(struct pronet_model) + 63) / 64 * 64)

/* Mutable through a const model on purpose: prepare() fills derived tables of
 * a model that callers otherwise treat as immutable. */
static inline void *pronet_model_state(const struct pronet_model *model)
{
	return (char *)(uintptr_t)model + PRONET_MODEL_STATE_OFFSET;
}

/* Validates class names and the architecture's config (ops->create), allocates
 * the (zeroed) weight block and binds it; weights are neither initialised nor
 * read. Used by pronet_model_new and the loaders. A layout of more than
 * max_weights floats (SIZE_MAX: no bound) is refused as truncated before
 * anything is allocated: a loader passes what its file could still hold.
 * `name` prefixes messages. */
enum pronet_err pronet_model_create(const struct pronet_arch_ops *ops, const void *config,
                                    const char *const *class_names, size_t num_classes,
                                    size_t max_weights, const char *name, struct pronet_model **out,
                                    char *errbuf);

/* Caller-owned scratch (model.h): `size` bytes at `memory`, 64-byte aligned. */
struct pronet_workspace {
	size_t size;
	void *memory;
};

/* The memory a prediction of `model` hands its family: NULL when it needs
 * none; PRONET_ERR_ARG when workspace is missing or too small. */
enum pronet_err pronet_workspace_check(const struct pronet_model *model,
                                       const struct pronet_workspace *workspace, void **memory);

/* Call after changing model->weights in place (loading, training, tests):
 * recomputes what prediction derives from them. Until then predict may use
 * tables of the old weights. */
void pronet_model_weights_changed(struct pronet_model *model);

#endif
