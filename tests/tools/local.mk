# Tests of tools/.
# make_dataset: writes a small dataset of crafted protocol prefixes for cli.sh.
check_PROGRAMS += tests/tools/make_dataset
tests_tools_make_dataset_SOURCES = tests/tools/make_dataset.c
tests_tools_make_dataset_LDADD = $(PRONET_STATIC_LIBS)

TESTS += tests/tools/cli.sh
EXTRA_DIST += tests/tools/cli.sh
# predict_l3.sh: pronet predict reads whole IP packets for a model that does.
TESTS += tests/tools/predict_l3.sh
EXTRA_DIST += tests/tools/predict_l3.sh
# train_stream.sh: pronet train --stream gives the in-memory model byte for byte.
TESTS += tests/tools/train_stream.sh
EXTRA_DIST += tests/tools/train_stream.sh

# label.sh: `pronet label` on tests/data and on the whole corpus.
# dataset_summary loads a dataset and prints classes, flows and duplicates.
check_PROGRAMS += tests/tools/dataset_summary
tests_tools_dataset_summary_SOURCES = tests/tools/dataset_summary.c
tests_tools_dataset_summary_LDADD = libpronet.la
TESTS += tests/tools/label.sh
EXTRA_DIST += tests/tools/label.sh
# tunnel.sh: `pronet tunnel`'s ESP and Tor sizes on tests/data.
TESTS += tests/tools/tunnel.sh
EXTRA_DIST += tests/tools/tunnel.sh

# pronet eval / train --calibrate on crafted data: table, JSON, SVG, errors.
TESTS += tests/tools/eval.sh
EXTRA_DIST += tests/tools/eval.sh
# pronet explain on a model whose answer is known (make_explain_fixture).
check_PROGRAMS += tests/tools/make_explain_fixture
tests_tools_make_explain_fixture_SOURCES = tests/tools/make_explain_fixture.c
tests_tools_make_explain_fixture_LDADD = $(PRONET_STATIC_LIBS)
TESTS += tests/tools/explain.sh
EXTRA_DIST += tests/tools/explain.sh
TESTS += tests/tools/explain_flow.sh
EXTRA_DIST += tests/tools/explain_flow.sh
# pronet eval -m: a given model on a dataset; unknown classes; refusals.
TESTS += tests/tools/eval_model.sh
EXTRA_DIST += tests/tools/eval_model.sh

# Flow flood (issue 7): make_flood writes a capture of 1,000,000 one-packet
# flows into the build tree; flood.sh runs `pronet flows` over it with a
# bounded table and checks evictions and peak RSS.
check_PROGRAMS += tests/tools/make_flood
tests_tools_make_flood_SOURCES = tests/tools/make_flood.c
TESTS += tests/tools/flood.sh
EXTRA_DIST += tests/tools/flood.sh

# valgrind --leak-check=full over `pronet flows` (skips without valgrind).
TESTS += tests/tools/valgrind.sh
EXTRA_DIST += tests/tools/valgrind.sh

# classify.sh: `pronet classify` on tests/data and the corpus; check_events
# checks every output line with json-c.
check_PROGRAMS += tests/tools/check_events
tests_tools_check_events_SOURCES = tests/tools/check_events.c
tests_tools_check_events_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
tests_tools_check_events_LDADD = $(JSONC_LIBS)
TESTS += tests/tools/classify.sh
EXTRA_DIST += tests/tools/classify.sh
# classify_flow_model.sh: a per-flow model (histogram-rf) in classify:
# source pronet-flow, verdict.after_packets, payload-less packets recorded.
TESTS += tests/tools/classify_flow_model.sh
EXTRA_DIST += tests/tools/classify_flow_model.sh

# classify_update.sh: classify --update (online update): a swap under
# traffic, and a class the starting model never learnt (make_update_model).
check_PROGRAMS += tests/tools/make_update_model
tests_tools_make_update_model_SOURCES = tests/tools/make_update_model.c
tests_tools_make_update_model_LDADD = $(PRONET_STATIC_LIBS)
TESTS += tests/tools/classify_update.sh
EXTRA_DIST += tests/tools/classify_update.sh
# classify_update_replay.sh: --update's replay keeps the classes an update's
# samples lack (docs/online-update.md, Replay).
TESTS += tests/tools/classify_update_replay.sh
EXTRA_DIST += tests/tools/classify_update_replay.sh

# golden.sh: capture -> JSON golden files (tests/data/golden/), classify with
# a model trained in the test; PRONET_REGENERATE_GOLDEN=1 rewrites them.
TESTS += tests/tools/golden.sh
EXTRA_DIST += tests/tools/golden.sh tests/data/golden

# The privilege drop itself (its root part runs only as root).
check_PROGRAMS += tests/tools/test_privileges
tests_tools_test_privileges_SOURCES = tests/tools/test_privileges.c tools/privileges.c
tests_tools_test_privileges_CFLAGS = $(UNIT_CFLAGS)
tests_tools_test_privileges_LDADD = $(UNIT_LDADD)
TESTS += tests/tools/test_privileges

# Live capture drops root: classify -i lo -u nobody (skips unless root).
TESTS += tests/tools/live_drop.sh
EXTRA_DIST += tests/tools/live_drop.sh

# Captures without a flow (header only, ARP only) through flows and classify.
TESTS += tests/tools/empty_capture.sh
EXTRA_DIST += tests/tools/empty_capture.sh

# What cli.sh, classify.sh, label.sh and eval.sh share (sourced).
EXTRA_DIST += tests/tools/common.sh

# make_flood writes its capture through core/util/atomic_file.
tests_tools_make_flood_LDADD = $(PRONET_STATIC_LIBS)
# tests/packet_bytes.h is shared with tests/plugin/fixture.c; listed here for dist.
tests_tools_make_flood_SOURCES += tests/packet_bytes.h

# --threshold-precision: a higher precision raises calibrated thresholds;
# bad values refused by train and eval.
TESTS += tests/tools/threshold_precision.sh
EXTRA_DIST += tests/tools/threshold_precision.sh

# readme_figures.sh: tools/demo.sh's figure lines against the numbers
# README.md quotes (flows by source, Unknown flows abstained and named).
TESTS += tests/tools/readme_figures.sh
EXTRA_DIST += tests/tools/readme_figures.sh

# classify_live.sh: a live capture on lo ends cleanly on SIGINT (skips, 77,
# unless root with lo and a sandbox that allows it).
TESTS += tests/tools/classify_live.sh
EXTRA_DIST += tests/tools/classify_live.sh

# classify --threads N: the events of one thread, order aside; on
# tests/data (also under ThreadSanitizer in .ci/run) and on the corpus.
TESTS += tests/tools/classify_threads_data.sh tests/tools/classify_threads.sh
EXTRA_DIST += tests/tools/classify_threads_data.sh tests/tools/classify_threads.sh

# bench_filter.sh: tools/bench -f runs the rows it names, a ratio with
# the rows it divides.
TESTS += tests/tools/bench_filter.sh
EXTRA_DIST += tests/tools/bench_filter.sh

# classify --events ndpid: nDPId's flow events on tests/data, against the
# fields its schema requires.
TESTS += tests/tools/classify_ndpid.sh
EXTRA_DIST += tests/tools/classify_ndpid.sh

# stdout_full.sh: label and flows with standard output on /dev/full exit 1
# naming the error (skips, 77, without /dev/full).
TESTS += tests/tools/stdout_full.sh
EXTRA_DIST += tests/tools/stdout_full.sh

# unknown_eval.sh: tools/unknown-score.sh on a hand-made truth and EVE file,
# tools/unknown-truth.sh on two corpus captures (tshark, single-app).
TESTS += tests/tools/unknown_eval.sh
EXTRA_DIST += tests/tools/unknown_eval.sh
TESTS += tests/tools/reject_rare.sh
EXTRA_DIST += tests/tools/reject_rare.sh

# pronet render: PNGs of a small dataset read back with libpng (sizes, mean
# pixels by hand, grids, index.tsv, bad arguments).
check_PROGRAMS += tests/tools/test_render
tests_tools_test_render_SOURCES = tests/tools/test_render.c
tests_tools_test_render_CFLAGS = $(UNIT_CFLAGS)
tests_tools_test_render_LDADD = $(UNIT_LDADD) $(PNG_LIBS)
TESTS += tests/tools/test_render
# flow-cnn through the CLI: label, train, info, eval, refusals.
TESTS += tests/tools/flow_cnn.sh
EXTRA_DIST += tests/tools/flow_cnn.sh

# redis.sh: classify --redis against a real redis-server started on a free
# loopback port: every mode, a kill and restart mid-run, refusals, no server, a
# hung one (skips, 77, without redis-server or in a build without hiredis).
TESTS += tests/tools/redis.sh
EXTRA_DIST += tests/tools/redis.sh
AM_TESTS_ENVIRONMENT += PRONET_HIREDIS='$(PRONET_HIREDIS_ENABLED)'; export PRONET_HIREDIS;
