/* Tests of core/train/train.c's control options: training on a subset of the
 * samples (the others may even be of classes the model lacks), early
 * stopping on held-back samples (stops when the validation loss no longer
 * falls and keeps the weights of its lowest point), class balancing by
 * undersampling (an epoch holds at most N samples of each class), byte
 * augmentation drawn from the seed, and a model with context features
 * training, saving and loading.
 *
 * Data: 4 classes told apart by their first bytes ("GET /", 16 03 01,
 * "SSH-", 'x'), then random bytes. */
#include "core/model/model.h"
#include "core/util/rng.h"
#include "core/train/train.h"
#include "tests/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLASSES 4

static char *names[CLASSES + 1] = {"http", "tls", "ssh", "other", "unseen"};

/* counts[c] samples of class c, then `copies` x the same inputs again with
 * the label rotated by one (contradicting the first part). */
static struct pronet_dataset *dataset(const size_t counts[CLASSES + 1], int copies)
{
	static const char *const prefixes[CLASSES + 1] = {"GET /", "\x16\x03\x01", "SSH-", "x",
	                                                  "zzzz"};
	struct pronet_dataset *d = calloc(1, sizeof(*d));
	struct pronet_rng rng;
	size_t n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	pronet_input_spec_default(&d->spec); /* the 16 payload bytes made below */
	for (size_t c = 0; c <= CLASSES; c++)
		n += counts[c];
	d->samples = calloc(n * (copies ? 2 : 1), sizeof(*d->samples));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d->samples);
	d->class_names = names;
	d->num_classes = CLASSES + 1;
	pronet_rng_seed(&rng, 9);
	for (size_t c = 0; c <= CLASSES; c++) {
		for (size_t i = 0; i < counts[c]; i++) {
			struct pronet_sample *s = &d->samples[d->num_samples++];

			s->input.bytes = pronet_unit_record_bytes(PRONET_PAYLOAD_BYTES);
			size_t prefix = strlen(prefixes[c]);

			s->label = (uint16_t)c;
			s->input.length = 16;
			for (size_t k = 0; k < 16; k++)
				PRONET_UNIT_BYTES(s->input)
			[k] = k < prefix ? (uint8_t)prefixes[c][k]
			                 : (uint8_t)(0x80 + pronet_rng_below(&rng, 64));
		}
	}
	for (size_t i = 0; copies && i < n; i++) {
		d->samples[n + i] = d->samples[i];
		d->samples[n + i].label = (uint16_t)((d->samples[i].label + 1) % CLASSES);
	}
	d->num_samples = n * (copies ? 2 : 1);
	return d;
}

static void dataset_free(struct pronet_dataset *d)
{
	free(d->samples);
	free(d);
}

static struct pronet_model *model_of(uint32_t context)
{
	struct pronet_cnn_config config;
	struct pronet_model *model = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];

	pronet_cnn_config_default(&config);
	config.embed_dim = 8;
	config.filters = 8;
	config.ngram_buckets = 256;
	config.dropout = 0.1f;
	config.context_features = context;
	CU_ASSERT_EQUAL(
	    pronet_model_new_cnn(&config, (const char *const *)names, CLASSES, 4, &model, errbuf),
	    PRONET_OK);
	return model;
}

/* What the progress callback saw. */
struct progress_log {
	uint32_t reports, last_step, total, best_step;
	int stopped_early;
	uint64_t samples_seen;
	float lowest;
};

static void record(const struct pronet_train_progress *p, void *user)
{
	struct progress_log *seen = user;

	seen->reports++;
	seen->last_step = p->step;
	seen->total = p->total_steps;
	seen->best_step = p->best_step;
	seen->stopped_early = p->stopped_early;
	seen->samples_seen = p->samples_seen;
	if (isfinite(p->validation_loss) && p->validation_loss < seen->lowest)
		seen->lowest = p->validation_loss;
}

/* Default options for `steps` steps of batches of 16 at learning rate 3e-3
 * (no epochs). */
static void options_for_steps(struct pronet_train_options *o, uint32_t steps)
{
	pronet_train_options_default(o);
	o->steps = steps;
	o->epochs = 0;
	o->batch_size = 16;
	o->learning_rate = 3e-3f;
}

/* 1 if a and b give the same probabilities, bit for bit, on every
 * `stride`-th sample of d. */
static int same_predictions(const struct pronet_model *a, const struct pronet_model *b,
                            const struct pronet_dataset *d, size_t stride)
{
	float pa[PRONET_MAX_CLASSES], pb[PRONET_MAX_CLASSES];
	int same = 1;

	for (size_t i = 0; i < d->num_samples; i += stride) {
		pronet_model_predict(a, NULL, &d->samples[i].input, pa, NULL);
		pronet_model_predict(b, NULL, &d->samples[i].input, pb, NULL);
		same &= memcmp(pa, pb, CLASSES * sizeof(float)) == 0;
	}
	return same;
}

static double mean_loss(const struct pronet_model *model, const struct pronet_dataset *d,
                        const size_t *indices, size_t n)
{
	float p[PRONET_MAX_CLASSES];
	double total = 0.0;

	for (size_t i = 0; i < n; i++) {
		const struct pronet_sample *s = &d->samples[indices[i]];

		pronet_model_predict(model, NULL, &s->input, p, NULL);
		total -= log(p[pronet_model_find_class(model, d->class_names[s->label])]);
	}
	return total / (double)n;
}

/* The validation samples contradict the training ones, so the validation
 * loss rises as the model learns: training must stop early and end with
 * the weights of the lowest validation loss. */
static void test_early_stopping_keeps_the_best(void)
{
	const size_t counts[CLASSES + 1] = {50, 50, 50, 50, 0};
	struct pronet_dataset *d = dataset(counts, 1);
	struct pronet_model *model = model_of(0);
	struct pronet_train_options o;
	struct progress_log seen = {0, 0, 0, 0, 0, 0, INFINITY};
	size_t train[200], validation[200];
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (size_t i = 0; i < 200; i++) {
		train[i] = i;
		validation[i] = 200 + i;
	}
	options_for_steps(&o, 500);
	o.train_indices = train;
	o.num_train = 200;
	o.validation_indices = validation;
	o.num_validation = 200;
	o.validate_every = 10;
	o.patience = 3;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &o, record, &seen, errbuf), PRONET_OK);
	CU_ASSERT_TRUE(seen.stopped_early);
	CU_ASSERT(seen.last_step < 500);
	CU_ASSERT_EQUAL(seen.last_step, seen.best_step + 3 * 10);
	CU_ASSERT_DOUBLE_EQUAL(mean_loss(model, d, validation, 200), seen.lowest, 1e-3);
	/* Without patience it runs to the end, still keeping the best. */
	pronet_model_free(model);
	model = model_of(0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	memset(&seen, 0, sizeof(seen));
	seen.lowest = INFINITY;
	o.patience = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &o, record, &seen, errbuf), PRONET_OK);
	CU_ASSERT_FALSE(seen.stopped_early);
	CU_ASSERT_EQUAL(seen.last_step, 500);
	CU_ASSERT_DOUBLE_EQUAL(mean_loss(model, d, validation, 200), seen.lowest, 1e-3);
	pronet_model_free(model);
	dataset_free(d);
}

/* 300 + 10 + 10 + 10 samples; at most 10 per class per epoch: 40 samples,
 * 5 batches of 8 per epoch. The "unseen" class (not in the model) is
 * outside the trained subset and does not stop training. */
static void test_balancing_caps_each_class(void)
{
	const size_t counts[CLASSES + 1] = {300, 10, 10, 10, 5};
	struct pronet_dataset *d = dataset(counts, 0);
	struct pronet_model *model = model_of(0);
	struct pronet_train_options o;
	struct progress_log seen = {0, 0, 0, 0, 0, 0, INFINITY};
	size_t pool[330];
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (size_t i = 0; i < 330; i++)
		pool[i] = i;
	pronet_train_options_default(&o);
	o.epochs = 3;
	o.batch_size = 8;
	o.max_per_class = 10;
	o.train_indices = pool;
	o.num_train = 330;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &o, record, &seen, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(seen.total, 15);
	CU_ASSERT_EQUAL(seen.samples_seen, 120);
	/* Without the cap: 330 samples, 42 batches per epoch. */
	o.max_per_class = 0;
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &o, record, &seen, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(seen.total, 3 * 42);
	/* All samples, including the class the model lacks: refused by name. */
	o.train_indices = NULL;
	CU_ASSERT_EQUAL(pronet_train(model, d, &o, record, &seen, errbuf), PRONET_ERR_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "unseen"));
	pool[0] = 100000; /* an index past the dataset */
	o.train_indices = pool;
	CU_ASSERT_EQUAL(pronet_train(model, d, &o, record, &seen, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "100000")); /* names the bad index */
	pronet_model_free(model);
	dataset_free(d);
}

/* Context features: the same bytes in the two directions are two classes,
 * which only the context can tell apart; the model learns it and survives
 * a save and load with the same predictions. */
static void test_context_features_learn_direction(void)
{
	const size_t counts[CLASSES + 1] = {100, 100, 0, 0, 0};
	struct pronet_dataset *d = dataset(counts, 0);
	struct pronet_model *model = model_of(1), *loaded = NULL;
	struct pronet_train_options o;
	struct pronet_cnn_config config;
	char errbuf[PRONET_ERRBUF_SIZE], path[512];
	size_t right = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(model);
	for (size_t i = 0; i < d->num_samples; i++) { /* class 1: class 0's bytes, other way */
		if (d->samples[i].label == 1) {
			d->samples[i].input.bytes = d->samples[i - 100].input.bytes;
			d->samples[i].input.direction = PRONET_DIR_SERVER_TO_CLIENT;
		}
	}
	options_for_steps(&o, 300);
	CU_ASSERT_EQUAL_FATAL(pronet_train(model, d, &o, NULL, NULL, errbuf), PRONET_OK);
	for (size_t i = 0; i < d->num_samples; i++) {
		float p[CLASSES];
		size_t best;

		pronet_model_predict(model, NULL, &d->samples[i].input, p, &best);
		right += best == d->samples[i].label;
	}
	CU_ASSERT(right >= 190);
	/* The process id keeps concurrent runs (several build trees) apart. */
	snprintf(path, sizeof(path), "%s/pronet-test-train-control-%ld.pronet",
	         pronet_unit_tmpdir(), (long)getpid());
	CU_ASSERT_EQUAL_FATAL(pronet_model_save(model, path, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL_FATAL(pronet_model_load(path, &loaded, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_model_cnn_config(loaded, &config), PRONET_OK);
	CU_ASSERT_EQUAL(config.context_features, 1);
	CU_ASSERT_TRUE(same_predictions(model, loaded, d, 7));
	CU_ASSERT_EQUAL(remove(path), 0);
	pronet_model_free(loaded);
	pronet_model_free(model);
	dataset_free(d);
}

/* Byte augmentation is drawn from the seed: the same seed gives the same
 * model, and it changes what is learned (the model differs from one trained
 * without it); an out-of-range probability is refused. */
static void test_augmentation_is_seeded(void)
{
	const size_t counts[CLASSES + 1] = {40, 40, 40, 40, 0};
	struct pronet_dataset *d = dataset(counts, 0);
	struct pronet_model *a = model_of(0), *b = model_of(0), *c = model_of(0);
	struct pronet_train_options o;
	char errbuf[PRONET_ERRBUF_SIZE];

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	pronet_train_options_default(&o);
	o.steps = 40;
	o.epochs = 0;
	o.batch_size = 16; /* the default learning rate */
	o.threads = 2;
	o.augment_bytes = 0.2f;
	CU_ASSERT_EQUAL(pronet_train(a, d, &o, NULL, NULL, errbuf), PRONET_OK);
	CU_ASSERT_EQUAL(pronet_train(b, d, &o, NULL, NULL, errbuf), PRONET_OK);
	o.augment_bytes = 0.0f;
	CU_ASSERT_EQUAL(pronet_train(c, d, &o, NULL, NULL, errbuf), PRONET_OK);
	CU_ASSERT_TRUE(same_predictions(a, b, d, 5));
	CU_ASSERT_FALSE(same_predictions(a, c, d, 5));
	o.augment_bytes = 0.6f;
	CU_ASSERT_EQUAL(pronet_train(c, d, &o, NULL, NULL, errbuf), PRONET_ERR_ARG);
	CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "augment")); /* says which option */
	pronet_model_free(a);
	pronet_model_free(b);
	pronet_model_free(c);
	dataset_free(d);
}

static CU_TestInfo tests[] = {
    {"augmentation is seeded", test_augmentation_is_seeded},
    {"early stopping keeps the best weights", test_early_stopping_keeps_the_best},
    {"balancing caps each class per epoch", test_balancing_caps_each_class},
    {"context features learn the direction", test_context_features_learn_direction},
    CU_TEST_INFO_NULL,
};

int main(void)
{
	return pronet_unit_run("core/train/train_control", tests);
}
