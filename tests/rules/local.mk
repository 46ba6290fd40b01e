# Tests of rules/.
check_PROGRAMS += tests/rules/test_class_map
tests_rules_test_class_map_SOURCES = tests/rules/test_class_map.c
tests_rules_test_class_map_CFLAGS = $(UNIT_CFLAGS)
tests_rules_test_class_map_LDADD = $(UNIT_LDADD)
TESTS += tests/rules/test_class_map

check_PROGRAMS += tests/rules/test_thresholds
tests_rules_test_thresholds_SOURCES = tests/rules/test_thresholds.c
tests_rules_test_thresholds_CFLAGS = $(UNIT_CFLAGS)
tests_rules_test_thresholds_LDADD = $(UNIT_LDADD)
TESTS += tests/rules/test_thresholds

check_PROGRAMS += tests/rules/test_protos
tests_rules_test_protos_SOURCES = tests/rules/test_protos.c
tests_rules_test_protos_CFLAGS = $(UNIT_CFLAGS)
tests_rules_test_protos_LDADD = $(UNIT_LDADD)
TESTS += tests/rules/test_protos

# What the three rules tests share (wrong-line check, test files).
RULES_TEST_SOURCES = tests/rules/rules_test.c tests/rules/rules_test.h
tests_rules_test_class_map_SOURCES += $(RULES_TEST_SOURCES)
tests_rules_test_thresholds_SOURCES += $(RULES_TEST_SOURCES)
tests_rules_test_protos_SOURCES += $(RULES_TEST_SOURCES)

# default_eval.sh: docs/evaluation.md's figures for the shipped model against
# rules/default.eval.txt and `pronet info rules/default.pronet`.
TESTS += tests/rules/default_eval.sh
EXTRA_DIST += tests/rules/default_eval.sh
