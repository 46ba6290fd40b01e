#!/bin/sh
# `pronet flows` on our loopback captures under valgrind --leak-check=full:
# any invalid access, use of uninitialised memory, or definitely or possibly
# lost block fails the test (--error-exitcode). Skipped (exit 77, with a
# message) when valgrind is not installed or the build has the sanitizers,
# which valgrind cannot run.
# (pronet classify joins this test once it exists.)
set -u

: "${top_builddir:?top_builddir is not set: run through make check}"
: "${top_srcdir:?top_srcdir is not set: run through make check}"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind not installed (Debian package valgrind)"
	exit 77
fi
if [ "${PRONET_SANITIZERS:-no}" = yes ]; then
	echo "SKIP: configured with --enable-sanitizers: valgrind cannot run ASan binaries"
	exit 77
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pronet-valgrind.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT INT TERM

for capture in loopback-mixed.pcap loopback-ipv6.pcap; do
	# pronet is libtool's wrapper script: run valgrind on the real binary.
	"$top_builddir/libtool" --mode=execute valgrind --quiet --leak-check=full \
		--error-exitcode=3 "$top_builddir/pronet" flows "$top_srcdir/tests/data/$capture" \
		>"$TMP/out" 2>"$TMP/err"
	status=$?
	cat "$TMP/err" >&2
	[ "$status" -ne 3 ] || fail "valgrind found errors or leaks in pronet flows $capture (above)"
	[ "$status" -eq 0 ] || fail "pronet flows $capture exited $status under valgrind"
	[ -s "$TMP/out" ] || fail "pronet flows $capture printed no flow under valgrind"
	echo "valgrind: pronet flows $capture: $(awk 'END { print NR }' "$TMP/out") flows, no error, no leak"
done
exit 0
