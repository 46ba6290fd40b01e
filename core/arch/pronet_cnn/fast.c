/* ProNet's pooled features from precomputed tables; the idea, the sizes and
 * the trade-off are described in core/arch/pronet_cnn/fast.h. */
#include "core/arch/pronet_cnn/fast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef PRONET_HAVE_X86_KERNELS
#include <immintrin.h>
#endif

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/fast_head.h"
#include "core/nn/dot.h"
#include "core/nn/embedding.h"
#include "core/model/model_internal.h"
#include "core/arch/pronet_cnn/packet_context.h"
#include "core/arch/pronet_cnn/tokens.h"

/* Filters computed side by side with GCC/clang vector extensions (no
 * intrinsics): a kernel is written once, as a macro over its vector width,
 * and instantiated for each of core/util/vector_isa.h; pronet_cnn_fast_new takes
 * the model's, the widest the CPU has. Table rows are padded to a multiple
 * of BLOCK floats, one AVX-512 vector: a model with t <= 16 reads one
 * 64-byte cache line per row. */
#define BLOCK 16
#define ALIGNMENT 64
_Static_assert(BLOCK % PRONET_CNN_FAST_HEAD_ROW_BLOCK == 0,
               "the head's rows come in whole blocks of padded features");
/* Kernel offsets of all widths in a table row: 3 + 4 + 5. */
#define OFFSETS PRONET_CNN_FAST_OFFSETS
#define PADDED_MAX_FILTERS ((PRONET_MAX_FILTERS + BLOCK - 1) / BLOCK * BLOCK)

typedef void pool_kernel(const struct pronet_cnn_fast *fast, const float *const *rows, size_t view,
                         float *padded);

struct pronet_cnn_fast {
	size_t filters;    /* t */
	size_t stride;     /* t rounded up to BLOCK: floats per (token, offset) */
	pool_kernel *pool; /* the widest kernel this CPU runs */
	/* T[token][offset][stride] per view; table[1] NULL when too large. */
	float *table[PRONET_CNN_VIEWS];
	/* 3-gram bucket = 1 + hash % divisor, by multiplication
	 * (pronet_ngram_bucket_of). */
	uint32_t divisor;
	uint64_t magic;
	/* Batch norm and dense folded into one matrix over the padded
	 * features (fast_head.h). */
	struct pronet_cnn_fast_head *head;
	size_t bytes;
};

static const size_t first_offset[PRONET_CNN_WIDTHS] = {0, 3, 7};

static size_t vocabulary(const struct pronet_model *model, size_t view)
{
	return view == 0 ? PRONET_BYTE_VOCABULARY : pronet_cnn_state(model)->config.ngram_buckets;
}

/* One view, one or two vectors of filters, all three widths, into
 * padded[width][stride]: for every position the sum of `width` table rows
 * (E2), ReLU and max-pool folded into running maxima that start at 0 (E3,
 * E4: max_p max(0, c_p) = max(0, max_p c_p)). Length and width are
 * constants after inlining and every loop is unrolled, so the rows'
 * addresses fold into the loads and nothing is kept in memory. The maximum
 * is a compare and select (max_of, below), exact like the reference's; two
 * running maxima (even and odd positions) halve the chain of dependent
 * selects (the maximum of a set does not depend on the order it is taken
 * in). A position's sum starts from its first row, which holds the bias
 * (fill_table). */
#define DEFINE_POOL_KERNEL(name, attributes, vector_bytes, max_of)                                 \
	typedef float name##_vector                                                                \
	    __attribute__((vector_size(vector_bytes), aligned(vector_bytes), may_alias));          \
	typedef int32_t name##_mask __attribute__((vector_size(vector_bytes)));                    \
	attributes static inline __attribute__((always_inline))                                    \
	name##_vector name##_max(name##_vector a, name##_vector b)                                 \
	{                                                                                          \
		return max_of(name##_vector, name##_mask, a, b);                                   \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) void name##_width(                 \
	    const float *const *rows, size_t length, size_t width, size_t offset, size_t stride,   \
	    size_t block, size_t vectors, float *padded)                                           \
	{                                                                                          \
		const size_t lanes = (vector_bytes) / sizeof(float);                               \
		size_t positions = length - width + 1;                                             \
                                                                                                   \
		_Pragma("GCC unroll 2") for (size_t v = 0; v < vectors; v++)                       \
		{                                                                                  \
			const size_t at = offset * stride + block + v * lanes;                     \
			name##_vector best[2] = {{0}, {0}};                                        \
                                                                                                   \
			_Pragma("GCC unroll 16") for (size_t p = 0; p < positions; p++)            \
			{                                                                          \
				name##_vector acc = *(const name##_vector *)(rows[p] + at);        \
                                                                                                   \
				_Pragma("GCC unroll 8") for (size_t j = 1; j < width; j++) acc +=  \
				    *(const name##_vector *)(rows[p + j] + at + j * stride);       \
				best[p % 2] = name##_max(acc, best[p % 2]);                        \
			}                                                                          \
			*(name##_vector *)(padded + block + v * lanes) =                           \
			    name##_max(best[0], best[1]);                                          \
		}                                                                                  \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) void name##_blocks(                \
	    const float *const *rows, size_t length, size_t stride, size_t block, size_t vectors,  \
	    float *padded)                                                                         \
	{                                                                                          \
		name##_width(rows, length, 3, 0, stride, block, vectors, padded);                  \
		name##_width(rows, length, 4, 3, stride, block, vectors, padded + stride);         \
		name##_width(rows, length, 5, 7, stride, block, vectors, padded + 2 * stride);     \
	}                                                                                          \
	/* Two vectors of filters at a time where the stride allows (both cache                    \
	 * lines of a row requested together), then one. */                                        \
	attributes static inline __attribute__((always_inline)) void name##_widths(                \
	    const float *const *rows, size_t length, size_t stride, float *padded)                 \
	{                                                                                          \
		const size_t lanes = (vector_bytes) / sizeof(float);                               \
		size_t block = 0;                                                                  \
                                                                                                   \
		for (; block + 2 * lanes <= stride; block += 2 * lanes)                            \
			name##_blocks(rows, length, stride, block, 2, padded);                     \
		if (block < stride)                                                                \
			name##_blocks(rows, length, stride, block, 1, padded);                     \
	}                                                                                          \
	attributes static void name(const struct pronet_cnn_fast *fast, const float *const *rows,  \
	                            size_t view, float *padded)                                    \
	{                                                                                          \
		if (view == 0)                                                                     \
			name##_widths(rows, PRONET_PAYLOAD_BYTES, fast->stride, padded);           \
		else                                                                               \
			name##_widths(rows, PRONET_NGRAM_POSITIONS, fast->stride, padded);         \
	}

/* a where a > b, else b: a compare and a select; x86's max instructions do
 * exactly this (the first operand where it is greater, else the second) in
 * one instruction instead of two, which counts where 512-bit instructions
 * issue on two ports only. */
#define SELECT_MAX(vector, mask, a, b)                                                             \
	((vector)(((mask)((a) > (b)) & (mask)(a)) | (~(mask)((a) > (b)) & (mask)(b))))
#define AVX2_MAX(vector, mask, a, b) ((vector)_mm256_max_ps((__m256)(a), (__m256)(b)))
#define AVX512_MAX(vector, mask, a, b) ((vector)_mm512_max_ps((__m512)(a), (__m512)(b)))

DEFINE_POOL_KERNEL(pool_generic, , 16, SELECT_MAX)
#ifdef PRONET_HAVE_X86_KERNELS
DEFINE_POOL_KERNEL(pool_avx512, __attribute__((target("avx512f"))), 64, AVX512_MAX)
DEFINE_POOL_KERNEL(pool_avx2, __attribute__((target("avx2"))), 32, AVX2_MAX)
#endif

static pool_kernel *pool_kernel_for(enum pronet_vector_isa isa)
{
#ifdef PRONET_HAVE_X86_KERNELS
	if (isa == PRONET_ISA_AVX512)
		return pool_avx512;
	if (isa == PRONET_ISA_AVX2)
		return pool_avx2;
#endif
	return pool_generic;
}

/* T[token][offset][f] = E[token] . W_{f,j} for every width's offsets j
 * (ProNet (E1) inside (E2)), plus the width's bias b_f at its first offset:
 * a position's sum then starts from a row instead of the bias, one
 * addition fewer, and is the same float as b_f + T + ... (the first
 * addition is the same either way round). The padding lanes past t stay 0. */
static void fill_table(const struct pronet_model *model, size_t view, size_t stride, float *table)
{
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	const float *embedding = view == 0 ? w->byte_embedding : w->ngram_embedding;
	size_t m = pronet_cnn_state(model)->config.embed_dim,
	       t = pronet_cnn_state(model)->config.filters;

	for (size_t token = 0; token < vocabulary(model, view); token++) {
		const float *e = embedding + token * m;
		float *row = table + token * OFFSETS * stride;

		for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
			size_t width = pronet_cnn_widths[k];

			for (size_t j = 0; j < width; j++) {
				float *out = row + (first_offset[k] + j) * stride;

				for (size_t f = 0; f < t; f++) {
					const float *kernel =
					    w->conv_w[view][k] + (f * width + j) * m;

					out[f] = pronet_dot(e, kernel, m);
					if (j == 0)
						out[f] += w->conv_b[view][k][f];
				}
			}
		}
	}
}

struct pronet_cnn_fast *pronet_cnn_fast_new(const struct pronet_model *model)
{
	return pronet_cnn_fast_new_isa(model, model->isa);
}

struct pronet_cnn_fast *pronet_cnn_fast_new_isa(const struct pronet_model *model,
                                                enum pronet_vector_isa isa)
{
	struct pronet_cnn_fast *fast;
	size_t t = pronet_cnn_state(model)->config.filters,
	       stride = (t + BLOCK - 1) / BLOCK * BLOCK;
	int supported;

	isa = pronet_vector_isa_resolve(isa, &supported);
	if (!supported || (fast = calloc(1, sizeof(*fast))) == NULL)
		return NULL;
	fast->filters = t;
	fast->stride = stride;
	fast->pool = pool_kernel_for(isa);
	fast->divisor = pronet_cnn_state(model)->config.ngram_buckets - 1;
	fast->magic = pronet_ngram_bucket_magic(fast->divisor);
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		size_t count = vocabulary(model, v) * OFFSETS * stride;

		if (v == 1 && count * sizeof(float) > PRONET_CNN_FAST_MAX_NGRAM_TABLE)
			continue;
		fast->table[v] = pronet_cnn_fast_aligned_floats(count, &fast->bytes);
		if (fast->table[v] == NULL) {
			pronet_cnn_fast_free(fast);
			return NULL;
		}
		fill_table(model, v, stride, fast->table[v]);
	}
	fast->head = pronet_cnn_fast_head_new(model, stride, isa);
	if (fast->table[0] == NULL || fast->head == NULL) {
		pronet_cnn_fast_free(fast);
		return NULL;
	}
	return fast;
}

void pronet_cnn_fast_free(struct pronet_cnn_fast *fast)
{
	if (fast == NULL)
		return;
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++)
		free(fast->table[v]);
	pronet_cnn_fast_head_free(fast->head);
	free(fast);
}

size_t pronet_cnn_fast_bytes(const struct pronet_cnn_fast *fast)
{
	return fast->bytes + pronet_cnn_fast_head_bytes(fast->head);
}

int pronet_cnn_fast_has_ngram_table(const struct pronet_cnn_fast *fast)
{
	return fast->table[1] != NULL;
}

static inline uint32_t bucket_of(const struct pronet_cnn_fast *fast, const uint8_t *bytes)
{
	return pronet_ngram_bucket_of(fast->magic, fast->divisor, bytes);
}

/* The 3-gram view layer by layer, for models whose table would be too large:
 * the reference path's steps for that view. */
static void pool_ngrams_slowly(const struct pronet_model *model,
                               const struct pronet_packet_record *input, float *pooled)
{
	uint32_t ids[PRONET_NGRAM_POSITIONS];
	float embedded[PRONET_NGRAM_POSITIONS * PRONET_MAX_EMBED_DIM];
	float conv[PRONET_NGRAM_POSITIONS * PRONET_MAX_FILTERS];

	pronet_tokens_ngrams(input, pronet_cnn_state(model)->config.ngram_buckets, ids);
	pronet_embedding_forward(pronet_cnn_state(model)->weights.ngram_embedding,
	                         pronet_cnn_state(model)->config.embed_dim, ids,
	                         PRONET_NGRAM_POSITIONS, embedded);
	pronet_cnn_pool_view(model, 1, embedded, conv, pooled, NULL);
}

/* The pooled features in the padded layout padded[group][stride] (padding
 * lanes 0). */
static void pool_padded(const struct pronet_cnn_fast *fast, const struct pronet_model *model,
                        const struct pronet_packet_record *input, float *padded)
{
	size_t length = input->length < PRONET_PAYLOAD_BYTES ? input->length : PRONET_PAYLOAD_BYTES;
	size_t row = OFFSETS * fast->stride, t = fast->filters, stride = fast->stride;
	const float *rows[PRONET_PAYLOAD_BYTES], *ngram_rows[PRONET_NGRAM_POSITIONS];
	/* The record's bytes are its container's, readable only up to length:
	 * a local copy lets the loops below read all 16 without branching. */
	uint8_t window[PRONET_PAYLOAD_BYTES] = {0};

	if (length > 0)
		memcpy(window, input->bytes, length);

		/* Tokens as in core/arch/pronet_cnn/tokens.c: a byte, or padding past the payload;
		 * a 3-gram wholly inside the payload hashes to 1..buckets-1, one that touches
		 * padding is bucket 0. Both views' rows first: the hashes' multiplications then
		 * overlap the byte view's additions. */
#pragma GCC unroll 16
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		rows[i] = fast->table[0] + (i < length ? window[i] : PRONET_PADDING_TOKEN) * row;
	if (fast->table[1] != NULL) {
#pragma GCC unroll 16
		for (size_t i = 0; i < PRONET_NGRAM_POSITIONS; i++)
			ngram_rows[i] =
			    fast->table[1] +
			    (i + PRONET_NGRAM_SIZE <= length ? bucket_of(fast, window + i) : 0) *
			        row;
		fast->pool(fast, rows, 0, padded);
		fast->pool(fast, ngram_rows, 1, padded + PRONET_CNN_WIDTHS * stride);
	} else {
		float pooled[PRONET_CNN_WIDTHS * PRONET_MAX_FILTERS];

		fast->pool(fast, rows, 0, padded);
		pool_ngrams_slowly(model, input, pooled);
		/* The padding lanes too: the head multiplies them by its 0 rows,
		 * and garbage there (a NaN) would reach every logit. */
		for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++) {
			float *group = padded + (PRONET_CNN_WIDTHS + k) * stride;

			memcpy(group, pooled + k * t, t * sizeof(float));
			memset(group + t, 0, (stride - t) * sizeof(float));
		}
	}
}

void pronet_cnn_fast_pool(const struct pronet_cnn_fast *fast, const struct pronet_model *model,
                          const struct pronet_packet_record *input, float *pooled)
{
	_Alignas(ALIGNMENT) float padded[PRONET_CNN_FEATURE_GROUPS * PADDED_MAX_FILTERS];

	pool_padded(fast, model, input, padded);
	for (size_t g = 0; g < PRONET_CNN_FEATURE_GROUPS; g++)
		memcpy(pooled + g * fast->filters, padded + g * fast->stride,
		       fast->filters * sizeof(float));
}

void pronet_cnn_fast_logits(const struct pronet_cnn_fast *fast, const struct pronet_model *model,
                            const struct pronet_packet_record *input, float *logits)
{
	/* The head's rows: padded features, then context features; whole
	 * blocks of the head's rows already (asserted at BLOCK), nothing to pad. */
	_Alignas(ALIGNMENT) float
	    x[PRONET_CNN_FEATURE_GROUPS * PADDED_MAX_FILTERS + PRONET_CONTEXT_FEATURES];

	pool_padded(fast, model, input, x);
	if (pronet_cnn_state(model)->config.context_features)
		pronet_packet_context(input, x + PRONET_CNN_FEATURE_GROUPS * fast->stride);
	pronet_cnn_fast_head_logits(fast->head, x, logits);
}

const float *pronet_cnn_fast_row(const struct pronet_cnn_fast *fast, size_t view, uint32_t token,
                                 size_t offset)
{
	if (fast->table[view] == NULL)
		return NULL;
	return fast->table[view] + ((size_t)token * OFFSETS + offset) * fast->stride;
}

const struct pronet_cnn_fast_head *pronet_cnn_fast_head_of(const struct pronet_cnn_fast *fast)
{
	return fast->head;
}

size_t pronet_cnn_fast_stride(const struct pronet_cnn_fast *fast)
{
	return fast->stride;
}
