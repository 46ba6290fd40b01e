#!/bin/sh
# Flow flood: `pronet flows` over a generated capture with FLOOD_FLOWS
# (default 1,000,000) distinct flows, one packet each, with a flow table of
# FLOOD_MAX_FLOWS slots (default 65536, the default cap). Asserts that the
# run finishes, reports every flow, counts exactly FLOWS - MAX_FLOWS
# evictions, and that its peak resident memory stays under a bound derived
# from the table size:
#   FLOOD_BASE_KB (32 MiB: nDPI's module with every protocol, libraries)
#   + MAX_FLOWS * FLOOD_SLOT_KB (2 KiB: a slot holds struct pronet_flow,
#     464 B, nDPI 4.2's flow struct, 688 B, and the engine's state and hash
#     bucket, ~50 B; measured 1.2 KiB per slot in all, the rest is headroom
#     for nDPI's own per-flow allocations).
# Under --enable-sanitizers the bound is not asserted (ASan's shadow memory
# and quarantine are not the program's); the rest is.
# The capture is written into the build tree and removed afterwards.
# Prints the peak RSS and the evictions.
set -u

: "${top_builddir:?top_builddir is not set: run through make check}"
PRONET="$top_builddir/pronet"
MAKE_FLOOD="$top_builddir/tests/tools/make_flood"
TIME=${TIME_PROGRAM:-/usr/bin/time}
FLOWS=${FLOOD_FLOWS:-1000000}
MAX_FLOWS=${FLOOD_MAX_FLOWS:-65536}
BASE_KB=${FLOOD_BASE_KB:-32768}
SLOT_KB=${FLOOD_SLOT_KB:-2}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

[ -x "$TIME" ] || fail "$TIME not found (Debian package time): it measures the peak RSS"
[ -x "$MAKE_FLOOD" ] || fail "$MAKE_FLOOD not built"
TMP=$(mktemp -d "$top_builddir/tests/tools/flood.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT INT TERM

"$MAKE_FLOOD" "$TMP/flood.pcap" "$FLOWS" || fail "make_flood could not write the capture"
"$TIME" -v "$PRONET" flows --stats --max-flows "$MAX_FLOWS" "$TMP/flood.pcap" \
	>"$TMP/flows.tsv" 2>"$TMP/err"
status=$?
cat "$TMP/err" >&2
[ "$status" -eq 0 ] || fail "pronet flows exited $status on the flood"

reported=$(awk 'END { print NR }' "$TMP/flows.tsv")
[ "$reported" -eq "$FLOWS" ] || fail "$reported flows reported, $FLOWS in the capture"
evictions=$(sed -n 's/.*, evictions \([0-9]*\),.*/\1/p' "$TMP/err")
[ -n "$evictions" ] || fail "no evictions count in pronet flows --stats"
[ "$evictions" -gt 0 ] || fail "no evictions reported with $FLOWS flows in $MAX_FLOWS slots"
[ "$evictions" -eq $((FLOWS - MAX_FLOWS)) ] ||
	fail "$evictions evictions, expected $((FLOWS - MAX_FLOWS)) (one per flow beyond the table)"
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$TMP/err")
[ -n "$rss_kb" ] || fail "no peak RSS from $TIME -v"
bound_kb=$((BASE_KB + MAX_FLOWS * SLOT_KB))
echo "flood: $FLOWS flows, table $MAX_FLOWS slots: evictions $evictions, peak RSS $rss_kb KiB (bound $bound_kb KiB)"
if [ "${PRONET_SANITIZERS:-no}" = yes ]; then
	echo "flood: sanitizer build: peak RSS bound not asserted (ASan's shadow memory)"
	exit 0
fi
[ "$rss_kb" -le "$bound_kb" ] ||
	fail "peak RSS $rss_kb KiB is above the bound $bound_kb KiB for $MAX_FLOWS slots"
exit 0
