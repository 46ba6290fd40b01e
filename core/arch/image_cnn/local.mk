# image-cnn (seed 002, Zhou et al.): the 2D-CNN of Table I over 1024 bytes
# from the IP header on, as a 32x32 image; its training and hyperparameters.
core_libpronet_core_la_SOURCES += \
	core/arch/image_cnn/image_cnn.c \
	core/arch/image_cnn/image_cnn_hyper.c \
	core/arch/image_cnn/image_cnn_train.c
noinst_HEADERS += core/arch/image_cnn/image_cnn.h
