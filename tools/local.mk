# tools/: the `pronet` command-line tool. One cmd_<name>.c per subcommand.
bin_PROGRAMS += pronet
pronet_SOURCES = \
	tools/pronet.c \
	tools/commands.h
pronet_LDADD = $(PRONET_STATIC_LIBS)

# train / predict / info: the model API from the command line.
pronet_SOURCES += \
	tools/cli_args.c \
	tools/cli_args.h \
	tools/cmd_train.c \
	tools/cmd_predict.c \
	tools/cmd_info.c

# render: a dataset's records as PNG images (libpng).
pronet_SOURCES += tools/cmd_render.c
pronet_LDADD += $(PNG_LIBS)

# tunnel: a dataset as an observer of an ESP or Tor tunnel sees it (issue 14).
pronet_SOURCES += tools/cmd_tunnel.c

# flows: nDPI verdicts per flow of captures (ndpi-glue engine).
pronet_SOURCES += tools/cmd_flows.c

# Capture arguments (files, directories, @lists) and progress, shared by
# flows, label and classify.
pronet_SOURCES += tools/cli_captures.c tools/cli_captures.h

# The capture and engine options flows, label and classify share, and one
# capture file through a fresh engine.
pronet_SOURCES += tools/engine_args.c tools/engine_args.h

# Dropping root after a live capture is open (classify -i -u).
pronet_SOURCES += tools/privileges.c tools/privileges.h

# label: a dataset labelled by nDPI's DPI verdicts.
pronet_SOURCES += tools/cmd_label.c tools/label_args.c tools/label_args.h \
	tools/label_samples.c tools/label_samples.h

# eval: cross-validation per flow (core/eval/eval.c), its table, JSON and SVG;
# the model and training options shared with train.
pronet_SOURCES += \
	tools/train_args.c \
	tools/train_args.h \
	tools/dataset_filter.c \
	tools/dataset_filter.h \
	tools/eval_report.c \
	tools/eval_report.h \
	tools/eval_svg.c \
	tools/svg_text.c \
	tools/svg_text.h \
	tools/cmd_eval.c
pronet_LDADD += $(JSONC_LIBS)

# explain: what a ProNet CNN learned (core/arch/pronet_cnn/explain.h), heat
# maps and signature candidates tested on a dataset.
pronet_SOURCES += \
	tools/cmd_explain.c \
	tools/explain_signatures.c \
	tools/explain_signatures.h \
	tools/explain_svg.c \
	tools/explain_svg.h \
	tools/explain_flow.c \
	tools/explain_flow.h

# `make bench`: speed of prediction, training, ndpiReader and classify, as a
# table and bench.json (tools/bench.c). Built by `make`, run only by `make bench`.
noinst_PROGRAMS += tools/bench
tools_bench_SOURCES = tools/bench.c tools/bench.h tools/bench_arch.c tools/bench_arch.h \
	tools/bench_host.c tools/bench_host.h tools/bench_model.c tools/bench_model.h \
	tools/bench_replay.c tools/bench_replay.h tools/bench_report.c tools/bench_report.h
tools_bench_LDADD = $(PRONET_STATIC_LIBS) $(PCAP_LIBS) -lm
BENCH_SECONDS = 2
bench: tools/bench$(EXEEXT) pronet$(EXEEXT) tests/ndpi-glue/flow/bench_flow_table$(EXEEXT)
	./tests/ndpi-glue/flow/bench_flow_table$(EXEEXT)
	./tools/bench$(EXEEXT) -s $(BENCH_SECONDS) -c '$(PRONET_CORPUS)' -n '$(NDPIREADER)' \
		-p ./pronet$(EXEEXT) -m '$(srcdir)/rules/default.pronet' -w . -o bench.json
	$(MAKE) $(AM_MAKEFLAGS) bench-histogram
	$(MAKE) $(AM_MAKEFLAGS) bench-flow-cnn
.PHONY: bench
CLEANFILES += bench.json bench-merged.pcap bench.model
# `make quant-contract`: ProNet's 16-bit prediction path against the float
# reference on every distinct input of the corpus (tools/quant_contract.c):
# the share with the same class, the largest |dp|, the count; exit 1 unless
# the contract of core/arch/pronet_cnn/quant.h holds. make check runs it on
# the shipped model (tests/core/arch/pronet_cnn/quant_contract.sh).
noinst_PROGRAMS += tools/quant_contract
tools_quant_contract_SOURCES = tools/quant_contract.c
tools_quant_contract_LDADD = $(PRONET_STATIC_LIBS) $(PCAP_LIBS) -lm
QUANT_MODEL = $(srcdir)/rules/default.pronet
quant-contract: tools/quant_contract$(EXEEXT)
	./tools/quant_contract$(EXEEXT) -m '$(QUANT_MODEL)' -c '$(PRONET_CORPUS)' --check
.PHONY: quant-contract
# The same training in PyTorch, for the training figure's ratio (not run by
# make: needs python3-torch).
EXTRA_DIST += tools/bench-torch.py
# `make bench-torch`: the whole-packet families' rows of `make bench`, then the
# same networks in Debian's python3-torch on the same input sizes, back to
# back, and the pronet / torch ratios; the load average before and after (the
# machine may be shared: the ratios matter more than the rates). Torch's
# dense layers run on whatever libblas.so.3 points at (the script prints it):
# give it OpenBLAS (libopenblas0-pthread) and OPENBLAS_NUM_THREADS=1, its best
# here, or the ratios flatter pronet (docs/evaluation.md).
PYTHON_TORCH = /usr/bin/python3
bench-torch: tools/bench$(EXEEXT)
	uptime
	./tools/bench$(EXEEXT) -s $(BENCH_SECONDS) -c '$(PRONET_CORPUS)' \
		-f deep-packet,image-cnn -o bench-arch.json
	$(PYTHON_TORCH) '$(srcdir)/tools/bench-torch.py' --arch all --threads 2 \
		--seconds $(BENCH_SECONDS) --compare bench-arch.json --json bench-torch.json
	uptime
.PHONY: bench-torch
CLEANFILES += bench-arch.json bench-torch.json

# classify: per-flow JSON events, the model through the plugin's fallback.
pronet_SOURCES += \
	tools/cmd_classify.c \
	tools/classify_args.c \
	tools/classify_args.h \
	tools/classify_event.c \
	tools/classify_event.h \
	tools/classify_ndpid.c \
	tools/classify_ndpid.h \
	tools/classify_sink.c \
	tools/classify_sink.h \
	tools/classify_workers.c \
	tools/classify_workers.h \
	tools/line_output.c \
	tools/line_output.h
pronet_LDADD += $(JSONC_LIBS) $(NDPI_LIBS)
# classify --update: online update (seed 003's OLUC), docs/online-update.md.
pronet_SOURCES += tools/classify_update.c tools/classify_update.h tools/update_store.c \
	tools/update_store.h tools/update_train.c tools/update_train.h tools/update_replay.c \
	tools/update_replay.h

# The measurement of verdicts on the flows nDPI leaves Unknown (`make
# unknown-eval`, docs/evaluation.md): truths, scoring, the three runs.
EXTRA_DIST += \
	tools/unknown-eval.sh \
	tools/unknown-truth.sh \
	tools/unknown-truth.awk \
	tools/unknown-tshark.awk \
	tools/unknown-tshark-names.tsv \
	tools/unknown-score.sh \
	tools/unknown-score.awk \
	tools/unknown-eve.awk \
	tools/unknown-ndpireader.awk \
	tools/unknown-lib.awk

# classify --redis: events to a Redis server (hiredis; without it, configure
# leaves HIREDIS_LIBS empty and the file builds its option helpers only).
pronet_SOURCES += tools/redis_output.c tools/redis_output.h
pronet_LDADD += $(HIREDIS_LIBS)
