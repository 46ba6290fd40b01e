/* ProNet's CNN (Sang, Zhang, Peng: "ProNet: Toward Payload-Driven Protocol
 * Fingerprinting via Convolutions and Embeddings", CollaborateCom 2017,
 * Sec. 3): byte and 3-gram embeddings of the first 16 payload bytes,
 * convolutions of widths 3/4/5 with t filters each per view, ReLU, global
 * max-pool, concatenation (6t features), optional batch normalisation,
 * dropout while training, dense layer, softmax.
 *
 * The code cites the paper's Sec. 3 subsections as the project does (3.1
 * input, 3.2 network, 3.3 training; not re-checked against the text, which
 * was not at hand). The equation labels (E1)-(E7) are ours, written out here:
 *   (E1) embedding       e_i = E[x_i]                        (embedding.c)
 *   (E2) convolution     c_{p,f} = b_f + sum_{j,c} W_{f,j,c} e_{p+j,c} (conv1d.c)
 *   (E3) ReLU            h = max(0, c)                       (relu.c)
 *   (E4) global max-pool z_f = max_p h_{p,f}, concatenated  (maxpool.c)
 *   (E5) dense           o = W z + b                         (dense.c)
 *   (E6) softmax         p_k = exp(o_k) / sum_j exp(o_j)     (softmax_xent.c)
 *   (E7) loss            L = -log p_y, mean over a batch     (softmax_xent.c) */
#ifndef PRONET_CORE_ARCH_PRONET_CNN_H
#define PRONET_CORE_ARCH_PRONET_CNN_H

#include <stddef.h>

#include "core/arch/pronet_cnn/pronet_cnn_config.h"
#include "core/model/model_internal.h"

#define PRONET_CNN_VIEWS 2  /* 0: bytes, 1: 3-grams */
#define PRONET_CNN_WIDTHS 3 /* kernel widths 3, 4, 5 */
#define PRONET_CNN_FEATURE_GROUPS (PRONET_CNN_VIEWS * PRONET_CNN_WIDTHS)

extern const size_t pronet_cnn_widths[PRONET_CNN_WIDTHS];

/* Pointers into a block laid out like the model's weights (the weights
 * themselves, or a gradient buffer of the trainable part). Pooled feature
 * (view v, width index k, filter f) is number (v * 3 + k) * t + f. */
struct pronet_cnn_weights {
	float *byte_embedding;                              /* [257][m] */
	float *ngram_embedding;                             /* [buckets][m] */
	float *conv_w[PRONET_CNN_VIEWS][PRONET_CNN_WIDTHS]; /* [t][width][m] */
	float *conv_b[PRONET_CNN_VIEWS][PRONET_CNN_WIDTHS]; /* [t] */
	float *bn_gamma, *bn_beta;                          /* [6t], NULL without batch norm */
	float *dense_w;                                     /* [C][6t] */
	float *dense_b;                                     /* [C] */
	float *bn_running_mean, *bn_running_var;            /* [6t], not trainable */
};

struct pronet_cnn_fast;  /* fast.h */
struct pronet_cnn_quant; /* quant.h */

/* The family's state (core/arch/arch.h), right after struct pronet_model. */
struct pronet_cnn_state {
	struct pronet_cnn_config config;
	struct pronet_cnn_weights weights; /* pointers into model->weights */
	struct pronet_cnn_fast *fast;      /* tables derived from the weights, or NULL */
	/* 16-bit tables derived from fast (what predict runs), or NULL; never
	 * built while float_only is set. */
	struct pronet_cnn_quant *quant;
	int float_only;
};

extern const struct pronet_arch_ops pronet_arch_pronet_cnn;

static inline struct pronet_cnn_state *pronet_cnn_state(const struct pronet_model *model)
{
	return (struct pronet_cnn_state *)pronet_model_state(model);
}

/* Points *weights into block (laid out as the model's tensors). Running
 * statistics are left NULL when block holds only the trainable part. */
void pronet_cnn_bind(const struct pronet_model *model, float *block, int with_running,
                     struct pronet_cnn_weights *weights);

/* Shared by inference (pronet_cnn.c) and training
 * (pronet_cnn_train.c). */
#include <stdint.h>

#include "core/data/record.h"
#include "core/model/model.h"

#define PRONET_CNN_MAX_FEATURES (PRONET_CNN_FEATURE_GROUPS * PRONET_MAX_FILTERS)
/* The dense layer's inputs: pooled features, then (option) the packet's
 * context features (core/arch/pronet_cnn/packet_context.h). */
#define PRONET_CNN_MAX_HEAD_INPUTS (PRONET_CNN_MAX_FEATURES + 16)
size_t pronet_cnn_head_inputs(const struct pronet_model *model);
/* The tail shared by every way of computing pooled[6t]: batch norm
 * (inference), context features, dense -> logits[num_classes]. */
void pronet_cnn_head(const struct pronet_model *model, const float *pooled,
                     const struct pronet_packet_record *input, float *logits);

/* Input positions of view v: 16 bytes or 14 3-grams. */
size_t pronet_cnn_view_length(size_t view);
/* Token ids of both views, then their embeddings:
 * embedded[0] [16][m], embedded[1] [14][m]. */
void pronet_cnn_embed(const struct pronet_model *model, const struct pronet_packet_record *input,
                      uint32_t byte_ids[PRONET_PAYLOAD_BYTES], uint32_t *ngram_ids,
                      float *embedded_bytes, float *embedded_ngrams);
/* ProNet Sec. 3.2 (E2)-(E4): per view and width, convolution, ReLU, global
 * max-pool, concatenated into pooled[6t]. conv is scratch of 16 * t floats;
 * argmax[6t] (may be NULL) records each feature's winning position. */
void pronet_cnn_pool(const struct pronet_model *model, const float *embedded_bytes,
                     const float *embedded_ngrams, float *conv, float *pooled, uint16_t *argmax);
/* The same for one view (0 bytes, 1 3-grams) into pooled[3t] (argmax[3t]):
 * also what the fast path computes for a 3-gram view without a table. */
void pronet_cnn_pool_view(const struct pronet_model *model, size_t view, const float *embedded,
                          float *conv, float *pooled, uint16_t *argmax);

/* 1 if predict computes with the 16-bit tables (quant.h): the model has
 * them (pronet_model_set_quantised on, a 3-gram table) and their error
 * estimate is within PRONET_CNN_QUANT_MAX_DP_SD at its temperature. */
int pronet_cnn_predicts_quantised(const struct pronet_model *model);

/* The forward pass layer by layer, whatever tables the model has: what the
 * fast path is tested against. */
void pronet_cnn_logits_reference(const struct pronet_model *model,
                                 const struct pronet_packet_record *input, float *logits);

enum pronet_err pronet_cnn_train_begin(const struct pronet_model *model, size_t max_batch,
                                       size_t threads, void **workspace);
void pronet_cnn_train_end(void *workspace);
struct pronet_train_batch;
void pronet_cnn_train_batch(struct pronet_model *model, void *workspace,
                            const struct pronet_train_batch *batch, float *const *grads);

/* The hyperparameters as data (pronet_cnn_hyper.c): the ops table's option
 * descriptors, HYPR block and `pronet info` lines. */
#define PRONET_CNN_NUM_OPTIONS 6
extern const struct pronet_arch_option pronet_cnn_options[PRONET_CNN_NUM_OPTIONS];
struct pronet_io_writer;
struct pronet_io_reader;
void pronet_cnn_write_hyper(const struct pronet_model *model, struct pronet_io_writer *w);
enum pronet_err pronet_cnn_read_hyper(struct pronet_io_reader *r, void *config);
/* byte vocabulary, n-gram size, hash id, buckets: the tail of HYPR, and what
 * a v1 file holds after its hyperparameter block. */
/* The fields v1's block and v2's HYPR share, in their order: payload bytes
 * (must be 16), m, t, batch_norm, dropout. One reader for both formats. */
enum pronet_err pronet_cnn_read_shared_hyper(struct pronet_io_reader *r,
                                             struct pronet_cnn_config *c);
enum pronet_err pronet_cnn_read_vocabulary(struct pronet_io_reader *r,
                                           struct pronet_cnn_config *config);
void pronet_cnn_describe(const struct pronet_model *model, pronet_describe_emit *emit, void *user);

/* Appends tensor `name` (num_dims 1..3 of d0, d1, d2) to the model's
 * layout, after the weights laid out so far. PRONET_ERR_LIMIT, with the
 * tensor's name, when the model already holds PRONET_MAX_TENSORS. */
enum pronet_err pronet_cnn_add_tensor(struct pronet_model *model, const char *name,
                                      uint32_t num_dims, uint32_t d0, uint32_t d1, uint32_t d2,
                                      char *errbuf);

#endif
