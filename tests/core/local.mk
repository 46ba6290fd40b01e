# Tests of core/.
check_PROGRAMS += tests/core/util/test_error
tests_core_util_test_error_SOURCES = tests/core/util/test_error.c
tests_core_util_test_error_CFLAGS = $(UNIT_CFLAGS)
tests_core_util_test_error_LDADD = $(UNIT_LDADD)
TESTS += tests/core/util/test_error
# The whole-file reader with its cap, and the one CRC-32.
check_PROGRAMS += tests/core/util/test_file_read
tests_core_util_test_file_read_SOURCES = tests/core/util/test_file_read.c
tests_core_util_test_file_read_CFLAGS = $(UNIT_CFLAGS)
tests_core_util_test_file_read_LDADD = $(UNIT_LDADD)
TESTS += tests/core/util/test_file_read

check_PROGRAMS += tests/core/data/test_dataset
tests_core_data_test_dataset_SOURCES = tests/core/data/test_dataset.c
tests_core_data_test_dataset_CFLAGS = $(UNIT_CFLAGS)
tests_core_data_test_dataset_LDADD = $(UNIT_LDADD)
TESTS += tests/core/data/test_dataset
check_PROGRAMS += tests/core/data/test_dataset_v2
tests_core_data_test_dataset_v2_SOURCES = tests/core/data/test_dataset_v2.c
tests_core_data_test_dataset_v2_CFLAGS = $(UNIT_CFLAGS)
tests_core_data_test_dataset_v2_LDADD = $(UNIT_LDADD)
TESTS += tests/core/data/test_dataset_v2
# Samples grouped by flow, in packet order past index 255.
check_PROGRAMS += tests/core/data/test_flows
tests_core_data_test_flows_SOURCES = tests/core/data/test_flows.c
tests_core_data_test_flows_CFLAGS = $(UNIT_CFLAGS)
tests_core_data_test_flows_LDADD = $(UNIT_LDADD)
TESTS += tests/core/data/test_flows
# The record pool: every slot once, in order; given-back ones first.
check_PROGRAMS += tests/core/data/test_record_pool
tests_core_data_test_record_pool_SOURCES = tests/core/data/test_record_pool.c
tests_core_data_test_record_pool_CFLAGS = $(UNIT_CFLAGS)
tests_core_data_test_record_pool_LDADD = $(UNIT_LDADD)
TESTS += tests/core/data/test_record_pool

check_PROGRAMS += tests/core/data/test_tunnel
tests_core_data_test_tunnel_SOURCES = tests/core/data/test_tunnel.c
tests_core_data_test_tunnel_CFLAGS = $(UNIT_CFLAGS)
tests_core_data_test_tunnel_LDADD = $(UNIT_LDADD)
TESTS += tests/core/data/test_tunnel
# The streamed dataset: records, cache bound, refusals, training bit for bit.
check_PROGRAMS += tests/core/data/test_dataset_stream
tests_core_data_test_dataset_stream_SOURCES = tests/core/data/test_dataset_stream.c
tests_core_data_test_dataset_stream_CFLAGS = $(UNIT_CFLAGS)
tests_core_data_test_dataset_stream_LDADD = $(UNIT_LDADD)
TESTS += tests/core/data/test_dataset_stream

check_PROGRAMS += tests/core/util/test_rng
tests_core_util_test_rng_SOURCES = tests/core/util/test_rng.c
tests_core_util_test_rng_CFLAGS = $(UNIT_CFLAGS)
tests_core_util_test_rng_LDADD = $(UNIT_LDADD)
TESTS += tests/core/util/test_rng

check_PROGRAMS += tests/core/arch/pronet_cnn/test_tokens
tests_core_arch_pronet_cnn_test_tokens_SOURCES = tests/core/arch/pronet_cnn/test_tokens.c
tests_core_arch_pronet_cnn_test_tokens_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_pronet_cnn_test_tokens_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/pronet_cnn/test_tokens

check_PROGRAMS += tests/core/model/test_model
tests_core_model_test_model_SOURCES = tests/core/model/test_model.c
tests_core_model_test_model_CFLAGS = $(UNIT_CFLAGS)
tests_core_model_test_model_LDADD = $(UNIT_LDADD)
TESTS += tests/core/model/test_model

check_PROGRAMS += tests/core/model/test_model_file
tests_core_model_test_model_file_SOURCES = tests/core/model/test_model_file.c
tests_core_model_test_model_file_CFLAGS = $(UNIT_CFLAGS)
tests_core_model_test_model_file_LDADD = $(UNIT_LDADD)
TESTS += tests/core/model/test_model_file

# The v1 fixtures (tests/data/v1/README.md): predictions of the shipped
# model and a small one on a v1 dataset, held to the stored ones, and the
# small one retrained bit for bit.
check_PROGRAMS += tests/core/model/v1_predictions
tests_core_model_v1_predictions_SOURCES = tests/core/model/v1_predictions.c
tests_core_model_v1_predictions_LDADD = libpronet.la -lm
TESTS += tests/core/model/test_v1_compat.sh
EXTRA_DIST += tests/core/model/test_v1_compat.sh

check_PROGRAMS += tests/core/nn/test_embedding
tests_core_nn_test_embedding_SOURCES = tests/core/nn/test_embedding.c
tests_core_nn_test_embedding_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_embedding_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_embedding

check_PROGRAMS += tests/core/nn/test_conv1d
tests_core_nn_test_conv1d_SOURCES = tests/core/nn/test_conv1d.c
tests_core_nn_test_conv1d_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_conv1d_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_conv1d

check_PROGRAMS += tests/core/nn/test_relu
tests_core_nn_test_relu_SOURCES = tests/core/nn/test_relu.c
tests_core_nn_test_relu_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_relu_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_relu

check_PROGRAMS += tests/core/nn/test_maxpool
tests_core_nn_test_maxpool_SOURCES = tests/core/nn/test_maxpool.c
tests_core_nn_test_maxpool_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_maxpool_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_maxpool

# Layers of issue 12 (task D): windowed pools, conv2d, MSE.
check_PROGRAMS += tests/core/nn/test_pool1d
tests_core_nn_test_pool1d_SOURCES = tests/core/nn/test_pool1d.c tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h
tests_core_nn_test_pool1d_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_pool1d_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_pool1d

check_PROGRAMS += tests/core/nn/test_conv2d
tests_core_nn_test_conv2d_SOURCES = tests/core/nn/test_conv2d.c tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h
tests_core_nn_test_conv2d_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_conv2d_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_conv2d

check_PROGRAMS += tests/core/nn/test_gemm
tests_core_nn_test_gemm_SOURCES = tests/core/nn/test_gemm.c tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h
tests_core_nn_test_gemm_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_gemm_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_gemm

check_PROGRAMS += tests/core/nn/test_pool2d
tests_core_nn_test_pool2d_SOURCES = tests/core/nn/test_pool2d.c tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h
tests_core_nn_test_pool2d_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_pool2d_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_pool2d

check_PROGRAMS += tests/core/nn/test_mse
tests_core_nn_test_mse_SOURCES = tests/core/nn/test_mse.c tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h
tests_core_nn_test_mse_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_mse_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_mse

check_PROGRAMS += tests/core/nn/test_dense
tests_core_nn_test_dense_SOURCES = tests/core/nn/test_dense.c
tests_core_nn_test_dense_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_dense_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_dense

check_PROGRAMS += tests/core/nn/test_softmax_xent
tests_core_nn_test_softmax_xent_SOURCES = tests/core/nn/test_softmax_xent.c
tests_core_nn_test_softmax_xent_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_softmax_xent_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_softmax_xent

check_PROGRAMS += tests/core/nn/test_batchnorm
tests_core_nn_test_batchnorm_SOURCES = tests/core/nn/test_batchnorm.c
tests_core_nn_test_batchnorm_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_batchnorm_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_batchnorm

check_PROGRAMS += tests/core/nn/test_dropout
tests_core_nn_test_dropout_SOURCES = tests/core/nn/test_dropout.c
tests_core_nn_test_dropout_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_dropout_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_dropout

check_PROGRAMS += tests/core/nn/test_adam
tests_core_nn_test_adam_SOURCES = tests/core/nn/test_adam.c
tests_core_nn_test_adam_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_adam_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_adam

check_PROGRAMS += tests/core/util/test_parallel
tests_core_util_test_parallel_SOURCES = tests/core/util/test_parallel.c
tests_core_util_test_parallel_CFLAGS = $(UNIT_CFLAGS)
tests_core_util_test_parallel_LDADD = $(UNIT_LDADD)
TESTS += tests/core/util/test_parallel

check_PROGRAMS += tests/core/arch/pronet_cnn/test_pronet_cnn
tests_core_arch_pronet_cnn_test_pronet_cnn_SOURCES = tests/core/arch/pronet_cnn/test_pronet_cnn.c
tests_core_arch_pronet_cnn_test_pronet_cnn_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_pronet_cnn_test_pronet_cnn_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/pronet_cnn/test_pronet_cnn
check_PROGRAMS += tests/core/arch/deep_packet/test_deep_packet
tests_core_arch_deep_packet_test_deep_packet_SOURCES = tests/core/arch/deep_packet/test_deep_packet.c
tests_core_arch_deep_packet_test_deep_packet_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_deep_packet_test_deep_packet_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/deep_packet/test_deep_packet

check_PROGRAMS += tests/core/train/test_train
tests_core_train_test_train_SOURCES = tests/core/train/test_train.c
tests_core_train_test_train_CFLAGS = $(UNIT_CFLAGS)
tests_core_train_test_train_LDADD = $(UNIT_LDADD)
TESTS += tests/core/train/test_train

# The fast (table) path against the reference path.
check_PROGRAMS += tests/core/arch/pronet_cnn/test_fast
tests_core_arch_pronet_cnn_test_fast_SOURCES = tests/core/arch/pronet_cnn/test_fast.c
tests_core_arch_pronet_cnn_test_fast_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_pronet_cnn_test_fast_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/pronet_cnn/test_fast
check_PROGRAMS += tests/core/arch/pronet_cnn/test_quant
tests_core_arch_pronet_cnn_test_quant_SOURCES = tests/core/arch/pronet_cnn/test_quant.c
tests_core_arch_pronet_cnn_test_quant_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_pronet_cnn_test_quant_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/pronet_cnn/test_quant

# Explanations from the folded tables (core/arch/pronet_cnn/explain.c).
check_PROGRAMS += tests/core/arch/pronet_cnn/test_explain
tests_core_arch_pronet_cnn_test_explain_SOURCES = tests/core/arch/pronet_cnn/test_explain.c
tests_core_arch_pronet_cnn_test_explain_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_pronet_cnn_test_explain_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/pronet_cnn/test_explain
EXTRA_DIST += tests/core/arch/pronet_cnn/explain_fixture.h

# Evaluation, per-flow decisions, calibration (core/eval/eval.c, flow_predict.c,
# calibrate.c).
check_PROGRAMS += tests/core/eval/test_eval tests/core/eval/test_calibrate
tests_core_eval_test_eval_SOURCES = tests/core/eval/test_eval.c
tests_core_eval_test_eval_CFLAGS = $(UNIT_CFLAGS)
tests_core_eval_test_eval_LDADD = $(UNIT_LDADD)
tests_core_eval_test_calibrate_SOURCES = tests/core/eval/test_calibrate.c
tests_core_eval_test_calibrate_CFLAGS = $(UNIT_CFLAGS)
tests_core_eval_test_calibrate_LDADD = $(UNIT_LDADD)
TESTS += tests/core/eval/test_eval tests/core/eval/test_calibrate

# A given model scored on a dataset (core/eval/eval_model.c, pronet eval -m).
check_PROGRAMS += tests/core/eval/test_eval_model
tests_core_eval_test_eval_model_SOURCES = tests/core/eval/test_eval_model.c
tests_core_eval_test_eval_model_CFLAGS = $(UNIT_CFLAGS)
tests_core_eval_test_eval_model_LDADD = $(UNIT_LDADD)
TESTS += tests/core/eval/test_eval_model

check_PROGRAMS += tests/core/model/test_flow_decide
tests_core_model_test_flow_decide_SOURCES = tests/core/model/test_flow_decide.c
tests_core_model_test_flow_decide_CFLAGS = $(UNIT_CFLAGS)
tests_core_model_test_flow_decide_LDADD = $(UNIT_LDADD)
TESTS += tests/core/model/test_flow_decide

# Training control: subsets, early stopping, balancing, context features.
check_PROGRAMS += tests/core/train/test_train_control
tests_core_train_test_train_control_SOURCES = tests/core/train/test_train_control.c
tests_core_train_test_train_control_CFLAGS = $(UNIT_CFLAGS)
tests_core_train_test_train_control_LDADD = $(UNIT_LDADD)
TESTS += tests/core/train/test_train_control

check_PROGRAMS += tests/core/nn/test_dot
tests_core_nn_test_dot_SOURCES = tests/core/nn/test_dot.c
tests_core_nn_test_dot_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_dot_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_dot

# The fast path against the reference on every distinct payload prefix of
# nDPI's captures ($PRONET_CORPUS).
check_PROGRAMS += tests/core/arch/pronet_cnn/fast_corpus
tests_core_arch_pronet_cnn_fast_corpus_SOURCES = tests/core/arch/pronet_cnn/fast_corpus.c
tests_core_arch_pronet_cnn_fast_corpus_LDADD = $(PRONET_STATIC_LIBS) $(PCAP_LIBS) -lm
TESTS += tests/core/arch/pronet_cnn/fast_corpus
# The 16-bit path's contract for the shipped model on the corpus
# (tools/quant_contract, `make quant-contract`).
TESTS += tests/core/arch/pronet_cnn/quant_contract.sh
EXTRA_DIST += tests/core/arch/pronet_cnn/quant_contract.sh

check_PROGRAMS += tests/core/nn/test_softmax_fast
tests_core_nn_test_softmax_fast_SOURCES = tests/core/nn/test_softmax_fast.c
tests_core_nn_test_softmax_fast_CFLAGS = $(UNIT_CFLAGS)
tests_core_nn_test_softmax_fast_LDADD = $(UNIT_LDADD)
TESTS += tests/core/nn/test_softmax_fast

check_PROGRAMS += tests/core/util/test_atomic_file
tests_core_util_test_atomic_file_SOURCES = tests/core/util/test_atomic_file.c
tests_core_util_test_atomic_file_CFLAGS = $(UNIT_CFLAGS)
tests_core_util_test_atomic_file_LDADD = $(UNIT_LDADD)
TESTS += tests/core/util/test_atomic_file

# The finite-difference gradient check the layer tests share.
tests_core_nn_test_conv1d_SOURCES += tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h
tests_core_nn_test_dense_SOURCES += tests/core/nn/gradient_check.c tests/core/nn/gradient_check.h

# Which vector kernels the CPU runs (core/util/vector_isa.h).
check_PROGRAMS += tests/core/util/test_vector_isa
tests_core_util_test_vector_isa_SOURCES = tests/core/util/test_vector_isa.c
tests_core_util_test_vector_isa_CFLAGS = $(UNIT_CFLAGS)
tests_core_util_test_vector_isa_LDADD = $(UNIT_LDADD)
TESTS += tests/core/util/test_vector_isa

# isa_skip.sh: the vector-kernel tests print SKIP lines for the kernels the
# CPU lacks (and PRONET_TEST_SKIP_ISA forces that path on CPUs that have them).
TESTS += tests/core/isa_skip.sh
EXTRA_DIST += tests/core/isa_skip.sh

check_PROGRAMS += tests/core/arch/pronet_cnn/test_packet_context
tests_core_arch_pronet_cnn_test_packet_context_SOURCES = tests/core/arch/pronet_cnn/test_packet_context.c
tests_core_arch_pronet_cnn_test_packet_context_CFLAGS = $(UNIT_CFLAGS)
tests_core_arch_pronet_cnn_test_packet_context_LDADD = $(UNIT_LDADD)
TESTS += tests/core/arch/pronet_cnn/test_packet_context

check_PROGRAMS += tests/core/model/test_arch_hooks
tests_core_model_test_arch_hooks_SOURCES = tests/core/model/test_arch_hooks.c
tests_core_model_test_arch_hooks_CFLAGS = $(UNIT_CFLAGS)
tests_core_model_test_arch_hooks_LDADD = $(UNIT_LDADD)
TESTS += tests/core/model/test_arch_hooks

include tests/core/arch/histogram/local.mk
include tests/core/arch/image_cnn/local.mk
include tests/core/arch/flow_cnn/local.mk
