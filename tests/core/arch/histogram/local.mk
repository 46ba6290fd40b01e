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

# The histogram families' speed beside scikit-learn's (`make bench-histogram`,
# part of `make bench`): built by `make`, run only by the bench.
noinst_PROGRAMS += tests/core/arch/histogram/bench_histogram
tests_core_arch_histogram_bench_histogram_SOURCES = tests/core/arch/histogram/bench_histogram.c
tests_core_arch_histogram_bench_histogram_LDADD = $(PRONET_STATIC_LIBS) -lm
EXTRA_DIST += tools/bench-sklearn.py
bench-histogram: tests/core/arch/histogram/bench_histogram$(EXEEXT) histogram-corpus.ds
	./tests/core/arch/histogram/bench_histogram$(EXEEXT) histogram-corpus.ds \
		-o histogram-features.bin
	if python3 -c 'import sklearn' 2>/dev/null; then \
		python3 '$(srcdir)/tools/bench-sklearn.py' histogram-features.bin; \
	else echo 'bench-histogram: no python3-sklearn, no scikit-learn rows'; fi
.PHONY: bench-histogram
CLEANFILES += histogram-features.bin
