#!/bin/sh
# Standard output that cannot be written is an error, not silence: `pronet
# label` with its table and `pronet flows` with its lines sent to /dev/full
# exit 1 with "error writing standard output". Skipped (77, with a message)
# where there is no writable /dev/full.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
if [ ! -c /dev/full ] || [ ! -w /dev/full ]; then
	echo "SKIP: no writable /dev/full: standard output errors cannot be provoked"
	exit 77
fi
. "$top_srcdir/tests/tools/common.sh"
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
MIXED="$top_srcdir/tests/data/loopback-mixed.pcap"

"$PRONET" label -q "$MIXED" -o "$TMP/full.ds" >/dev/full 2>"$TMP/err"
[ $? -eq 1 ] || fail "label with its table to /dev/full did not exit 1"
expect_in "$TMP/err" "error writing standard output" "label to /dev/full"
"$PRONET" flows "$MIXED" >/dev/full 2>"$TMP/err"
[ $? -eq 1 ] || fail "flows to /dev/full did not exit 1"
expect_in "$TMP/err" "error writing standard output" "flows to /dev/full"
finish
echo "stdout_full: label and flows report a full standard output"
