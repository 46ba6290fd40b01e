# flow-cnn (seed 003, E2E-EACF): the 1D-CNN over a flow's first payload
# bytes and inter-arrival times (docs/flow-cnn.md); its input step,
# training with the z-score fit, and hyperparameters.
core_libpronet_core_la_SOURCES += \
	core/arch/flow_cnn/flow_cnn.c \
	core/arch/flow_cnn/flow_cnn_input.c \
	core/arch/flow_cnn/flow_cnn_train.c \
	core/arch/flow_cnn/flow_cnn_hyper.c
noinst_HEADERS += core/arch/flow_cnn/flow_cnn.h
