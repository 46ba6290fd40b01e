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

# `make histogram-eval`: docs/histogram-eval.txt, the three families
# cross-validated on the corpus as `make model-eval` does ProNet (folds by
# capture family and by flow, per flow, with and without abstention), from a
# dataset of every packet's size and time: pronet label records at most 8
# packets per direction, so a corpus flow is one window. One run of 5 folds
# each (a forest of 100 trees takes minutes per fold on 2 cores).
HISTOGRAM_LABEL_OPTIONS = --bytes 0 --all-packets --packets 8
HISTOGRAM_EVAL_OPTIONS = --min-flows 20 --seed 1 --threads 2 --threshold-precision 0.99 \
	--reject-rare
HISTOGRAM_ARCHS = histogram-nb histogram-lr histogram-rf
histogram-corpus.ds: pronet$(EXEEXT)
	rm -f $@
	./pronet$(EXEEXT) label -q $(HISTOGRAM_LABEL_OPTIONS) -c '$(srcdir)/rules/class-map.conf' \
		'$(PRONET_CORPUS)' -o $@ >histogram-corpus.txt; \
	status=$$?; test $$status -eq 0 || { test $$status -eq 1 && test -s $@; }
histogram-eval: histogram-corpus.ds
	rm -f histogram-eval.tmp
	for arch in $(HISTOGRAM_ARCHS); do \
		./pronet$(EXEEXT) eval histogram-corpus.ds --arch $$arch $(HISTOGRAM_EVAL_OPTIONS) \
			--groups '$(PRONET_CORPUS)/FAMILIES.tsv' -q >>histogram-eval.tmp || exit 1; \
		echo >>histogram-eval.tmp; \
		./pronet$(EXEEXT) eval histogram-corpus.ds --arch $$arch $(HISTOGRAM_EVAL_OPTIONS) \
			--by flow -q >>histogram-eval.tmp || exit 1; \
		echo >>histogram-eval.tmp; \
	done
	mv histogram-eval.tmp '$(srcdir)/docs/histogram-eval.txt'
.PHONY: histogram-eval
CLEANFILES += histogram-corpus.ds histogram-corpus.txt histogram-eval.tmp
