# Tests of tools/.
# make_dataset: writes a small dataset of crafted protocol prefixes for cli.sh.
check_PROGRAMS += tests/tools/make_dataset
tests_tools_make_dataset_SOURCES = tests/tools/make_dataset.c
tests_tools_make_dataset_LDADD = libpronet.la

TESTS += tests/tools/cli.sh
EXTRA_DIST += tests/tools/cli.sh
