# Leroux et al. (seed 004): windowed 2-D histograms of packet size x
# inter-arrival time and burst size x surge period (features.c), shared by
# three families: Gaussian naive Bayes, logistic regression (L-BFGS) and a
# random forest of CART trees kept in the model file's TREE block.
core_libpronet_core_la_SOURCES += \
	core/arch/histogram/features.c \
	core/arch/histogram/histogram.c \
	core/arch/histogram/windows.c \
	core/arch/histogram/naive_bayes.c \
	core/arch/histogram/lbfgs.c \
	core/arch/histogram/logistic.c \
	core/arch/histogram/forest.c \
	core/arch/histogram/forest_file.c \
	core/arch/histogram/random_forest.c
noinst_HEADERS += \
	core/arch/histogram/features.h \
	core/arch/histogram/histogram.h \
	core/arch/histogram/lbfgs.h \
	core/arch/histogram/forest.h \
	core/arch/histogram/forest_file.h
nobase_pkginclude_HEADERS += core/arch/histogram/histogram_config.h
