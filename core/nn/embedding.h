/* Embedding lookup: each token id selects one row of a table (ProNet Sec. 3.2,
 * the byte view and the 3-gram view). Convention for every layer file:
 * forward writes its output; backward accumulates (+=) parameter gradients;
 * each backward says whether it writes or accumulates input gradients. */
#ifndef PRONET_CORE_EMBEDDING_H
#define PRONET_CORE_EMBEDDING_H

#include <stddef.h>
#include <stdint.h>

/* out[i][:] = table[ids[i]][:] for i < n; rows have `dim` floats. The caller
 * guarantees ids[i] < rows of the table. */
void pronet_embedding_forward(const float *table, size_t dim, const uint32_t *ids, size_t n,
                              float *out);
/* dtable[ids[i]][:] += dout[i][:]: a token seen twice gets both gradients. */
void pronet_embedding_backward(float *dtable, size_t dim, const uint32_t *ids, size_t n,
                               const float *dout);

#endif
