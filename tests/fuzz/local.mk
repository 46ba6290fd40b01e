# tests/fuzz: libFuzzer harnesses (issue 7), built only with
# ./configure --enable-fuzzing (clang; ASan + UBSan, fatal). `make fuzz` writes
# seed corpora from the tests into fuzz/seeds/ of the build tree and runs each
# harness for FUZZ_SECONDS (default 60), keeping what it finds in
# fuzz/corpus/ and crashes in fuzz/artifacts/. No corpus is committed.
FUZZ_HARNESSES = decode model_file dataset rules dissector engine
FUZZ_SECONDS = 60
FUZZ_FLAGS =
EXTRA_DIST += tests/fuzz/fuzz_decode.c tests/fuzz/fuzz_model_file.c tests/fuzz/fuzz_dataset.c \
	tests/fuzz/fuzz_rules.c tests/fuzz/fuzz_dissector.c tests/fuzz/fuzz_engine.c \
	tests/fuzz/make_seeds.c \
	tests/fuzz/link_types.h tests/fuzz/crc_fixup.h

if PRONET_FUZZING
FUZZ_LINK_FLAGS = -fsanitize=fuzzer
noinst_PROGRAMS += tests/fuzz/fuzz_decode tests/fuzz/fuzz_model_file tests/fuzz/fuzz_dataset \
	tests/fuzz/fuzz_rules tests/fuzz/fuzz_dissector tests/fuzz/fuzz_engine tests/fuzz/make_seeds
tests_fuzz_fuzz_decode_SOURCES = tests/fuzz/fuzz_decode.c
tests_fuzz_fuzz_decode_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_decode_LDADD = $(PRONET_STATIC_LIBS)
tests_fuzz_fuzz_model_file_SOURCES = tests/fuzz/fuzz_model_file.c
tests_fuzz_fuzz_model_file_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_model_file_LDADD = $(PRONET_STATIC_LIBS)
tests_fuzz_fuzz_dataset_SOURCES = tests/fuzz/fuzz_dataset.c
tests_fuzz_fuzz_dataset_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_dataset_LDADD = $(PRONET_STATIC_LIBS)
tests_fuzz_fuzz_rules_SOURCES = tests/fuzz/fuzz_rules.c
tests_fuzz_fuzz_rules_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_rules_LDADD = $(PRONET_STATIC_LIBS)
tests_fuzz_fuzz_dissector_SOURCES = tests/fuzz/fuzz_dissector.c $(PLUGIN_TEST_FIXTURE)
tests_fuzz_fuzz_dissector_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_dissector_LDADD = $(PRONET_STATIC_LIBS) $(NDPI_LIBS)
tests_fuzz_fuzz_engine_SOURCES = tests/fuzz/fuzz_engine.c
tests_fuzz_fuzz_engine_LDFLAGS = $(FUZZ_LINK_FLAGS)
tests_fuzz_fuzz_engine_LDADD = $(PRONET_STATIC_LIBS) $(NDPI_LIBS)
tests_fuzz_make_seeds_SOURCES = tests/fuzz/make_seeds.c
tests_fuzz_make_seeds_LDADD = $(PRONET_STATIC_LIBS)

fuzz-seeds: tests/fuzz/make_seeds$(EXEEXT)
	rm -rf fuzz/seeds
	$(MKDIR_P) fuzz/seeds
	tests/fuzz/make_seeds$(EXEEXT) fuzz/seeds $(top_srcdir)/rules $(top_srcdir)/tests/data/*.pcap
	@# A few frames of each of nDPI's captures, for link types and payloads
	@# our own captures lack; skipped when the corpus is not there.
	if test -d '$(PRONET_CORPUS)'; then \
		tests/fuzz/make_seeds$(EXEEXT) -p -n 3 fuzz/seeds $(top_srcdir)/rules \
			'$(PRONET_CORPUS)'/*.pcap* '$(PRONET_CORPUS)'/*.cap; \
	fi

# Each harness in turn; stops at the first that finds a crash (the input is
# in fuzz/artifacts/, its stack trace above).
fuzz: fuzz-seeds $(FUZZ_HARNESSES:%=tests/fuzz/fuzz_%$(EXEEXT))
	$(MKDIR_P) fuzz/artifacts
	@set -e; for h in $(FUZZ_HARNESSES); do \
		$(MKDIR_P) fuzz/corpus/$$h fuzz/seeds/$$h; \
		echo "fuzz: $$h for $(FUZZ_SECONDS) s"; \
		nice tests/fuzz/fuzz_$$h$(EXEEXT) -max_total_time=$(FUZZ_SECONDS) \
			-print_final_stats=1 -artifact_prefix=fuzz/artifacts/$$h- $(FUZZ_FLAGS) \
			fuzz/corpus/$$h fuzz/seeds/$$h; \
	done
else
fuzz fuzz-seeds:
	@echo "make fuzz: configure with --enable-fuzzing (clang) first" >&2; exit 1
endif
.PHONY: fuzz fuzz-seeds
