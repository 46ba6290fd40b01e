# flow-cnn (seed 003, E2E-EACF): the 1D-CNN over a flow's first payload
# bytes and inter-arrival times (docs/flow-cnn.md); its input step,
# training with the z-score fit, and hyperparameters.
core_libpronet_core_la_SOURCES += \
	core/arch/flow_cnn/flow_cnn.c \
	core/arch/flow_cnn/flow_cnn_input.c \
	core/arch/flow_cnn/flow_cnn_train.c \
	core/arch/flow_cnn/flow_cnn_hyper.c
noinst_HEADERS += core/arch/flow_cnn/flow_cnn.h

# `make flow-cnn-eval`: docs/flow-cnn-eval.txt, flow-cnn cross-validated on
# the corpus as `make model-eval` does ProNet (folds by capture family and by
# flow, per flow, with and without abstention), from a dataset of the first
# 8 payload packets per direction, 1500 payload bytes each. One run of 5
# folds each, FLOW_CNN_STEPS steps of 64 flows per fold (at ~20 flows/s on
# 2 shared cores the paper's 100 epochs would take days): undertrained, and
# docs/flow-cnn.md says so.
FLOW_CNN_LABEL_OPTIONS = --layer payload --bytes 1500 --packets 8
FLOW_CNN_STEPS = 40
FLOW_CNN_EVAL_OPTIONS = --arch flow-cnn --steps $(FLOW_CNN_STEPS) --max-per-class 100 \
	--min-flows 20 --seed 1 --threads 2 --threshold-precision 0.99 --reject-rare
flow-cnn-corpus.ds: pronet$(EXEEXT)
	rm -f $@
	./pronet$(EXEEXT) label -q $(FLOW_CNN_LABEL_OPTIONS) -c '$(srcdir)/rules/class-map.conf' \
		'$(PRONET_CORPUS)' -o $@ >flow-cnn-corpus.txt; \
	status=$$?; test $$status -eq 0 || { test $$status -eq 1 && test -s $@; }
flow-cnn-eval: flow-cnn-corpus.ds
	rm -f flow-cnn-eval.tmp
	./pronet$(EXEEXT) eval flow-cnn-corpus.ds $(FLOW_CNN_EVAL_OPTIONS) \
		--groups '$(PRONET_CORPUS)/FAMILIES.tsv' -q >>flow-cnn-eval.tmp || exit 1
	echo >>flow-cnn-eval.tmp
	./pronet$(EXEEXT) eval flow-cnn-corpus.ds $(FLOW_CNN_EVAL_OPTIONS) --by flow -q \
		>>flow-cnn-eval.tmp || exit 1
	mv flow-cnn-eval.tmp '$(srcdir)/docs/flow-cnn-eval.txt'
.PHONY: flow-cnn-eval
CLEANFILES += flow-cnn-corpus.ds flow-cnn-corpus.txt flow-cnn-eval.tmp
