#!/bin/sh
# Integration test of `pronet explain` (tools/cmd_explain.c) on the model of
# tests/core/arch/pronet_cnn/explain_fixture.h, whose answer is known by
# hand (tests/tools/make_explain_fixture.c): towards "tls", byte 0x16 has
# evidence +1 at positions 0-13 and 0 at 14-15; the heat map of "tls" has
# the cell of 0x16 at position 0 and none at 14; on the fixture's dataset
# "tls" gets the signature [0]=0x16 [1]=0x03, which names 22 flows, 20
# right and 2 wrong ("other"), in protos-file comment lines, and "other"
# gets none; bad arguments fail with a message. Skipped (77) without
# xmllint.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
if ! command -v xmllint >/dev/null 2>&1; then
	echo "SKIP: xmllint not installed: the SVG check needs it"
	exit 77
fi
. "$top_srcdir/tests/tools/common.sh"
FIXTURE="$top_builddir/tests/tools/make_explain_fixture"
require_program "$FIXTURE"
"$FIXTURE" "$TMP/m.pronet" "$TMP/d.ds" || { echo "make_explain_fixture failed" >&2; exit 99; }
mkdir "$TMP/svg"

expect_status 0 "explain" "$PRONET" explain -m "$TMP/m.pronet" -k 1 --svg-dir "$TMP/svg"
# The line of position P of class tls: "  P   16      +1.000" (top byte first).
tls_line() { sed -n '/^class tls /,/^$/p' "$TMP/out" | grep "^  *$1 "; }
for p in 0 7 13; do
	tls_line $p | grep -q "^ *$p   16      +1.000" || fail "tls, position $p: '$(tls_line $p)'"
done
for p in 14 15; do
	tls_line $p | grep -q "+0.000" || fail "tls, position $p should be 0: '$(tls_line $p)'"
done
sed -n '/^class other /,/^$/p' "$TMP/out" | grep "^ *0 " | grep -q -- "-0.000\|+0.000" ||
	fail "other, position 0: its largest evidence should be 0"
xmllint --noout "$TMP/svg/explain-tls.svg" || fail "explain-tls.svg is not well-formed"
expect_in "$TMP/svg/explain-tls.svg" "<title>position 0 byte 0x16: 1</title>" "tls heat map"
grep -q "position 14 byte 0x16" "$TMP/svg/explain-tls.svg" &&
	fail "tls heat map colours 0x16 at position 14, whose evidence is 0"
[ -s "$TMP/svg/explain-other.svg" ] || fail "explain-other.svg not written"

expect_status 0 "explain --dataset" "$PRONET" explain -m "$TMP/m.pronet" -d "$TMP/d.ds"
cp "$TMP/out" "$TMP/profile"
expect_in "$TMP/profile" "tls: 20 flows in $TMP/d.ds" "tls profile"
expect_in "$TMP/profile" "names 22 flows: 20 right (100.0% of tls's), 2 wrong (other 2)" \
	"tls signature test"
expect_in "$TMP/profile" \
	"# pronet explain: candidate signature for tls (first payload packet): [0]=0x16 [1]=0x03" \
	"tls signature, protos comment"
expect_in "$TMP/profile" \
	"packet->payload_packet_len > 1 && packet->payload[0] == 0x16 && packet->payload[1] == 0x03" \
	"tls dissector test"
expect_in "$TMP/profile" "signature candidates: 1" "one signature"
sed -n '/^other: /,/^$/p' "$TMP/profile" | grep -q "no signature" ||
	fail "other should get no signature"
# Every signature line is a comment: nDPI reads the block as nothing.
grep "^#" "$TMP/profile" >"$TMP/protos.txt"
[ -s "$TMP/protos.txt" ] || fail "no protos-file lines"

expect_status 0 "explain --class" "$PRONET" explain -m "$TMP/m.pronet" --class other
grep -q "^class tls" "$TMP/out" && fail "--class other printed tls"
expect_status 1 "explain, unknown class" "$PRONET" explain -m "$TMP/m.pronet" --class nope
expect_in "$TMP/err" "nope is not a class of" "unknown class"
expect_status 2 "explain without -m" "$PRONET" explain
expect_in "$TMP/err" "no MODEL given" "no model"
head -c 100 "$TMP/m.pronet" >"$TMP/cut.pronet"
expect_status 1 "explain, truncated model" "$PRONET" explain -m "$TMP/cut.pronet"
expect_in "$TMP/err" "$TMP/cut.pronet" "truncated model named"
printf 'not a dataset' >"$TMP/bad.ds"
expect_status 1 "explain, bad dataset" "$PRONET" explain -m "$TMP/m.pronet" -d "$TMP/bad.ds"
expect_in "$TMP/err" "$TMP/bad.ds" "bad dataset named"

finish
echo "explain: pass"
