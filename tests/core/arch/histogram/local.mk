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
# The windows: the corpus's flows cut into flows of 64 packets, so that a flow
# verdict is a window verdict, as scikit-learn is timed per window.
# Debian's python3-sklearn (a python3 earlier in PATH may not have it).
PYTHON_SKLEARN = /usr/bin/python3
histogram-windows.ds: pronet$(EXEEXT) histogram-corpus.ds
	./pronet$(EXEEXT) tunnel -t none --share flow --split 64 histogram-corpus.ds -o $@ >/dev/null
bench-histogram: tests/core/arch/histogram/bench_histogram$(EXEEXT) histogram-windows.ds
	@echo "load average before: $$(cut -d' ' -f1-3 /proc/loadavg)"
	./tests/core/arch/histogram/bench_histogram$(EXEEXT) histogram-windows.ds \
		-o histogram-features.bin | tee histogram-bench.txt
	if $(PYTHON_SKLEARN) -c 'import sklearn' 2>/dev/null; then \
		$(PYTHON_SKLEARN) '$(srcdir)/tools/bench-sklearn.py' histogram-features.bin \
			--pronet histogram-bench.txt; \
	else echo 'bench-histogram: no python3-sklearn, no scikit-learn rows'; fi
	@echo "load average after: $$(cut -d' ' -f1-3 /proc/loadavg)"
.PHONY: bench-histogram
CLEANFILES += histogram-features.bin histogram-windows.ds histogram-bench.txt
