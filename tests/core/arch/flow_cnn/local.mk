# flow-cnn (core/arch/flow_cnn/): shapes, the input step, the z-score fit,
# gradients, threads, file round trip, damaged blocks, learning and
# reproducibility.
check_PROGRAMS += tests/core/arch/flow_cnn/test_flow_cnn
tests_core_arch_flow_cnn_test_flow_cnn_SOURCES = tests/core/arch/flow_cnn/test_flow_cnn.c
tests_core_arch_flow_cnn_test_flow_cnn_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_flow_cnn_test_flow_cnn_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/flow_cnn/test_flow_cnn
