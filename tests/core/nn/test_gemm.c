/* Tests of core/nn/gemm.c: the three products against double-precision
 * sums over shapes that fill every tile and every edge (M, N and K not
 * multiples of the tiles, K below and above the short-K bound, rows of A
 * overlapping as a strided convolution's windows do), and one row alone
 * giving the bits it gives inside a larger product. */
#include <string.h>

#include "core/nn/gemm.h"
#include "tests/core/nn/gradient_check.h"
#include "tests/unit.h"

#define MAX_M 11
#define MAX_N 19
#define MAX_K 37

static float a[MAX_M * MAX_K], b[MAX_N * MAX_K], bias[MAX_N], d[MAX_M * MAX_N];

static void fill(void)
{
	gradient_check_fill_normal(a, MAX_M * MAX_K, 31);
	gradient_check_fill_normal(b, MAX_N * MAX_K, 37);
	gradient_check_fill_normal(bias, MAX_N, 41);
	gradient_check_fill_normal(d, MAX_M * MAX_N, 43);
}

static void check_nt(size_t M, size_t N, size_t K, size_t lda)
{
	float c[MAX_M * MAX_N], row[MAX_N];

	pronet_gemm_nt(M, N, K, a, lda, b, K, bias, c, N);
	for (size_t m = 0; m < M; m++) {
		pronet_gemm_nt(1, N, K, a + m * lda, lda, b, K, bias, row, N);
		for (size_t n = 0; n < N; n++) {
			double sum = bias[n];

			for (size_t k = 0; k < K; k++)
				sum += (double)a[m * lda + k] * b[n * K + k];
			CU_ASSERT_DOUBLE_EQUAL(c[m * N + n], sum, 1e-4);
			/* the same bits alone as among the other rows */
			CU_ASSERT_EQUAL(memcmp(&row[n], &c[m * N + n], sizeof(float)), 0);
		}
	}
}

static void test_nt(void)
{
	static const size_t shapes[][3] = {{1, 1, 1},  {1, 4, 8},   {3, 4, 16}, {11, 19, 37},
	                                   {7, 5, 5},  {4, 19, 3},  {6, 8, 9},  {2, 17, 24},
	                                   {10, 3, 7}, {11, 16, 33}};

	fill();
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		check_nt(shapes[i][0], shapes[i][1], shapes[i][2], shapes[i][2]);
	check_nt(9, 7, 12, 3); /* overlapping rows: windows of 12 every 3 */
	/* no bias: zero */
	float c[4], one[1] = {2.0f}, w[4] = {1.0f, -1.0f, 0.5f, 3.0f};

	pronet_gemm_nt(1, 4, 1, one, 1, w, 1, NULL, c, 4);
	CU_ASSERT_DOUBLE_EQUAL(c[0], 2.0, 1e-7);
	CU_ASSERT_DOUBLE_EQUAL(c[3], 6.0, 1e-7);
}

/* C starts from a known value: both products accumulate. */
static void test_tn_and_nn_accumulate(void)
{
	static const size_t shapes[][3] = {
	    {1, 1, 1}, {1, 4, 16}, {5, 4, 17}, {11, 19, 37}, {3, 7, 8}};
	float c[MAX_N * MAX_K];

	fill();
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		size_t M = shapes[i][0], N = shapes[i][1], K = shapes[i][2];

		/* C[n][k] += sum_m D[m][n] A[m][k] */
		for (size_t j = 0; j < N * K; j++)
			c[j] = 0.5f;
		pronet_gemm_tn_acc(M, N, K, d, N, a, K, c, K);
		for (size_t n = 0; n < N; n++)
			for (size_t k = 0; k < K; k++) {
				double sum = 0.5;

				for (size_t m = 0; m < M; m++)
					sum += (double)d[m * N + n] * a[m * K + k];
				CU_ASSERT_DOUBLE_EQUAL(c[n * K + k], sum, 1e-4);
			}
		/* C[m][k] += sum_n D[m][n] B[n][k] */
		for (size_t j = 0; j < M * K; j++)
			c[j] = -1.0f;
		pronet_gemm_nn_acc(M, N, K, d, N, b, K, c, K);
		for (size_t m = 0; m < M; m++)
			for (size_t k = 0; k < K; k++) {
				double sum = -1.0;

				for (size_t n = 0; n < N; n++)
					sum += (double)d[m * N + n] * b[n * K + k];
				CU_ASSERT_DOUBLE_EQUAL(c[m * K + k], sum, 1e-4);
			}
	}
}

static CU_TestInfo tests[] = {
    {"C = A B^T + bias, every edge, one row as in many", test_nt},
    {"weight and input gradients accumulate", test_tn_and_nn_accumulate},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/nn/gemm", tests);
}
