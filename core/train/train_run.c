/* A training run's buffers (core/train/train_run.h). */
#include "core/train/train_run.h"

#include <stdlib.h>

#include "core/model/model_internal.h"

void pronet_train_run_free(struct pronet_train_run *run, const struct pronet_model *model)
{
	free(run->labels);
	pronet_epochs_free(&run->epochs);
	free(run->best_weights);
	free(run->worker_loss);
	free(run->batch_inputs);
	free(run->batch_records);
	free(run->batch_bytes);
	free(run->worker_bytes);
	free(run->worker_err);
	free(run->worker_errbuf);
	free(run->augmented);
	free(run->augmented_bytes);
	free(run->batch_labels);
	free(run->losses);
	free(run->correct);
	free(run->batch_lengths);
	for (size_t i = 0; run->batch_flows != NULL && i < run->num_batch_flows; i++)
		pronet_flow_records_free(&run->batch_flows[i]);
	free(run->batch_flows);
	for (size_t i = 0; run->worker_flows != NULL && i < run->threads; i++)
		pronet_flow_records_free(&run->worker_flows[i]);
	free(run->worker_flows);
	pronet_train_flows_free(&run->flows);
	for (size_t i = 0; run->grads != NULL && i < run->threads; i++)
		free(run->grads[i]);
	free(run->grads);
	free(run->moment1);
	free(run->moment2);
	for (size_t i = 0; run->predict_workspaces != NULL && i < run->threads; i++)
		pronet_workspace_free(run->predict_workspaces[i]);
	free(run->predict_workspaces);
	if (run->workspace != NULL)
		model->ops->train_end(run->workspace);
}

/* units[pool] the training units (NULL: every sample). */
enum pronet_err pronet_train_run_allocate(struct pronet_train_run *run,
                                          const struct pronet_model *model,
                                          const struct pronet_dataset *data,
                                          const struct pronet_train_options *o, const size_t *units,
                                          size_t pool, size_t batch)
{
	size_t samples = data->num_samples;
	size_t n = model->num_trainable, threads = o->threads;
	int failed;

	run->threads = threads;
	run->labels = malloc(samples * sizeof(*run->labels));
	run->worker_loss = calloc(threads, sizeof(*run->worker_loss));
	run->best_weights = malloc(model->num_weights * sizeof(float));
	run->batch_inputs = malloc(batch * sizeof(*run->batch_inputs));
	/* In memory a record's bytes stay in the dataset: no copies. */
	run->record_bytes =
	    pronet_dataset_is_streamed(data) ? pronet_dataset_record_bytes_max(data) : 0;
	run->batch_records = malloc(batch * sizeof(*run->batch_records));
	run->batch_bytes = malloc(batch * run->record_bytes + 1);
	run->worker_bytes = malloc(threads * run->record_bytes + 1);
	run->worker_err = calloc(threads, sizeof(*run->worker_err));
	run->worker_errbuf = calloc(threads, sizeof(*run->worker_errbuf));
	run->augmented = malloc(batch * sizeof(*run->augmented));
	run->augmented_bytes = malloc(batch * sizeof(*run->augmented_bytes));
	run->batch_labels = malloc(batch * sizeof(*run->batch_labels));
	run->losses = malloc(batch * sizeof(*run->losses));
	run->correct = malloc(batch * sizeof(*run->correct));
	run->batch_lengths = malloc(batch * sizeof(*run->batch_lengths));
	run->grads = calloc(threads, sizeof(*run->grads));
	run->moment1 = calloc(n, sizeof(float));
	run->moment2 = calloc(n, sizeof(float));
	failed = pronet_epochs_init(&run->epochs, units, pool, model->num_classes) != PRONET_OK;
	failed = failed || !run->augmented || !run->augmented_bytes || !run->labels ||
	         !run->worker_loss || !run->best_weights || !run->batch_inputs ||
	         !run->batch_labels || !run->losses || !run->correct || !run->grads ||
	         !run->moment1 || !run->moment2 || !run->batch_lengths || !run->batch_records ||
	         !run->batch_bytes || !run->worker_bytes || !run->worker_err || !run->worker_errbuf;
	run->predict_workspaces = calloc(threads, sizeof(*run->predict_workspaces));
	failed = failed || !run->predict_workspaces;
	for (size_t i = 0; !failed && i < threads; i++)
		failed =
		    (run->grads[i] = calloc(n, sizeof(float))) == NULL ||
		    pronet_workspace_new(model, &run->predict_workspaces[i], NULL) != PRONET_OK;
	if (!failed && run->per_flow) {
		run->batch_flows = calloc(batch, sizeof(*run->batch_flows));
		run->worker_flows = calloc(threads, sizeof(*run->worker_flows));
		failed = !run->batch_flows || !run->worker_flows;
		run->num_batch_flows = failed ? 0 : batch;
		for (size_t i = 0; !failed && i < batch; i++)
			failed = pronet_flow_records_init(&run->batch_flows[i], data,
			                                  &run->flows) != PRONET_OK;
		for (size_t i = 0; !failed && i < threads; i++)
			failed = pronet_flow_records_init(&run->worker_flows[i], data,
			                                  &run->flows) != PRONET_OK;
	}
	if (failed)
		return PRONET_ERR_NOMEM;
	return model->ops->train_begin(model, batch, threads, &run->workspace);
}
