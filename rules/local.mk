# rules/: class maps, thresholds and custom protocol names, and their parsers.
# Pure parsing, no nDPI: core-level tools use it too.
noinst_LTLIBRARIES += rules/libpronet_rules.la
rules_libpronet_rules_la_SOURCES = \
	rules/rules_file.c \
	rules/class_map.c \
	rules/thresholds.c \
	rules/protos.c
PRONET_LAYER_LIBS += rules/libpronet_rules.la

nobase_pkginclude_HEADERS += \
	rules/class_map.h \
	rules/thresholds.h \
	rules/protos.h
noinst_HEADERS += rules/rules_file.h

# The default rules files, installed to $(pkgdatadir) (PRONET_DATADIR);
# PRONET_RULES_DIR overrides where the code looks for them.
dist_pkgdata_DATA += \
	rules/class-map.conf \
	rules/thresholds.conf \
	rules/protos.txt
