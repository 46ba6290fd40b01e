# core/: the model. Knows nothing of packets or nDPI. One convenience library;
# each subfolder below adds its files (docs/architecture.md shows the layers).
noinst_LTLIBRARIES += core/libpronet_core.la
core_libpronet_core_la_SOURCES =
core_libpronet_core_la_LIBADD = $(PTHREAD_LIBS) -lm

# core/util/: errors, random numbers, threads, files, CPU features.
core_libpronet_core_la_SOURCES += \
	core/util/error.c \
	core/util/rng.c \
	core/util/parallel.c \
	core/util/file_read.c \
	core/util/crc32.c \
	core/util/atomic_file.c \
	core/util/vector_isa.c
nobase_pkginclude_HEADERS += core/util/error.h
noinst_HEADERS += \
	core/util/rng.h \
	core/util/parallel.h \
	core/util/file_read.h \
	core/util/crc32.h \
	core/util/atomic_file.h \
	core/util/vector_isa.h

# core/nn/: layers (forward and backward) and the optimiser.
core_libpronet_core_la_SOURCES += \
	core/nn/dot.c \
	core/nn/gemm.c \
	core/nn/embedding.c \
	core/nn/conv1d.c \
	core/nn/relu.c \
	core/nn/maxpool.c \
	core/nn/pool1d.c \
	core/nn/conv2d.c \
	core/nn/pool2d.c \
	core/nn/mse.c \
	core/nn/batchnorm.c \
	core/nn/dropout.c \
	core/nn/dense.c \
	core/nn/softmax_xent.c \
	core/nn/softmax_fast.c \
	core/nn/adam.c
noinst_HEADERS += \
	core/nn/dot.h \
	core/nn/gemm.h \
	core/nn/embedding.h \
	core/nn/conv1d.h \
	core/nn/relu.h \
	core/nn/maxpool.h \
	core/nn/pool1d.h \
	core/nn/conv2d.h \
	core/nn/pool2d.h \
	core/nn/mse.h \
	core/nn/batchnorm.h \
	core/nn/dropout.h \
	core/nn/dense.h \
	core/nn/softmax_xent.h \
	core/nn/softmax_fast.h \
	core/nn/adam.h

# core/data/: the model's inputs, a dataset's samples grouped by flow, and the
# dataset file (docs/dataset-format.md):
# in-memory dataset and loader, streaming writer, the format's constants.
core_libpronet_core_la_SOURCES += core/data/dataset.c core/data/dataset_v2.c core/data/dataset_stream.c core/data/dataset_records.c core/data/dataset_writer.c \
	core/data/name_index.c core/data/input_spec.c core/data/record_pool.c core/data/flows.c core/data/tunnel.c
nobase_pkginclude_HEADERS += core/data/record.h core/data/input_spec.h core/data/dataset.h \
	core/data/flows.h
noinst_HEADERS += core/data/dataset_format.h core/data/name_index.h core/data/record_pool.h \
	core/data/tunnel.h

# core/model/: the model API, its file (docs/model-format.md) and the per-flow
# decision every caller uses (combination, calibration, abstention).
core_libpronet_core_la_SOURCES += \
	core/model/model.c \
	core/model/model_io.c \
	core/model/model_file.c \
	core/model/model_file_v1.c \
	core/model/flow_predict.c
nobase_pkginclude_HEADERS += core/model/model.h core/model/flow_predict.h
noinst_HEADERS += \
	core/model/model_internal.h \
	core/model/model_io.h \
	core/model/model_file_parts.h

# core/arch/: the registry of model families (registry.c is the one list),
# their operations table (arch.h), then one folder per family.
core_libpronet_core_la_SOURCES += core/arch/registry.c
nobase_pkginclude_HEADERS += core/arch/registry.h
noinst_HEADERS += core/arch/arch.h
include core/arch/pronet_cnn/local.mk
include core/arch/histogram/local.mk
include core/arch/deep_packet/local.mk
include core/arch/image_cnn/local.mk
include core/arch/flow_cnn/local.mk

# core/train/: the training loop over any architecture.
core_libpronet_core_la_SOURCES += core/train/train.c core/train/train_run.c core/train/augment.c \
	core/train/epochs.c core/train/train_flows.c core/train/grad_workers.c
noinst_HEADERS += core/train/augment.h core/train/epochs.h core/train/train_flows.h \
	core/train/train_run.h core/train/grad_workers.h
nobase_pkginclude_HEADERS += core/train/train.h

# core/eval/: folds, metrics and calibration (docs/evaluation.md).
core_libpronet_core_la_SOURCES += \
	core/eval/folds.c \
	core/eval/scores.c \
	core/eval/calibrate.c \
	core/eval/calibrate_model.c \
	core/eval/verdicts.c \
	core/eval/eval.c \
	core/eval/eval_model.c
nobase_pkginclude_HEADERS += \
	core/eval/folds.h \
	core/eval/scores.h \
	core/eval/calibrate.h \
	core/eval/calibrate_model.h \
	core/eval/eval.h \
	core/eval/eval_model.h
noinst_HEADERS += core/eval/verdicts.h
