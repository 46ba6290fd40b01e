# Tests of plugin/.
PLUGIN_TEST_FIXTURE = tests/plugin/fixture.c tests/plugin/fixture.h

check_PROGRAMS += tests/plugin/test_flow_state
tests_plugin_test_flow_state_SOURCES = tests/plugin/test_flow_state.c
tests_plugin_test_flow_state_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_flow_state_LDADD = $(UNIT_LDADD)
TESTS += tests/plugin/test_flow_state

check_PROGRAMS += tests/plugin/test_endpoint_evidence
tests_plugin_test_endpoint_evidence_SOURCES = tests/plugin/test_endpoint_evidence.c
tests_plugin_test_endpoint_evidence_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_endpoint_evidence_LDADD = $(UNIT_LDADD) $(PTHREAD_LIBS)
TESTS += tests/plugin/test_endpoint_evidence

check_PROGRAMS += tests/plugin/test_dissector
tests_plugin_test_dissector_SOURCES = tests/plugin/test_dissector.c $(PLUGIN_TEST_FIXTURE)
tests_plugin_test_dissector_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_dissector_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/plugin/test_dissector

check_PROGRAMS += tests/plugin/test_fallback
tests_plugin_test_fallback_SOURCES = tests/plugin/test_fallback.c $(PLUGIN_TEST_FIXTURE)
tests_plugin_test_fallback_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_fallback_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/plugin/test_fallback

check_PROGRAMS += tests/plugin/test_endpoint_verdict
tests_plugin_test_endpoint_verdict_SOURCES = tests/plugin/test_endpoint_verdict.c \
	$(PLUGIN_TEST_FIXTURE)
tests_plugin_test_endpoint_verdict_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_endpoint_verdict_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/plugin/test_endpoint_verdict

# `pronet label`'s and `pronet classify`'s inputs, byte for byte.
check_PROGRAMS += tests/plugin/test_input_identity
tests_plugin_test_input_identity_SOURCES = tests/plugin/test_input_identity.c $(PLUGIN_TEST_FIXTURE)
tests_plugin_test_input_identity_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_input_identity_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/plugin/test_input_identity

check_PROGRAMS += tests/plugin/test_store_full
tests_plugin_test_store_full_SOURCES = tests/plugin/test_store_full.c $(PLUGIN_TEST_FIXTURE)
tests_plugin_test_store_full_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_store_full_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/plugin/test_store_full

# The threaded host; CI runs it under ThreadSanitizer (.ci/run, _ci/tsan).
check_PROGRAMS += tests/plugin/test_threads
tests_plugin_test_threads_SOURCES = tests/plugin/test_threads.c $(PLUGIN_TEST_FIXTURE)
tests_plugin_test_threads_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_threads_LDADD = $(UNIT_LDADD) $(NDPI_LIBS) $(PTHREAD_LIBS)
TESTS += tests/plugin/test_threads

# plugin/host.c is part of pronet_ndpi.so only: compiled in here.
check_PROGRAMS += tests/plugin/test_loader
tests_plugin_test_loader_SOURCES = tests/plugin/test_loader.c plugin/host.c \
	$(PLUGIN_TEST_FIXTURE)
tests_plugin_test_loader_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_loader_LDADD = $(UNIT_LDADD) $(NDPI_LIBS)
TESTS += tests/plugin/test_loader

# dlopens the built plugin/pronet_ndpi.la, like a plugin host.
check_PROGRAMS += tests/plugin/test_registration
tests_plugin_test_registration_SOURCES = tests/plugin/test_registration.c $(PLUGIN_TEST_FIXTURE)
tests_plugin_test_registration_CFLAGS = $(UNIT_CFLAGS)
tests_plugin_test_registration_LDADD = $(UNIT_LDADD) $(NDPI_LIBS) -ldl
TESTS += tests/plugin/test_registration

# Debian's ndpiReader with and without the plugin on nDPI's captures.
check_PROGRAMS += tests/plugin/make_test_model
tests_plugin_make_test_model_SOURCES = tests/plugin/make_test_model.c
tests_plugin_make_test_model_LDADD = libpronet.la
TESTS += tests/plugin/ndpireader.sh
EXTRA_DIST += tests/plugin/ndpireader.sh

# classify sizes the plugin's store by --max-flows and keeps it for the run.
TESTS += tests/plugin/classify_store.sh
EXTRA_DIST += tests/plugin/classify_store.sh
