# ndpi-glue/: captures -> packets -> flows -> nDPI.
# One convenience library for the layer; each part adds its files with +=.
noinst_LTLIBRARIES += ndpi-glue/libpronet_glue.la
ndpi_glue_libpronet_glue_la_SOURCES =
ndpi_glue_libpronet_glue_la_LIBADD =
PRONET_LAYER_LIBS += ndpi-glue/libpronet_glue.la

# Packet decoders (one file per link type / header) and the input builder
# (packets -> the model's inputs): a library of their own, without libpcap or
# nDPI, because pronet_ndpi.so links them too (plugin/local.mk).
noinst_LTLIBRARIES += ndpi-glue/libpronet_packets.la
ndpi_glue_libpronet_packets_la_SOURCES = \
	ndpi-glue/capture/decode.c \
	ndpi-glue/capture/decode_ethernet.c \
	ndpi-glue/capture/decode_ipv4.c \
	ndpi-glue/capture/decode_ipv6.c \
	ndpi-glue/capture/decode_l4.c \
	ndpi-glue/capture/decode_null.c \
	ndpi-glue/capture/decode_ppp.c \
	ndpi-glue/capture/decode_sll.c \
	ndpi-glue/capture/decode_tunnel.c \
	ndpi-glue/flow/input_builder.c
PRONET_LAYER_LIBS += ndpi-glue/libpronet_packets.la
nobase_pkginclude_HEADERS += ndpi-glue/flow/input_builder.h

# The capture reader.
ndpi_glue_libpronet_glue_la_SOURCES += ndpi-glue/capture/capture.c
ndpi_glue_libpronet_glue_la_LIBADD += $(PCAP_LIBS)
nobase_pkginclude_HEADERS += \
	ndpi-glue/capture/packet.h \
	ndpi-glue/capture/decode.h \
	ndpi-glue/capture/capture.h
noinst_HEADERS += ndpi-glue/capture/decode_units.h

# Flows: the flow table and the nDPI engine over it.
ndpi_glue_libpronet_glue_la_SOURCES += \
	ndpi-glue/flow/flow_table.c \
	ndpi-glue/engine/ndpi_engine.c \
	ndpi-glue/engine/shards.c
nobase_pkginclude_HEADERS += \
	ndpi-glue/flow/flow.h \
	ndpi-glue/flow/flow_table.h \
	ndpi-glue/engine/ndpi_engine.h \
	ndpi-glue/engine/shards.h
# libpronet gets nDPI and libpcap through this library (Makefile.am sets its LIBADD after the includes).
ndpi_glue_libpronet_glue_la_LIBADD += $(NDPI_LIBS)

# Capture arguments: files, directories and list files -> capture paths.
ndpi_glue_libpronet_glue_la_SOURCES += ndpi-glue/capture/capture_inputs.c
nobase_pkginclude_HEADERS += ndpi-glue/capture/capture_inputs.h
