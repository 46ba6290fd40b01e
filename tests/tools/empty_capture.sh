#!/bin/sh
# Captures with no flow at all: a pcap of just its file header, one whose
# only frame is ARP (not IP), and a directory without captures. `pronet
# flows`, `pronet classify` (with its summary) and `pronet label` (with its
# table) must read them, print no flow and exit 0. Regressions, each a
# UBSan report (fatal in the --enable-sanitizers build that .ci/run tests):
# classify's summary and label's table passed qsort a NULL array when no flow
# was seen, and an empty directory as the first capture argument did too
# (ndpi-glue/capture/capture_inputs.c; its CUnit test covers the library side).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
MAKE_MODEL="$top_builddir/tests/plugin/make_test_model"
require_program "$MAKE_MODEL"

# pcap file header, little-endian: magic, version 2.4, zone 0, sigfigs 0,
# snaplen 65535, link type 1 (Ethernet).
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\001\000\000\000' \
	>"$TMP/empty.pcap"
# ... and one 42-byte frame: record header (time 1 s, lengths 42), then an ARP
# request (broadcast, ethertype 0x0806, Ethernet/IPv4, who-has 10.0.0.2).
cp "$TMP/empty.pcap" "$TMP/arp.pcap"
printf '\001\000\000\000\000\000\000\000\052\000\000\000\052\000\000\000' >>"$TMP/arp.pcap"
printf '\377\377\377\377\377\377\002\000\000\000\000\001\010\006' >>"$TMP/arp.pcap"
printf '\000\001\010\000\006\004\000\001\002\000\000\000\000\001\012\000\000\001' >>"$TMP/arp.pcap"
printf '\000\000\000\000\000\000\012\000\000\002' >>"$TMP/arp.pcap"
[ "$(wc -c <"$TMP/arp.pcap")" -eq 82 ] || { echo "crafted arp.pcap has the wrong size" >&2; exit 99; }

"$MAKE_MODEL" "$TMP/model.pronet" || { echo "make_test_model failed" >&2; exit 99; }
for capture in empty.pcap arp.pcap; do
	"$PRONET" flows --stats "$TMP/$capture" >"$TMP/out" 2>"$TMP/err"
	status=$?
	cat "$TMP/err" >&2
	[ "$status" -eq 0 ] || fail "pronet flows $capture exited $status"
	[ ! -s "$TMP/out" ] || fail "pronet flows $capture printed flows"
	grep -q ', flows 0,' "$TMP/err" || fail "pronet flows $capture: no 'flows 0' in its stats"

	"$PRONET" classify -m "$TMP/model.pronet" "$TMP/$capture" >"$TMP/out" 2>"$TMP/err"
	status=$?
	cat "$TMP/err" >&2
	[ "$status" -eq 0 ] || fail "pronet classify $capture exited $status"
	[ ! -s "$TMP/out" ] || fail "pronet classify $capture printed events"
	grep -q '^flows: 0$' "$TMP/err" || fail "pronet classify $capture: no 'flows: 0' in its summary"
	"$PRONET" label "$TMP/$capture" -o "$TMP/$capture.ds" >"$TMP/out" 2>"$TMP/err"
	status=$?
	cat "$TMP/out" "$TMP/err" >&2
	[ "$status" -eq 0 ] || fail "pronet label $capture exited $status"
	[ -f "$TMP/$capture.ds" ] || fail "pronet label $capture wrote no dataset"
	echo "empty: $capture: flows, classify and label read it, no flow, exit 0"
done
mkdir "$TMP/no-captures"
"$PRONET" flows "$TMP/no-captures" >"$TMP/out" 2>"$TMP/err"
status=$?
cat "$TMP/err" >&2
[ "$status" -eq 0 ] || fail "pronet flows on a directory without captures exited $status"
[ ! -s "$TMP/out" ] || fail "pronet flows on a directory without captures printed flows"
finish
echo "empty: a directory without captures: pronet flows exit 0, no flow"
