/* pronet classify --update (tools/classify_update.h): the sample store's
 * handoff, the worker that trains and recalibrates a copy, and the swap at a
 * packet boundary. */
#include "tools/classify_update.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/train/train.h"
#include "rules/class_map.h"
#include "rules/rules_file.h"
#include "tools/update_replay.h"
#include "tools/update_store.h"
#include "tools/update_train.h"

/* Swaps the summary lists one by one (all are counted). */
#define MAX_SWAP_RECORDS 32

/* A trained copy on its way from the worker to the packet thread. */
struct update_result {
	struct pronet_model *model;
	uint32_t generation;
	struct update_train_counts counts; /* what it was trained and calibrated on */
	double seconds;                    /* cloning, training and calibrating */
	struct update_result *next;        /* on the `unused` list */
};

struct swap_record {
	struct update_result result; /* model NULL: not ours any more */
	uint32_t capture;            /* 1 for the first capture (engine) */
	uint64_t packet;             /* packets of that capture before the swap */
	double attach_us;            /* the re-attach, on the packet thread */
};

struct classify_update {
	struct classify_update_options options;
	int live;
	struct pronet_plugin_options attach_options;
	const struct pronet_model *initial; /* the loaded model: not ours to free */
	struct pronet_input_spec spec;      /* what the samples hold */
	struct pronet_class_map *class_map;
	float min_threshold;
	struct update_replay *replay; /* the worker's once it runs; NULL: none */

	/* The packet thread's. */
	const struct pronet_model *current; /* attached; ours unless `initial` */
	uint32_t current_generation;
	struct update_store *filling;
	uint64_t clock_start_us, clock_now_us;
	int clock_started;
	int waiting; /* the trigger holds, the worker is busy */
	uint32_t capture;
	uint64_t packets;
	uint64_t flows_kept, samples_kept;
	uint64_t not_dpi, unlabelled, not_a_class, no_payload, store_full;
	uint64_t triggers, waited, swaps, attach_failures;
	double max_attach_us;
	struct swap_record swap_records[MAX_SWAP_RECORDS];
	struct update_result *unused; /* results never attached: freed at the end */

	/* Shared: under `lock`, but `busy` (read without it) and `ready`. */
	pthread_mutex_t lock;
	pthread_cond_t wake, idle;
	struct update_store *job, *spare;
	int stop;
	atomic_int busy;
	_Atomic(struct update_result *) ready;

	/* The worker's (read by the packet thread only after the join). */
	pthread_t worker;
	int worker_started;
	const struct pronet_model *latest; /* the newest model: the one copied */
	uint32_t generations;
	uint64_t failures, write_failures, superseded;
	uint32_t written_generation;
};

void classify_update_options_default(struct classify_update_options *options)
{
	memset(options, 0, sizeof(*options));
	options->samples = CLASSIFY_UPDATE_DEFAULT_SAMPLES;
	options->minutes = CLASSIFY_UPDATE_DEFAULT_MINUTES;
	options->epochs = CLASSIFY_UPDATE_DEFAULT_EPOCHS;
	options->min_threshold = -1.0f;
	options->precision = 0.97; /* pronet train --threshold-precision's default */
	options->seed = 1;
	options->replay_per_class = CLASSIFY_UPDATE_DEFAULT_REPLAY_PER_CLASS;
	options->replay_total = CLASSIFY_UPDATE_DEFAULT_REPLAY_TOTAL;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* ---- the worker ---- */

/* Publishes a trained copy for the packet thread: one atomic exchange.
 * A result the packet thread has not taken yet is superseded and freed
 * here: it was never attached, and the copy was made from it already. */
static void publish(struct classify_update *u, struct update_result *result)
{
	struct update_result *previous;

	/* Before the exchange: from it on, the packet thread may take the
	 * result and free it. */
	u->latest = result->model;
	previous = atomic_exchange_explicit(&u->ready, result, memory_order_acq_rel);
	if (previous != NULL) {
		u->superseded++;
		pronet_model_free(previous->model);
		free(previous);
	}
}

/* One update from the samples of `job`. */
static void run_update(struct classify_update *u, const struct update_store *job)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct timespec start;
	struct pronet_model *copy = NULL;
	struct pronet_dataset *data = NULL;
	struct update_result *result = calloc(1, sizeof(*result));
	uint32_t generation = u->generations + 1;
	enum pronet_err err = result != NULL ? PRONET_OK : PRONET_ERR_NOMEM;

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (err != PRONET_OK)
		err = pronet_error(errbuf, err, "out of memory");
	if (err == PRONET_OK) /* the newest model: the packet thread's, or ready for it */
		err = pronet_model_clone(u->latest, &copy, errbuf);
	if (err == PRONET_OK)
		err = update_store_dataset(job, copy, &data, errbuf);
	if (err == PRONET_OK)
		err = update_train(copy, data, u->replay, &u->options, u->min_threshold, generation,
		                   &result->counts, errbuf);
	pronet_dataset_free(data);
	if (err != PRONET_OK) {
		fprintf(stderr, "pronet classify: update %u: %s (the running model stays)\n",
		        generation, errbuf);
		u->failures++;
		pronet_model_free(copy);
		free(result);
		return;
	}
	u->generations = generation;
	result->model = copy;
	result->generation = generation;
	result->seconds = seconds_since(&start);
	if (!u->options.quiet)
		fprintf(stderr,
		        "pronet classify: update %u: %zu samples and %zu replayed, of %zu flows, "
		        "%zu held back, trained in %.2f s: ready\n",
		        generation, result->counts.samples, result->counts.replayed,
		        result->counts.flows, result->counts.held_back_flows, result->seconds);
	publish(u, result);
	/* `copy` stays alive until a newer model replaces it, and only this
	 * thread makes newer ones. */
	if (u->options.out != NULL) {
		if (pronet_model_save(copy, u->options.out, errbuf) == PRONET_OK) {
			u->written_generation = generation;
		} else {
			fprintf(stderr, "pronet classify: update %u: %s\n", generation, errbuf);
			u->write_failures++;
		}
	}
}

static void *worker_main(void *arg)
{
	struct classify_update *u = arg;

	pthread_mutex_lock(&u->lock);
	for (;;) {
		while (u->job == NULL && !u->stop)
			pthread_cond_wait(&u->wake, &u->lock);
		if (u->job == NULL)
			break;
		struct update_store *job = u->job;
		u->job = NULL;
		pthread_mutex_unlock(&u->lock);
		run_update(u, job);
		update_store_clear(job); /* "these samples are removed from the DB" */
		pthread_mutex_lock(&u->lock);
		u->spare = job;
		atomic_store_explicit(&u->busy, 0, memory_order_release);
		pthread_cond_broadcast(&u->idle);
	}
	pthread_mutex_unlock(&u->lock);
	return NULL;
}

/* ---- the packet thread ---- */

static int trigger_holds(const struct classify_update *u)
{
	size_t stored = update_store_samples(u->filling);

	if (stored > u->options.samples)
		return 1;
	return stored > 0 && u->clock_started &&
	       (double)(u->clock_now_us - u->clock_start_us) >= u->options.minutes * 60e6;
}

/* Hands the store to the worker if the trigger holds and it is idle. */
static void maybe_start(struct classify_update *u)
{
	if (!trigger_holds(u))
		return;
	if (atomic_load_explicit(&u->busy, memory_order_acquire)) {
		u->waited += !u->waiting; /* once per trigger, not per packet */
		u->waiting = 1;
		return;
	}
	pthread_mutex_lock(&u->lock);
	u->job = u->filling;
	u->filling = u->spare;
	u->spare = NULL;
	atomic_store_explicit(&u->busy, 1, memory_order_relaxed);
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
	u->triggers++;
	u->waiting = 0;
	u->clock_start_us = u->clock_now_us; /* "the previous update time" */
}

static void attach_options(const struct classify_update *u, uint32_t generation,
                           struct pronet_plugin_options *options)
{
	*options = u->attach_options;
	options->model_generation = generation;
}

/* Re-attaches the module with the worker's model, between two packets. */
static void swap_in(struct classify_update *u, struct ndpi_detection_module_struct *ndpi,
                    struct update_result *result)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_plugin_options options;
	struct timespec start;
	double attach_us;

	attach_options(u, result->generation, &options);
	clock_gettime(CLOCK_MONOTONIC, &start);
	enum pronet_err err = pronet_plugin_attach(ndpi, result->model, &options, errbuf);
	attach_us = seconds_since(&start) * 1e6;
	if (err != PRONET_OK) {
		/* The module keeps the model it had. The worker may be copying
		 * this one: it is freed at the end, not now. */
		fprintf(stderr, "pronet classify: update %u: %s (the running model stays)\n",
		        result->generation, errbuf);
		u->attach_failures++;
		result->next = u->unused;
		u->unused = result;
		return;
	}
	/* Nothing reads the replaced model now: the module's new attachment
	 * has the new one, and the worker copies only the newest. */
	if (u->current != u->initial)
		pronet_model_free((struct pronet_model *)(uintptr_t)u->current);
	u->current = result->model;
	u->current_generation = result->generation;
	if (u->swaps < MAX_SWAP_RECORDS) {
		struct swap_record *record = &u->swap_records[u->swaps];

		record->result = *result;
		record->result.model = NULL;
		record->capture = u->capture;
		record->packet = u->packets;
		record->attach_us = attach_us;
	}
	u->swaps++;
	if (attach_us > u->max_attach_us)
		u->max_attach_us = attach_us;
	free(result);
}

void classify_update_boundary(struct classify_update *update,
                              struct ndpi_detection_module_struct *ndpi, uint64_t now_us)
{
	struct classify_update *u = update;

	/* Time going back is the next capture of a list starting earlier:
	 * its interval starts again. */
	if (!u->clock_started || now_us < u->clock_start_us) {
		u->clock_start_us = now_us;
		u->clock_started = 1;
	}
	u->clock_now_us = now_us;
	maybe_start(u);
	/* A plain load first: the exchange (a write) only when there is one. */
	if (atomic_load_explicit(&u->ready, memory_order_relaxed) != NULL) {
		struct update_result *result =
		    atomic_exchange_explicit(&u->ready, NULL, memory_order_acq_rel);

		if (result != NULL)
			swap_in(u, ndpi, result);
	}
	u->packets++;
}

void classify_update_offer(struct classify_update *update, const struct pronet_flow_report *report,
                           enum classify_source source)
{
	struct classify_update *u = update;
	const struct pronet_flow *flow = report->flow;
	char label[PRONET_CLASS_MAP_LABEL_SIZE];
	int model_class;

	if (source != CLASSIFY_SOURCE_NDPI)
		return; /* the model's, endpoint evidence's or nobody's verdict */
	/* `pronet label`'s rule: DPI evidence, not a port or address match. */
	if (report->confidence != NDPI_CONFIDENCE_DPI &&
	    report->confidence != NDPI_CONFIDENCE_DPI_CACHE) {
		u->not_dpi++;
		return;
	}
	if (!pronet_class_map_lookup(u->class_map, report->master_name, report->app_name, label)) {
		u->unlabelled++;
		return;
	}
	model_class = pronet_model_find_class(u->initial, label);
	if (model_class < 0) {
		u->not_a_class++;
		return;
	}
	if (flow->num_inputs == 0) {
		u->no_payload++;
		return;
	}
	if (!update_store_add_flow(u->filling, flow->inputs, flow->num_inputs,
	                           (uint16_t)model_class, u->capture)) {
		u->store_full++;
		return;
	}
	u->flows_kept++;
	u->samples_kept += flow->num_inputs;
	/* Flows end in bursts (a capture's at its end, a timeout's at once):
	 * hand the samples over now rather than at the next packet, so that
	 * the store need not hold the burst. The swap still waits for a
	 * packet boundary. */
	maybe_start(u);
}

enum pronet_err classify_update_attach(struct classify_update *update,
                                       struct ndpi_detection_module_struct *ndpi, char *errbuf)
{
	struct pronet_plugin_options options;

	attach_options(update, update->current_generation, &options);
	update->capture++;
	update->packets = 0;
	return pronet_plugin_attach(ndpi, update->current, &options, errbuf);
}

void classify_update_flow_options(const struct classify_update *update,
                                  struct pronet_flow_table_options *flows)
{
	flows->window_bytes = update->spec.window_bytes;
	flows->layer = update->spec.layer;
	flows->record_flags = update->spec.flags & PRONET_SPEC_ALL_PACKETS;
	flows->inputs_per_direction = update->spec.packets_per_direction;
}

/* ---- the run ---- */

/* The lowest threshold the model was calibrated with (0 if none): the floor
 * an update's recalibration keeps unless told another (the shipped model is
 * trained with --min-threshold 0.7). */
static float calibrated_floor(const struct pronet_model *model)
{
	float floor = 0.0f;

	for (size_t c = 0; c < pronet_model_num_classes(model); c++) {
		float t = pronet_model_threshold(model, c);

		if (t > 0.0f && (floor == 0.0f || t < floor))
			floor = t;
	}
	return floor;
}

/* --update-class-map, else the rules directory's class map if it has one,
 * else none (the class map's default policy), as `pronet label` looks. */
static enum pronet_err load_class_map(const struct classify_update_options *options,
                                      struct pronet_class_map **map, char *errbuf)
{
	char path[4096];
	const char *file = options->class_map;
	enum pronet_err err;

	*map = NULL;
	if (file == NULL) {
		err = pronet_rules_default_path(options->rules_dir, PRONET_CLASS_MAP_FILE, path,
		                                sizeof(path), errbuf);
		if (err != PRONET_OK)
			return err;
		if (access(path, F_OK) != 0)
			return PRONET_OK;
		file = path;
	}
	return pronet_class_map_load(file, map, errbuf);
}

static enum pronet_err start_worker(struct classify_update *u, char *errbuf)
{
	size_t capacity = 2 * (size_t)u->options.samples + PRONET_FLOW_MAX_INPUTS;
	enum pronet_err err = update_store_new(capacity, &u->spec, &u->filling, errbuf);

	if (err == PRONET_OK)
		err = update_store_new(capacity, &u->spec, &u->spare, errbuf);
	if (err != PRONET_OK)
		return err;
	if (pthread_create(&u->worker, NULL, worker_main, u) != 0)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "--update: cannot start a thread");
	u->worker_started = 1;
	return PRONET_OK;
}

enum pronet_err classify_update_new(const struct classify_update_options *options,
                                    const struct pronet_plugin_loaded *loaded, uint32_t max_flows,
                                    int live, struct classify_update **out, char *errbuf)
{
	const struct pronet_model *model = pronet_plugin_loaded_model(loaded);
	struct classify_update *u;
	enum pronet_err err;

	*out = NULL;
	if (!pronet_train_can_warm_start(model))
		return pronet_error(errbuf, PRONET_ERR_UNSUPPORTED,
		                    "--update: architecture %s is fitted in one go, not trained "
		                    "by gradient steps, so it cannot continue from its weights",
		                    pronet_arch_name(pronet_model_arch(model)));
	u = calloc(1, sizeof(*u));
	if (u == NULL)
		return pronet_error(errbuf, PRONET_ERR_NOMEM, "out of memory");
	u->options = *options;
	u->live = live;
	u->attach_options = *pronet_plugin_loaded_options(loaded);
	u->attach_options.max_flows = max_flows;
	u->initial = u->current = u->latest = model;
	pronet_model_input_spec(model, &u->spec);
	/* The packets the plugin serves the model, as `pronet label -k` would
	 * record them; times and flags are known (the flow table keeps them). */
	u->spec.packets_per_direction = u->attach_options.packets_per_direction;
	u->spec.flags &= PRONET_SPEC_ALL_PACKETS;
	u->min_threshold =
	    options->min_threshold >= 0.0f ? options->min_threshold : calibrated_floor(model);
	atomic_init(&u->busy, 0);
	atomic_init(&u->ready, NULL);
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->wake, NULL);
	pthread_cond_init(&u->idle, NULL);
	err = load_class_map(options, &u->class_map, errbuf);
	if (err == PRONET_OK) /* the seed's: the same samples replayed run after run */
		err = update_replay_new(model, &u->spec, options->replay_per_class,
		                        options->replay_total, options->seed, options->replay,
		                        &u->replay, errbuf);
	if (err == PRONET_OK)
		err = start_worker(u, errbuf);
	if (err != PRONET_OK) {
		classify_update_free(u);
		return err;
	}
	*out = u;
	return PRONET_OK;
}

static void wait_idle(struct classify_update *u)
{
	pthread_mutex_lock(&u->lock);
	while (atomic_load_explicit(&u->busy, memory_order_acquire))
		pthread_cond_wait(&u->idle, &u->lock);
	pthread_mutex_unlock(&u->lock);
}

static void stop_worker(struct classify_update *u)
{
	if (!u->worker_started)
		return;
	pthread_mutex_lock(&u->lock);
	u->stop = 1;
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->worker, NULL);
	u->worker_started = 0;
}

int classify_update_finish(struct classify_update *update)
{
	struct classify_update *u = update;

	if (u->worker_started) {
		wait_idle(u); /* the update under way, then the trigger once more */
		maybe_start(u);
		wait_idle(u);
		stop_worker(u);
	}
	return u->failures + u->write_failures + u->attach_failures > 0;
}

static void free_result(struct update_result *result)
{
	if (result == NULL)
		return;
	pronet_model_free(result->model);
	free(result);
}

void classify_update_free(struct classify_update *update)
{
	struct classify_update *u = update;

	if (u == NULL)
		return;
	stop_worker(u);
	free_result(atomic_exchange(&u->ready, NULL));
	while (u->unused != NULL) {
		struct update_result *next = u->unused->next;

		free_result(u->unused);
		u->unused = next;
	}
	if (u->current != u->initial)
		pronet_model_free((struct pronet_model *)(uintptr_t)u->current);
	update_store_free(u->filling);
	update_store_free(u->spare);
	update_store_free(u->job);
	pronet_class_map_free(u->class_map);
	update_replay_free(u->replay);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->wake);
	pthread_cond_destroy(&u->idle);
	free(u);
}

static void print_result(const struct update_result *result, FILE *out)
{
	fprintf(out, "  update %u: %zu samples and %zu replayed, of %zu flows, ",
	        result->generation, result->counts.samples, result->counts.replayed,
	        result->counts.flows);
	if (result->counts.calibrated)
		fprintf(out, "%zu held back (recalibrated, temperature %.4f)",
		        result->counts.held_back_flows, (double)result->counts.temperature);
	else
		fprintf(out, "fewer than %d flows (calibration kept)",
		        UPDATE_TRAIN_HOLD_BACK_MIN_FLOWS);
	fprintf(out, ", %.2f s", result->seconds);
}

void classify_update_print_summary(const struct classify_update *update, FILE *out)
{
	const struct classify_update *u = update;
	const struct update_result *ready = atomic_load(&((struct classify_update *)u)->ready);

	fprintf(out,
	        "update: more than %u samples or %g minutes (%s clock); records of %u bytes, "
	        "layer %s, %u per direction\n",
	        u->options.samples, u->options.minutes, u->live ? "wall" : "capture",
	        (unsigned)u->spec.window_bytes, u->spec.layer == PRONET_LAYER_L3 ? "l3" : "payload",
	        (unsigned)u->spec.packets_per_direction);
	fprintf(out,
	        "update: kept %llu flows nDPI's DPI named (%llu samples); left out: %llu not by "
	        "DPI, %llu no class-map label, %llu not a model class, %llu no payload, %llu "
	        "store full\n",
	        (unsigned long long)u->flows_kept, (unsigned long long)u->samples_kept,
	        (unsigned long long)u->not_dpi, (unsigned long long)u->unlabelled,
	        (unsigned long long)u->not_a_class, (unsigned long long)u->no_payload,
	        (unsigned long long)u->store_full);
	fprintf(out,
	        "update: %llu started (%llu waited for the worker), %u trained, %llu failed, "
	        "%llu swapped in (re-attach at most %.0f us), %llu superseded unused; generation "
	        "%u answered last\n",
	        (unsigned long long)u->triggers, (unsigned long long)u->waited, u->generations,
	        (unsigned long long)(u->failures + u->attach_failures),
	        (unsigned long long)u->swaps, u->max_attach_us, (unsigned long long)u->superseded,
	        u->current_generation);
	update_replay_print_summary(u->replay, out);
	for (uint64_t i = 0; i < u->swaps && i < MAX_SWAP_RECORDS; i++) {
		const struct swap_record *record = &u->swap_records[i];

		print_result(&record->result, out);
		fprintf(out, "; swapped in before packet %llu of capture %u (re-attach %.0f us)\n",
		        (unsigned long long)record->packet + 1, record->capture, record->attach_us);
	}
	if (ready != NULL) {
		print_result(ready, out);
		fprintf(out, "; ready after the last packet: never answered\n");
	}
	if (u->written_generation > 0)
		fprintf(out, "update: generation %u written to %s\n", u->written_generation,
		        u->options.out);
}
