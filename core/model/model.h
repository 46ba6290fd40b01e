/* The model API: one API used by the CLI, the plugin and the tests alike.
 *
 * A model is an architecture (a family of core/arch/registry.h) plus its
 * hyperparameters, class names and weights in one contiguous block. The
 * default family is ProNet's CNN ("pronet-cnn": byte + 3-gram embeddings,
 * convolutions of widths 3/4/5, global max-pool, dense softmax; typed wrappers
 * in core/arch/pronet_cnn/pronet_cnn_config.h); another family is an addition:
 * a folder core/arch/<family>/ and a line in core/arch/registry.c.
 *
 * Ownership: pronet_model_new/load return a model the caller frees with
 * pronet_model_free (NULL is a no-op). A loaded model is immutable: predict
 * takes a const model, allocates nothing and is safe to call from many
 * threads at once. */
#ifndef PRONET_CORE_MODEL_H
#define PRONET_CORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/pronet_cnn/pronet_cnn_config.h"
#include "core/arch/registry.h"
#include "core/data/input_spec.h"
#include "core/data/record.h"
#include "core/util/error.h"

#define PRONET_MAX_CLASSES 256
#define PRONET_CLASS_NAME_MAX 64 /* including the terminating NUL */
/* The abstention threshold of a class nobody calibrated or configured. */
#define PRONET_THRESHOLD_DEFAULT 0.5f

struct pronet_model;

/* A new model of family `arch` (pronet_arch_find) with fresh weights drawn by
 * a generator seeded with `seed`. arch_config is the family's config struct of
 * config_size bytes (pronet_arch_config_size; another size is PRONET_ERR_ARG),
 * or NULL for the family's defaults. class_names[i] names output class i. */
enum pronet_err pronet_model_new(const struct pronet_arch_ops *arch, const void *arch_config,
                                 size_t config_size, const char *const *class_names,
                                 size_t num_classes, uint64_t seed, struct pronet_model **out,
                                 char *errbuf);
void pronet_model_free(struct pronet_model *model);

/* Reads a model file (format: docs/model-format.md). Every length is checked;
 * a damaged file is refused with a message naming `path` and the problem. */
enum pronet_err pronet_model_load(const char *path, struct pronet_model **out, char *errbuf);
/* The same from memory; `name` is used in messages. */
enum pronet_err pronet_model_load_buffer(const void *data, size_t size, const char *name,
                                         struct pronet_model **out, char *errbuf);
/* Writes the model whole or not at all (temporary file + rename). */
enum pronet_err pronet_model_save(const struct pronet_model *model, const char *path, char *errbuf);
/* A copy of `model` that shares nothing with it: what saving and loading it
 * would give, bit for bit (weights, the family's blocks, calibration), without
 * a file. Only reads `model`, so it may run while other threads predict with
 * it (pronet classify --update trains the copy while the original serves). */
enum pronet_err pronet_model_clone(const struct pronet_model *model, struct pronet_model **out,
                                   char *errbuf);

const struct pronet_arch_ops *pronet_model_arch(const struct pronet_model *model);
/* The family's config the model was made with into config[size]; PRONET_ERR_ARG
 * unless size is the family's config size. */
enum pronet_err pronet_model_config(const struct pronet_model *model, void *config, size_t size);
/* `pronet info`: the family's own description as key/value pairs. */
void pronet_model_describe(const struct pronet_model *model,
                           void (*emit)(void *user, const char *key, const char *value),
                           void *user);
size_t pronet_model_num_classes(const struct pronet_model *model);
const char *pronet_model_class_name(const struct pronet_model *model, size_t class_index);
/* Index of the class named `name`, or -1. */
int pronet_model_find_class(const struct pronet_model *model, const char *name);

/* Number of floats in the weight block (trainable weights plus batch-norm
 * running statistics). */
size_t pronet_model_num_weights(const struct pronet_model *model);

/* Calibration, stored in the model file: predict divides the logits by the
 * temperature (default 1); per-class thresholds (default 0) are kept for
 * callers that refuse low-confidence answers. */
float pronet_model_temperature(const struct pronet_model *model);
float pronet_model_threshold(const struct pronet_model *model, size_t class_index);
/* The threshold a verdict of class_index must reach: the model's calibrated
 * one, or `unset` for a class the calibration left at 0 (no held-back flow of
 * it, or no calibration). Eval and the plugin both decide with this, so that
 * a figure measures the thresholds a host applies; `unset` is the host's
 * default, PRONET_THRESHOLD_DEFAULT unless the user gave another. */
float pronet_model_decision_threshold(const struct pronet_model *model, size_t class_index,
                                      float unset);
/* temperature must be finite and > 0; thresholds[num_classes] in [0, 1], or
 * NULL to keep the current ones. */
enum pronet_err pronet_model_set_calibration(struct pronet_model *model, float temperature,
                                             const float *thresholds, char *errbuf);

/* How predictions are computed. on 1 (the default): a family with a
 * quantised path uses it (ProNet's CNN: 16-bit tables and head,
 * core/arch/pronet_cnn/quant.h), held to a contract against its float path
 * (the same class on >= 99.99 % of the corpus's distinct inputs, every
 * probability within 1e-3; docs/performance.md). on 0: every prediction from
 * then on, through weight changes, comes from the float path, the reference
 * (tests and comparisons pin its bits). Families without a quantised path
 * ignore it. Not while other threads predict with the model. */
void pronet_model_set_quantised(struct pronet_model *model, int on);

/* What the model reads of a flow: how many bytes of which layer, of which
 * packets (core/data/input_spec.h). Whoever records flows for the model (the
 * flow table, the plugin, `pronet label`) records this much. */
void pronet_model_input_spec(const struct pronet_model *model, struct pronet_input_spec *spec);
/* 1 if the model decides whole flows (sizes, times, order) and has no
 * per-packet answer: pronet_model_predict refuses it, the flow predictions of
 * core/model/flow_predict.h serve it. */
int pronet_model_is_per_flow(const struct pronet_model *model);

/* Scratch memory for prediction, owned by the caller and made once: families
 * whose activations are too big for the stack (Deep Packet's first
 * convolution alone) use it, so that nothing allocates per packet. One
 * workspace serves one thread at a time, for any model whose
 * pronet_model_workspace_size is not larger than the one it was made for.
 * A model of size 0 (ProNet) takes a NULL workspace. */
struct pronet_workspace;
size_t pronet_model_workspace_size(const struct pronet_model *model);
/* *out is NULL (and PRONET_OK) when the model needs no workspace. */
enum pronet_err pronet_workspace_new(const struct pronet_model *model,
                                     struct pronet_workspace **out, char *errbuf);
void pronet_workspace_free(struct pronet_workspace *workspace);

/* Class probabilities for one packet: probabilities[num_classes]. Returns the
 * index of the most probable class through *best (may be NULL). workspace:
 * see above (NULL for a model that needs none; too small or missing is
 * PRONET_ERR_ARG, as is a per-flow model). */
enum pronet_err pronet_model_predict(const struct pronet_model *model,
                                     struct pronet_workspace *workspace,
                                     const struct pronet_packet_record *input, float *probabilities,
                                     size_t *best);
/* pronet_model_predict over count inputs: probabilities[count][num_classes],
 * best[count] (may be NULL). Same results; no allocation. */
enum pronet_err pronet_model_predict_batch(const struct pronet_model *model,
                                           struct pronet_workspace *workspace,
                                           const struct pronet_packet_record *inputs, size_t count,
                                           float *probabilities, size_t *best);

#endif
