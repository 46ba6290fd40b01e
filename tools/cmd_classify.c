/* pronet classify: one JSON event per flow (Suricata EVE style,
 * tools/classify_event.h) from captures or a live interface. nDPI names what
 * it can; where it leaves a flow Unknown, the model speaks - through the
 * plugin's fallback (plugin/pronet_plugin.h), the same code path the
 * LD_PRELOAD shim puts into ndpiReader, so there is one implementation of
 * the fallback. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ndpi-glue/capture/decode.h"
#include "ndpi-glue/engine/ndpi_engine.h"
#include "plugin/loader.h"
#include "plugin/pronet_plugin.h"
#include "ndpi-glue/engine/shards.h"
#include "tools/classify_args.h"
#include "tools/classify_sink.h"
#include "tools/classify_workers.h"
#include "tools/cli_args.h"
#include "tools/cli_captures.h"
#include "tools/engine_args.h"
#include "tools/privileges.h"
#include "tools/line_output.h"

int pronet_cmd_classify(int argc, char **argv);

/* Set by SIGINT/SIGTERM; the capture being read is told to stop. */
static volatile sig_atomic_t stop_requested;
static struct pronet_capture *volatile current_capture;

static void on_signal(int signal_number)
{
	(void)signal_number;
	stop_requested = 1;
	struct pronet_capture *capture = current_capture;
	if (capture != NULL)
		pronet_capture_stop(capture);
}

static uint64_t wall_clock_us(void)
{
	struct timeval now;
	gettimeofday(&now, NULL);
	return (uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_usec;
}

/* Reads `capture` through `engine` until its end, an error or a stop
 * request; 0 if it was read without error. */
static int read_packets(struct pronet_ndpi_engine *engine, struct pronet_capture *capture,
                        const char *name, int live, struct classify_run *run)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	int dlt = pronet_capture_datalink(capture);
	if (!pronet_decode_supports_datalink(dlt)) {
		fprintf(stderr, "pronet classify: %s: link type %d not supported\n", name, dlt);
		return 1;
	}
	current_capture = capture;
	int failed = 0;
	while (!stop_requested) {
		struct pronet_raw_packet frame;
		enum pronet_capture_status status;
		if (pronet_capture_next(capture, &frame, &status, errbuf) != PRONET_OK) {
			fprintf(stderr, "pronet classify: %s\n", errbuf);
			failed = 1;
			break;
		}
		if (status == PRONET_CAPTURE_END)
			break;
		if (status == PRONET_CAPTURE_TIMEOUT) {
			if (live) { /* quiet link: flows still time out, Redis sends */
				pronet_ndpi_engine_expire(engine, wall_clock_us());
				classify_run_poll_output(run);
				if (run->update != NULL)
					classify_update_boundary(run->update,
					                         pronet_ndpi_engine_module(engine),
					                         wall_clock_us());
			}
			continue;
		}
		if (run->update != NULL) /* a packet boundary: a model may be swapped in */
			classify_update_boundary(run->update, pronet_ndpi_engine_module(engine),
			                         live ? wall_clock_us() : frame.timestamp_us);
		if (pronet_ndpi_engine_process_frame(engine, dlt, &frame) != PRONET_OK) {
			fprintf(stderr, "pronet classify: %s: cannot decode packet %llu\n", name,
			        (unsigned long long)pronet_capture_packets_read(capture));
			failed = 1;
			break;
		}
	}
	current_capture = NULL;
	return failed;
}

/* One engine (a fresh nDPI module with the plugin attached) over one
 * capture; finishes its flows whatever happened. Its events name the
 * capture `name` (a file, or live: an interface). */
static int classify_capture_one(struct pronet_ndpi_engine_options *options,
                                struct classify_run *run, struct pronet_capture *capture,
                                const char *name, int live)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_ndpi_engine *engine;
	struct classify_sink sink;
	if (classify_sink_init(&sink, run, name, live, pronet_capture_datalink(capture), 0) != 0) {
		classify_sink_close(&sink);
		run->failed = pronet_error(run->errbuf, PRONET_ERR_NOMEM, "out of memory") != 0;
		return 1;
	}
	classify_sink_hook(&sink, options);
	if (pronet_ndpi_engine_new(options, &engine, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		classify_sink_close(&sink);
		run->failed = 1;
		snprintf(run->errbuf, sizeof(run->errbuf), "%s", errbuf);
		return 1;
	}
	classify_sink_set_module(&sink, pronet_ndpi_engine_module(engine));
	size_t misses_before = pronet_plugin_flow_misses();
	int failed = read_packets(engine, capture, name, live, run);
	pronet_ndpi_engine_finish(engine); /* reports the open flows: still this capture's */
	if (run->show_stats) {
		struct pronet_ndpi_engine_stats stats;

		pronet_ndpi_engine_get_stats(engine, &stats);
		classify_print_stats(name, &stats, misses_before);
	}
	pronet_plugin_detach(pronet_ndpi_engine_module(engine));
	pronet_ndpi_engine_free(engine);
	classify_sink_close(&sink);
	return failed;
}

/* One capture through one engine, or --threads sharded engines. */
static int classify_capture(struct pronet_ndpi_engine_options *options, struct classify_run *run,
                            struct pronet_capture *capture, const char *name, int live)
{
	if (run->threads <= 1)
		return classify_capture_one(options, run, capture, name, live);
	current_capture = capture;
	int failed = classify_capture_sharded(options, run, capture, name, live, &stop_requested);
	current_capture = NULL;
	return failed;
}

/* The summary on standard error: the flows' counts, and with --redis what
 * became of the events. */
static void print_summary(struct classify_run *run, int remote,
                          const struct redis_output_counts *counts)
{
	char redis[512] = "";
	if (remote)
		snprintf(
		    redis, sizeof(redis),
		    "redis: events %llu, delivered %llu, dropped %llu (backlog full %llu, refused "
		    "%llu, undelivered %llu), connections lost %llu, reconnects %llu\n",
		    (unsigned long long)counts->lines, (unsigned long long)counts->delivered,
		    (unsigned long long)redis_output_dropped(counts),
		    (unsigned long long)counts->backlog_full, (unsigned long long)counts->refused,
		    (unsigned long long)counts->undelivered,
		    (unsigned long long)counts->connections_lost,
		    (unsigned long long)counts->reconnects);
	classify_tally_print(&run->tally, pronet_plugin_flow_misses(), redis, stderr);
}

/* The environment's plugin settings (PRONET_RULES_DIR...) under the
 * command line's: classify and the LD_PRELOAD shim read the same names. */
static void config_defaults_from_env(struct pronet_plugin_config *config)
{
	const char *model = getenv("PRONET_MODEL");
	const char *rules_dir = getenv("PRONET_RULES_DIR");
	const char *packets = getenv("PRONET_PACKETS");
	if (config->model_path == NULL && model != NULL && *model != '\0')
		config->model_path = model;
	if (config->rules_dir == NULL && rules_dir != NULL && *rules_dir != '\0')
		config->rules_dir = rules_dir;
	if (config->packets_per_direction == 0 && packets != NULL && *packets != '\0') {
		uint32_t value;
		if (pronet_cli_parse_u32("classify", "PRONET_PACKETS", packets, 1,
		                         PRONET_PLUGIN_MAX_SIZE_PACKETS_PER_DIRECTION, &value))
			config->packets_per_direction = value;
	}
}

static void install_signal_handlers(void)
{
	struct sigaction action;
	memset(&action, 0, sizeof(action));
	action.sa_handler = on_signal;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, NULL);
	sigaction(SIGTERM, &action, NULL);
}

static int classify_files(struct classify_args *args, int count, char **files,
                          struct pronet_ndpi_engine_options *options, struct classify_run *run)
{
	unsigned failed = 0;
	struct pronet_capture_inputs *inputs =
	    pronet_cli_captures("classify", files, count, args->shared.list, &failed);
	if (inputs == NULL)
		return 1;
	size_t total = pronet_capture_inputs_count(inputs), done = 0;
	struct pronet_cli_progress progress;
	pronet_cli_progress_init(&progress, "classify", total, 100, !args->shared.quiet);
	for (; done < total && !stop_requested && !run->failed; done++) {
		char errbuf[PRONET_ERRBUF_SIZE];
		const char *path = pronet_capture_inputs_path(inputs, done);
		struct pronet_capture *capture;
		if (pronet_capture_open_file(path, &capture, errbuf) != PRONET_OK) {
			fprintf(stderr, "pronet classify: %s\n", errbuf);
			failed++;
			continue;
		}
		failed += classify_capture(options, run, capture, path, 0);
		pronet_capture_close(capture);
		pronet_cli_progress_update(&progress, done + 1, run->tally.flows);
	}
	pronet_cli_progress_end(&progress);
	if (done < total) {
		fprintf(stderr, "pronet classify: stopped: %zu of %zu captures not read\n",
		        total - done, total);
		failed++;
	}
	if (failed > 0)
		fprintf(stderr, "pronet classify: %u captures could not be read\n", failed);
	pronet_capture_inputs_free(inputs);
	return failed > 0;
}

#ifdef PRONET_HAVE_HIREDIS
static void tell_redis(void *user, const char *message)
{
	(void)user;
	fprintf(stderr, "pronet classify: %s\n", message);
}
#endif

static int open_output(struct classify_run *run, const struct classify_args *args)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	enum pronet_err err;
#ifdef PRONET_HAVE_HIREDIS
	if (args->redis.address != NULL) {
		struct redis_output_options redis = args->redis;
		redis.notify = tell_redis;
		err = line_output_open_redis(&redis, &run->output, errbuf);
	} else
#endif
		err = line_output_open(args->output, &run->output, errbuf);
	if (err != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		return 1;
	}
	return 0;
}

/* --update: the update's worker, and the flow table recording what the
 * model reads; 0, or 1 (said). */
static int start_update(struct classify_args *args, const struct pronet_plugin_loaded *loaded,
                        struct pronet_ndpi_engine_options *options, struct classify_run *run)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct classify_update_options update = args->update_args;
	update.rules_dir = args->config.rules_dir;
	update.quiet = args->shared.quiet;
	if (classify_update_new(&update, loaded, options->flows.max_flows, args->interface != NULL,
	                        &run->update, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		return 1;
	}
	classify_update_flow_options(run->update, &options->flows);
	return 0;
}

static int classify_live(struct classify_args *args, struct pronet_ndpi_engine_options *options,
                         struct classify_run *run)
{
	char errbuf[PRONET_ERRBUF_SIZE];
	struct pronet_capture *capture;
	if (pronet_capture_open_live(args->interface, 65535, 1, 500, &capture, errbuf) !=
	    PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		return 1;
	}
	/* Privileges are for opening the interface only: the output is
	 * created, and renamed at the end, as the user the run drops to. */
	if (pronet_cli_drop_privileges(args->user, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		pronet_capture_close(capture);
		return 1;
	}
	if (open_output(run, args) != 0) {
		pronet_capture_close(capture);
		return 1;
	}
	int failed = classify_capture(options, run, capture, args->interface, 1);
	pronet_capture_close(capture);
	return failed;
}

/* nDPId's default instance alias: the host's name. */
static const char *host_name(char *out, size_t size)
{
	if (gethostname(out, size) != 0 || out[0] == '\0')
		snprintf(out, size, "pronet");
	out[size - 1] = '\0';
	return out;
}

int pronet_cmd_classify(int argc, char **argv)
{
	struct classify_args args;
	struct pronet_ndpi_engine_options options;
	struct classify_run run;
	struct pronet_plugin_loaded *loaded = NULL;
	char errbuf[PRONET_ERRBUF_SIZE];
	struct redis_output_counts redis_counts;
	char alias[256];
	int remote = 0; /* the output is Redis: redis_counts are its final counts */
	memset(&run, 0, sizeof(run));
	memset(&redis_counts, 0, sizeof(redis_counts));
	pthread_mutex_init(&run.output_lock, NULL);
	classify_args_init(&args);
	pronet_ndpi_engine_options_default(&options);
	if (!pronet_cli_engine_seed_hash("classify", &options))
		return 1;
	int status = classify_args_parse(argc, argv, &args, &options);
	if (status >= 0)
		return status;
	int live = args.interface != NULL;
	/* A live run never reaches the end of a capture: flows must time out. */
	pronet_cli_engine_timeouts(&args.shared, live ? 60 : 0, live ? 600 : 0, &options);
	config_defaults_from_env(&args.config);
	if (pronet_plugin_load(&args.config, &loaded, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s%s\n", errbuf,
		        args.config.model_path == NULL ? "; pass -m MODEL" : "");
		return 1;
	}
	if (args.update && start_update(&args, loaded, &options, &run) != 0) {
		pronet_plugin_loaded_free(loaded);
		return 1;
	}
	if (!live && open_output(&run, &args) != 0) {
		classify_update_free(run.update);
		pronet_plugin_loaded_free(loaded);
		return 1;
	}
	run.loaded = loaded;
	run.threads = args.threads;
	/* Each engine has --max-flows slots (nDPId's limit is per thread too);
	 * the plugin's one store holds all of them. */
	uint64_t store_flows = (uint64_t)options.flows.max_flows * args.threads;
	/* Past the store's limit, attaching says so and the run stops. */
	run.store_flows = store_flows < UINT32_MAX ? (uint32_t)store_flows : UINT32_MAX;
	run.show_stats = args.show_stats;
	run.ndpid = args.ndpid;
	run.ndpid_framing = args.ndpid_framing;
	run.ndpid_alias = host_name(alias, sizeof(alias));
	run.idle_timeout_us = options.flows.idle_timeout_us;
	install_signal_handlers();
	int failed = live ? classify_live(&args, &options, &run)
	                  : classify_files(&args, argc - optind, argv + optind, &options, &run);
	if (run.update != NULL && classify_update_finish(run.update) != 0)
		failed = 1; /* said why already */
	if (run.output == NULL) {
		failed = 1; /* said why already */
	} else if (run.failed) {
		fprintf(stderr, "pronet classify: %s\n", run.errbuf);
		line_output_abort(run.output);
	} else if ((remote = line_output_drain(run.output, &redis_counts)),
	           line_output_close(run.output, errbuf) != PRONET_OK) {
		fprintf(stderr, "pronet classify: %s\n", errbuf);
		run.failed = 1;
	}
	if (!args.shared.quiet) {
		print_summary(&run, remote, &redis_counts);
		if (run.update != NULL)
			classify_update_print_summary(run.update, stderr);
	}
	classify_tally_free(&run.tally);
	pthread_mutex_destroy(&run.output_lock);
	classify_update_free(run.update);
	pronet_plugin_loaded_free(loaded);
	return failed || run.failed ? 1 : 0;
}
