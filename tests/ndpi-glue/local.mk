# Tests of ndpi-glue/.

# Decoders and capture reader.
noinst_HEADERS += tests/ndpi-glue/capture/test_decode.h
check_PROGRAMS += tests/ndpi-glue/capture/test_decode_link
tests_ndpi_glue_capture_test_decode_link_SOURCES = tests/ndpi-glue/capture/test_decode_link.c
tests_ndpi_glue_capture_test_decode_link_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_capture_test_decode_link_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/capture/test_decode_link
check_PROGRAMS += tests/ndpi-glue/capture/test_decode_ip
tests_ndpi_glue_capture_test_decode_ip_SOURCES = tests/ndpi-glue/capture/test_decode_ip.c
tests_ndpi_glue_capture_test_decode_ip_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_capture_test_decode_ip_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/capture/test_decode_ip
check_PROGRAMS += tests/ndpi-glue/capture/test_decode_l4
tests_ndpi_glue_capture_test_decode_l4_SOURCES = tests/ndpi-glue/capture/test_decode_l4.c
tests_ndpi_glue_capture_test_decode_l4_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_capture_test_decode_l4_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/capture/test_decode_l4
check_PROGRAMS += tests/ndpi-glue/capture/test_capture
tests_ndpi_glue_capture_test_capture_SOURCES = tests/ndpi-glue/capture/test_capture.c
tests_ndpi_glue_capture_test_capture_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_capture_test_capture_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/capture/test_capture
# Integration: the decoders over nDPI's captures (prints skip reasons per link type).
check_PROGRAMS += tests/ndpi-glue/capture/decode_corpus
tests_ndpi_glue_capture_decode_corpus_SOURCES = tests/ndpi-glue/capture/decode_corpus.c
tests_ndpi_glue_capture_decode_corpus_LDADD = libpronet.la $(PCAP_LIBS)
TESTS += tests/ndpi-glue/capture/decode_corpus.sh
EXTRA_DIST += tests/ndpi-glue/capture/decode_corpus.sh

# Flow table and nDPI engine.
check_PROGRAMS += tests/ndpi-glue/flow/test_flow_table
tests_ndpi_glue_flow_test_flow_table_SOURCES = tests/ndpi-glue/flow/test_flow_table.c \
	tests/ndpi-glue/flow/fnv_collisions.c tests/ndpi-glue/flow/fnv_collisions.h
tests_ndpi_glue_flow_test_flow_table_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_flow_test_flow_table_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/flow/test_flow_table
check_PROGRAMS += tests/ndpi-glue/engine/test_ndpi_engine
tests_ndpi_glue_engine_test_ndpi_engine_SOURCES = tests/ndpi-glue/engine/test_ndpi_engine.c
tests_ndpi_glue_engine_test_ndpi_engine_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_engine_test_ndpi_engine_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/ndpi-glue/engine/test_ndpi_engine
check_PROGRAMS += tests/ndpi-glue/engine/test_shards
tests_ndpi_glue_engine_test_shards_SOURCES = tests/ndpi-glue/engine/test_shards.c
tests_ndpi_glue_engine_test_shards_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_engine_test_shards_LDADD = $(UNIT_LDADD) $(NDPI_LIBS) $(PTHREAD_LIBS)
TESTS += tests/ndpi-glue/engine/test_shards
# Integration: per-flow verdicts agree with ndpiReader on nDPI's captures.
TESTS += tests/ndpi-glue/engine/agreement.sh
EXTRA_DIST += tests/ndpi-glue/engine/agreement.sh tools/ndpi-agreement

# Capture arguments: directories, lists, bad entries.
check_PROGRAMS += tests/ndpi-glue/capture/test_capture_inputs
tests_ndpi_glue_capture_test_capture_inputs_SOURCES = tests/ndpi-glue/capture/test_capture_inputs.c
tests_ndpi_glue_capture_test_capture_inputs_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_capture_test_capture_inputs_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/capture/test_capture_inputs

# `make bench` (tools/local.mk) times the flow table under a collision flood.
noinst_PROGRAMS += tests/ndpi-glue/flow/bench_flow_table
tests_ndpi_glue_flow_bench_flow_table_SOURCES = tests/ndpi-glue/flow/bench_flow_table.c \
	tests/ndpi-glue/flow/fnv_collisions.c tests/ndpi-glue/flow/fnv_collisions.h
tests_ndpi_glue_flow_bench_flow_table_LDADD = libpronet.la
