# Tests of ndpi-glue/.
