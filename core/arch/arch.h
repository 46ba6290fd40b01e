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
struct pronet_grad_family;
struct pronet_io_writer;
struct pronet_io_reader;
struct pronet_dataset;
struct pronet_input_spec;
struct pronet_train_options;

/* describe() hands `pronet info` its lines as key/value pairs: core never prints. */
typedef void pronet_describe_emit(void *user, const char *key, const char *value);

struct pronet_arch_ops {
	uint32_t tag;        /* stored in the model file; reserved in docs/model-format.md */
	const char *name;    /* "pronet-cnn": --arch and the file's v2 header */
	const char *summary; /* one line for `pronet info` and help texts */
	size_t config_size;  /* the caller's config struct is exactly this size */
	size_t state_size;   /* the family's private state, zeroed at create */
	/* The paper's batch size and Adam step size, which a tool starts from
	 * before the user's options (0: the loop's defaults). */
	uint32_t batch_size;
	float learning_rate;
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
	/* What the family reads of a flow: the window, the layer, which packets
	 * (core/data/input_spec.h). The flow table, the plugin and `pronet label`
	 * record this much; eval refuses a dataset that holds less. NULL: the
	 * default spec (16 payload bytes of 4 payload packets per direction). */
	void (*input_spec)(const struct pronet_model *model, struct pronet_input_spec *spec);
	/* Bytes of scratch logits and flow_logits need for activations too big
	 * for the stack (a caller-owned struct pronet_workspace, 64-byte
	 * aligned, allocated once). NULL: none, and they get NULL. */
	size_t (*workspace_size)(const struct pronet_model *model);
	/* Per-packet inference: logits[num_classes]; no allocation, thread-safe
	 * given one workspace per thread. NULL for a flow family. */
	void (*logits)(const struct pronet_model *model, const struct pronet_packet_record *input,
	               void *workspace, float *logits);
	/* Optional batched inference: logits[n][num_classes] of inputs[0..n), n
	 * at most batch_rows, the same bits as n calls of logits but with each
	 * weight read once per group instead of once per packet (a dense layer
	 * as one matrix product over the group, core/nn/gemm.c, whose sums do
	 * not depend on the row count). workspace_size covers batch_rows.
	 * NULL: pronet_model_predict_batch calls logits per packet. */
	size_t batch_rows;
	void (*batch_logits)(const struct pronet_model *model,
	                     const struct pronet_packet_record *inputs, size_t n, void *workspace,
	                     float *logits);
	/* Per-flow inference, for families that decide a flow as a whole (sizes,
	 * times, order): logits[num_classes] from the flow's records[n] in flow
	 * order, as input_spec records them. When set, flow predictions use it
	 * instead of combining per-packet logits; calibration and abstention
	 * stay the generic ones. NULL for per-packet families. */
	void (*flow_logits)(const struct pronet_model *model,
	                    const struct pronet_packet_record *records, size_t n, void *workspace,
	                    float *logits);
	/* Derives what prediction precomputes from the weights; called whenever
	 * they change. Never fails (without memory, logits takes a slow path);
	 * release frees it. Both may be NULL. */
	void (*prepare)(struct pronet_model *model);
	void (*release)(struct pronet_model *model);
	/* pronet_model_set_quantised: on 0, logits computes in float from now
	 * on (through later prepares); on 1, with the family's quantised path.
	 * NULL for families without one. */
	void (*set_quantised)(struct pronet_model *model, int on);

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
	/* Families trained sample by sample set the three above to
	 * core/train/grad_workers.c's pronet_grad_workers_begin, _end and
	 * _batch, and describe their per-worker scratch here; NULL otherwise. */
	const struct pronet_grad_family *grad;

	/* Optional, before the gradient loop: e.g. the stacked autoencoder's
	 * greedy layer-wise pretraining. Same data and options as pronet_train. */
	enum pronet_err (*pretrain)(struct pronet_model *model, const struct pronet_dataset *data,
	                            const struct pronet_train_options *options, char *errbuf);
	/* The fit path, for families fitted without gradients (trees, naive
	 * Bayes): when set, pronet_train calls it instead of the gradient loop
	 * (train_begin and train_batch may then be NULL). It fits on
	 * options->train_indices (all samples when NULL); labels[sample] is the
	 * model class of each of those samples and of the validation ones
	 * (mapped by name, as for gradient training). It honours the seed, the
	 * thread count and max_per_class, and is bit-for-bit reproducible for a
	 * seed and thread count. */
	enum pronet_err (*fit)(struct pronet_model *model, const struct pronet_dataset *data,
	                       const uint32_t *labels, const struct pronet_train_options *options,
	                       char *errbuf);

	/* Model file v2 (docs/model-format.md): the family's hyperparameter block
	 * (HYPR), its own layout. read_hyper fills config[config_size] from the
	 * block's bytes (r holds exactly them); the loader then creates the model
	 * from it, so create's checks apply to files too. Tensors are generic. */
	void (*write_hyper)(const struct pronet_model *model, struct pronet_io_writer *w);
	enum pronet_err (*read_hyper)(struct pronet_io_reader *r, void *config);
	/* A family's records other than float tensors (histogram-rf's trees):
	 * one block tagged block_tag (four uppercase letters), written after TENS
	 * by write_block; a file of the family must hold it once, after TENS, and
	 * read_block reads it (r holds exactly its bytes, all of which it must
	 * read). All three NULL: the family has no such block. */
	const char *block_tag;
	void (*write_block)(const struct pronet_model *model, struct pronet_io_writer *w);
	enum pronet_err (*read_block)(struct pronet_model *model, struct pronet_io_reader *r);
	/* `pronet info`: the family's lines after the generic ones. */
	void (*describe)(const struct pronet_model *model, pronet_describe_emit *emit, void *user);
};

#endif
