#include "core/train/grad_workers.h"

#include <stdlib.h>

#include "core/arch/arch.h"
#include "core/model/model_internal.h"
#include "core/util/parallel.h"

struct pronet_grad_workers {
	const struct pronet_grad_family *family;
	size_t threads, rows;
	void **scratch; /* [threads] */
	/* The batch being run, for the workers. */
	const struct pronet_model *model;
	const struct pronet_train_batch *batch;
};

void pronet_grad_workers_end(void *workspace)
{
	struct pronet_grad_workers *workers = workspace;

	if (workers == NULL)
		return;
	for (size_t i = 0; workers->scratch != NULL && i < workers->threads; i++)
		workers->family->scratch_free(workers->scratch[i]);
	free(workers->scratch);
	free(workers);
}

enum pronet_err pronet_grad_workers_begin(const struct pronet_model *model, size_t max_batch,
                                          size_t threads, void **workspace)
{
	const struct pronet_grad_family *family = model->ops->grad;
	struct pronet_grad_workers *workers;
	size_t rows = threads > 0 ? (max_batch + threads - 1) / threads : 1;
	enum pronet_err err = PRONET_OK;

	*workspace = NULL;
	if (family == NULL || threads == 0)
		return PRONET_ERR_ARG;
	workers = calloc(1, sizeof(*workers));
	if (workers == NULL)
		return PRONET_ERR_NOMEM;
	if (rows == 0)
		rows = 1;
	if (family->max_rows > 0 && rows > family->max_rows)
		rows = family->max_rows;
	workers->family = family;
	workers->threads = threads;
	workers->rows = rows;
	workers->scratch = calloc(threads, sizeof(*workers->scratch));
	if (workers->scratch == NULL)
		err = PRONET_ERR_NOMEM;
	for (size_t i = 0; err == PRONET_OK && i < threads; i++)
		err = family->scratch_new(model, rows, &workers->scratch[i]);
	if (err != PRONET_OK) {
		/* scratch_free takes NULL, which the slots not reached hold */
		pronet_grad_workers_end(workers);
		return err;
	}
	*workspace = workers;
	return PRONET_OK;
}

static void run_share(void *context, size_t worker, size_t count)
{
	struct pronet_grad_workers *workers = context;
	const struct pronet_train_batch *batch = workers->batch;
	size_t begin, end, rows = workers->rows;

	pronet_parallel_range(batch->size, worker, count, &begin, &end);
	for (size_t b = begin; b < end; b += rows)
		workers->family->rows(workers->model, batch, b, end - b < rows ? end - b : rows,
		                      workers->scratch[worker]);
}

void pronet_grad_workers_batch(struct pronet_model *model, void *workspace,
                               const struct pronet_train_batch *batch, float *const *grads)
{
	struct pronet_grad_workers *workers = workspace;
	size_t threads = batch->threads < workers->threads ? batch->threads : workers->threads;

	workers->model = model;
	workers->batch = batch;
	for (size_t i = 0; i < threads; i++)
		workers->family->bind(model, grads[i], workers->scratch[i]);
	pronet_parallel_run(threads, run_share, workers);
}
