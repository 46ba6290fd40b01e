#!/bin/sh
# Integration test of `pronet tunnel` on tests/data/loopback-mixed.pcap
# labelled with every packet's size and time: ESP gives one packet per inner
# packet of exactly 20 + 8 + 16 + roundup(L + 2, 16) + 16 bytes (32 with
# --icv 32), in the same order and directions; Tor's packets are cells in
# TLS records over TCP (a one-cell record is a 588-byte packet, a pure ACK
# 52, none above 1500) and carry no UDP; --share capture merges a class's
# flows; --split cuts windows; bad input and options are refused.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
SUMMARY="$top_builddir/tests/tools/dataset_summary"
MIXED="$top_srcdir/tests/data/loopback-mixed.pcap"
MAP="$top_srcdir/rules/class-map.conf"
require_program "$SUMMARY"

expect_status 0 "label sizes" "$PRONET" label -q "$MIXED" --bytes 0 --all-packets -k 1024 \
	-c "$MAP" -o "$TMP/sizes.ds"
flows=$(awk '$1 == "total" { print $2 }' "$TMP/out")
[ "${flows:-0}" -gt 5 ] || fail "label sizes: only ${flows:-0} flows"

# One tunnel per flow: the ESP packets follow the inner ones one for one.
expect_status 0 "tunnel none --share flow" "$PRONET" tunnel -t none --share flow "$TMP/sizes.ds" \
	-o "$TMP/none.ds"
expect_status 0 "tunnel esp --share flow" "$PRONET" tunnel -t esp --share flow "$TMP/sizes.ds" \
	-o "$TMP/esp.ds"
"$SUMMARY" --records "$TMP/none.ds" | awk '$1 == "record"' >"$TMP/none.rec"
"$SUMMARY" --records "$TMP/esp.ds" | awk '$1 == "record"' >"$TMP/esp.rec"
[ -s "$TMP/none.rec" ] || fail "tunnel none: no records"
[ "$(wc -l <"$TMP/none.rec")" -eq "$(wc -l <"$TMP/esp.rec")" ] || fail "esp: not one packet per inner packet"
# record DIRECTION PAYLOAD_INDEX LENGTH WIRE_LENGTH ...
paste -d' ' "$TMP/none.rec" "$TMP/esp.rec" | awk -v icv=16 '
	{ want = 20 + 8 + 16 + int(($5 + 2 + 15) / 16) * 16 + icv
	  if ($13 != want || $10 != $2 || $12 != 0 || $11 == 65535) { print; bad++ } }
	END { exit bad > 0 }' >"$TMP/bad" || fail "esp sizes: $(head -3 "$TMP/bad")"
expect_status 0 "tunnel esp --icv 32" "$PRONET" tunnel -t esp --icv 32 --share flow \
	"$TMP/sizes.ds" -o "$TMP/esp32.ds"
"$SUMMARY" --records "$TMP/esp32.ds" | awk '$1 == "record"' >"$TMP/esp32.rec"
paste -d' ' "$TMP/esp.rec" "$TMP/esp32.rec" | awk '$13 != $5 + 16 { bad++ } END { exit bad > 0 }' ||
	fail "esp --icv 32: not 16 bytes more a packet"

# Tor: TCP segments of TLS records of cells; UDP (DNS here) is not carried.
expect_status 0 "tunnel tor" "$PRONET" tunnel -t tor "$TMP/sizes.ds" -o "$TMP/tor.ds"
grep -q "inner packets not carried" "$TMP/out" || fail "tunnel tor: no not-carried line"
carried=$(awk '/not carried/ { print $2 }' "$TMP/out")
[ "${carried:-0}" -gt 0 ] || fail "tunnel tor: every inner packet carried (UDP, ACKs?)"
"$SUMMARY" --records "$TMP/tor.ds" | awk '$1 == "record"' >"$TMP/tor.rec"
awk '$5 == 588' "$TMP/tor.rec" | grep -q . || fail "tor: no one-cell record (588 bytes)"
awk '$5 == 52 && $3 == 65535' "$TMP/tor.rec" | grep -q . || fail "tor: no pure ACK"
awk '$5 < 52 || $5 > 1500 || ($5 > 52 && $3 == 65535)' "$TMP/tor.rec" | grep -q . &&
	fail "tor: a packet outside 52..1500 or a payload-less packet with bytes"
"$SUMMARY" "$TMP/tor.ds" | grep -q "^class DNS" && fail "tor: a DNS (UDP) tunnel"

# --share capture: HTTP's flows of the capture are one tunnel.
expect_status 0 "tunnel esp (share capture)" "$PRONET" tunnel -t esp "$TMP/sizes.ds" -o "$TMP/cap.ds"
awk '$1 == "HTTP" && $3 == 1' "$TMP/out" | grep -q . || fail "share capture: HTTP is not one tunnel"
expect_status 0 "dataset_summary --flows" "$SUMMARY" --flows "$TMP/cap.ds"
[ "$(awk '$1 == "flow" && $4 == "HTTP"' "$TMP/out" | wc -l)" -eq 1 ] || fail "share capture: HTTP flows"
http=$(awk '$1 == "flow" && $4 == "HTTP" { print $5 }' "$TMP/out")
# --split 8: windows of 8 packets (and a last one of at least 2).
expect_status 0 "tunnel --split 8" "$PRONET" tunnel -t esp --split 8 "$TMP/sizes.ds" -o "$TMP/split.ds"
expect_status 0 "dataset_summary --flows split" "$SUMMARY" --flows "$TMP/split.ds"
awk -v n="$http" '$1 == "flow" && $4 == "HTTP" { w++; s += $5; if ($5 > 8 || $5 < 2) bad++ }
	END { exit !(bad == 0 && s <= n && s > n - 2 && w == int(n / 8) + (n % 8 >= 2)) }' "$TMP/out" ||
	fail "--split 8: HTTP's $http packets not cut into windows of 8"

# Refused: payload packets only, a bad ICV, a bad kind, no output.
expect_status 0 "label payload only" "$PRONET" label -q "$MIXED" --bytes 0 -c "$MAP" -o "$TMP/pay.ds"
expect_status 1 "tunnel payload-only dataset" "$PRONET" tunnel "$TMP/pay.ds" -o "$TMP/x.ds"
expect_in "$TMP/err" "--all-packets" "payload-only message"
[ -e "$TMP/x.ds" ] && fail "a refused tunnel left its output"
expect_status 2 "tunnel --icv 20" "$PRONET" tunnel --icv 20 "$TMP/sizes.ds" -o "$TMP/x.ds"
expect_status 2 "tunnel -t gre" "$PRONET" tunnel -t gre "$TMP/sizes.ds" -o "$TMP/x.ds"
expect_status 2 "tunnel without -o" "$PRONET" tunnel "$TMP/sizes.ds"
expect_status 1 "tunnel of a missing file" "$PRONET" tunnel "$TMP/missing.ds" -o "$TMP/x.ds"

finish
echo "tunnel: ok ($flows flows)"
