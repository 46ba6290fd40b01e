/* Eight partial sums break the chain of dependent additions, so the compiler
 * can keep eight multiply-adds in flight and vectorise them without
 * -ffast-math. The order of the additions is fixed by this code, not by the
 * compiler, so a result is the same on every run. */
#include "core/nn/dot.h"

#define LANES 8

float pronet_dot(const float *a, const float *b, size_t n)
{
	float lane[LANES] = {0.0f};
	float sum = 0.0f;
	size_t k = 0;

	for (; k + LANES <= n; k += LANES)
		for (size_t j = 0; j < LANES; j++)
			lane[j] += a[k + j] * b[k + j];
	for (; k < n; k++)
		sum += a[k] * b[k];
	return sum + (((lane[0] + lane[4]) + (lane[1] + lane[5])) +
	              ((lane[2] + lane[6]) + (lane[3] + lane[7])));
}

/* Lanes 0-3 and 4-7 of one row as two 4-float vectors (GCC/clang vector
 * extensions: SSE, NEON or wider): plain arrays of lanes indexed in a loop
 * would be kept in memory by the compiler, and so would 8-float vectors on a
 * target without 8-float registers. Each lane's products and sums are
 * pronet_dot's, in its order. */
typedef float quad __attribute__((vector_size(16), aligned(4), may_alias));

static inline float combine(quad low, quad high, float sum)
{
	quad pair = low + high; /* lane j + lane j+4 */

	return sum + ((pair[0] + pair[1]) + (pair[2] + pair[3]));
}

static void dot4_quads(const float *a, const float *b, size_t n, float out[4])
{
	const float *a0 = a, *a1 = a + n, *a2 = a + 2 * n, *a3 = a + 3 * n;
	quad l0 = {0}, h0 = {0}, l1 = {0}, h1 = {0}, l2 = {0}, h2 = {0}, l3 = {0}, h3 = {0};
	float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
	size_t k = 0;

	for (; k + LANES <= n; k += LANES) {
		quad bl = *(const quad *)(b + k), bh = *(const quad *)(b + k + 4);

		l0 += *(const quad *)(a0 + k) * bl;
		h0 += *(const quad *)(a0 + k + 4) * bh;
		l1 += *(const quad *)(a1 + k) * bl;
		h1 += *(const quad *)(a1 + k + 4) * bh;
		l2 += *(const quad *)(a2 + k) * bl;
		h2 += *(const quad *)(a2 + k + 4) * bh;
		l3 += *(const quad *)(a3 + k) * bl;
		h3 += *(const quad *)(a3 + k + 4) * bh;
	}
	for (; k < n; k++) {
		s0 += a0[k] * b[k];
		s1 += a1[k] * b[k];
		s2 += a2[k] * b[k];
		s3 += a3[k] * b[k];
	}
	out[0] = combine(l0, h0, s0);
	out[1] = combine(l1, h1, s1);
	out[2] = combine(l2, h2, s2);
	out[3] = combine(l3, h3, s3);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The same lanes as one 8-float AVX2 register per row, for CPUs that have
 * it (the distribution's build targets SSE2): each lane's products and sums
 * are dot4_quads', so the results are the same bits. AVX2 alone, not FMA,
 * whose fused multiply-adds would round differently. */
typedef float octet __attribute__((vector_size(32), aligned(4), may_alias));

__attribute__((target("avx2"))) static inline float combine_octet(octet lane, float sum)
{
	return sum + (((lane[0] + lane[4]) + (lane[1] + lane[5])) +
	              ((lane[2] + lane[6]) + (lane[3] + lane[7])));
}

__attribute__((target("avx2"))) static void dot4_avx2(const float *a, const float *b, size_t n,
                                                       float out[4])
{
	const float *a0 = a, *a1 = a + n, *a2 = a + 2 * n, *a3 = a + 3 * n;
	octet l0 = {0}, l1 = {0}, l2 = {0}, l3 = {0};
	float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
	size_t k = 0;

	for (; k + LANES <= n; k += LANES) {
		octet bk = *(const octet *)(b + k);

		l0 += *(const octet *)(a0 + k) * bk;
		l1 += *(const octet *)(a1 + k) * bk;
		l2 += *(const octet *)(a2 + k) * bk;
		l3 += *(const octet *)(a3 + k) * bk;
	}
	for (; k < n; k++) {
		s0 += a0[k] * b[k];
		s1 += a1[k] * b[k];
		s2 += a2[k] * b[k];
		s3 += a3[k] * b[k];
	}
	out[0] = combine_octet(l0, s0);
	out[1] = combine_octet(l1, s1);
	out[2] = combine_octet(l2, s2);
	out[3] = combine_octet(l3, s3);
}
#endif

/* The CPU check is a load and a bit test of libgcc's feature word, set
 * when the library is loaded. */
void pronet_dot4(const float *a, const float *b, size_t n, float out[4])
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (__builtin_cpu_supports("avx2")) {
		dot4_avx2(a, b, n, out);
		return;
	}
#endif
	dot4_quads(a, b, n, out);
}

void pronet_axpy(float *y, float alpha, const float *x, size_t n)
{
	quad a = {alpha, alpha, alpha, alpha};
	size_t k = 0;

	for (; k + 4 <= n; k += 4)
		*(quad *)(y + k) += a * *(const quad *)(x + k);
	for (; k < n; k++)
		y[k] += alpha * x[k];
}
