/* One update's training step (tools/classify_update.h): the replay's
 * samples beside the update's own (tools/update_replay.h), a fifth of the
 * flows held back (by flow, per seed), warm-started training on the rest,
 * recalibration on the held-back fifth. */
#include "tools/update_train.h"

#include <stdlib.h>

#include "core/data/flows.h"
#include "core/eval/calibrate_model.h"
#include "core/eval/folds.h"
#include "core/train/train.h"

#define HOLD_BACK_FOLDS 5

/* Flow numbers to hold back (fold 0 of HOLD_BACK_FOLDS by flow, seeded) and
 * the samples of the others to train on. */
static enum pronet_err split_flows(const struct pronet_flows *flows, uint64_t seed, size_t *train,
                                   size_t *num_train, size_t *held, size_t *num_held, char *errbuf)
{
	size_t n = flows->num_flows;
	size_t *all = malloc((n + 1) * sizeof(*all));
	uint32_t *fold = calloc(n + 1, sizeof(*fold));
	enum pronet_err err = PRONET_OK;

	*num_train = *num_held = 0;
	if (all == NULL || fold == NULL)
		err = pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	for (size_t f = 0; err == PRONET_OK && f < n; f++)
		all[f] = f;
	if (err == PRONET_OK && n >= UPDATE_TRAIN_HOLD_BACK_MIN_FLOWS)
		err = pronet_eval_assign_folds(flows, all, n, NULL, 0, PRONET_FOLD_BY_FLOW,
		                               HOLD_BACK_FOLDS, seed, fold, errbuf);
	else if (err == PRONET_OK)
		for (size_t f = 0; f < n; f++)
			fold[f] = 1; /* too few to hold any back: all trained on */
	for (size_t f = 0; err == PRONET_OK && f < n; f++) {
		if (fold[f] == 0) {
			held[(*num_held)++] = f;
			continue;
		}
		for (size_t i = flows->start[f]; i < flows->start[f + 1]; i++)
			train[(*num_train)++] = flows->samples[i];
	}
	free(all);
	free(fold);
	return err;
}

enum pronet_err update_train(struct pronet_model *copy, struct pronet_dataset *data,
                             struct update_replay *replay,
                             const struct classify_update_options *update_options,
                             float min_threshold, uint32_t generation,
                             struct update_train_counts *counts, char *errbuf)
{
	struct pronet_flows *flows = NULL;
	struct pronet_train_options options;
	size_t own = data->num_samples, replayed = 0;
	size_t *train = NULL, *held = NULL;
	size_t num_train = 0, num_held = 0;
	uint64_t seed = update_options->seed + generation - 1;
	enum pronet_err err = PRONET_OK;

	if (replay != NULL)
		err = update_replay_append(replay, data, &replayed, errbuf);
	if (err == PRONET_OK) {
		train = malloc((data->num_samples + 1) * sizeof(*train));
		held = malloc((data->num_samples + 1) * sizeof(*held));
		if (train == NULL || held == NULL)
			err = pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	}
	if (err == PRONET_OK)
		err = pronet_flows_index(data, &flows, errbuf);
	if (err == PRONET_OK)
		err = split_flows(flows, seed, train, &num_train, held, &num_held, errbuf);
	if (err == PRONET_OK) {
		pronet_train_options_default(&options);
		pronet_arch_training_defaults(pronet_model_arch(copy), &options.batch_size,
		                              &options.learning_rate);
		options.epochs = update_options->epochs;
		options.seed = seed;
		options.progress_every = 0;
		options.warm_start = 1;
		options.train_indices = train;
		options.num_train = num_train;
		err = pronet_train(copy, data, &options, NULL, NULL, errbuf);
	}
	if (err == PRONET_OK && num_held > 0)
		err = pronet_eval_calibrate(copy, data, flows, held, num_held,
		                            PRONET_COMBINE_MEAN_LOGITS, 0,
		                            update_options->precision, min_threshold, errbuf);
	if (err == PRONET_OK && replay != NULL) /* after training: not its own replay */
		err = update_replay_offer(replay, data, 0, own, errbuf);
	if (err == PRONET_OK) {
		counts->samples = own;
		counts->replayed = replayed;
		counts->flows = flows->num_flows;
		counts->held_back_flows = num_held;
		counts->calibrated = num_held > 0;
		counts->temperature = pronet_model_temperature(copy);
	}
	pronet_flows_free(flows);
	free(train);
	free(held);
	return err;
}
