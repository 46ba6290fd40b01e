# flow-cnn (core/arch/flow_cnn/), one program per unit, on the synthetic flows
# and small models of flow_cnn_synthetic.c:
# the model's shapes and the configurations it refuses (flow_cnn.c),
check_PROGRAMS += tests/core/arch/flow_cnn/test_flow_cnn
tests_core_arch_flow_cnn_test_flow_cnn_SOURCES = tests/core/arch/flow_cnn/test_flow_cnn.c \
	tests/core/arch/flow_cnn/flow_cnn_synthetic.c tests/core/arch/flow_cnn/flow_cnn_synthetic.h
tests_core_arch_flow_cnn_test_flow_cnn_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_flow_cnn_test_flow_cnn_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/flow_cnn/test_flow_cnn

# the input step: TLS headers stripped, gaps, truncation and padding
# (flow_cnn_input.c),
check_PROGRAMS += tests/core/arch/flow_cnn/test_flow_cnn_input
tests_core_arch_flow_cnn_test_flow_cnn_input_SOURCES = \
	tests/core/arch/flow_cnn/test_flow_cnn_input.c \
	tests/core/arch/flow_cnn/flow_cnn_synthetic.c tests/core/arch/flow_cnn/flow_cnn_synthetic.h
tests_core_arch_flow_cnn_test_flow_cnn_input_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_flow_cnn_test_flow_cnn_input_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/flow_cnn/test_flow_cnn_input

# training: the z-score fit, gradients, threads, learning and
# reproducibility (flow_cnn_train.c),
check_PROGRAMS += tests/core/arch/flow_cnn/test_flow_cnn_train
tests_core_arch_flow_cnn_test_flow_cnn_train_SOURCES = \
	tests/core/arch/flow_cnn/test_flow_cnn_train.c \
	tests/core/arch/flow_cnn/flow_cnn_synthetic.c tests/core/arch/flow_cnn/flow_cnn_synthetic.h
tests_core_arch_flow_cnn_test_flow_cnn_train_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_flow_cnn_test_flow_cnn_train_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/flow_cnn/test_flow_cnn_train

# the model file's blocks: round trip and damaged blocks (flow_cnn_hyper.c).
check_PROGRAMS += tests/core/arch/flow_cnn/test_flow_cnn_hyper
tests_core_arch_flow_cnn_test_flow_cnn_hyper_SOURCES = \
	tests/core/arch/flow_cnn/test_flow_cnn_hyper.c \
	tests/core/arch/flow_cnn/flow_cnn_synthetic.c tests/core/arch/flow_cnn/flow_cnn_synthetic.h
tests_core_arch_flow_cnn_test_flow_cnn_hyper_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_flow_cnn_test_flow_cnn_hyper_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/flow_cnn/test_flow_cnn_hyper

# flow-cnn's speed beside python3-torch's (`make bench-flow-cnn`, part of
# `make bench`): built by `make`, run only by the bench, on the flows `make
# flow-cnn-eval` labels; the torch rows when Debian's python3-torch is there.
noinst_PROGRAMS += tests/core/arch/flow_cnn/bench_flow_cnn
tests_core_arch_flow_cnn_bench_flow_cnn_SOURCES = tests/core/arch/flow_cnn/bench_flow_cnn.c
tests_core_arch_flow_cnn_bench_flow_cnn_LDADD = $(PRONET_STATIC_LIBS) -lm
bench-flow-cnn: tests/core/arch/flow_cnn/bench_flow_cnn$(EXEEXT) flow-cnn-corpus.ds
	uptime
	./tests/core/arch/flow_cnn/bench_flow_cnn$(EXEEXT) flow-cnn-corpus.ds | tee flow-cnn-bench.txt
	if $(PYTHON_TORCH) -c 'import torch' 2>/dev/null; then \
		$(PYTHON_TORCH) '$(srcdir)/tools/bench-torch.py' --arch flow-cnn --threads 2 \
			--seconds $(BENCH_SECONDS) --compare-text flow-cnn-bench.txt; \
	else echo 'bench-flow-cnn: no python3-torch, no torch rows'; fi
	uptime
.PHONY: bench-flow-cnn
CLEANFILES += flow-cnn-bench.txt
