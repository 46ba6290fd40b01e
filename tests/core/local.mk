# Tests of core/.
check_PROGRAMS += tests/core/test_error
tests_core_test_error_SOURCES = tests/core/test_error.c
tests_core_test_error_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_error_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_error
