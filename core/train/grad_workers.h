/* The per-worker gradient loop that families trained sample by sample share
 * (deep-packet-cnn, deep-packet-sae, image-cnn, flow-cnn): each worker owns
 * one scratch (activations and their gradients) and a fixed contiguous
 * share of a batch, taken in chunks of at most `rows` samples, and adds its
 * samples' gradients into its own buffer; core/train/train.c adds the
 * buffers in worker order. The chunk size depends on the batch size and the
 * thread count only, so the sums, and the trained weights, do too.
 *
 * A family describes its scratch in a pronet_grad_family, names it as its
 * ops' `grad`, and takes the three hooks below as its train_begin,
 * train_end and train_batch. */
#ifndef PRONET_TRAIN_GRAD_WORKERS_H
#define PRONET_TRAIN_GRAD_WORKERS_H

#include <stddef.h>

#include "core/util/error.h"

struct pronet_model;
struct pronet_train_batch;

struct pronet_grad_family {
	/* One worker's scratch for chunks of up to `rows` samples of `model`. */
	enum pronet_err (*scratch_new)(const struct pronet_model *model, size_t rows,
	                               void **scratch);
	void (*scratch_free)(void *scratch);
	/* Points the scratch's gradient views into `grad` (laid out like the
	 * model's weight block), once per batch. */
	void (*bind)(const struct pronet_model *model, float *grad, void *scratch);
	/* Samples [begin, begin + rows) of the batch forward and back: their
	 * losses and hits into the batch, their gradients into the bound buffer. */
	void (*rows)(const struct pronet_model *model, const struct pronet_train_batch *batch,
	             size_t begin, size_t rows, void *scratch);
	/* The largest chunk: 1 runs samples one by one; 0 sets no bound (a
	 * worker's whole share of the largest batch). */
	size_t max_rows;
};

/* The ops hooks (core/arch/arch.h): workspace for `threads` workers and
 * batches of up to max_batch samples, from model->ops->grad; its end; and a
 * batch's gradient into grads[0..batch->threads), at most the thread count
 * the workspace was made for. */
enum pronet_err pronet_grad_workers_begin(const struct pronet_model *model, size_t max_batch,
                                          size_t threads, void **workspace);
void pronet_grad_workers_end(void *workspace);
void pronet_grad_workers_batch(struct pronet_model *model, void *workspace,
                               const struct pronet_train_batch *batch, float *const *grads);

#endif
