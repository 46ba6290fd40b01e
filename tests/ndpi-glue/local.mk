# Tests of ndpi-glue/.

# Decoders and capture reader.
noinst_HEADERS += tests/ndpi-glue/test_decode.h
check_PROGRAMS += tests/ndpi-glue/test_decode_link
tests_ndpi_glue_test_decode_link_SOURCES = tests/ndpi-glue/test_decode_link.c
tests_ndpi_glue_test_decode_link_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_test_decode_link_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/test_decode_link
check_PROGRAMS += tests/ndpi-glue/test_decode_ip
tests_ndpi_glue_test_decode_ip_SOURCES = tests/ndpi-glue/test_decode_ip.c
tests_ndpi_glue_test_decode_ip_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_test_decode_ip_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/test_decode_ip
check_PROGRAMS += tests/ndpi-glue/test_decode_l4
tests_ndpi_glue_test_decode_l4_SOURCES = tests/ndpi-glue/test_decode_l4.c
tests_ndpi_glue_test_decode_l4_CFLAGS = $(UNIT_CFLAGS)
tests_ndpi_glue_test_decode_l4_LDADD = $(UNIT_LDADD)
TESTS += tests/ndpi-glue/test_decode_l4
