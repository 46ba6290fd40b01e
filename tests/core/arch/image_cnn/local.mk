# image-cnn (core/arch/image_cnn/): shapes, gradients, threads, file round
# trip, damaged HYPR, learning and reproducibility.
check_PROGRAMS += tests/core/arch/image_cnn/test_image_cnn
tests_core_arch_image_cnn_test_image_cnn_SOURCES = tests/core/arch/image_cnn/test_image_cnn.c
tests_core_arch_image_cnn_test_image_cnn_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_image_cnn_test_image_cnn_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/image_cnn/test_image_cnn
