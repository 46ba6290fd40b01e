/* Vector softmax with a Cody-Waite range reduction and a degree-6
 * polynomial for exp (the classic single-precision scheme of Cephes' expf);
 * see core/softmax_fast.h for the error it keeps. */
#include "core/softmax_fast.h"

#include <stdint.h>
#include <string.h>

#include "core/model.h"
#include "core/vector_isa.h"

/* Sixteen classes a vector: one AVX-512 register, two AVX2 ones, four of 16
 * bytes (the compiler splits a vector wider than the target's). A model of
 * up to 16 classes is one vector, 17..32 two. */
#define LANES 16
#define MAX_VECTORS ((PRONET_MAX_CLASSES + LANES - 1) / LANES)

#define LOG2E 1.44269504088896341f
/* ln 2 in two parts: C1 has few significant bits, so n * C1 is exact. */
#define LN2_HIGH 0.693359375f
#define LN2_LOW -2.12194440e-4f
/* Below this exp(x) is under 2^-125; clamping keeps 2^n a normal float. */
#define SMALLEST -87.0f
/* 1.5 * 2^23: adding it rounds a float below 2^22 in magnitude to an integer
 * held in the low bits of the sum. */
#define ROUNDER 12582912.0f

/* exp(x) for x <= 0: x = n ln2 + r with |r| <= ln2 / 2 (n = x log2 e
 * rounded to nearest), exp(r) from its polynomial, 2^n built in the
 * exponent bits. Vectors of LANES lanes; lanes
 * past n are filled with the largest logit (exp 0 = 1) and not summed or
 * stored. A partial vector goes through a buffer; a whole one is loaded
 * directly. */
#define DEFINE_SOFTMAX_KERNEL(name, attributes)                                                \
	typedef float name##_vector __attribute__((vector_size(4 * LANES), may_alias));      \
	typedef int32_t name##_ints __attribute__((vector_size(4 * LANES)));                  \
	attributes static void name(const float *logits, size_t n, float temperature,           \
	                            float *probabilities)                                       \
	{                                                                                       \
		name##_vector e[MAX_VECTORS], top = {0}, sums = {0}, smallest, rounder, x, fx, tf, r, r2, p;       \
		name##_ints k, index, is_small, greater;                                        \
		float inverse = 1.0f / temperature, lanes[LANES];                               \
		size_t vectors = (n + LANES - 1) / LANES;                                       \
                                                                                                \
		_Pragma("GCC unroll 16") for (int i = 0; i < LANES; i++)                        \
		{                                                                               \
			smallest[i] = SMALLEST;                                                 \
			rounder[i] = ROUNDER;                                                   \
			index[i] = i;                                                           \
		}                                                                               \
		/* Load (a partial vector through a buffer, filled with logits[0]) and  \
		 * take the largest logit: the maximum does not depend on the order. */ \
		for (size_t v = 0; v < vectors; v++) {                                          \
			int count = (int)(n - v * LANES < LANES ? n - v * LANES : LANES);       \
                                                                                                \
			if (count == LANES) {                                                   \
				memcpy(&e[v], logits + v * LANES, sizeof(e[v]));                \
			} else {                                                                \
				_Pragma("GCC unroll 16") for (int i = 0; i < LANES; i++)        \
				    lanes[i] = i < count ? logits[v * LANES + i] : logits[0];   \
				memcpy(&e[v], lanes, sizeof(e[v]));                             \
			}                                                                       \
			if (v == 0)                                                             \
				top = e[0];                                                     \
			greater = e[v] > top;                                                   \
			top = (name##_vector)((greater & (name##_ints)e[v]) |                  \
			                      (~greater & (name##_ints)top));                   \
		}                                                                               \
		memcpy(lanes, &top, sizeof(top));                                               \
		_Pragma("GCC unroll 4") for (int half = LANES / 2; half > 0; half /= 2)         \
		    _Pragma("GCC unroll 8") for (int i = 0; i < half; i++) lanes[i] =           \
		        lanes[i + half] > lanes[i] ? lanes[i + half] : lanes[i];                \
		for (size_t v = 0; v < vectors; v++) {                                          \
			int count = (int)(n - v * LANES < LANES ? n - v * LANES : LANES);       \
                                                                                                \
			x = (e[v] - lanes[0]) * inverse;                                        \
			is_small = x < smallest;                                                \
			x = (name##_vector)((is_small & (name##_ints)smallest) |               \
			                    (~is_small & (name##_ints)x));                      \
			/* n = round(x log2 e) from the low bits of a float whose unit \
			 * in the last place is 1; exact for |n| < 2^22. */                     \
			fx = x * LOG2E + ROUNDER;                                               \
			k = (name##_ints)fx - (name##_ints)rounder;                             \
			tf = fx - ROUNDER;                                                      \
			r = x - tf * LN2_HIGH;                                                  \
			r = r - tf * LN2_LOW;                                                   \
			/* exp(r) = 1 + r + r^2 P(r), P by Estrin's scheme (three      \
			 * dependent steps instead of Horner's six). */                         \
			r2 = r * r;                                                             \
			p = (r * 1.6666665459e-1f + 5.0000001201e-1f) +                        \
			    r2 * ((r * 8.3334519073e-3f + 4.1665795894e-2f) +                   \
			          r2 * (r * 1.9875691500e-4f + 1.3981999507e-3f));              \
			p = p * r2 + (r + 1.0f);                                                \
			p = p * (name##_vector)((k + 127) << 23);                               \
			/* Lanes past n: 0, so they add nothing to the sum. */                  \
			e[v] = (name##_vector)((name##_ints)p & (index < count));               \
			sums += e[v];                                                           \
		}                                                                               \
		memcpy(lanes, &sums, sizeof(sums));                                             \
		_Pragma("GCC unroll 4") for (int half = LANES / 2; half > 0; half /= 2)         \
		    _Pragma("GCC unroll 8") for (int i = 0; i < half; i++) lanes[i] +=          \
		        lanes[i + half];                                                        \
		inverse = 1.0f / lanes[0];                                                      \
		for (size_t v = 0; v < vectors; v++) {                                          \
			p = e[v] * inverse;                                                     \
			if (n - v * LANES >= LANES)                                             \
				memcpy(probabilities + v * LANES, &p, sizeof(p));               \
			else                                                                    \
				memcpy(probabilities + v * LANES, &p,                           \
				       (n - v * LANES) * sizeof(float));                        \
		}                                                                               \
	}

DEFINE_SOFTMAX_KERNEL(softmax_generic, )
#ifdef PRONET_HAVE_X86_KERNELS
DEFINE_SOFTMAX_KERNEL(softmax_avx2, __attribute__((target("avx2,fma"))))
DEFINE_SOFTMAX_KERNEL(softmax_avx512, __attribute__((target("avx512f"))))
#endif

void pronet_softmax_fast_isa(const float *logits, size_t n, float temperature,
                             float *probabilities, enum pronet_vector_isa isa)
{
#ifdef PRONET_HAVE_X86_KERNELS
	if (isa == PRONET_ISA_AVX512) {
		softmax_avx512(logits, n, temperature, probabilities);
		return;
	}
	if (isa == PRONET_ISA_AVX2) {
		softmax_avx2(logits, n, temperature, probabilities);
		return;
	}
#endif
	(void)isa;
	softmax_generic(logits, n, temperature, probabilities);
}

void pronet_softmax_fast(const float *logits, size_t n, float temperature, float *probabilities)
{
	int supported;

	pronet_softmax_fast_isa(logits, n, temperature, probabilities,
	                        pronet_vector_isa_resolve(PRONET_ISA_WIDEST, &supported));
}
