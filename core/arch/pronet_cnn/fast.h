/* The fast way to ProNet's pooled features (ProNet Sec. 3.2 (E1)-(E4)):
 * precomputed tables instead of embeddings and dot products. What comes
 * after pooling (batch norm, context features, dense) is folded into one
 * matrix (fast_head.h).
 *
 * The embedding (E1) and the convolution (E2) are both linear, so
 *   c_{p,f} = b_f + sum_j W_{f,j} . E[x_{p+j}] = b_f + sum_j T[x_{p+j}][j][f]
 * with T[token][j][f] = E[token] . W_{f,j}, a table over the vocabulary, the
 * kernel offsets j of all three widths (3 + 4 + 5 = 12) and the filters. A
 * prediction then adds rows of T, filters side by side (SIMD across
 * filters), and takes ReLU and max-pool on the way.
 *
 * Table size: 257 * 12 * t' floats for bytes and buckets * 12 * t' for
 * 3-grams, t' = t rounded up to 16 (t = 30: 0.4 MB and, with 4096 buckets,
 * 6.3 MB; t = 16: 0.2 MB and, with 1024 buckets, 0.8 MB). The 3-gram
 * table is built only up to PRONET_CNN_FAST_MAX_NGRAM_TABLE bytes; a larger
 * one (e.g. 65536 buckets) would cost more memory than it saves time, and
 * that view is then computed layer by layer (as fast as the reference).
 *
 * Built once per weight change (load, new, training) by
 * pronet_model_weights_changed; predict only reads the tables, so it stays
 * const, allocation-free and thread-safe. */
#ifndef PRONET_CORE_ARCH_PRONET_CNN_FAST_H
#define PRONET_CORE_ARCH_PRONET_CNN_FAST_H

#include <stddef.h>

#include "core/data/record.h"
#include "core/util/vector_isa.h"

#define PRONET_CNN_FAST_MAX_NGRAM_TABLE ((size_t)64 << 20)

struct pronet_model;
struct pronet_cnn_fast;
struct pronet_cnn_fast_head;

/* Tables of the model's current weights with the model's kernels (resolved
 * at create), or NULL without memory for them (the caller then takes the
 * reference path). */
struct pronet_cnn_fast *pronet_cnn_fast_new(const struct pronet_model *model);
/* The same with the given kernels (tests run every one this CPU has); NULL
 * also when this CPU cannot run them. */
struct pronet_cnn_fast *pronet_cnn_fast_new_isa(const struct pronet_model *model,
                                                enum pronet_vector_isa isa);
void pronet_cnn_fast_free(struct pronet_cnn_fast *fast);
/* Bytes the tables take. */
size_t pronet_cnn_fast_bytes(const struct pronet_cnn_fast *fast);
/* 1 if the 3-gram view has its table (0: computed layer by layer). */
int pronet_cnn_fast_has_ngram_table(const struct pronet_cnn_fast *fast);

/* pooled[6t] of one input, laid out as pronet_cnn_pool's; no allocation. */
void pronet_cnn_fast_pool(const struct pronet_cnn_fast *fast, const struct pronet_model *model,
                          const struct pronet_packet_record *input, float *pooled);

/* logits[num_classes] of one input: the pooled features above, then batch
 * norm and dense folded into one matrix (fast_head.h);
 * equal to pronet_cnn_head's up to float rounding; no allocation. */
void pronet_cnn_fast_logits(const struct pronet_cnn_fast *fast, const struct pronet_model *model,
                            const struct pronet_packet_record *input, float *logits);

/* The tables as data, for explanations (core/arch/pronet_cnn/explain.h):
 * the row of `token` at kernel offset `offset` of view `view` (offsets
 * 0-2 width 3's, 3-6 width 4's, 7-11 width 5's), t floats, each width's
 * bias b_f included at its first offset; NULL when the view has no table.
 * And the folded head with the row layout of its features (group g,
 * filter f at row g * stride + f). */
#define PRONET_CNN_FAST_OFFSETS 12
const float *pronet_cnn_fast_row(const struct pronet_cnn_fast *fast, size_t view, uint32_t token,
                                 size_t offset);
const struct pronet_cnn_fast_head *pronet_cnn_fast_head_of(const struct pronet_cnn_fast *fast);
size_t pronet_cnn_fast_stride(const struct pronet_cnn_fast *fast);

#endif
