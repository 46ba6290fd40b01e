/* The operations table of a model family (internal; the public face is
 * core/arch/registry.h). One const struct per family, listed in
 * core/arch/registry.c: nothing registers itself by side effect.
 *
 * What every family shares lives in struct pronet_model
 * (core/model/model_internal.h): class names, calibration, the weight block
 * and its tensors. What is the family's own (its config, pointers into the
 * block, tables derived from the weights) is its state: state_size bytes
 * allocated with the model, right after it, and reached by an address
 * computation (pronet_model_state), so the fast path loads no extra pointer. */
#ifndef PRONET_CORE_ARCH_ARCH_H
#define PRONET_CORE_ARCH_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/registry.h"
#include "core/data/record.h"
#include "core/util/error.h"

struct pronet_model;
struct pronet_rng;
struct pronet_train_batch;
struct pronet_io_writer;
struct pronet_io_reader;

/* describe() hands `pronet info` its lines as key/value pairs: core never prints. */
typedef void pronet_describe_emit(void *user, const char *key, const char *value);

struct pronet_arch_ops {
	uint32_t tag;        /* stored in the model file; reserved in docs/model-format.md */
	const char *name;    /* "pronet-cnn": --arch and the file's v2 header */
	const char *summary; /* one line for `pronet info` and help texts */
	size_t config_size;  /* the caller's config struct is exactly this size */
	size_t state_size;   /* the family's private state, zeroed at create */
	void (*config_default)(void *config);
	const struct pronet_arch_option *options;
	size_t num_options;

	/* Checks config (limits, class count) and copies it into the state; fills
	 * model->tensors, num_tensors, num_weights, num_trainable (trainable
	 * tensors first). `name` prefixes messages. */
	enum pronet_err (*create)(struct pronet_model *model, const void *config, const char *name,
	                          char *errbuf);
	/* The config the model was created with, into config[config_size]. */
	void (*config_get)(const struct pronet_model *model, void *config);
	/* Points the family's weight struct into model->weights. */
	void (*bind)(struct pronet_model *model);
	/* Fresh weights from rng. */
	void (*init)(struct pronet_model *model, struct pronet_rng *rng);
	/* Inference: logits[num_classes]; no allocation, thread-safe. */
	void (*logits)(const struct pronet_model *model, const struct pronet_packet_record *input,
	               float *logits);
	/* Derives what prediction precomputes from the weights; called whenever
	 * they change. Never fails (without memory, logits takes a slow path);
	 * release frees it. Both may be NULL. */
	void (*prepare)(struct pronet_model *model);
	void (*release)(struct pronet_model *model);

	/* Gradient training by the generic loop (core/train/train.c). train_begin
	 * makes a workspace for batches of up to max_batch samples; train_batch
	 * adds the gradient of the batch's mean loss into grads[0..threads) (each
	 * num_trainable floats, laid out like the weight block) and updates
	 * non-trainable state. The result depends only on the batch, its seed and
	 * the thread count. */
	enum pronet_err (*train_begin)(const struct pronet_model *model, size_t max_batch,
	                               size_t threads, void **workspace);
	void (*train_end)(void *workspace);
	void (*train_batch)(struct pronet_model *model, void *workspace,
	                    const struct pronet_train_batch *batch, float *const *grads);

	/* Model file v2 (docs/model-format.md): the family's hyperparameter block
	 * (HYPR), its own layout. read_hyper fills config[config_size] from the
	 * block's bytes (r holds exactly them); the loader then creates the model
	 * from it, so create's checks apply to files too. Tensors are generic. */
	void (*write_hyper)(const struct pronet_model *model, struct pronet_io_writer *w);
	enum pronet_err (*read_hyper)(struct pronet_io_reader *r, void *config);
	/* `pronet info`: the family's lines after the generic ones. */
	void (*describe)(const struct pronet_model *model, pronet_describe_emit *emit, void *user);
};

#endif
