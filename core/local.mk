# core/: the model. Knows nothing of packets or nDPI.
noinst_LTLIBRARIES += core/libpronet_core.la
core_libpronet_core_la_SOURCES = \
	core/error.c
core_libpronet_core_la_LIBADD = $(PTHREAD_LIBS) -lm

nobase_pkginclude_HEADERS += \
	core/error.h \
	core/input.h \
	core/model.h \
	core/dataset.h \
	core/train.h
