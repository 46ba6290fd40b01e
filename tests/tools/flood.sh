#!/bin/sh
# Flow flood: `pronet flows` and `pronet classify` over a generated capture
# with FLOOD_FLOWS (default 1,000,000) distinct flows, one packet each, with
# a flow table of FLOOD_MAX_FLOWS slots (default 65536, the default cap).
# Asserts that each run finishes, reports every flow, counts exactly
# FLOWS - MAX_FLOWS evictions (flows' --stats; classify's events with reason
# "evicted"), and that its peak resident memory stays under a bound derived
# from the table size:
#   FLOOD_BASE_KB (48 MiB: nDPI's module with every protocol, libraries, the
#     small test model; measured 16 MiB for flows, 39 MiB for classify, at
#     4096 slots)
#   + MAX_FLOWS * FLOOD_SLOT_KB (2 KiB: a slot holds struct pronet_flow,
#     464 B, nDPI 4.2's flow struct, 688 B, the engine's state and hash
#     bucket, ~50 B, and in classify the plugin's per-flow state; measured
#     1.2 KiB per slot between 4096 and 262144 slots, the rest is headroom
#     for nDPI's own per-flow allocations).
# Under --enable-sanitizers the bound is not asserted (ASan's shadow memory
# and quarantine are not the program's); the rest is.
# The capture is written into the build tree and removed afterwards.
# Prints the peak RSS and the evictions.
set -u

: "${top_builddir:?top_builddir is not set: run through make check}"
PRONET="$top_builddir/pronet"
MAKE_FLOOD="$top_builddir/tests/tools/make_flood"
MAKE_MODEL="$top_builddir/tests/plugin/make_test_model"
TIME=${TIME_PROGRAM:-/usr/bin/time}
FLOWS=${FLOOD_FLOWS:-1000000}
MAX_FLOWS=${FLOOD_MAX_FLOWS:-65536}
BASE_KB=${FLOOD_BASE_KB:-49152}
SLOT_KB=${FLOOD_SLOT_KB:-2}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ -x "$TIME" ] || fail "$TIME not found (Debian package time): it measures the peak RSS"
[ -x "$MAKE_FLOOD" ] || fail "$MAKE_FLOOD not built"
[ -x "$MAKE_MODEL" ] || fail "$MAKE_MODEL not built"
TMP=$(mktemp -d "$top_builddir/tests/tools/flood.XXXXXX") || exit 99
# On INT or TERM stop (the EXIT trap then removes TMP): a trap that only
# removed TMP would let the script run on without its files.
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

"$MAKE_FLOOD" "$TMP/flood.pcap" "$FLOWS" || fail "make_flood could not write the capture"
"$MAKE_MODEL" "$TMP/model.pronet" || fail "make_test_model could not write a model"
bound_kb=$((BASE_KB + MAX_FLOWS * SLOT_KB))

# check_rss WHAT: the peak RSS in $TMP/err (from time -v) against the bound.
check_rss() {
	rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$TMP/err")
	[ -n "$rss_kb" ] || fail "$1: no peak RSS from $TIME -v"
	echo "flood: $1: $FLOWS flows, table $MAX_FLOWS slots: evictions $evictions, peak RSS $rss_kb KiB (bound $bound_kb KiB)"
	if [ "${PRONET_SANITIZERS:-no}" = yes ]; then
		echo "flood: $1: sanitizer build: peak RSS bound not asserted (ASan's shadow memory)"
	elif [ "$rss_kb" -gt "$bound_kb" ]; then
		fail "$1: peak RSS $rss_kb KiB is above the bound $bound_kb KiB for $MAX_FLOWS slots"
	fi
}

# check_counts WHAT REPORTED EVICTIONS
check_counts() {
	[ "$2" -eq "$FLOWS" ] || fail "$1: $2 flows reported, $FLOWS in the capture"
	[ -n "$3" ] || fail "$1: no evictions count"
	[ "$3" -gt 0 ] || fail "$1: no evictions reported with $FLOWS flows in $MAX_FLOWS slots"
	[ "$3" -eq $((FLOWS - MAX_FLOWS)) ] ||
		fail "$1: $3 evictions, expected $((FLOWS - MAX_FLOWS)) (one per flow beyond the table)"
}

# pronet flows: one TSV line per flow, counters on standard error.
"$TIME" -v "$PRONET" flows --stats --max-flows "$MAX_FLOWS" "$TMP/flood.pcap" \
	>"$TMP/flows.tsv" 2>"$TMP/err"
status=$?
cat "$TMP/err" >&2
[ "$status" -eq 0 ] || fail "pronet flows exited $status on the flood"
evictions=$(sed -n 's/.*, evictions \([0-9]*\),.*/\1/p' "$TMP/err")
check_counts "pronet flows" "$(awk 'END { print NR }' "$TMP/flows.tsv")" "$evictions"
check_rss "pronet flows"
rm -f "$TMP/flows.tsv"

# pronet classify: one JSON event per flow (counted, not kept: ~700 MB).
# Every flood flow is Unknown to nDPI, so the model runs on each UDP one.
{
	"$TIME" -v "$PRONET" classify -q -m "$TMP/model.pronet" --max-flows "$MAX_FLOWS" \
		"$TMP/flood.pcap" 2>"$TMP/err"
	echo "exit $?" >"$TMP/status"
} | awk '/"reason":"evicted"/ { evicted++ } END { print NR, evicted + 0 }' >"$TMP/counts"
cat "$TMP/err" >&2
[ "$(cat "$TMP/status")" = "exit 0" ] || fail "pronet classify $(cat "$TMP/status") on the flood"
read -r reported evictions <"$TMP/counts"
check_counts "pronet classify" "$reported" "$evictions"
check_rss "pronet classify"
exit 0
