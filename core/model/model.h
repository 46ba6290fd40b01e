/* The model API: one API used by the CLI, the plugin and the tests alike.
 *
 * A model is an architecture (tag) plus its hyperparameters, class names and
 * weights in one contiguous block. Today's only architecture is ProNet's
 * CNN (byte + 3-gram embeddings, convolutions of widths 3/4/5, global
 * max-pool, dense softmax); others (Deep Packet, 2D image CNN, flow CNN,
 * histogram forests) are additions: a new tag, a new arch_*.c, reusing the
 * layer files.
 *
 * Ownership: pronet_model_new/load return a model the caller frees with
 * pronet_model_free (NULL is a no-op). A loaded model is immutable: predict
 * takes a const model, allocates nothing and is safe to call from many
 * threads at once. */
#ifndef PRONET_CORE_MODEL_H
#define PRONET_CORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/util/error.h"
#include "core/data/record.h"

enum pronet_arch {
	PRONET_ARCH_PRONET_CNN = 1, /* ProNet (byte + 3-gram views, CNN) */
};

#define PRONET_MAX_CLASSES 256
#define PRONET_CLASS_NAME_MAX 64 /* including the terminating NUL */

/* Hyperparameters of the ProNet CNN; defaults follow the paper. */
struct pronet_cnn_config {
	uint32_t embed_dim;     /* m: embedding dimension (50) */
	uint32_t filters;       /* t: filters per convolution width (30) */
	uint32_t ngram_buckets; /* 3-gram vocabulary size incl. the unknown bucket */
	uint32_t batch_norm;    /* 1: batch normalisation on the pooled features */
	float dropout;          /* dropout probability while training (0.5) */
	/* Not in the paper (0 keeps its architecture): 1 concatenates the
	 * packet's context features (core/arch/pronet_cnn/packet_context.h: direction, packet
	 * index, transport, payload length) to the pooled features, after batch
	 * norm and dropout, before the dense layer. */
	uint32_t context_features;
};

void pronet_cnn_config_default(struct pronet_cnn_config *config);

/* Bounds enforced by pronet_model_new and the loader, so that prediction can
 * run on fixed-size stack buffers and a damaged file cannot ask for gigabytes. */
#define PRONET_MAX_EMBED_DIM 256
#define PRONET_MAX_FILTERS 256
#define PRONET_MIN_NGRAM_BUCKETS 2 /* the padding bucket and one hashed bucket */
#define PRONET_MAX_NGRAM_BUCKETS 65536

struct pronet_model;

/* A new model with weights drawn from N(0, 0.05) by a generator seeded with
 * `seed`. class_names[i] names output class i. */
enum pronet_err pronet_model_new(const struct pronet_cnn_config *config,
                                 const char *const *class_names, size_t num_classes, uint64_t seed,
                                 struct pronet_model **out, char *errbuf);
void pronet_model_free(struct pronet_model *model);

/* Reads a model file (format: docs/model-format.md). Every length is checked;
 * a damaged file is refused with a message naming `path` and the problem. */
enum pronet_err pronet_model_load(const char *path, struct pronet_model **out, char *errbuf);
/* The same from memory; `name` is used in messages. */
enum pronet_err pronet_model_load_buffer(const void *data, size_t size, const char *name,
                                         struct pronet_model **out, char *errbuf);
/* Writes the model whole or not at all (temporary file + rename). */
enum pronet_err pronet_model_save(const struct pronet_model *model, const char *path, char *errbuf);

enum pronet_arch pronet_model_arch(const struct pronet_model *model);
size_t pronet_model_num_classes(const struct pronet_model *model);
const char *pronet_model_class_name(const struct pronet_model *model, size_t class_index);
/* Index of the class named `name`, or -1. */
int pronet_model_find_class(const struct pronet_model *model, const char *name);

/* The CNN's hyperparameters; PRONET_ERR_UNSUPPORTED for other architectures. */
enum pronet_err pronet_model_cnn_config(const struct pronet_model *model,
                                        struct pronet_cnn_config *config);
/* Number of floats in the weight block (trainable weights plus batch-norm
 * running statistics). */
size_t pronet_model_num_weights(const struct pronet_model *model);

/* Calibration, stored in the model file: predict divides the logits by the
 * temperature (default 1); per-class thresholds (default 0) are kept for
 * callers that refuse low-confidence answers. */
float pronet_model_temperature(const struct pronet_model *model);
float pronet_model_threshold(const struct pronet_model *model, size_t class_index);
/* temperature must be finite and > 0; thresholds[num_classes] in [0, 1], or
 * NULL to keep the current ones. */
enum pronet_err pronet_model_set_calibration(struct pronet_model *model, float temperature,
                                             const float *thresholds, char *errbuf);

/* Class probabilities for one packet: probabilities[num_classes]. Returns the
 * index of the most probable class through *best (may be NULL). */
enum pronet_err pronet_model_predict(const struct pronet_model *model,
                                     const struct pronet_packet_record *input, float *probabilities,
                                     size_t *best);
/* pronet_model_predict over count inputs: probabilities[count][num_classes],
 * best[count] (may be NULL). Same results; no allocation. */
enum pronet_err pronet_model_predict_batch(const struct pronet_model *model,
                                           const struct pronet_packet_record *inputs, size_t count,
                                           float *probabilities, size_t *best);

#endif
