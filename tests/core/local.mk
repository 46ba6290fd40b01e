# Tests of core/.
check_PROGRAMS += tests/core/test_error
tests_core_test_error_SOURCES = tests/core/test_error.c
tests_core_test_error_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_error_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_error

check_PROGRAMS += tests/core/test_dataset
tests_core_test_dataset_SOURCES = tests/core/test_dataset.c
tests_core_test_dataset_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_dataset_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_dataset

check_PROGRAMS += tests/core/test_rng
tests_core_test_rng_SOURCES = tests/core/test_rng.c
tests_core_test_rng_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_rng_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_rng

check_PROGRAMS += tests/core/test_tokens
tests_core_test_tokens_SOURCES = tests/core/test_tokens.c
tests_core_test_tokens_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_tokens_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_tokens

check_PROGRAMS += tests/core/test_model
tests_core_test_model_SOURCES = tests/core/test_model.c
tests_core_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_model_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_model

check_PROGRAMS += tests/core/test_model_file
tests_core_test_model_file_SOURCES = tests/core/test_model_file.c
tests_core_test_model_file_CFLAGS = $(UNIT_CFLAGS)
tests_core_test_model_file_LDADD = $(UNIT_LDADD)
TESTS += tests/core/test_model_file
