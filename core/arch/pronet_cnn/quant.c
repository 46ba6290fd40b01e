/* ProNet's prediction in 16-bit integers; the scheme, its error and the
 * contract it is held to are described in core/arch/pronet_cnn/quant.h. */
#include "core/arch/pronet_cnn/quant.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef PRONET_HAVE_X86_KERNELS
#include <immintrin.h>
#endif

#include "core/arch/pronet_cnn/fast.h"
#include "core/arch/pronet_cnn/fast_head.h"
#include "core/arch/pronet_cnn/packet_context.h"
#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/arch/pronet_cnn/tokens.h"
#include "core/model/model_internal.h"
#include "core/nn/softmax_fast.h"

#define OFFSETS PRONET_CNN_FAST_OFFSETS
#define QMAX 32767
/* Classes in blocks of 8 (32-bit sums: one AVX2 register), 4 blocks at a
 * time (the head's 4 running sums). The head sums GROUP pooled integers in
 * 32 bits, then scales that sum to float: the bound that keeps a sum within
 * int32 then covers 16 products, not all 6t, and the weights keep about 2.6
 * bits more (t = 16) for 6 conversions and multiply-adds per block. */
#define CLASS_BLOCK 8
#define GROUP 16
/* The AVX2 set-up writes 8 row pointers at a time. */
#define ROW_SLOTS 16
#define ALIGNMENT 64
#define PADDED_MAX_FILTERS ((PRONET_MAX_FILTERS + 15) / 16 * 16)
#define MAX_FEATURES (PRONET_CNN_FEATURE_GROUPS * PADDED_MAX_FILTERS)
#define PADDED_MAX_CLASSES ((PRONET_MAX_CLASSES + CLASS_BLOCK - 1) / CLASS_BLOCK * CLASS_BLOCK)
/* Context features (packet_context.h): rows by (direction, packet index)
 * and by (transport, length bucket), and the length feature's own row. */
#define DIRECTIONS 2
#define INDEXES 6
#define TRANSPORTS 3
#define LENGTH_BUCKETS 5
#define LENGTH_FEATURE 10

struct pronet_cnn_quant;
typedef void qpool_kernel(const struct pronet_cnn_quant *quant, const int16_t *const *rows,
                          size_t view, int16_t *pooled);
typedef void qhead_kernel(const struct pronet_cnn_quant *quant, const int16_t *pooled, float *sums);
/* The rows of the tokens of tokens.h: window holds 16 readable bytes, the
 * payload's first `length` of them (the rest are not read as payload);
 * rows and ngram_rows have ROW_SLOTS entries, of which the pool reads the
 * first 16 and 14. */
typedef void qsetup_kernel(const struct pronet_cnn_quant *quant, const uint8_t *window,
                           size_t length, const int16_t **rows, const int16_t **ngram_rows);

struct pronet_cnn_quant {
	size_t stride;              /* int16 per (token, offset): t rounded up to 16, as fast.h's */
	size_t features;            /* pooled integers: 6 * stride */
	size_t classes, padded;     /* padded: classes rounded up to CLASS_BLOCK */
	int context;                /* the model has context features */
	enum pronet_vector_isa isa; /* resolved */
	qsetup_kernel *setup;
	qpool_kernel *pool;
	qhead_kernel *head;
	int16_t *table[PRONET_CNN_VIEWS]; /* [token][offset][stride] */
	uint32_t divisor;
	uint64_t magic;
	/* [features / 2][padded][2]: w_jc of features 2i and 2i + 1 side by
	 * side, as vpmaddwd multiplies them. */
	int16_t *weights;
	float *class_scale; /* [features / GROUP][padded]: r_gc */
	/* [DIRECTIONS * INDEXES][padded], b'_c included; [TRANSPORTS *
	 * LENGTH_BUCKETS][padded]; [padded]: the length feature's weights. */
	float *by_position, *by_size, *length_row;
	double error_sd; /* pronet_cnn_quant_error_sd */
	size_t bytes;
};

static const size_t first_offset[PRONET_CNN_WIDTHS] = {0, 3, 7};

typedef float class_vector __attribute__((vector_size(CLASS_BLOCK * sizeof(float))));

/* One view, every vector of filters, all three widths: for every position
 * the sum of `width` rows, ReLU and max-pool in running maxima from 0, as
 * fast.c's kernel does in float (two maxima, even and odd positions). The
 * steps keep a whole sum of `width` rows within int16, but not every partial
 * one (a first row near its maximum, later rows all negative), so the sums
 * are made in uint16, which wraps by definition, and the whole sum read
 * back as int16 is exact. */
#define DEFINE_QPOOL_KERNEL(name, attributes, vector_bytes, max_of)                                \
	typedef int16_t name##_vector                                                              \
	    __attribute__((vector_size(vector_bytes), aligned(vector_bytes), may_alias));          \
	typedef uint16_t name##_sum                                                                \
	    __attribute__((vector_size(vector_bytes), aligned(vector_bytes), may_alias));          \
	attributes static inline __attribute__((always_inline))                                    \
	name##_vector name##_max(name##_vector a, name##_vector b)                                 \
	{                                                                                          \
		return max_of(name##_vector, a, b);                                                \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) void name##_width(                 \
	    const int16_t *const *rows, size_t length, size_t width, size_t offset, size_t stride, \
	    int16_t *pooled)                                                                       \
	{                                                                                          \
		const size_t lanes = (vector_bytes) / sizeof(int16_t);                             \
		size_t positions = length - width + 1;                                             \
                                                                                                   \
		for (size_t v = 0; v < stride; v += lanes) {                                       \
			const size_t at = offset * stride + v;                                     \
			name##_vector best[2] = {{0}, {0}};                                        \
                                                                                                   \
			_Pragma("GCC unroll 16") for (size_t p = 0; p < positions; p++)            \
			{                                                                          \
				name##_sum acc = *(const name##_sum *)(rows[p] + at);              \
                                                                                                   \
				_Pragma("GCC unroll 8") for (size_t j = 1; j < width; j++) acc +=  \
				    *(const name##_sum *)(rows[p + j] + at + j * stride);          \
				best[p % 2] = name##_max((name##_vector)acc, best[p % 2]);         \
			}                                                                          \
			*(name##_vector *)(pooled + v) = name##_max(best[0], best[1]);             \
		}                                                                                  \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) void name##_widths(                \
	    const int16_t *const *rows, size_t length, size_t stride, int16_t *pooled)             \
	{                                                                                          \
		name##_width(rows, length, 3, 0, stride, pooled);                                  \
		name##_width(rows, length, 4, 3, stride, pooled + stride);                         \
		name##_width(rows, length, 5, 7, stride, pooled + 2 * stride);                     \
	}                                                                                          \
	attributes static void name(const struct pronet_cnn_quant *quant,                          \
	                            const int16_t *const *rows, size_t view, int16_t *pooled)      \
	{                                                                                          \
		if (view == 0)                                                                     \
			name##_widths(rows, PRONET_PAYLOAD_BYTES, quant->stride, pooled);          \
		else                                                                               \
			name##_widths(rows, PRONET_NGRAM_POSITIONS, quant->stride, pooled);        \
	}

/* a where a > b, else b: compare and select on any target; AVX2's vpmaxsw
 * in one instruction. */
#define SELECT_MAX(vector, a, b) (((vector)((a) > (b)) & (a)) | (~(vector)((a) > (b)) & (b)))
#define AVX2_MAX(vector, a, b) ((vector)_mm256_max_epi16((__m256i)(a), (__m256i)(b)))

DEFINE_QPOOL_KERNEL(qpool_generic, , 16, SELECT_MAX)
#ifdef PRONET_HAVE_X86_KERNELS
DEFINE_QPOOL_KERNEL(qpool_avx2, __attribute__((target("avx2"))), 32, AVX2_MAX)
#endif

/* sums[padded] = sum_g r_gc sum_{j in g} pooled[j] * w_jc, the inner sums
 * in 32 bits, on any target: each product fits (|q|, |w| <= 32767), and so
 * does each group's sum (the scales are chosen so). */
static void qhead_generic(const struct pronet_cnn_quant *quant, const int16_t *pooled, float *sums)
{
	int32_t group[PADDED_MAX_CLASSES];

	memset(sums, 0, quant->padded * sizeof(float));
	for (size_t g = 0; g < quant->features / GROUP; g++) {
		const float *scale = quant->class_scale + g * quant->padded;

		memset(group, 0, quant->padded * sizeof(int32_t));
		for (size_t i = g * GROUP / 2; i < (g + 1) * GROUP / 2; i++) {
			const int16_t *w = quant->weights + i * quant->padded * 2;
			int32_t a = pooled[2 * i], b = pooled[2 * i + 1];

			for (size_t c = 0; c < quant->padded; c++)
				group[c] += a * w[2 * c] + b * w[2 * c + 1];
		}
		for (size_t c = 0; c < quant->padded; c++)
			sums[c] += scale[c] * (float)group[c];
	}
}

#ifdef PRONET_HAVE_X86_KERNELS
/* `vectors` blocks of 8 classes from class c: per pair of pooled integers,
 * broadcast as one 32-bit lane, one vpmaddwd per block (both products and
 * their sum) and one 32-bit addition. */
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) void
qhead_avx2_classes(const struct pronet_cnn_quant *quant, const int16_t *pooled, size_t c,
                   size_t vectors, float *sums)
{
	__m256 total[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
	                   _mm256_setzero_ps()};
	const int16_t *w = quant->weights + c * 2;
	size_t step = quant->padded * 2;

	for (size_t g = 0; g < quant->features / GROUP; g++) {
		__m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(),
		                _mm256_setzero_si256(), _mm256_setzero_si256()};
		const float *scale = quant->class_scale + g * quant->padded + c;

#pragma GCC unroll 8
		for (size_t i = g * GROUP / 2; i < (g + 1) * GROUP / 2; i++) {
			int32_t pair;

			memcpy(&pair, pooled + 2 * i, sizeof(pair));
			__m256i x = _mm256_set1_epi32(pair);

#pragma GCC unroll 4
			for (size_t v = 0; v < vectors; v++)
				s[v] = _mm256_add_epi32(
				    s[v], _mm256_madd_epi16(
				              x, _mm256_load_si256(
				                     (const __m256i *)(w + i * step + v * 16))));
		}
#pragma GCC unroll 4
		for (size_t v = 0; v < vectors; v++)
			total[v] =
			    _mm256_fmadd_ps(_mm256_cvtepi32_ps(s[v]),
			                    _mm256_load_ps(scale + v * CLASS_BLOCK), total[v]);
	}
#pragma GCC unroll 4
	for (size_t v = 0; v < vectors; v++)
		_mm256_store_ps(sums + c + v * CLASS_BLOCK, total[v]);
}

__attribute__((target("avx2,fma"))) static void qhead_avx2(const struct pronet_cnn_quant *quant,
                                                           const int16_t *pooled, float *sums)
{
	size_t c = 0;

	for (; c + 4 * CLASS_BLOCK <= quant->padded; c += 4 * CLASS_BLOCK)
		qhead_avx2_classes(quant, pooled, c, 4, sums);
	/* The last 1-3 blocks in one pass (a constant count each, unrolled):
	 * one broadcast of each pair for all of them. */
	switch ((quant->padded - c) / CLASS_BLOCK) {
	case 3:
		qhead_avx2_classes(quant, pooled, c, 3, sums);
		break;
	case 2:
		qhead_avx2_classes(quant, pooled, c, 2, sums);
		break;
	case 1:
		qhead_avx2_classes(quant, pooled, c, 1, sums);
		break;
	default:
		break;
	}
}
#endif

/* Tokens as in tokens.h, one at a time (fast.c does the same). */
static void qsetup_generic(const struct pronet_cnn_quant *quant, const uint8_t *window,
                           size_t length, const int16_t **rows, const int16_t **ngram_rows)
{
	size_t row = OFFSETS * quant->stride;

#pragma GCC unroll 16
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		rows[i] = quant->table[0] + (i < length ? window[i] : PRONET_PADDING_TOKEN) * row;
#pragma GCC unroll 16
	for (size_t i = 0; i < PRONET_NGRAM_POSITIONS; i++)
		ngram_rows[i] =
		    quant->table[1] +
		    (i + PRONET_NGRAM_SIZE <= length
		         ? pronet_ngram_bucket_of(quant->magic, quant->divisor, window + i)
		         : 0) *
		        row;
}

#ifdef PRONET_HAVE_X86_KERNELS
/* rows[0..7] = table + tokens[k] * row_bytes (bytes), as 64-bit lanes. */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void
store_rows(const int16_t *table, __m256i row_bytes, __m256i tokens, const int16_t **rows)
{
	__m256i base = _mm256_set1_epi64x((long long)(uintptr_t)table);
	__m256i low = _mm256_cvtepu32_epi64(_mm256_castsi256_si128(tokens));
	__m256i high = _mm256_cvtepu32_epi64(_mm256_extracti128_si256(tokens, 1));

	_mm256_storeu_si256((__m256i *)(void *)rows,
	                    _mm256_add_epi64(base, _mm256_mul_epu32(low, row_bytes)));
	_mm256_storeu_si256((__m256i *)(void *)(rows + 4),
	                    _mm256_add_epi64(base, _mm256_mul_epu32(high, row_bytes)));
}

/* hash % divisor for 4 lanes, through doubles: every value below 2^33 is
 * exact, and h * (1 / d) is within h / d * 2^-52 <= 2^-20 of h / d, while
 * a remainder r > 0 puts h / d at least 1 / d >= 2^-16 from an integer. So
 * the floor is the quotient, or one less where r = 0 and the product fell
 * just below it; then h - q d (one fused, exact step) is d, made 0. */
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) __m128i
remainder_4(__m128i hash, __m256d divisor, __m256d inverse)
{
	__m256d h =
	    _mm256_add_pd(_mm256_cvtepi32_pd(_mm_xor_si128(hash, _mm_set1_epi32((int)0x80000000u))),
	                  _mm256_set1_pd(2147483648.0));
	__m256d r = _mm256_fnmadd_pd(_mm256_floor_pd(_mm256_mul_pd(h, inverse)), divisor, h);

	r = _mm256_sub_pd(r, _mm256_and_pd(_mm256_cmp_pd(r, divisor, _CMP_GE_OQ), divisor));
	return _mm256_cvttpd_epi32(r);
}

/* 8 3-grams, of bytes (from the first) at0, at1 and at2: FNV-1a on 8
 * lanes (vpmulld), 1 + its remainder, 0 where the 3-gram passes the
 * payload's end. */
__attribute__((target("avx2,fma"))) static inline __attribute__((always_inline)) __m256i
buckets_8(const struct pronet_cnn_quant *quant, __m128i at0, __m128i at1, __m128i at2,
          __m256i positions, __m256i valid_below)
{
	const __m256i prime = _mm256_set1_epi32(16777619);
	__m256i hash = _mm256_set1_epi32((int)2166136261u);
	__m256d divisor = _mm256_set1_pd((double)quant->divisor);
	__m256d inverse = _mm256_set1_pd(1.0 / (double)quant->divisor);
	__m256i buckets;

	hash = _mm256_mullo_epi32(_mm256_xor_si256(hash, _mm256_cvtepu8_epi32(at0)), prime);
	hash = _mm256_mullo_epi32(_mm256_xor_si256(hash, _mm256_cvtepu8_epi32(at1)), prime);
	hash = _mm256_mullo_epi32(_mm256_xor_si256(hash, _mm256_cvtepu8_epi32(at2)), prime);
	buckets = _mm256_set_m128i(remainder_4(_mm256_extracti128_si256(hash, 1), divisor, inverse),
	                           remainder_4(_mm256_castsi256_si128(hash), divisor, inverse));
	buckets = _mm256_add_epi32(buckets, _mm256_set1_epi32(1));
	return _mm256_and_si256(buckets, _mm256_cmpgt_epi32(valid_below, positions));
}

/* The same rows, 8 tokens to a vector. */
__attribute__((target("avx2,fma"))) static void qsetup_avx2(const struct pronet_cnn_quant *quant,
                                                            const uint8_t *window, size_t length,
                                                            const int16_t **rows,
                                                            const int16_t **ngram_rows)
{
	const __m256i low = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	const __m256i high = _mm256_add_epi32(low, _mm256_set1_epi32(8));
	__m256i row_bytes =
	    _mm256_set1_epi64x((long long)(OFFSETS * quant->stride * sizeof(int16_t)));
	__m256i bytes_valid = _mm256_set1_epi32((int)length);
	/* A 3-gram at i is whole where i + 3 <= length. */
	__m256i ngrams_valid = _mm256_set1_epi32((int)length - PRONET_NGRAM_SIZE + 1);
	__m256i padding = _mm256_set1_epi32(PRONET_PADDING_TOKEN);
	__m128i bytes = _mm_loadu_si128((const __m128i *)(const void *)window);
	__m256i first = _mm256_cvtepu8_epi32(bytes);
	__m256i second = _mm256_cvtepu8_epi32(_mm_srli_si128(bytes, 8));

	first = _mm256_blendv_epi8(padding, first, _mm256_cmpgt_epi32(bytes_valid, low));
	second = _mm256_blendv_epi8(padding, second, _mm256_cmpgt_epi32(bytes_valid, high));
	store_rows(quant->table[0], row_bytes, first, rows);
	store_rows(quant->table[0], row_bytes, second, rows + 8);
	/* Bytes i, i + 1 and i + 2 of 3-gram i: the prefix shifted down by 0-2
	 * and 8-10 bytes (zeros shifted in fall past the payload, masked). */
	store_rows(quant->table[1], row_bytes,
	           buckets_8(quant, bytes, _mm_srli_si128(bytes, 1), _mm_srli_si128(bytes, 2), low,
	                     ngrams_valid),
	           ngram_rows);
	store_rows(quant->table[1], row_bytes,
	           buckets_8(quant, _mm_srli_si128(bytes, 8), _mm_srli_si128(bytes, 9),
	                     _mm_srli_si128(bytes, 10), high, ngrams_valid),
	           ngram_rows + 8);
}
#endif

/* The step of each (view, width, filter) and the largest integer its pooled
 * feature can reach: B from the float rows (header comment). */
static void choose_steps(const struct pronet_cnn_fast *fast, const struct pronet_model *model,
                         double *step, double *reach)
{
	size_t t = pronet_cnn_state(model)->config.filters, stride = pronet_cnn_fast_stride(fast);

	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		uint32_t tokens =
		    v == 0 ? PRONET_BYTE_VOCABULARY : pronet_cnn_state(model)->config.ngram_buckets;

		for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++)
			for (size_t f = 0; f < stride; f++) {
				size_t j = (v * PRONET_CNN_WIDTHS + k) * stride + f;
				size_t width = pronet_cnn_widths[k];
				double low = 0.0, high = 0.0;

				for (size_t o = 0; f < t && o < width; o++) {
					double lo = INFINITY, hi = -INFINITY;

					for (uint32_t x = 0; x < tokens; x++) {
						double e = pronet_cnn_fast_row(
						    fast, v, x, first_offset[k] + o)[f];

						lo = fmin(lo, e);
						hi = fmax(hi, e);
					}
					low += lo;
					high += hi;
				}
				double bound = fmax(high, -low);

				step[j] = bound > 0.0 ? bound / (QMAX - width) : 1.0;
				/* Each rounded entry is within 1/2 of its exact quotient. */
				reach[j] = high > 0.0
				               ? fmin(QMAX, ceil(high / step[j] + width / 2.0))
				               : 0.0;
			}
	}
}

static void fill_tables(struct pronet_cnn_quant *q, const struct pronet_cnn_fast *fast,
                        const struct pronet_model *model, const double *step)
{
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		uint32_t tokens =
		    v == 0 ? PRONET_BYTE_VOCABULARY : pronet_cnn_state(model)->config.ngram_buckets;

		for (uint32_t x = 0; x < tokens; x++)
			for (size_t k = 0; k < PRONET_CNN_WIDTHS; k++)
				for (size_t o = 0; o < pronet_cnn_widths[k]; o++) {
					size_t offset = first_offset[k] + o;
					const float *row = pronet_cnn_fast_row(fast, v, x, offset);
					int16_t *out = q->table[v] +
					               ((size_t)x * OFFSETS + offset) * q->stride;

					for (size_t f = 0; f < q->stride; f++)
						out[f] = (int16_t)lrint(
						    row[f] /
						    step[(v * PRONET_CNN_WIDTHS + k) * q->stride +
						         f]);
				}
	}
}

/* w_jc and r_c (header comment), and the context rows, from the float
 * head: its W'_jc scaled by each feature's step. */
static void fill_head(struct pronet_cnn_quant *q, const struct pronet_cnn_fast *fast,
                      const double *step, const double *reach)
{
	const struct pronet_cnn_fast_head *head = pronet_cnn_fast_head_of(fast);
	size_t context_row = q->features;

	for (size_t g = 0; g < q->features / GROUP; g++)
		for (size_t c = 0; c < q->classes; c++) {
			double largest = 0.0, total = 0.0, slack = 0.0, r;
			float *scale = &q->class_scale[g * q->padded + c];

			for (size_t j = g * GROUP; j < (g + 1) * GROUP; j++) {
				double v = fabs(step[j] * pronet_cnn_fast_head_weight(head, j, c));

				largest = fmax(largest, v);
				total += reach[j] * v;
				slack += reach[j];
			}
			/* |w| <= v / r + 1/2, so sum_j reach_j |w_jc| <= total / r + slack / 2. */
			r = fmax(largest / QMAX, total / ((double)INT32_MAX - slack));
			*scale = (float)(r > 0.0 ? r : 1.0);
			for (size_t j = g * GROUP; j < (g + 1) * GROUP; j++)
				q->weights[(j / 2 * q->padded + c) * 2 + j % 2] = (int16_t)lrint(
				    step[j] * pronet_cnn_fast_head_weight(head, j, c) / *scale);
		}
	for (size_t c = 0; c < q->classes; c++) {
		float bias = pronet_cnn_fast_head_bias(head, c);

		if (!q->context) {
			for (size_t i = 0; i < DIRECTIONS * INDEXES; i++)
				q->by_position[i * q->padded + c] = bias;
			continue;
		}
		for (size_t d = 0; d < DIRECTIONS; d++)
			for (size_t i = 0; i < INDEXES; i++)
				q->by_position[(d * INDEXES + i) * q->padded + c] =
				    bias + pronet_cnn_fast_head_weight(head, context_row + d, c) +
				    pronet_cnn_fast_head_weight(head, context_row + 2 + i, c);
		for (size_t l4 = 0; l4 < TRANSPORTS; l4++)
			for (size_t b = 0; b < LENGTH_BUCKETS; b++)
				q->by_size[(l4 * LENGTH_BUCKETS + b) * q->padded + c] =
				    (l4 < 2 ? pronet_cnn_fast_head_weight(head,
				                                          context_row + 8 + l4, c)
				            : 0.0f) +
				    pronet_cnn_fast_head_weight(head, context_row + 11 + b, c);
		q->length_row[c] =
		    pronet_cnn_fast_head_weight(head, context_row + LENGTH_FEATURE, c);
	}
}

/* The largest over classes of the logit error's standard deviation, were
 * the rounding errors independent and uniform and every pooled feature at
 * its largest reachable value (the weights' rounding then errs most): per
 * feature j, its pooled value's rounding (width entries, each within s_j / 2:
 * variance width s_j^2 / 12) times W'_jc, and its weight's (within r_gc / 2)
 * times reach_j. */
static double error_sd(const struct pronet_cnn_quant *q, const struct pronet_cnn_fast *fast,
                       const double *step, const double *reach)
{
	const struct pronet_cnn_fast_head *head = pronet_cnn_fast_head_of(fast);
	double worst = 0.0;

	for (size_t c = 0; c < q->classes; c++) {
		double variance = 0.0;

		for (size_t j = 0; j < q->features; j++) {
			double w = pronet_cnn_fast_head_weight(head, j, c) * step[j],
			       width = (double)pronet_cnn_widths[j / q->stride % PRONET_CNN_WIDTHS],
			       r = q->class_scale[j / GROUP * q->padded + c] * reach[j];

			variance += (w * w * width + r * r) / 12.0;
		}
		worst = fmax(worst, sqrt(variance));
	}
	return worst;
}

static void *aligned_block(size_t bytes, size_t *total)
{
	size_t size = (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
	void *p = aligned_alloc(ALIGNMENT, size);

	if (p != NULL) {
		memset(p, 0, size);
		*total += size;
	}
	return p;
}

struct pronet_cnn_quant *pronet_cnn_quant_new(const struct pronet_model *model,
                                              const struct pronet_cnn_fast *fast,
                                              enum pronet_vector_isa isa)
{
	struct pronet_cnn_quant *q;
	double *step, *reach;
	int supported;

	isa = pronet_vector_isa_resolve(isa, &supported);
	if (!supported || fast == NULL || !pronet_cnn_fast_has_ngram_table(fast) ||
	    (q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->stride = pronet_cnn_fast_stride(fast);
	q->features = PRONET_CNN_FEATURE_GROUPS * q->stride;
	q->classes = model->num_classes;
	q->padded = (q->classes + CLASS_BLOCK - 1) / CLASS_BLOCK * CLASS_BLOCK;
	q->context = pronet_cnn_state(model)->config.context_features != 0;
	q->isa = isa;
	q->setup = qsetup_generic;
	q->pool = qpool_generic;
	q->head = qhead_generic;
#ifdef PRONET_HAVE_X86_KERNELS
	if (isa == PRONET_ISA_AVX2 || isa == PRONET_ISA_AVX512) {
		q->setup = qsetup_avx2;
		q->pool = qpool_avx2;
		q->head = qhead_avx2;
	}
#endif
	q->divisor = pronet_cnn_state(model)->config.ngram_buckets - 1;
	q->magic = pronet_ngram_bucket_magic(q->divisor);
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++) {
		size_t tokens =
		    v == 0 ? PRONET_BYTE_VOCABULARY : pronet_cnn_state(model)->config.ngram_buckets;

		q->table[v] =
		    aligned_block(tokens * OFFSETS * q->stride * sizeof(int16_t), &q->bytes);
	}
	q->weights = aligned_block(q->features * q->padded * sizeof(int16_t), &q->bytes);
	q->class_scale = aligned_block(q->features / GROUP * q->padded * sizeof(float), &q->bytes);
	q->by_position = aligned_block(DIRECTIONS * INDEXES * q->padded * sizeof(float), &q->bytes);
	q->by_size =
	    aligned_block(TRANSPORTS * LENGTH_BUCKETS * q->padded * sizeof(float), &q->bytes);
	q->length_row = aligned_block(q->padded * sizeof(float), &q->bytes);
	step = malloc(q->features * sizeof(double));
	reach = malloc(q->features * sizeof(double));
	if (q->table[0] == NULL || q->table[1] == NULL || q->weights == NULL ||
	    q->class_scale == NULL || q->by_position == NULL || q->by_size == NULL ||
	    q->length_row == NULL || step == NULL || reach == NULL) {
		free(step);
		free(reach);
		pronet_cnn_quant_free(q);
		return NULL;
	}
	choose_steps(fast, model, step, reach);
	fill_tables(q, fast, model, step);
	fill_head(q, fast, step, reach);
	q->error_sd = error_sd(q, fast, step, reach);
	free(step);
	free(reach);
	return q;
}

void pronet_cnn_quant_free(struct pronet_cnn_quant *quant)
{
	if (quant == NULL)
		return;
	for (size_t v = 0; v < PRONET_CNN_VIEWS; v++)
		free(quant->table[v]);
	free(quant->weights);
	free(quant->class_scale);
	free(quant->by_position);
	free(quant->by_size);
	free(quant->length_row);
	free(quant);
}

size_t pronet_cnn_quant_bytes(const struct pronet_cnn_quant *quant)
{
	return quant->bytes;
}

double pronet_cnn_quant_error_sd(const struct pronet_cnn_quant *quant)
{
	return quant->error_sd;
}

/* The context features' part of the logits plus b'_c: what
 * pronet_packet_context's sixteen features times their weights add up to,
 * from two rows and the length feature. */
static const float *context_rows(const struct pronet_cnn_quant *q,
                                 const struct pronet_packet_record *input, const float **size_row,
                                 float *length_feature)
{
	unsigned index = input->payload_index < INDEXES - 1 ? input->payload_index : INDEXES - 1;
	unsigned direction = input->direction == PRONET_DIR_SERVER_TO_CLIENT;
	unsigned transport = input->l4_protocol == 6 ? 0 : input->l4_protocol == 17 ? 1 : 2;
	unsigned bucket = pronet_packet_context_bucket(input->payload_length);

	*size_row = q->by_size + (transport * LENGTH_BUCKETS + bucket) * q->padded;
	*length_feature = pronet_packet_context_length(input->payload_length);
	return q->by_position + (direction * INDEXES + index) * q->padded;
}

/* The row pointers of input's tokens. A prefix of 16 bytes is read where it
 * is; a shorter one is copied to window first, zeros after it (the vector
 * load that follows waits for the copy's smaller stores to reach the cache,
 * which the whole prefix skips). */
static void set_up(const struct pronet_cnn_quant *quant, const struct pronet_packet_record *input,
                   uint8_t window[PRONET_PAYLOAD_BYTES], const int16_t **rows,
                   const int16_t **ngram_rows)
{
	size_t length = input->length < PRONET_PAYLOAD_BYTES ? input->length : PRONET_PAYLOAD_BYTES;

	if (length == PRONET_PAYLOAD_BYTES) {
		quant->setup(quant, input->bytes, length, rows, ngram_rows);
		return;
	}
	memset(window, 0, PRONET_PAYLOAD_BYTES);
	if (length > 0)
		memcpy(window, input->bytes, length);
	quant->setup(quant, window, length, rows, ngram_rows);
}

void pronet_cnn_quant_tokens(const struct pronet_cnn_quant *quant,
                             const struct pronet_packet_record *input,
                             uint32_t byte_ids[PRONET_PAYLOAD_BYTES],
                             uint32_t ngram_ids[PRONET_NGRAM_POSITIONS])
{
	const int16_t *rows[ROW_SLOTS], *ngram_rows[ROW_SLOTS];
	uint8_t window[PRONET_PAYLOAD_BYTES];
	size_t row = OFFSETS * quant->stride;

	set_up(quant, input, window, rows, ngram_rows);
	for (size_t i = 0; i < PRONET_PAYLOAD_BYTES; i++)
		byte_ids[i] = (uint32_t)((size_t)(rows[i] - quant->table[0]) / row);
	for (size_t i = 0; i < PRONET_NGRAM_POSITIONS; i++)
		ngram_ids[i] = (uint32_t)((size_t)(ngram_rows[i] - quant->table[1]) / row);
}

void pronet_cnn_quant_logits(const struct pronet_cnn_quant *quant,
                             const struct pronet_packet_record *input, float *logits)
{
	const int16_t *rows[ROW_SLOTS], *ngram_rows[ROW_SLOTS];
	_Alignas(ALIGNMENT) int16_t pooled[MAX_FEATURES];
	_Alignas(ALIGNMENT) float sums[PADDED_MAX_CLASSES], out[PADDED_MAX_CLASSES];
	uint8_t window[PRONET_PAYLOAD_BYTES];
	const float *position_row, *size_row;
	float length_feature;

	set_up(quant, input, window, rows, ngram_rows);
	quant->pool(quant, rows, 0, pooled);
	quant->pool(quant, ngram_rows, 1, pooled + PRONET_CNN_WIDTHS * quant->stride);
	quant->head(quant, pooled, sums);
	position_row = context_rows(quant, input, &size_row, &length_feature);
	/* Vectors of 8 classes (padded is a multiple): the softmax that follows
	 * loads them in vectors too (pronet_softmax_fast_store). */
	for (size_t c = 0; c < quant->padded; c += CLASS_BLOCK) {
		class_vector o, a, b, l, x;

		memcpy(&o, sums + c, sizeof(o));
		memcpy(&a, position_row + c, sizeof(a));
		memcpy(&b, size_row + c, sizeof(b));
		memcpy(&l, quant->length_row + c, sizeof(l));
		x = o + a + (b + length_feature * l);
		memcpy(out + c, &x, sizeof(x));
	}
	pronet_softmax_fast_store(out, quant->classes, logits, quant->isa);
}
