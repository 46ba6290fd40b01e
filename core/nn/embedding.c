/* Embedding lookup and its gradient (ProNet Sec. 3.2 (E1): e_i = E[x_i]). */
#include "core/nn/embedding.h"

#include <string.h>

void pronet_embedding_forward(const float *table, size_t dim, const uint32_t *ids, size_t n,
                              float *out)
{
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * dim, table + (size_t)ids[i] * dim, dim * sizeof(float));
}

void pronet_embedding_backward(float *dtable, size_t dim, const uint32_t *ids, size_t n,
                               const float *dout)
{
	for (size_t i = 0; i < n; i++) {
		float *row = dtable + (size_t)ids[i] * dim;

		for (size_t d = 0; d < dim; d++)
			row[d] += dout[i * dim + d];
	}
}
