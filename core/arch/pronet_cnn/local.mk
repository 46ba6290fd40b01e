# ProNet (seed 000): byte and 3-gram embeddings, convolutions of widths 3/4/5,
# global max-pool, dense softmax; its per-packet context features; the fast
# path (precomputed tables, core/arch/pronet_cnn/fast.h) and its folded head.
core_libpronet_core_la_SOURCES += \
	core/arch/pronet_cnn/pronet_cnn.c \
	core/arch/pronet_cnn/pronet_cnn_hyper.c \
	core/arch/pronet_cnn/pronet_cnn_train.c \
	core/arch/pronet_cnn/tokens.c \
	core/arch/pronet_cnn/packet_context.c \
	core/arch/pronet_cnn/fast.c \
	core/arch/pronet_cnn/fast_head.c \
	core/arch/pronet_cnn/quant.c \
	core/arch/pronet_cnn/explain.c
noinst_HEADERS += \
	core/arch/pronet_cnn/pronet_cnn.h \
	core/arch/pronet_cnn/tokens.h \
	core/arch/pronet_cnn/packet_context.h \
	core/arch/pronet_cnn/fast.h \
	core/arch/pronet_cnn/fast_head.h \
	core/arch/pronet_cnn/quant.h \
	core/arch/pronet_cnn/explain.h
nobase_pkginclude_HEADERS += core/arch/pronet_cnn/pronet_cnn_config.h
