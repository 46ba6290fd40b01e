# Deep Packet (seed 001): its 1D-CNN and stacked autoencoder over 1500 bytes
# from the IP header (docs/deep-packet.md); the input step and the dense
# layers both share.
core_libpronet_core_la_SOURCES += \
	core/arch/deep_packet/deep_packet_input.c \
	core/arch/deep_packet/dense_stack.c \
	core/arch/deep_packet/deep_packet_cnn.c \
	core/arch/deep_packet/deep_packet_cnn_train.c \
	core/arch/deep_packet/deep_packet_sae.c \
	core/arch/deep_packet/deep_packet_sae_pretrain.c \
	core/arch/deep_packet/deep_packet_hyper.c
noinst_HEADERS += \
	core/arch/deep_packet/deep_packet.h \
	core/arch/deep_packet/dense_stack.h
