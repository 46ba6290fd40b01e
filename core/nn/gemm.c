/* Register-blocked matrix products (core/nn/gemm.h). Two kernel shapes:
 *   - dot form, for products whose reduction runs along rows of both
 *     operands (C = A B^T with K >= 8): a tile of 3 rows of A by 4 rows of B
 *     keeps 12 vectors of 8 partial sums, 7 loads per 12 vector
 *     multiply-adds; each element is finished as pronet_dot finishes it
 *     (lanes folded pairwise, then the tail past the last 8);
 *   - broadcast form, for C[i][k] (+)= sum_j P(i,j) Q[j][k] with Q's rows
 *     along the output (gradients, and forward products of a short K such
 *     as a 5-tap or 3x3x1 kernel, whose weights are transposed first): a
 *     tile of 4 rows by 16 columns keeps 8 vectors, each element summed
 *     over j in order.
 * The vectors are GCC/clang vector extensions of 8 floats, compiled once
 * for AVX2 and once for the baseline (target_clones picks one at load):
 * element-wise multiplies and adds, no fused multiply-add, so both give
 * the same bits. Which form an element takes depends on K and N only, never
 * on M or the tile: one row alone gives the bits it gives among many. */
#include "core/nn/gemm.h"

#include <string.h>

typedef float octet __attribute__((vector_size(32), aligned(4), may_alias));

/* GCC only: clang 14 emits a clone set's ifunc under NAME.ifunc and no
 * plain NAME, so calls from other files do not link (the fuzzing build). */
#if defined(__x86_64__) && defined(__has_attribute) && !defined(__clang__)
#if __has_attribute(target_clones) && !defined(__SANITIZE_ADDRESS__) &&                            \
    !defined(__SANITIZE_THREAD__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef CLONES
#define CLONES
#endif

#define INLINE static inline __attribute__((always_inline))

/* Below this K the dot form would be all tail: the broadcast form over
 * transposed weights, if they fit on the stack. */
#define SHORT_K 8
#define TRANSPOSED_MAX 8192

/* A macro, not a function: a function returning 8 floats by value would
 * change the baseline ABI. */
#define load(p) (*(const octet *)(p))

/* An element's 8 partial sums folded pairwise, then its tail past the last
 * 8. A macro for the same reason as load: clang warns (-Wpsabi, an error
 * with --enable-werror) at every call of a function taking 8 floats by
 * value in the baseline build, inlined or not. `lane` is a variable. */
#define finish(lane, tail)                                                                         \
	(((((lane)[0] + (lane)[4]) + ((lane)[1] + (lane)[5])) +                                    \
	  (((lane)[2] + (lane)[6]) + ((lane)[3] + (lane)[7]))) +                                   \
	 (tail))

/* One element: the same order as the tiles below. */
INLINE float dot_one(const float *a, const float *b, size_t K)
{
	octet lane = {0};
	float tail = 0.0f;
	size_t k = 0;

	for (; k + 8 <= K; k += 8)
		lane += load(a + k) * load(b + k);
	for (; k < K; k++)
		tail += a[k] * b[k];
	return finish(lane, tail);
}

/* 1 row of A by 4 rows of B. */
INLINE void dot_1x4(const float *a, const float *b, size_t ldb, size_t K, float out[4])
{
	octet l0 = {0}, l1 = {0}, l2 = {0}, l3 = {0};
	float t[4] = {0.0f, 0.0f, 0.0f, 0.0f};
	size_t k = 0;

	for (; k + 8 <= K; k += 8) {
		octet x = load(a + k);

		l0 += x * load(b + k);
		l1 += x * load(b + ldb + k);
		l2 += x * load(b + 2 * ldb + k);
		l3 += x * load(b + 3 * ldb + k);
	}
	for (; k < K; k++)
		for (size_t r = 0; r < 4; r++)
			t[r] += a[k] * b[r * ldb + k];
	out[0] = finish(l0, t[0]);
	out[1] = finish(l1, t[1]);
	out[2] = finish(l2, t[2]);
	out[3] = finish(l3, t[3]);
}

/* 3 rows of A by 4 rows of B: out[r][c]. */
INLINE void dot_3x4(const float *a, size_t lda, const float *b, size_t ldb, size_t K,
                    float out[3][4])
{
	octet l00 = {0}, l01 = {0}, l02 = {0}, l03 = {0};
	octet l10 = {0}, l11 = {0}, l12 = {0}, l13 = {0};
	octet l20 = {0}, l21 = {0}, l22 = {0}, l23 = {0};
	size_t k = 0;

	for (; k + 8 <= K; k += 8) {
		octet b0 = load(b + k), b1 = load(b + ldb + k);
		octet b2 = load(b + 2 * ldb + k), b3 = load(b + 3 * ldb + k);
		octet a0 = load(a + k), a1 = load(a + lda + k), a2 = load(a + 2 * lda + k);

		l00 += a0 * b0, l01 += a0 * b1, l02 += a0 * b2, l03 += a0 * b3;
		l10 += a1 * b0, l11 += a1 * b1, l12 += a1 * b2, l13 += a1 * b3;
		l20 += a2 * b0, l21 += a2 * b1, l22 += a2 * b2, l23 += a2 * b3;
	}
	float t[3][4] = {{0.0f}};

	for (; k < K; k++)
		for (size_t r = 0; r < 3; r++)
			for (size_t c = 0; c < 4; c++)
				t[r][c] += a[r * lda + k] * b[c * ldb + k];
	out[0][0] = finish(l00, t[0][0]), out[0][1] = finish(l01, t[0][1]);
	out[0][2] = finish(l02, t[0][2]), out[0][3] = finish(l03, t[0][3]);
	out[1][0] = finish(l10, t[1][0]), out[1][1] = finish(l11, t[1][1]);
	out[1][2] = finish(l12, t[1][2]), out[1][3] = finish(l13, t[1][3]);
	out[2][0] = finish(l20, t[2][0]), out[2][1] = finish(l21, t[2][1]);
	out[2][2] = finish(l22, t[2][2]), out[2][3] = finish(l23, t[2][3]);
}

INLINE float with_bias(const float *bias, size_t n, float sum)
{
	return bias != NULL ? bias[n] + sum : sum;
}

/* Rows [m, m + rows) of the dot form, rows 1 or 3. */
INLINE void dot_rows(size_t rows, size_t N, size_t K, const float *A, size_t lda, const float *B,
                     size_t ldb, const float *bias, float *C, size_t ldc)
{
	size_t n = 0;

	for (; n + 4 <= N; n += 4) {
		if (rows == 3) {
			float out[3][4];

			dot_3x4(A, lda, B + n * ldb, ldb, K, out);
			for (size_t r = 0; r < 3; r++)
				for (size_t c = 0; c < 4; c++)
					C[r * ldc + n + c] = with_bias(bias, n + c, out[r][c]);
		} else {
			float out[4];

			dot_1x4(A, B + n * ldb, ldb, K, out);
			for (size_t c = 0; c < 4; c++)
				C[n + c] = with_bias(bias, n + c, out[c]);
		}
	}
	for (; n < N; n++)
		for (size_t r = 0; r < rows; r++)
			C[r * ldc + n] = with_bias(bias, n, dot_one(A + r * lda, B + n * ldb, K));
}

/* C[i][k] = base + sum_j P[i psi + j psj] Q[j ldq + k] for i < rows (1 or
 * 4), k < K; base is C[i][k] itself (accumulate) or bias[k] (0 if NULL). */
INLINE void broadcast_rows(size_t rows, size_t J, size_t K, const float *P, size_t psi, size_t psj,
                           const float *Q, size_t ldq, int accumulate, const float *bias, float *C,
                           size_t ldc)
{
	size_t k = 0;

	for (; k + 16 <= K; k += 16) {
		octet c[4][2] = {{{0}}};

		for (size_t j = 0; j < J; j++) {
			octet q0 = load(Q + j * ldq + k), q1 = load(Q + j * ldq + k + 8);

			for (size_t r = 0; r < rows; r++) {
				float p = P[r * psi + j * psj];

				c[r][0] += p * q0;
				c[r][1] += p * q1;
			}
		}
		for (size_t r = 0; r < rows; r++)
			for (size_t v = 0; v < 2; v++)
				for (size_t e = 0; e < 8; e++) {
					float *out = C + r * ldc + k + 8 * v + e;
					float base = accumulate     ? *out
					             : bias != NULL ? bias[k + 8 * v + e]
					                            : 0.0f;

					*out = base + c[r][v][e];
				}
	}
	for (; k < K; k++)
		for (size_t r = 0; r < rows; r++) {
			float sum = 0.0f, *out = C + r * ldc + k;

			for (size_t j = 0; j < J; j++)
				sum += P[r * psi + j * psj] * Q[j * ldq + k];
			*out = (accumulate ? *out : bias != NULL ? bias[k] : 0.0f) + sum;
		}
}

INLINE void broadcast(size_t I, size_t J, size_t K, const float *P, size_t psi, size_t psj,
                      const float *Q, size_t ldq, int accumulate, const float *bias, float *C,
                      size_t ldc)
{
	size_t i = 0;

	for (; i + 4 <= I; i += 4)
		broadcast_rows(4, J, K, P + i * psi, psi, psj, Q, ldq, accumulate, bias,
		               C + i * ldc, ldc);
	for (; i < I; i++)
		broadcast_rows(1, J, K, P + i * psi, psi, psj, Q, ldq, accumulate, bias,
		               C + i * ldc, ldc);
}

CLONES void pronet_gemm_nt(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                           size_t ldb, const float *bias, float *C, size_t ldc)
{
	size_t m = 0;

	if (K < SHORT_K && N * K <= TRANSPOSED_MAX) {
		/* All tail in the dot form, summed in k order: the broadcast form
		 * sums the same terms in the same order. */
		float bt[TRANSPOSED_MAX];

		for (size_t n = 0; n < N; n++)
			for (size_t k = 0; k < K; k++)
				bt[k * N + n] = B[n * ldb + k];
		broadcast(M, K, N, A, lda, 1, bt, N, 0, bias, C, ldc);
		return;
	}
	for (; m + 3 <= M; m += 3)
		dot_rows(3, N, K, A + m * lda, lda, B, ldb, bias, C + m * ldc, ldc);
	for (; m < M; m++)
		dot_rows(1, N, K, A + m * lda, lda, B, ldb, bias, C + m * ldc, ldc);
}

CLONES void pronet_gemm_tn_acc(size_t M, size_t N, size_t K, const float *D, size_t ldd,
                               const float *A, size_t lda, float *C, size_t ldc)
{
	broadcast(N, M, K, D, 1, ldd, A, lda, 1, NULL, C, ldc);
}

CLONES void pronet_gemm_nn_acc(size_t M, size_t N, size_t K, const float *D, size_t ldd,
                               const float *B, size_t ldb, float *C, size_t ldc)
{
	broadcast(M, N, K, D, ldd, 1, B, ldb, 1, NULL, C, ldc);
}
