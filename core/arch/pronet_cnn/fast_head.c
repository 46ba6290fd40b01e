/* Batch norm and dense folded into one input-major matrix; the algebra is
 * in core/arch/pronet_cnn/fast_head.h. */
#include "core/arch/pronet_cnn/fast_head.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch/pronet_cnn/pronet_cnn.h"
#include "core/nn/batchnorm.h"
#include "core/model/model_internal.h"
#include "core/arch/pronet_cnn/packet_context.h"

/* Classes padded to one AVX-512 vector of floats; rows taken 8 at a time
 * (the kernel's eight partial sums), which the padded layout already is. */
#define CLASS_BLOCK 16
#define ROW_BLOCK PRONET_CNN_FAST_HEAD_ROW_BLOCK
_Static_assert(PRONET_CONTEXT_FEATURES % ROW_BLOCK == 0,
               "context features come in whole blocks of rows: nothing to pad");
#define ALIGNMENT 64

typedef void head_kernel(const struct pronet_cnn_fast_head *head, const float *x, float *logits);

struct pronet_cnn_fast_head {
	size_t inputs;       /* rows of w, a multiple of ROW_BLOCK (stride is) */
	size_t classes;      /* the model's */
	size_t padded;       /* classes rounded up to CLASS_BLOCK */
	head_kernel *kernel; /* the widest this CPU runs */
	float *w;            /* [inputs][padded]: W'_jc */
	float *b;            /* [padded]: b'_c */
	size_t bytes;
};

/* o = b' + sum_j x_j W'_j with eight partial sums in flight (a multiply-add
 * takes four cycles and a core starts two a cycle): `vectors` vectors of
 * classes side by side, each with 8 / vectors partial sums over the rows.
 * Row by row, the classes of a row are read together, so W' streams through
 * the cache in its storage order. Vector extensions as in
 * fast.c. */
#define DEFINE_HEAD_KERNEL(name, attributes, vector_bytes)                                         \
	typedef float name##_vector                                                                \
	    __attribute__((vector_size(vector_bytes), aligned(vector_bytes), may_alias));          \
	attributes static inline __attribute__((always_inline)) void name##_classes(               \
	    const struct pronet_cnn_fast_head *head, const float *x, size_t c, size_t vectors,     \
	    float *out)                                                                            \
	{                                                                                          \
		const size_t lanes = (vector_bytes) / sizeof(float), sums = ROW_BLOCK / vectors;   \
		const float *w = head->w + c;                                                      \
		size_t padded = head->padded;                                                      \
		name##_vector s[ROW_BLOCK] = {{0}};                                                \
                                                                                                   \
		_Pragma("GCC unroll 8") for (size_t v = 0; v < vectors; v++) s[v * sums] =         \
		    *(const name##_vector *)(head->b + c + v * lanes);                             \
		for (size_t j = 0; j < head->inputs; j += sums)                                    \
			_Pragma("GCC unroll 8") for (size_t k = 0; k < sums; k++)                  \
			    _Pragma("GCC unroll 8") for (size_t v = 0; v < vectors; v++)           \
			        s[v * sums + k] +=                                                 \
			    x[j + k] * *(const name##_vector *)(w + (j + k) * padded + v * lanes); \
		_Pragma("GCC unroll 8") for (size_t v = 0; v < vectors; v++)                       \
		{                                                                                  \
			name##_vector total = s[v * sums];                                         \
                                                                                                   \
			_Pragma("GCC unroll 8") for (size_t k = 1; k < sums; k++) total +=         \
			    s[v * sums + k];                                                       \
			*(name##_vector *)(out + c + v * lanes) = total;                           \
		}                                                                                  \
	}                                                                                          \
	attributes static void name(const struct pronet_cnn_fast_head *head, const float *x,       \
	                            float *logits)                                                 \
	{                                                                                          \
		const size_t lanes = (vector_bytes) / sizeof(float);                               \
		size_t c = 0;                                                                      \
		_Alignas(ALIGNMENT) float out[PRONET_MAX_CLASSES + CLASS_BLOCK];                   \
                                                                                                   \
		for (; c + 4 * lanes <= head->padded; c += 4 * lanes)                              \
			name##_classes(head, x, c, 4, out);                                        \
		if (c + 2 * lanes <= head->padded) {                                               \
			name##_classes(head, x, c, 2, out);                                        \
			c += 2 * lanes;                                                            \
		}                                                                                  \
		if (c < head->padded)                                                              \
			name##_classes(head, x, c, 1, out);                                        \
		/* Sixteen at a time, so softmax's vector loads find them in one store             \
		 * each (a copy of variable size would store them piecemeal). */                   \
		for (c = 0; c + CLASS_BLOCK <= head->classes; c += CLASS_BLOCK)                    \
			memcpy(logits + c, out + c, CLASS_BLOCK * sizeof(float));                  \
		for (; c < head->classes; c++)                                                     \
			logits[c] = out[c];                                                        \
	}

DEFINE_HEAD_KERNEL(head_generic, , 16)
#ifdef PRONET_HAVE_X86_KERNELS
DEFINE_HEAD_KERNEL(head_avx2, __attribute__((target("avx2,fma"))), 32)
DEFINE_HEAD_KERNEL(head_avx512, __attribute__((target("avx512f"))), 64)
#endif

static head_kernel *head_kernel_for(enum pronet_vector_isa isa)
{
#ifdef PRONET_HAVE_X86_KERNELS
	if (isa == PRONET_ISA_AVX512)
		return head_avx512;
	if (isa == PRONET_ISA_AVX2)
		return head_avx2;
#endif
	return head_generic;
}

float *pronet_cnn_fast_aligned_floats(size_t count, size_t *bytes)
{
	size_t size = (count * sizeof(float) + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
	float *x = aligned_alloc(ALIGNMENT, size);

	if (x != NULL) {
		memset(x, 0, size);
		*bytes += size;
	}
	return x;
}

/* W' and b' (header comment); the bias sum in double, once per model. */
static void fold(const struct pronet_model *model, size_t stride, struct pronet_cnn_fast_head *h)
{
	const struct pronet_cnn_weights *w = &pronet_cnn_state(model)->weights;
	size_t t = pronet_cnn_state(model)->config.filters,
	       features = PRONET_CNN_FEATURE_GROUPS * t;
	size_t inputs = pronet_cnn_head_inputs(model);

	for (size_t c = 0; c < h->classes; c++) {
		const float *row = w->dense_w + c * inputs;
		double bias = w->dense_b[c];

		for (size_t j = 0; j < features; j++) {
			size_t padded_row = j / t * stride + j % t;
			float g = 1.0f, shift = 0.0f;

			if (pronet_cnn_state(model)->config.batch_norm) {
				float inv_std =
				    1.0f / sqrtf(w->bn_running_var[j] + PRONET_BATCHNORM_EPSILON);

				g = w->bn_gamma[j] * inv_std;
				shift = w->bn_beta[j] - g * w->bn_running_mean[j];
			}
			h->w[padded_row * h->padded + c] = row[j] * g;
			bias += (double)row[j] * shift;
		}
		for (size_t i = features; i < inputs; i++) /* context features */
			h->w[(PRONET_CNN_FEATURE_GROUPS * stride + i - features) * h->padded + c] =
			    row[i];
		h->b[c] = (float)bias;
	}
}

struct pronet_cnn_fast_head *pronet_cnn_fast_head_new(const struct pronet_model *model,
                                                      size_t stride, enum pronet_vector_isa isa)
{
	struct pronet_cnn_fast_head *h = calloc(1, sizeof(*h));
	size_t rows =
	    PRONET_CNN_FEATURE_GROUPS * stride +
	    (pronet_cnn_state(model)->config.context_features ? PRONET_CONTEXT_FEATURES : 0);

	if (h == NULL)
		return NULL;
	h->inputs = rows;
	h->classes = model->num_classes;
	h->padded = (h->classes + CLASS_BLOCK - 1) / CLASS_BLOCK * CLASS_BLOCK;
	h->kernel = head_kernel_for(isa);
	h->w = pronet_cnn_fast_aligned_floats(h->inputs * h->padded, &h->bytes);
	h->b = pronet_cnn_fast_aligned_floats(h->padded, &h->bytes);
	if (h->w == NULL || h->b == NULL) {
		pronet_cnn_fast_head_free(h);
		return NULL;
	}
	fold(model, stride, h);
	return h;
}

void pronet_cnn_fast_head_free(struct pronet_cnn_fast_head *head)
{
	if (head == NULL)
		return;
	free(head->w);
	free(head->b);
	free(head);
}

size_t pronet_cnn_fast_head_bytes(const struct pronet_cnn_fast_head *head)
{
	return head->bytes;
}

void pronet_cnn_fast_head_logits(const struct pronet_cnn_fast_head *head, const float *x,
                                 float *logits)
{
	head->kernel(head, x, logits);
}

float pronet_cnn_fast_head_weight(const struct pronet_cnn_fast_head *head, size_t row,
                                  size_t class_index)
{
	return head->w[row * head->padded + class_index];
}

float pronet_cnn_fast_head_bias(const struct pronet_cnn_fast_head *head, size_t class_index)
{
	return head->b[class_index];
}
