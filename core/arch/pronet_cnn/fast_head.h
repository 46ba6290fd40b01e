/* The fast path's head: batch norm and the dense layer (ProNet Sec. 3.2
 * (E5)) folded into one matrix, stored by input rather than by class so a
 * prediction is one multiply-add of a vector of classes per input feature.
 *
 * Inference-mode batch norm is affine per feature,
 *   z_j = g_j x_j + (beta_j - g_j mu_j),  g_j = gamma_j / sqrt(var_j + eps),
 * so the dense layer o_c = b_c + sum_j W_cj z_j becomes
 *   o_c = b'_c + sum_j W'_jc x_j,  W'_jc = W_cj g_j,
 *   b'_c = b_c + sum_j W_cj (beta_j - g_j mu_j)
 * (the context features bypass batch norm and keep their columns). Rows
 * follow the fast path's padded feature layout (groups of `stride` floats,
 * padding rows 0), so the pooled features need no compaction. Only the
 * order of the float additions differs from pronet_cnn_head; the logits
 * agree to a few float roundings (tests/core/arch/pronet_cnn/test_fast).
 *
 * Built with the tables (pronet_cnn_fast_new); read-only afterwards. */
#ifndef PRONET_CORE_ARCH_PRONET_CNN_FAST_HEAD_H
#define PRONET_CORE_ARCH_PRONET_CNN_FAST_HEAD_H

#include <stddef.h>

#include "core/util/vector_isa.h"

struct pronet_model;
struct pronet_cnn_fast_head;

/* count floats, zeroed, 64-byte aligned (whole cache lines and the widest
 * vector loads of both kernels); the rounded-up size is added to *bytes.
 * NULL without memory. Shared by the tables and the head; free() frees it. */
float *pronet_cnn_fast_aligned_floats(size_t count, size_t *bytes);

/* The kernel takes the rows (inputs) in blocks of this many. */
#define PRONET_CNN_FAST_HEAD_ROW_BLOCK 8

/* The folded head for pooled features padded to `stride` floats per group
 * (a multiple of PRONET_CNN_FAST_HEAD_ROW_BLOCK), with the kernel for isa
 * (resolved: not WIDEST), or NULL without memory. */
struct pronet_cnn_fast_head *pronet_cnn_fast_head_new(const struct pronet_model *model,
                                                      size_t stride, enum pronet_vector_isa isa);
void pronet_cnn_fast_head_free(struct pronet_cnn_fast_head *head);
size_t pronet_cnn_fast_head_bytes(const struct pronet_cnn_fast_head *head);
/* logits[num_classes] from x: the padded pooled features, then the context
 * features when the model has them. x and the head must not overlap. */
void pronet_cnn_fast_head_logits(const struct pronet_cnn_fast_head *head, const float *x,
                                 float *logits);

/* W'_jc and b'_c (the header comment), for explanations. */
float pronet_cnn_fast_head_weight(const struct pronet_cnn_fast_head *head, size_t row,
                                  size_t class_index);
float pronet_cnn_fast_head_bias(const struct pronet_cnn_fast_head *head, size_t class_index);

#endif
