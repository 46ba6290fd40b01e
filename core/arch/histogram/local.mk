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
# dataset of every packet's size and time, a flow's first 1024 packets (pronet
# label records that many without bytes). One run of 5 folds each (a forest of
# 100 trees takes minutes per fold on 2 cores).
HISTOGRAM_LABEL_OPTIONS = --bytes 0 --all-packets --packets 1024
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

# `make leroux-tables`: Leroux et al.'s Tables I-III (NB/LR/RF x features A,
# B, A+B) on plain, ESP and Tor windows of LEROUX_WINDOW packets synthesized by
# pronet tunnel from the corpus's flows labelled by traffic type, by capture
# family and by window, beside the paper's figures, then the corpus's real
# tunnel flows (tools/leroux-tables.sh); printed and kept in leroux-tables.txt.
# About 15 minutes on 2 idle cores (the forests).
LEROUX_WINDOW = 64
EXTRA_DIST += tools/leroux-tables.sh
leroux-tables: pronet$(EXEEXT)
	sh '$(srcdir)/tools/leroux-tables.sh' ./pronet$(EXEEXT) '$(PRONET_CORPUS)' \
		'$(srcdir)/rules' leroux-work $(LEROUX_WINDOW) >leroux-tables.tmp
	mv leroux-tables.tmp leroux-tables.txt
	cat leroux-tables.txt
.PHONY: leroux-tables
clean-local: clean-leroux
clean-leroux:
	rm -rf leroux-work
.PHONY: clean-leroux
CLEANFILES += leroux-tables.txt leroux-tables.tmp
