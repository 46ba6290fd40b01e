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
