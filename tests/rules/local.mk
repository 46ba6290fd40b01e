# Tests of rules/.
