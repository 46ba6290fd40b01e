# Tests of core/arch/histogram/ (Leroux et al.'s histogram families).
check_PROGRAMS += tests/core/arch/histogram/test_features
tests_core_arch_histogram_test_features_SOURCES = tests/core/arch/histogram/test_features.c
tests_core_arch_histogram_test_features_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_histogram_test_features_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/histogram/test_features

check_PROGRAMS += tests/core/arch/histogram/test_forest
tests_core_arch_histogram_test_forest_SOURCES = tests/core/arch/histogram/test_forest.c
tests_core_arch_histogram_test_forest_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_histogram_test_forest_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/histogram/test_forest

check_PROGRAMS += tests/core/arch/histogram/test_histogram_models
tests_core_arch_histogram_test_histogram_models_SOURCES = \
	tests/core/arch/histogram/test_histogram_models.c
tests_core_arch_histogram_test_histogram_models_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_histogram_test_histogram_models_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/histogram/test_histogram_models
