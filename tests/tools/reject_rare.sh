#!/bin/sh
# Integration test of --reject-rare (pronet train and pronet eval, through
# their shared option table): on tests/data/loopback-mixed.pcap's labels
# (TLS 20 flows, DNS 24, HTTP 16, and SMTP, MQTT, SSH, Redis below 12), with
# --min-flows 12 the four rare classes are not dropped but join the reject
# class Unknown, which the model has as a class of its own; without the
# option they are left out. 'calibrate' needs --calibrate; eval prints how
# many of the reject class's test flows abstained. Bad values are refused.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"

expect_status 0 "label" "$PRONET" label -q -c "$top_srcdir/rules/class-map.conf" \
	"$top_srcdir/tests/data/loopback-mixed.pcap" -o "$TMP/mixed.ds"

expect_status 0 "train --reject-rare" "$PRONET" train "$TMP/mixed.ds" -o "$TMP/r.pronet" \
	--min-flows 12 --reject-rare --steps 2 -q
for rare in "SMTP (8 flows < 12)" "MQTT (10 flows < 12)" "SSH (4 flows < 12)" \
	"Redis (10 flows < 12)"; do
	expect_in "$TMP/err" "pronet train: $rare joins Unknown" "the reject class report"
done
expect_status 0 "info" "$PRONET" info "$TMP/r.pronet"
classes=$(awk '$1 == "class:" { print $3 }' "$TMP/out" | sort | tr '\n' ' ')
[ "$classes" = "DNS HTTP TLS Unknown " ] || fail "classes with --reject-rare: $classes"

expect_status 0 "train without" "$PRONET" train "$TMP/mixed.ds" -o "$TMP/d.pronet" \
	--min-flows 12 --steps 2 -q
expect_in "$TMP/err" "pronet train: left out SMTP (8 flows < 12)" "the left-out report"
expect_status 0 "info" "$PRONET" info "$TMP/d.pronet"
classes=$(awk '$1 == "class:" { print $3 }' "$TMP/out" | sort | tr '\n' ' ')
[ "$classes" = "DNS HTTP TLS " ] || fail "classes without --reject-rare: $classes"

expect_status 2 "calibrate without --calibrate" "$PRONET" train "$TMP/mixed.ds" \
	-o "$TMP/c.pronet" --min-flows 12 --reject-rare=calibrate --steps 2 -q
expect_in "$TMP/err" "--reject-rare=calibrate needs --calibrate" "refusal"
for bad in x test; do
	expect_status 2 "train --reject-rare=$bad" "$PRONET" train "$TMP/mixed.ds" \
		-o "$TMP/bad.pronet" --reject-rare="$bad"
	expect_in "$TMP/err" "--reject-rare: '$bad' is not train or calibrate" "refusal"
done
[ ! -e "$TMP/bad.pronet" ] || fail "a refused option still wrote a model"

expect_status 0 "eval --reject-rare" "$PRONET" eval "$TMP/mixed.ds" --min-flows 12 \
	--reject-rare --by flow --folds 2 --steps 2 -q
expect_in "$TMP/out" "reject class Unknown (rare protocols): " "eval's reject line"
expect_in "$TMP/out" "of 32 test flows abstained" "eval's reject line counts all 32 rare flows"
expect_status 0 "eval --reject-rare=test" "$PRONET" eval "$TMP/mixed.ds" --min-flows 12 \
	--reject-rare=test --by flow --folds 2 --steps 2 -q
expect_in "$TMP/out" "of 32 test flows abstained" "eval --reject-rare=test tests on them"

finish
echo "reject_rare: ok"
