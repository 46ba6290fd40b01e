/* What a ProNet CNN learned, read off its folded tables (fast.h): which byte
 * values at which of the 16 positions push it towards a class, and, for one
 * input, how much each position's byte gave to each class. Used by
 * `pronet explain` (tools/cmd_explain.c).
 *
 * All figures are about a class's CENTRED logit, o_c - mean_k o_k: softmax
 * ignores what adds to every logit alike, so this is what moves class c's
 * probability against the others (divided by the temperature, it is
 * log p_c - mean_k log p_k). With D_gc = W'_gc - mean_k W'_gk (the folded
 * head of fast_head.h, batch norm included) and T_v[token][j][f] the table
 * entry E_v[token] . W_{f,j} without the bias (view v: bytes or 3-grams):
 *
 * Exact, for one input (pronet_cnn_explain_input): filter g of width w keeps
 * z_g = max(0, max_p c_{p,g}), c_{p,g} = b_g + sum_j T[x_{p+j}][j][g]. Its
 * winning window p* is known, so its share of the centred logit,
 * D_gc z_g, splits exactly into D_gc b_g (a constant) and D_gc T[x_{p*+j}][j][g]
 * per position p*+j of the window. For the byte view that position is a
 * byte; for the 3-gram view it is the 3-gram starting there, exact per
 * 3-gram (ngram_positions), and spread in equal thirds over its three bytes
 * in the per-byte figure (ngram_view): that split is a convention, not the
 * model's (a 3-gram's hashed bucket has no per-byte part). A filter whose
 * maximum is not above 0 gives nothing (ReLU).
 *
 * A bound, for the model alone (pronet_cnn_explain_evidence): byte b at
 * position i can only enter filter g through the windows that hold
 * position i, at offset j = i - p. The evidence S_c(i, b) =
 * sum over the byte view's filters g of max over those offsets j of
 * D_gc T[b][j][g]: what b at i adds to class c's centred logit if every
 * filter's max-pool kept a window holding i at the offset best for c. Each
 * term is exact; whether those windows win depends on the other bytes (the
 * max-pool), so S is what the byte CAN do, not what it does in a given
 * packet. The 3-gram view is left out (a bucket is shared by many 3-grams
 * and cannot be read as bytes). Global max-pooling makes the map nearly
 * the same for positions 4-11 (every offset reachable); the positions near
 * the edges differ, and where a pattern sits in real packets shows in the
 * exact attributions instead. */
#ifndef PRONET_CORE_ARCH_PRONET_CNN_EXPLAIN_H
#define PRONET_CORE_ARCH_PRONET_CNN_EXPLAIN_H

#include <stddef.h>

#include "core/arch/pronet_cnn/tokens.h"
#include "core/data/record.h"
#include "core/model/model.h"
#include "core/util/error.h"

struct pronet_cnn_explainer;

/* For a model of family pronet-cnn with its tables (PRONET_ERR_UNSUPPORTED
 * for another family, PRONET_ERR_NOMEM without memory). Borrows the model,
 * which must outlive it. */
enum pronet_err pronet_cnn_explainer_new(const struct pronet_model *model,
                                         struct pronet_cnn_explainer **out, char *errbuf);
void pronet_cnn_explainer_free(struct pronet_cnn_explainer *explainer);

/* S_c(i, token) into evidence[PRONET_PAYLOAD_BYTES][PRONET_BYTE_VOCABULARY]
 * (position-major; token 256 is the padding past a payload's end). */
void pronet_cnn_explain_evidence(const struct pronet_cnn_explainer *explainer, size_t class_index,
                                 float *evidence);

/* One input's centred logit of a class, in parts that sum to it. */
struct pronet_cnn_attribution {
	float byte_view[PRONET_PAYLOAD_BYTES];         /* exact, per position's byte */
	float ngram_view[PRONET_PAYLOAD_BYTES];        /* 3-grams' parts in thirds per byte */
	float ngram_positions[PRONET_NGRAM_POSITIONS]; /* exact, per 3-gram */
	float constant; /* head bias and the biases of active filters */
	float context;  /* the context features' part (0 without them) */
	float total;    /* the sum of all the above: the centred logit */
};

void pronet_cnn_explain_input(const struct pronet_cnn_explainer *explainer,
                              const struct pronet_packet_record *input, size_t class_index,
                              struct pronet_cnn_attribution *out);

#endif
