/* Blocked matrix products for the layers of the whole-packet families (a
 * strided convolution's windows, an im2col matrix, a batch of dense rows).
 * Row-major, leading dimensions in floats; rows of A may overlap (a
 * convolution whose stride is shorter than its window), rows of C may not.
 *
 * Each output element is summed in one fixed order whatever the shape and
 * the tile it falls in, so a product of one row gives the bits it gives
 * inside a product of many (batched predictions equal single ones), and the
 * same bits on every x86-64 CPU (AVX2 or not; no fused multiply-add). */
#ifndef PRONET_CORE_GEMM_H
#define PRONET_CORE_GEMM_H

#include <stddef.h>

/* C[m][n] = bias[n] + sum_k A[m][k] * B[n][k] (bias may be NULL: 0), for
 * m < M, n < N: a dense layer's or a convolution's forward pass (B the
 * weights, one row per output). */
void pronet_gemm_nt(size_t M, size_t N, size_t K, const float *A, size_t lda, const float *B,
                    size_t ldb, const float *bias, float *C, size_t ldc);

/* C[n][k] += sum_m D[m][n] * A[m][k]: a layer's weight gradient, D the
 * output gradient [M][N], A the input rows [M][K]. */
void pronet_gemm_tn_acc(size_t M, size_t N, size_t K, const float *D, size_t ldd, const float *A,
                        size_t lda, float *C, size_t ldc);

/* C[m][k] += sum_n D[m][n] * B[n][k]: a layer's input gradient, D the output
 * gradient [M][N], B the weights [N][K]. Rows of C must not overlap. */
void pronet_gemm_nn_acc(size_t M, size_t N, size_t K, const float *D, size_t ldd, const float *B,
                        size_t ldb, float *C, size_t ldc);

#endif
