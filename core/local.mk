# core/: the model. Knows nothing of packets or nDPI.
noinst_LTLIBRARIES += core/libpronet_core.la
core_libpronet_core_la_SOURCES = \
	core/error.c \
	core/file_read.c \
	core/file_read.h \
	core/crc32.c \
	core/crc32.h \
	core/rng.c \
	core/tokens.c \
	core/embedding.c \
	core/dot.c \
	core/conv1d.c \
	core/relu.c \
	core/maxpool.c \
	core/batchnorm.c \
	core/dropout.c \
	core/dense.c \
	core/softmax_xent.c \
	core/adam.c \
	core/arch_pronet_cnn.c \
	core/arch_pronet_cnn_train.c \
	core/model.c \
	core/model_file.c \
	core/parallel.c \
	core/train.c
core_libpronet_core_la_LIBADD = $(PTHREAD_LIBS) -lm

nobase_pkginclude_HEADERS += \
	core/error.h \
	core/input.h \
	core/model.h \
	core/dataset.h \
	core/train.h

noinst_HEADERS += \
	core/rng.h \
	core/tokens.h \
	core/embedding.h \
	core/dot.h \
	core/conv1d.h \
	core/relu.h \
	core/maxpool.h \
	core/batchnorm.h \
	core/dropout.h \
	core/dense.h \
	core/softmax_xent.h \
	core/adam.h \
	core/arch_pronet_cnn.h \
	core/model_internal.h \
	core/parallel.h

# The dataset file (docs/dataset-format.md): in-memory dataset and loader,
# streaming writer, and the format's private constants.
core_libpronet_core_la_SOURCES += core/dataset.c core/dataset_writer.c
noinst_HEADERS += core/dataset_format.h

# Per-packet context features (an option of the CNN), per-flow decisions and
# the evaluation (folds, metrics, calibration): docs/evaluation.md.
core_libpronet_core_la_SOURCES += core/packet_context.c core/flow_predict.c core/eval.c \
	core/calibrate.c
nobase_pkginclude_HEADERS += core/flow_predict.h core/eval.h core/calibrate.h
noinst_HEADERS += core/packet_context.h

# Which vector kernels the CPU runs (core/vector_isa.h).
core_libpronet_core_la_SOURCES += core/vector_isa.c
noinst_HEADERS += core/vector_isa.h

# The fast path to the CNN's pooled features: precomputed tables
# (core/arch_pronet_cnn_fast.h).
core_libpronet_core_la_SOURCES += core/arch_pronet_cnn_fast.c
noinst_HEADERS += core/arch_pronet_cnn_fast.h

# The fast path's head: batch norm and dense folded into one matrix
# (core/arch_pronet_cnn_fast_head.h).
core_libpronet_core_la_SOURCES += core/arch_pronet_cnn_fast_head.c
noinst_HEADERS += core/arch_pronet_cnn_fast_head.h

# Softmax for prediction, four classes at a time (core/softmax_fast.h).
core_libpronet_core_la_SOURCES += core/softmax_fast.c
noinst_HEADERS += core/softmax_fast.h

# Output files written whole or not at all: temporary file, fsync, rename
# (core/atomic_file.h).
core_libpronet_core_la_SOURCES += core/atomic_file.c
noinst_HEADERS += core/atomic_file.h
