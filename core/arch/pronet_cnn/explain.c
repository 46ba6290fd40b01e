/* Evidence and exact attributions from the folded tables; what is exact and
 * what is a bound is said in core/arch/pronet_cnn/explain.h. */
#include "core/arch/pronet_cnn/explain.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/pronet_cnn/fast.h"
#include "core/arch/pronet_cnn/fast_head.h"
#include "core/arch/pronet_cnn/packet_context.h"
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/nn/dot.h"

static const size_t first_offset[PRONET_CNN_WIDTHS] = {0, 3, 7};

struct pronet_cnn_explainer {
	const struct pronet_model *model;
	const struct pronet_cnn_fast *fast;
	size_t t, classes;
	float *centred;         /* [6t][classes]: D_gc */
	float *centred_context; /* [PRONET_CONTEXT_FEATURES][classes], or NULL */
	float *centred_bias;    /* [classes]: b'_c - mean_k b'_k */
};

/* Centres row[0..classes) in place on its mean. */
static void centre(float *row, size_t classes)
{
	double mean = 0.0;

	for (size_t c = 0; c < classes; c++)
		mean += row[c];
	mean /= (double)classes;
	for (size_t c = 0; c < classes; c++)
		row[c] = (float)(row[c] - mean);
}

enum pronet_err pronet_cnn_explainer_new(const struct pronet_model *model,
                                         struct pronet_cnn_explainer **out, char *errbuf)
{
	const struct pronet_cnn_state *state;
	const struct pronet_cnn_fast_head *head;
	struct pronet_cnn_explainer *e;
	size_t stride, features;

	*out = NULL;
	if (pronet_model_arch(model) != &pronet_arch_pronet_cnn)
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "explanations are for the pronet-cnn family, not %s",
		                    pronet_arch_name(pronet_model_arch(model)));
	state = pronet_cnn_state(model);
	if (state->fast == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the model's tables");
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the explanation");
	e->model = model;
	e->fast = state->fast;
	e->t = state->config.filters;
	e->classes = pronet_model_num_classes(model);
	features = PRONET_CNN_FEATURE_GROUPS * e->t;
	head = pronet_cnn_fast_head_of(state->fast);
	stride = pronet_cnn_fast_stride(state->fast);
	e->centred = malloc(features * e->classes * sizeof(float));
	e->centred_bias = malloc(e->classes * sizeof(float));
	if (state->config.context_features)
		e->centred_context = malloc(PRONET_CONTEXT_FEATURES * e->classes * sizeof(float));
	if (e->centred == NULL || e->centred_bias == NULL ||
	    (state->config.context_features && e->centred_context == NULL)) {
		pronet_cnn_explainer_free(e);
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "no memory for the explanation");
	}
	for (size_t g = 0; g < features; g++) {
		float *row = e->centred + g * e->classes;

		for (size_t c = 0; c < e->classes; c++)
			row[c] = pronet_cnn_fast_head_weight(head, g / e->t * stride + g % e->t, c);
		centre(row, e->classes);
	}
	for (size_t i = 0; e->centred_context != NULL && i < PRONET_CONTEXT_FEATURES; i++) {
		float *row = e->centred_context + i * e->classes;

		for (size_t c = 0; c < e->classes; c++)
			row[c] = pronet_cnn_fast_head_weight(
			    head, PRONET_CNN_FEATURE_GROUPS * stride + i, c);
		centre(row, e->classes);
	}
	for (size_t c = 0; c < e->classes; c++)
		e->centred_bias[c] = pronet_cnn_fast_head_bias(head, c);
	centre(e->centred_bias, e->classes);
	*out = e;
	return PRONET_OK;
}

void pronet_cnn_explainer_free(struct pronet_cnn_explainer *e)
{
	if (e == NULL)
		return;
	free(e->centred);
	free(e->centred_context);
	free(e->centred_bias);
	free(e);
}

static float bias_of(const struct pronet_cnn_explainer *e, size_t view, size_t k, size_t f)
{
	return pronet_cnn_state(e->model)->weights.conv_b[view][k][f];
}

/* The table entry of (view, token, width k, offset j, filter f) with the
 * bias where the table holds it (j = 0): what the fast path adds. A view
 * without a table (a 3-gram vocabulary too large) gets the same dot product
 * the table would hold (fast.c, fill_table). */
static float entry_with_bias(const struct pronet_cnn_explainer *e, size_t view, uint32_t token,
                             size_t k, size_t j, size_t f)
{
	const float *row = pronet_cnn_fast_row(e->fast, view, token, first_offset[k] + j);
	const struct pronet_cnn_state *state;
	size_t m, width;
	float value;

	if (row != NULL)
		return row[f];
	state = pronet_cnn_state(e->model);
	m = state->config.embed_dim;
	width = pronet_cnn_widths[k];
	value = pronet_dot(
	    (view == 0 ? state->weights.byte_embedding : state->weights.ngram_embedding) +
	        (size_t)token * m,
	    state->weights.conv_w[view][k] + (f * width + j) * m, m);
	return j == 0 ? value + bias_of(e, view, k, f) : value;
}

/* T[token][j][f] without the bias. */
static float entry(const struct pronet_cnn_explainer *e, size_t view, uint32_t token, size_t k,
                   size_t j, size_t f)
{
	float value = entry_with_bias(e, view, token, k, j, f);

	return j == 0 ? value - bias_of(e, view, k, f) : value;
}

void pronet_cnn_explain_evidence(const struct pronet_cnn_explainer *e, size_t c, float *evidence)
{
	memset(evidence, 0, PRONET_PAYLOAD_BYTES * PRONET_BYTE_VOCABULARY * sizeof(float));
	for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
		size_t width = pronet_cnn_widths[k], last_start = PRONET_PAYLOAD_BYTES - width;

		for (size_t f = 0; f < e->t; f++) {
			float d = e->centred[(k * e->t + f) * e->classes + c];

			for (uint32_t token = 0; token < PRONET_BYTE_VOCABULARY; token++) {
				float by_offset[5];

				for (size_t j = 0; j < width; j++)
					by_offset[j] = d * entry(e, 0, token, k, j, f);
				for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++) {
					float best = -FLT_MAX;

					/* Offsets j with a window start p = i - j in 0..last_start.
					 */
					for (size_t j = 0; j < width && j <= i; j++)
						if (i - j <= last_start && by_offset[j] > best)
							best = by_offset[j];
					evidence[i * PRONET_BYTE_VOCABULARY + token] += best;
				}
			}
		}
	}
}

/* One view's filters for input tokens ids[length]: each active filter's
 * winning window, its share split per position (into per_position) and its
 * bias's (into *constant). */
static void attribute_view(const struct pronet_cnn_explainer *e, size_t view, const uint32_t *ids,
                           size_t length, size_t c, float *per_position, float *constant)
{
	for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
		size_t width = pronet_cnn_widths[k], positions = length - width + 1;

		for (size_t f = 0; f < e->t; f++) {
			size_t g = (view * PRONET_CNN_WIDTHS + k) * e->t + f;
			float best = 0.0f, d = e->centred[g * e->classes + c];
			size_t winner = positions; /* none: ReLU gives 0 */

			for (size_t p = 0; p < positions; p++) {
				float sum = entry_with_bias(e, view, ids[p], k, 0, f);

				for (size_t j = 1; j < width; j++)
					sum += entry_with_bias(e, view, ids[p + j], k, j, f);
				if (sum > best) {
					best = sum;
					winner = p;
				}
			}
			if (winner == positions)
				continue;
			*constant += d * bias_of(e, view, k, f);
			for (size_t j = 0; j < width; j++)
				per_position[winner + j] +=
				    d * entry(e, view, ids[winner + j], k, j, f);
		}
	}
}

void pronet_cnn_explain_input(const struct pronet_cnn_explainer *e,
                              const struct pronet_packet_record *input, size_t c,
                              struct pronet_cnn_attribution *out)
{
	uint32_t byte_ids[PRONET_PAYLOAD_BYTES], ngram_ids[PRONET_NGRAM_POSITIONS];
	float features[PRONET_CONTEXT_FEATURES];

	memset(out, 0, sizeof(*out));
	pronet_tokens_bytes(input, byte_ids);
	pronet_tokens_ngrams(input, pronet_cnn_state(e->model)->config.ngram_buckets, ngram_ids);
	attribute_view(e, 0, byte_ids, PRONET_PAYLOAD_BYTES, c, out->byte_view, &out->constant);
	attribute_view(e, 1, ngram_ids, PRONET_NGRAM_POSITIONS, c, out->ngram_positions,
	               &out->constant);
	for (size_t q = 0; q < PRONET_NGRAM_POSITIONS; q++)
		for (size_t b = q; b < q + PRONET_NGRAM_SIZE; b++)
			out->ngram_view[b] += out->ngram_positions[q] / PRONET_NGRAM_SIZE;
	out->constant += e->centred_bias[c];
	if (e->centred_context != NULL) {
		pronet_packet_context(input, features);
		for (size_t i = 0; i < PRONET_CONTEXT_FEATURES; i++)
			out->context += e->centred_context[i * e->classes + c] * features[i];
	}
	out->total = out->constant + out->context;
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		out->total += out->byte_view[i] + out->ngram_view[i];
}
