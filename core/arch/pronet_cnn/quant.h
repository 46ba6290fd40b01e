/* ProNet's prediction with 16-bit integers: what pronet_model_predict runs
 * for a ProNet CNN whose float tables (fast.h) it can quantise. Built from
 * those tables whenever they are built (load, new, end of training), never
 * stored in the model file; the float tables stay beside it as the
 * reference (explanations read them, tests compare with them).
 *
 * Pooling (ProNet (E2)-(E4)): every table row T[token][offset][f] rounded to
 * a 16-bit integer on a step s_{v,k,f} per (view, width, filter), chosen so
 * that no sum of `width` rows can leave int16: s = B / (32767 - width) with
 * B the largest |sum| any tokens can reach (per offset the smallest and the
 * largest entry over the vocabulary, summed). A convolution's sum is then
 * exact integer arithmetic on rounded entries, off the float one by at most
 * width * s / 2, and ReLU and max-pool are exact on integers; a vector of 16
 * filters is one AVX2 register (the float path needs two), and a token's
 * twelve rows take 6 cache lines instead of 12.
 *
 * Head (E5, with the folded batch norm of fast_head.h): the pooled integers
 * q_j (0..32767 after ReLU) times 16-bit weights w_jc = round(s_j W'_jc /
 * r_c), summed in 32 bits two products at a time (AVX2's vpmaddwd: 16
 * multiply-adds an instruction, the float head's FMA does 8), then
 * o_c = r_c * sum + b'_c + context. r_c is per class, as small as int16 and
 * int32 allow: the sum cannot overflow for any input (each q_j bounded by its
 * feature's largest reachable value). The context features (mostly one-hot)
 * are two float rows looked up per packet plus the length feature's
 * multiply-add, not sixteen multiply-adds.
 *
 * The contract (issue 15) replaces the float path's 1e-4: the same class as
 * the float reference on >= 99.99 % of the corpus's distinct prefixes and
 * every class probability within 1e-3; measured by `make quant-contract`
 * (tools/quant_contract.c) and asserted in make check for the shipped model
 * (docs/performance.md, "Quantised prediction").
 *
 * predict only reads the tables: const, allocation-free and thread-safe. */
#ifndef PRONET_CORE_ARCH_PRONET_CNN_QUANT_H
#define PRONET_CORE_ARCH_PRONET_CNN_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arch/pronet_cnn/tokens.h"
#include "core/data/record.h"
#include "core/util/vector_isa.h"

struct pronet_model;
struct pronet_cnn_fast;
struct pronet_cnn_quant;

/* The 16-bit tables and head of the model's float tables `fast`, with the
 * kernels of isa (resolved; AVX-512 CPUs run the AVX2 kernels); NULL without
 * memory, when this CPU cannot run isa, or when fast has no 3-gram table
 * (such a model keeps the float path). */
struct pronet_cnn_quant *pronet_cnn_quant_new(const struct pronet_model *model,
                                              const struct pronet_cnn_fast *fast,
                                              enum pronet_vector_isa isa);
void pronet_cnn_quant_free(struct pronet_cnn_quant *quant);
size_t pronet_cnn_quant_bytes(const struct pronet_cnn_quant *quant);

/* An estimate of the logits' error (the largest over classes of its
 * standard deviation, were the rounding errors independent and every pooled
 * feature at its largest value; quant.c's error_sd). A probability moves by
 * at most half the logits' error over the temperature; predict takes this
 * path only while that estimate, as a probability, is at most a third of the
 * contract's 1e-3 (PRONET_CNN_QUANT_MAX_DP_SD): the shipped model's is 2.3e-4
 * at its temperature, its largest |dp| on the corpus 1.3e-4; a random model
 * with weights N(0, 0.5) estimates 1.4e-3 and keeps the float path. */
#define PRONET_CNN_QUANT_MAX_DP_SD (1e-3 / 3)
double pronet_cnn_quant_error_sd(const struct pronet_cnn_quant *quant);

/* The byte and 3-gram token ids whose rows pronet_cnn_quant_logits reads for
 * input, from its set-up kernel: pronet_tokens_bytes' and
 * pronet_tokens_ngrams' ids, which tests hold it to. */
void pronet_cnn_quant_tokens(const struct pronet_cnn_quant *quant,
                             const struct pronet_packet_record *input,
                             uint32_t byte_ids[PRONET_PAYLOAD_BYTES],
                             uint32_t ngram_ids[PRONET_NGRAM_POSITIONS]);

/* logits[num_classes] of one input; no allocation. */
void pronet_cnn_quant_logits(const struct pronet_cnn_quant *quant,
                             const struct pronet_packet_record *input, float *logits);

#endif
