# Tests of plugin/.
