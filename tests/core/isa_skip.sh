#!/bin/sh
# The vector-kernel tests report the kernels they cannot run (tests/unit.h,
# pronet_unit_isa_runs): nn/test_softmax_fast and arch/pronet_cnn/test_fast
# print "SKIP: TEST: the KERNEL kernel" for each kernel this CPU lacks (and
# pass), and none for a kernel it has. Both paths run on any CPU:
# PRONET_TEST_SKIP_ISA=avx2,avx512 makes the tests treat those kernels as
# missing; without it, /proc/cpuinfo (avx2 with fma, avx512f) says which
# SKIP lines must appear, so a silent skip and a wrong one both fail.
set -u
: "${top_builddir:?top_builddir is not set: run through make check}"
status=0
flags=$(grep -m 1 '^flags' /proc/cpuinfo 2>/dev/null)
has() { printf '%s\n' "$flags" | tr ' ' '\n' | grep -qx "$1"; }
case $(uname -m) in
x86_64)
	avx2=0 avx512=0
	has avx2 && has fma && avx2=1
	has avx512f && avx512=1 ;;
*) avx2=0 avx512=0 ;;
esac
for test in nn/test_softmax_fast arch/pronet_cnn/test_fast; do
	binary=$top_builddir/tests/core/$test
	[ -x "$binary" ] || { echo "isa_skip: missing $binary (make check builds it)" >&2; exit 99; }
	out=$(PRONET_TEST_SKIP_ISA=avx2,avx512 "$binary" 2>&1) || {
		echo "FAIL: $test with PRONET_TEST_SKIP_ISA=avx2,avx512 failed:" >&2
		printf '%s\n' "$out" | tail -20 >&2
		status=1
	}
	for kernel in avx2 avx512; do
		printf '%s\n' "$out" | grep -q "^SKIP: .*: the $kernel kernel" || {
			echo "FAIL: $test with PRONET_TEST_SKIP_ISA=avx2,avx512 printed no SKIP line for $kernel" >&2
			status=1
		}
	done
	printf '%s\n' "$out" | grep -q "^SKIP: .*generic" && {
		echo "FAIL: $test skipped the generic kernel, which every CPU runs" >&2
		status=1
	}
	out=$("$binary" 2>&1) || { echo "FAIL: $test failed" >&2; status=1; }
	for kernel in avx2 avx512; do
		eval "cpu_has=\$$kernel"
		if printf '%s\n' "$out" | grep -q "^SKIP: .*: the $kernel kernel"; then
			[ "$cpu_has" = 1 ] && {
				echo "FAIL: $test skipped $kernel, which this CPU has" >&2
				status=1
			}
		else
			[ "$cpu_has" = 0 ] && {
				echo "FAIL: $test printed no SKIP line for $kernel, which this CPU lacks" >&2
				status=1
			}
		fi
	done
	echo "isa_skip: $test: avx2 $([ "$avx2" = 1 ] && echo run || echo skipped)," \
		"avx512 $([ "$avx512" = 1 ] && echo run || echo skipped) on this CPU"
done
exit $status
