# plugin/: the nDPI dissector and the LD_PRELOAD / dlopen module.
#
# libpronet_plugin.la: attach/detach, the dissector, the give-up fallback and
# the per-flow store; part of libpronet (so `pronet classify` uses the same
# fallback). pronet_ndpi.la: the loadable module (LD_PRELOAD shim + dlopen
# entry point) with core, rules and plugin linked in, so it needs no
# libpronet.so; it exports only its API and the nDPI entry points it hooks.
noinst_LTLIBRARIES += plugin/libpronet_plugin.la
plugin_libpronet_plugin_la_SOURCES = \
	plugin/attach.c \
	plugin/attachment.h \
	plugin/dissector.c \
	plugin/endpoint_evidence.c \
	plugin/endpoint_evidence.h \
	plugin/fallback.c \
	plugin/flow_state.c \
	plugin/flow_state.h \
	plugin/ndpi_undeclared.h \
	plugin/packet_hook.c
plugin_libpronet_plugin_la_LIBADD = $(NDPI_LIBS) $(PTHREAD_LIBS)
PRONET_LAYER_LIBS += plugin/libpronet_plugin.la

nobase_pkginclude_HEADERS += \
	plugin/pronet_plugin.h \
	plugin/registration.h
noinst_HEADERS += plugin/host.h

pkglib_LTLIBRARIES += plugin/pronet_ndpi.la
plugin_pronet_ndpi_la_SOURCES = \
	plugin/host.c \
	plugin/preload.c \
	plugin/registration.c
plugin_pronet_ndpi_la_LIBADD = \
	plugin/libpronet_plugin.la \
	ndpi-glue/libpronet_packets.la \
	rules/libpronet_rules.la \
	core/libpronet_core.la \
	$(NDPI_LIBS) $(PTHREAD_LIBS) -ldl -lm
# -Bsymbolic: the module's own calls stay inside it even when a host that
# dlopens it also links libpronet.so.
plugin_pronet_ndpi_la_LDFLAGS = -module -avoid-version -shared -no-undefined \
	-Wl,-Bsymbolic \
	-export-symbols-regex '^(pronet_plugin_|ndpi_(set_protocol_detection_bitmask2|detection_process_packet|detection_giveup|free_flow_data|exit_detection_module)$$)'

# The model and rules loader, shared by pronet_ndpi.so's host and
# `pronet classify` (plugin/loader.h).
plugin_libpronet_plugin_la_SOURCES += plugin/loader.c
noinst_HEADERS += plugin/loader.h
