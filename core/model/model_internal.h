/* The model object behind core/model/model.h, shared by model.c, model_file.c,
 * train.c and the architecture files. Not installed.
 *
 * Like llama2.c: a config, one contiguous float block holding every weight,
 * and per-architecture structs of pointers into that block. An architecture
 * is a descriptor of functions (struct pronet_arch_ops) selected by its tag;
 * adding one is a new tag, a new arch_*.c and a line in pronet_arch_find. */
#ifndef PRONET_CORE_MODEL_INTERNAL_H
#define PRONET_CORE_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/util/error.h"
#include "core/data/record.h"
#include "core/model/model.h"
#include "core/util/rng.h"
#include "core/util/vector_isa.h"

struct pronet_cnn_fast; /* fast.h */

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
};

struct pronet_arch_ops {
	enum pronet_arch tag;
	const char *name;
	/* Checks the hyperparameters and class count against the limits and
	 * fills model->tensors, num_tensors, num_weights, num_trainable. The
	 * trainable tensors come first in the block. */
	enum pronet_err (*layout)(struct pronet_model *model, const char *name, char *errbuf);
	/* Points the architecture's weight struct into model->weights. */
	void (*bind)(struct pronet_model *model);
	/* Fresh weights from rng (ProNet: N(0, 0.05)). */
	void (*init)(struct pronet_model *model, struct pronet_rng *rng);
	/* Inference: logits[num_classes]; no allocation, thread-safe. */
	void (*logits)(const struct pronet_model *model, const struct pronet_packet_record *input,
	               float *logits);
	/* Derives what prediction precomputes from the weights (ProNet CNN: the
	 * tables of fast.c); called whenever the weights change.
	 * Never fails: without memory for them, logits takes the slow path.
	 * release frees it. Both may be NULL. */
	void (*prepare)(struct pronet_model *model);
	void (*release)(struct pronet_model *model);
	/* Training: a workspace for batches of up to max_batch samples. */
	enum pronet_err (*train_begin)(const struct pronet_model *model, size_t max_batch,
	                               size_t threads, void **workspace);
	void (*train_end)(void *workspace);
	/* Adds the gradient of the batch's mean loss into grads[0..threads)
	 * (each num_trainable floats, laid out like the weight block) and
	 * updates non-trainable state (batch-norm running statistics). The
	 * result depends only on the batch, its seed and the thread count. */
	void (*train_batch)(struct pronet_model *model, void *workspace,
	                    const struct pronet_train_batch *batch, float *const *grads);
};

struct pronet_model {
	enum pronet_arch arch;
	const struct pronet_arch_ops *ops;
	struct pronet_cnn_config cnn;
	uint32_t ngram_hash; /* enum pronet_ngram_hash */

	size_t num_classes;
	char class_names[PRONET_MAX_CLASSES][PRONET_CLASS_NAME_MAX];
	float temperature;
	float thresholds[PRONET_MAX_CLASSES];

	float *weights; /* one block: trainable weights, then running statistics */
	size_t num_weights, num_trainable;
	struct pronet_tensor tensors[PRONET_MAX_TENSORS];
	size_t num_tensors;
	struct pronet_cnn_weights cnn_weights; /* pointers into weights */
	struct pronet_cnn_fast *cnn_fast;      /* tables derived from weights, or NULL */
	/* The widest vector kernels this CPU runs, resolved once at create: the
	 * CPU is not asked again per prediction. */
	enum pronet_vector_isa isa;
};

const struct pronet_arch_ops *pronet_arch_find(enum pronet_arch tag);

/* Validates class names and hyperparameters, allocates the (zeroed) weight
 * block and binds it; weights are neither initialised nor read. Used by
 * pronet_model_new and the loader. A layout of more than max_weights floats
 * (SIZE_MAX: no bound) is refused as truncated before anything is allocated: the
 * loader passes what its file could still hold. `name` prefixes messages. */
enum pronet_err pronet_model_create(enum pronet_arch arch, const struct pronet_cnn_config *config,
                                    uint32_t ngram_hash, const char *const *class_names,
                                    size_t num_classes, size_t max_weights, const char *name,
                                    struct pronet_model **out, char *errbuf);

/* Call after changing model->weights in place (loading, training, tests):
 * recomputes what prediction derives from them. Until then predict may use
 * tables of the old weights. */
void pronet_model_weights_changed(struct pronet_model *model);

#endif
