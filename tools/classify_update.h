/* pronet classify --update: seed 003's offline learning and updating component
 * (E2E-EACF, Sec. III-C, "OLUC") around classify's one engine.
 *
 *   1. Flows nDPI's DPI names (source ndpi, confidence DPI or DPI cache) are
 *      kept as labelled samples in a bounded store (tools/update_store.h):
 *      the engine's flow-table records - the one input builder, recording
 *      what the model reads with the packets per direction the plugin
 *      serves - under the label the class map gives, as `pronet label`
 *      writes them. Never the model's own verdicts (the paper labels with
 *      them; that would teach the model its mistakes), nor endpoint
 *      evidence's, nor port guesses.
 *   2. Before every packet (and once at the end of input) the trigger is
 *      checked: more than N samples stored, or T minutes since the last
 *      update (capture time for captures, so that runs repeat; the wall
 *      clock live). The store then goes whole to a worker thread, and an
 *      empty one takes its place.
 *   3. The worker trains a copy of the newest model on the samples,
 *      warm-started from its weights (pronet_train's warm_start), holding
 *      back a fifth of the flows to recalibrate it on
 *      (pronet_eval_calibrate; with fewer than 10 flows the copy keeps the
 *      calibration it had), publishes it through one C11 atomic pointer and
 *      writes it with pronet_model_save (core/atomic_file).
 *   4. The packet thread picks it up at the next packet boundary and
 *      re-attaches its nDPI module with it (plugin: the flows' recorded
 *      packets stay, the next decision is the new model's); nothing waits
 *      for training, no packet is held back. The model it replaced is freed
 *      then: nothing reads it any more (the worker copies only the newest).
 * The generation - 0 for the loaded model, k after the k-th update - goes
 * with each verdict into the EVE event (pronet.model_generation).
 *
 * All calls but the worker's are from the thread that reads packets. */
#ifndef PRONET_TOOLS_CLASSIFY_UPDATE_H
#define PRONET_TOOLS_CLASSIFY_UPDATE_H

#include <stdint.h>
#include <stdio.h>

#include "core/util/error.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/loader.h"
#include "tools/classify_event.h"

#define CLASSIFY_UPDATE_DEFAULT_SAMPLES 1000 /* the paper's n_sams */
#define CLASSIFY_UPDATE_DEFAULT_MINUTES 30   /* the paper's itvl */
#define CLASSIFY_UPDATE_DEFAULT_EPOCHS 20
/* Earlier samples replayed per class and in all (tools/update_replay.h). */
#define CLASSIFY_UPDATE_DEFAULT_REPLAY_PER_CLASS 200
#define CLASSIFY_UPDATE_DEFAULT_REPLAY_TOTAL 5000

struct classify_update_options {
	uint32_t samples;      /* N: update when more than N samples are stored */
	double minutes;        /* T: or when T minutes passed since the last update */
	const char *out;       /* the updated model's file; NULL: not written */
	const char *class_map; /* NULL: the rules directory's class map, if any */
	const char *rules_dir; /* NULL: the installed rules */
	uint32_t epochs;       /* of training per update */
	float min_threshold;   /* recalibration's floor; < 0: the loaded model's */
	double precision;      /* recalibration's target precision per class */
	uint64_t seed;         /* training's, plus the update's number less one; replay's */
	const char *replay;    /* the dataset the model was trained on, to replay; or NULL */
	uint32_t replay_per_class, replay_total; /* the replay's bounds (0: no replay) */
	int quiet;                               /* nothing on standard error from the worker */
};

void classify_update_options_default(struct classify_update_options *options);

struct classify_update;

/* Starts the worker. `loaded` gives the starting model and the attach
 * options (their max_flows replaced by `max_flows`); `live` picks the wall
 * clock. PRONET_ERR_UNSUPPORTED for a family that cannot continue its
 * training (a fitted one); errors name the class map file. */
enum pronet_err classify_update_new(const struct classify_update_options *options,
                                    const struct pronet_plugin_loaded *loaded, uint32_t max_flows,
                                    int live, struct classify_update **out, char *errbuf);
/* Stops the worker if still running and frees every model it made. NULL: no-op. */
void classify_update_free(struct classify_update *update);

/* What the engine's flow table must record: the model's window, layer and
 * packet kinds, the plugin's packets per direction. */
void classify_update_flow_options(const struct classify_update *update,
                                  struct pronet_flow_table_options *flows);

/* The engine's setup hook: attaches `ndpi` with the newest model swapped in
 * (a new engine: the next capture). */
enum pronet_err classify_update_attach(struct classify_update *update,
                                       struct ndpi_detection_module_struct *ndpi, char *errbuf);
/* Before each packet the module `ndpi` processes, and on a quiet live link:
 * checks the trigger, and swaps in a model the worker has ready. `now_us`
 * is the packet's capture time (live: the wall clock). */
void classify_update_boundary(struct classify_update *update,
                              struct ndpi_detection_module_struct *ndpi, uint64_t now_us);
/* Every flow's report, with the source classify gave its verdict. */
void classify_update_offer(struct classify_update *update, const struct pronet_flow_report *report,
                           enum classify_source source);

/* End of input: checks the trigger a last time, waits for the training
 * under way and stops the worker. Returns 0, or 1 if an update failed or
 * its model could not be written (said on standard error). */
int classify_update_finish(struct classify_update *update);
/* The summary's update lines. */
void classify_update_print_summary(const struct classify_update *update, FILE *out);

#endif
