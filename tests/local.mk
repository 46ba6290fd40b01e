# tests/: CUnit unit tests (one binary per unit, mirroring the tree) and
# capture-driven integration tests. `make check` runs them all.
check_LTLIBRARIES += tests/libunit.la
tests_libunit_la_SOURCES = tests/unit.c tests/unit.h
tests_libunit_la_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_libunit_la_LIBADD = $(CUNIT_LIBS)

# Link line for a unit test binary.
UNIT_LDADD = tests/libunit.la $(PRONET_STATIC_LIBS) $(CUNIT_LIBS)
UNIT_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)

# Whether this build has ASan + UBSan (configure --enable-sanitizers), for
# tests that must skip then (tests/plugin/ndpireader.sh).
AM_TESTS_ENVIRONMENT += PRONET_SANITIZERS='$(PRONET_SANITIZERS_ENABLED)'; export PRONET_SANITIZERS;

include tests/core/local.mk
include tests/rules/local.mk
include tests/ndpi-glue/local.mk
include tests/plugin/local.mk
include tests/tools/local.mk

# Our own loopback captures (tests/data/README.md), for tests and `make demo`.
EXTRA_DIST += tests/data/README.md tests/data/make-captures.sh \
	tests/data/loopback-mixed.pcap tests/data/loopback-unknown.pcap tests/data/loopback-ipv6.pcap
# The v1 fixtures of issue 12 (tests/data/v1/README.md).
EXTRA_DIST += tests/data/v1/README.md tests/data/v1/default-v1.pronet \
	tests/data/v1/loopback-v1.ds tests/data/v1/trained-small.pronet \
	tests/data/v1/predictions-default.txt tests/data/v1/predictions-small.txt

include tests/fuzz/local.mk

# Source hygiene: banned calls anywhere, process exits in library code.
TESTS += tests/source/banned.sh
EXTRA_DIST += tests/source/banned.sh
# clang-format on the C files it covers (named exceptions in the script).
TESTS += tests/source/format.sh
EXTRA_DIST += tests/source/format.sh
# libpronet.so exports exactly its installed headers' functions (libpronet.sym).
TESTS += tests/source/exports.sh
EXTRA_DIST += tests/source/exports.sh
AM_TESTS_ENVIRONMENT += PRONET_PUBLIC_HEADERS='$(nobase_pkginclude_HEADERS)'; export PRONET_PUBLIC_HEADERS; \
	CC='$(CC)'; export CC; \
	PRONET_HEADER_CFLAGS='$(NDPI_CFLAGS) $(PCAP_CFLAGS) $(JSONC_CFLAGS)'; export PRONET_HEADER_CFLAGS;
