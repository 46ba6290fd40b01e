#!/bin/sh
# `pronet flows` and `pronet classify` (with a model from
# tests/plugin/make_test_model and a threshold low enough that it labels
# flows) on our loopback captures under valgrind --leak-check=full: any
# invalid access, use of uninitialised memory, or definitely or possibly lost
# block fails the test (--error-exitcode). Skipped (exit 77, with a message)
# when valgrind is not installed or the build has the sanitizers, which
# valgrind cannot run.
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

"$top_builddir/tests/plugin/make_test_model" "$TMP/model.pronet" ||
	fail "tests/plugin/make_test_model could not write a model"

# run_valgrind WHAT COMMAND...: COMMAND (a pronet subcommand) under valgrind.
run_valgrind() {
	what=$1
	shift
	# pronet is libtool's wrapper script: run valgrind on the real binary.
	"$top_builddir/libtool" --mode=execute valgrind --quiet --leak-check=full \
		--error-exitcode=3 "$top_builddir/pronet" "$@" >"$TMP/out" 2>"$TMP/err"
	status=$?
	cat "$TMP/err" >&2
	[ "$status" -ne 3 ] || fail "valgrind found errors or leaks in $what (above)"
	[ "$status" -eq 0 ] || fail "$what exited $status under valgrind"
	[ -s "$TMP/out" ] || fail "$what printed no flow under valgrind"
	echo "valgrind: $what: $(awk 'END { print NR }' "$TMP/out") flows, no error, no leak"
}

data=$top_srcdir/tests/data
for capture in loopback-mixed.pcap loopback-ipv6.pcap; do
	run_valgrind "pronet flows $capture" flows "$data/$capture"
done
for capture in loopback-mixed.pcap loopback-unknown.pcap; do
	run_valgrind "pronet classify $capture" classify -q -m "$TMP/model.pronet" \
		--threshold 0.01 "$data/$capture"
done
grep -q '"source":"pronet"' "$TMP/out" ||
	fail "the model labelled no flow of loopback-unknown.pcap: its path was not exercised"
exit 0
