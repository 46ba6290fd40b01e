/* Vector softmax with a Cody-Waite range reduction and a degree-6
 * polynomial for exp (the classic single-precision scheme of Cephes' expf);
 * see core/nn/softmax_fast.h for the error it keeps. */
#include "core/nn/softmax_fast.h"

#include <stdint.h>
#include <string.h>

#include "core/model/model.h"
#include "core/nn/softmax_xent.h"
#include "core/util/vector_isa.h"
#ifdef PRONET_HAVE_X86_KERNELS
#include <immintrin.h>
#endif

/* One register of classes a vector: 16 with AVX-512, 8 with AVX2, 4 with
 * 16-byte vectors. (A vector wider than the target's, as 16 lanes were on
 * AVX2, is split by the compiler, and its lane masks and comparisons come
 * out lane by lane through the stack: on an AVX2 CPU that softmax took 37 %
 * of a 16-bit prediction, docs/performance.md.) */

#define LOG2E 1.44269504088896341f
/* ln 2 in two parts: C1 has few significant bits, so n * C1 is exact. */
#define LN2_HIGH 0.693359375f
#define LN2_LOW -2.12194440e-4f
/* Below this exp(x) is under 2^-125; clamping keeps 2^n a normal float. */
#define SMALLEST -87.0f
/* 1.5 * 2^23: adding it rounds a float below 2^22 in magnitude to an integer
 * held in the low bits of the sum. */
#define ROUNDER 12582912.0f

/* The first class vector v holds. A last, partial vector is loaded as the
 * last LANES classes, overlapping the one before, rather than gathered
 * through a buffer (whose separate stores a vector load cannot take over
 * directly); with fewer than LANES classes there is no other choice. */
static inline size_t first_class(size_t v, size_t n, size_t lanes)
{
	return n >= lanes && v * lanes + lanes > n ? n - lanes : v * lanes;
}

/* The largest logit (rarely needed, see below). */
static float largest_of(const float *logits, size_t n)
{
	float top = logits[0];

	for (size_t i = 1; i < n; i++)
		top = logits[i] > top ? logits[i] : top;
	return top;
}

/* exp((x - shift) / temperature) of every class, summed. The shift only has
 * to keep the exponents in range: softmax does not depend on it. The
 * largest logit always does, but finding it is a chain of dependent steps
 * through every lane, so the first logit is tried first: unless some class
 * is more than LARGEST above it (then the exact maximum is taken), every
 * exp stays below e^80 and a sum of 256 below FLT_MAX. Below SMALLEST an
 * exp is clamped to e^-87 where a probability is 0 for any purpose.
 *
 * exp(y) for y <= LARGEST: y = n ln2 + r with |r| <= ln2 / 2 (n = y log2 e
 * rounded to nearest), exp(r) from its polynomial, 2^n built in the
 * exponent bits. Vectors of LANES lanes (first_class); lanes past n, or
 * that the vector before holds, are left out of the sum. */
#define LARGEST 80.0f

/* The reductions across lanes, per kernel: the sum of a vector's lanes, in
 * halves (lanes i and i + LANES/2 first, then again), whether any lane of a
 * mask is set, and the lowest class holding the largest probability (what
 * pronet_argmax gives on the stored probabilities). Written lane by lane
 * they go through the stack; the AVX2 kernel's are shuffles in registers
 * (the same additions in the same order, so the same sum). Each is compiled
 * for its kernel's target (attributes): clang refuses to pass a 64-byte
 * vector to a function built without AVX-512, as that changes the ABI. */
#define GENERIC_REDUCTIONS(name, LANES, attributes)                                                \
	attributes static inline                                                                   \
	    __attribute__((always_inline)) float name##_sum_lanes(name##_vector v)                 \
	{                                                                                          \
		float lanes[LANES];                                                                \
                                                                                                   \
		memcpy(lanes, &v, sizeof(lanes));                                                  \
		_Pragma("GCC unroll 4") for (int half = LANES / 2; half > 0; half /= 2)            \
		    _Pragma("GCC unroll 8") for (int i = 0; i < half; i++) lanes[i] +=             \
		    lanes[i + half];                                                               \
		return lanes[0];                                                                   \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) int name##_any(name##_ints m)      \
	{                                                                                          \
		int32_t lanes[LANES];                                                              \
		int any = 0;                                                                       \
                                                                                                   \
		memcpy(lanes, &m, sizeof(lanes));                                                  \
		_Pragma("GCC unroll 16") for (int i = 0; i < LANES; i++) any |= lanes[i];          \
		return any;                                                                        \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) size_t name##_best(                \
	    const name##_vector *p, size_t n, size_t vectors, const float *probabilities)          \
	{                                                                                          \
		(void)p;                                                                           \
		(void)vectors;                                                                     \
		return pronet_argmax(probabilities, n);                                            \
	}

#define DEFINE_SOFTMAX_KERNEL(name, attributes, LANES, REDUCTIONS)                                 \
	typedef float name##_vector __attribute__((vector_size(4 * LANES), may_alias));            \
	typedef int32_t name##_ints __attribute__((vector_size(4 * LANES)));                       \
	REDUCTIONS(name, LANES, attributes)                                                        \
	attributes static inline __attribute__((always_inline)) float name##_exps(                 \
	    const name##_vector *x, size_t n, size_t vectors, float shift, float inverse,          \
	    name##_vector *e, int *too_large)                                                      \
	{                                                                                          \
		name##_vector sums = {0}, smallest, largest, rounder, y, fx, tf, r, r2, p;         \
		name##_ints k, index, is_small, out_of_range = {0};                                \
                                                                                                   \
		_Pragma("GCC unroll 16") for (int i = 0; i < LANES; i++)                           \
		{                                                                                  \
			smallest[i] = SMALLEST;                                                    \
			largest[i] = LARGEST;                                                      \
			rounder[i] = ROUNDER;                                                      \
			index[i] = i;                                                              \
		}                                                                                  \
		for (size_t v = 0; v < vectors; v++) {                                             \
			size_t first = first_class(v, n, LANES);                                   \
			int count = (int)(n - first < LANES ? n - first : LANES);                  \
			int seen = (int)(v * LANES - first); /* lanes the vector before has */     \
                                                                                                   \
			y = (x[v] - shift) * inverse;                                              \
			out_of_range |= y > largest;                                               \
			is_small = y < smallest;                                                   \
			y = (name##_vector)((is_small & (name##_ints)smallest) |                   \
			                    (~is_small & (name##_ints)y));                         \
			/* n = round(y log2 e) from the low bits of a float whose unit             \
			 * in the last place is 1; exact for |n| < 2^22. */                        \
			fx = y * LOG2E + ROUNDER;                                                  \
			k = (name##_ints)fx - (name##_ints)rounder;                                \
			tf = fx - ROUNDER;                                                         \
			r = y - tf * LN2_HIGH;                                                     \
			r = r - tf * LN2_LOW;                                                      \
			/* exp(r) = 1 + r + r^2 P(r), P by Estrin's scheme (three                  \
			 * dependent steps instead of Horner's six). */                            \
			r2 = r * r;                                                                \
			p = (r * 1.6666665459e-1f + 5.0000001201e-1f) +                            \
			    r2 * ((r * 8.3334519073e-3f + 4.1665795894e-2f) +                      \
			          r2 * (r * 1.9875691500e-4f + 1.3981999507e-3f));                 \
			p = p * r2 + (r + 1.0f);                                                   \
			p = p * (name##_vector)((k + 127) << 23);                                  \
			/* Lanes past n: 0, so they add nothing to the sum. */                     \
			e[v] =                                                                     \
			    (name##_vector)((name##_ints)p & ((index >= seen) & (index < count))); \
			sums += e[v];                                                              \
		}                                                                                  \
		*too_large = name##_any(out_of_range);                                             \
		return name##_sum_lanes(sums);                                                     \
	}                                                                                          \
	attributes static inline __attribute__((always_inline))                                    \
	size_t name##_body(const float *logits, size_t n, size_t vectors, float temperature,       \
	                   float *probabilities, int want_best)                                    \
	{                                                                                          \
		name##_vector x[(PRONET_MAX_CLASSES + LANES - 1) / LANES],                         \
		    e[(PRONET_MAX_CLASSES + LANES - 1) / LANES], p;                                \
		float inverse = 1.0f / temperature, lanes[LANES], sum;                             \
		int too_large;                                                                     \
                                                                                                   \
		e[0] = (name##_vector){0}; /* GCC cannot tell vectors >= 1 */                      \
		for (size_t v = 0; v < vectors; v++) {                                             \
			if (n >= LANES) {                                                          \
				memcpy(&x[v], logits + first_class(v, n, LANES), sizeof(x[v]));    \
			} else {                                                                   \
				_Pragma("GCC unroll 16") for (size_t i = 0; i < LANES; i++)        \
				    lanes[i] = i < n ? logits[i] : logits[0];                      \
				memcpy(&x[v], lanes, sizeof(x[v]));                                \
			}                                                                          \
		}                                                                                  \
		sum = name##_exps(x, n, vectors, logits[0], inverse, e, &too_large);               \
		if (too_large)                                                                     \
			sum = name##_exps(x, n, vectors, largest_of(logits, n), inverse, e,        \
			                  &too_large);                                             \
		inverse = 1.0f / sum;                                                              \
		/* Last vector first: where it overlaps the one before, its lanes                  \
		 * hold 0 and are then written again with the right values. */                     \
		for (size_t v = vectors; v-- > 0;) {                                               \
			p = e[v] * inverse;                                                        \
			e[v] = p;                                                                  \
			if (n >= LANES)                                                            \
				memcpy(probabilities + first_class(v, n, LANES), &p, sizeof(p));   \
			else                                                                       \
				memcpy(probabilities, &p, n * sizeof(float));                      \
		}                                                                                  \
		return want_best ? name##_best(e, n, vectors, probabilities) : 0;                  \
	}                                                                                          \
	/* Up to four vectors of classes a constant count: every loop unrolled,                    \
	 * the vectors kept in registers. */                                                       \
	attributes static size_t name(const float *logits, size_t n, float temperature,            \
	                              float *probabilities, int want_best)                         \
	{                                                                                          \
		size_t vectors = (n + LANES - 1) / LANES;                                          \
                                                                                                   \
		switch (vectors) {                                                                 \
		case 1:                                                                            \
			return name##_body(logits, n, 1, temperature, probabilities, want_best);   \
		case 2:                                                                            \
			return name##_body(logits, n, 2, temperature, probabilities, want_best);   \
		case 3:                                                                            \
			return name##_body(logits, n, 3, temperature, probabilities, want_best);   \
		case 4:                                                                            \
			return name##_body(logits, n, 4, temperature, probabilities, want_best);   \
		default:                                                                           \
			return name##_body(logits, n, vectors, temperature, probabilities,         \
			                   want_best);                                             \
		}                                                                                  \
	}

#ifdef PRONET_HAVE_X86_KERNELS
/* The lowest class holding the largest probability: the largest lane of
 * all vectors (lanes past n and those the vector before holds are 0, below
 * every probability's maximum, which is positive), then the first vector
 * and lane equal to it among the valid ones. */
#define AVX2_REDUCTIONS(name, LANES, attributes)                                                   \
	attributes static inline                                                                   \
	    __attribute__((always_inline)) float name##_sum_lanes(name##_vector v)                 \
	{                                                                                          \
		__m128 low = _mm256_castps256_ps128((__m256)v);                                    \
                                                                                                   \
		low = _mm_add_ps(low, _mm256_extractf128_ps((__m256)v, 1));                        \
		low = _mm_add_ps(low, _mm_movehl_ps(low, low));                                    \
		return _mm_cvtss_f32(_mm_add_ss(low, _mm_movehdup_ps(low)));                       \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) int name##_any(name##_ints m)      \
	{                                                                                          \
		return _mm256_movemask_ps((__m256)m) != 0;                                         \
	}                                                                                          \
	attributes static inline __attribute__((always_inline)) size_t name##_best(                \
	    const name##_vector *p, size_t n, size_t vectors, const float *probabilities)          \
	{                                                                                          \
		__m256 top;                                                                        \
		__m128 half;                                                                       \
                                                                                                   \
		if (n < LANES)                                                                     \
			return pronet_argmax(probabilities, n);                                    \
		top = (__m256)p[0];                                                                \
		for (size_t v = 1; v < vectors; v++)                                               \
			top = _mm256_max_ps(top, (__m256)p[v]);                                    \
		half = _mm_max_ps(_mm256_castps256_ps128(top), _mm256_extractf128_ps(top, 1));     \
		half = _mm_max_ps(half, _mm_movehl_ps(half, half));                                \
		half = _mm_max_ss(half, _mm_movehdup_ps(half));                                    \
		top = _mm256_broadcastss_ps(half);                                                 \
		for (size_t v = 0; v < vectors; v++) {                                             \
			unsigned hits = (unsigned)_mm256_movemask_ps(                              \
			    _mm256_cmp_ps((__m256)p[v], top, _CMP_EQ_OQ));                         \
			size_t first = first_class(v, n, LANES);                                   \
                                                                                                   \
			hits &= ~0u << (v * LANES - first); /* lanes the vector before has */      \
			if (hits != 0)                                                             \
				return first + (size_t)__builtin_ctz(hits);                        \
		}                                                                                  \
		return pronet_argmax(probabilities, n);                                            \
	}
#endif

DEFINE_SOFTMAX_KERNEL(softmax_generic, , 4, GENERIC_REDUCTIONS)
#ifdef PRONET_HAVE_X86_KERNELS
DEFINE_SOFTMAX_KERNEL(softmax_avx2, __attribute__((target("avx2,fma"))), 8, AVX2_REDUCTIONS)
DEFINE_SOFTMAX_KERNEL(softmax_avx512, __attribute__((target("avx512f"))), 16, GENERIC_REDUCTIONS)
#endif

static size_t softmax_kernel(const float *logits, size_t n, float temperature, float *probabilities,
                             enum pronet_vector_isa isa, int want_best)
{
#ifdef PRONET_HAVE_X86_KERNELS
	if (isa == PRONET_ISA_AVX512)
		return softmax_avx512(logits, n, temperature, probabilities, want_best);
	if (isa == PRONET_ISA_AVX2)
		return softmax_avx2(logits, n, temperature, probabilities, want_best);
#endif
	(void)isa;
	return softmax_generic(logits, n, temperature, probabilities, want_best);
}

void pronet_softmax_fast(const float *logits, size_t n, float temperature, float *probabilities,
                         enum pronet_vector_isa isa)
{
	softmax_kernel(logits, n, temperature, probabilities, isa, 0);
}

size_t pronet_softmax_fast_best(const float *logits, size_t n, float temperature,
                                float *probabilities, enum pronet_vector_isa isa)
{
	return softmax_kernel(logits, n, temperature, probabilities, isa, 1);
}

/* A constant size each, so that every piece is one vector store. */
#define STORE_PIECES(lanes)                                                                        \
	for (size_t v = 0; v * (lanes) < n; v++)                                                   \
	memcpy(logits + first_class(v, n, lanes), padded + first_class(v, n, lanes),               \
	       (lanes) * sizeof(float))

void pronet_softmax_fast_store(const float *padded, size_t n, float *logits,
                               enum pronet_vector_isa isa)
{
	size_t lanes = isa == PRONET_ISA_AVX512 ? 16 : isa == PRONET_ISA_AVX2 ? 8 : 4;

#ifndef PRONET_HAVE_X86_KERNELS
	lanes = 4;
#endif
	if (n < lanes)
		memcpy(logits, padded, n * sizeof(float));
	else if (lanes == 16)
		STORE_PIECES(16);
	else if (lanes == 8)
		STORE_PIECES(8);
	else
		STORE_PIECES(4);
}
