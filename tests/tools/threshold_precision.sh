#!/bin/sh
# Integration test of --threshold-precision (pronet train --calibrate; pronet
# eval shares the option table): a model trained one step on the crafted
# dataset names its validation flows often wrongly, so demanding every named
# validation flow to be right (1) must give each class a threshold at least
# as high as demanding half (0.5), and some class a higher one; the same
# training with the default keeps the thresholds of 0.97. Values outside
# 0.5..1 are refused with a message naming the option.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
MAKE_DATASET="$top_builddir/tests/tools/make_dataset"
require_program "$MAKE_DATASET"

"$MAKE_DATASET" "$TMP/data.ds" 60 6 || { echo "make_dataset failed" >&2; exit 99; }

# thresholds PRECISION...: trains with those options, prints the thresholds.
thresholds() {
	expect_status 0 "train --calibrate $*" "$PRONET" train "$TMP/data.ds" -o "$TMP/m.pronet" \
		--calibrate --validation 0.5 --steps 1 -q "$@"
	expect_status 0 "info after $*" "$PRONET" info "$TMP/m.pronet"
	awk '$1 == "class:" { print $5 }' "$TMP/out"
}

thresholds --threshold-precision 0.5 >"$TMP/half"
thresholds --threshold-precision 1 >"$TMP/all"
thresholds >"$TMP/default"
thresholds --threshold-precision 0.97 >"$TMP/explicit"
[ "$(wc -l <"$TMP/half")" -eq 4 ] || fail "expected 4 thresholds, got: $(cat "$TMP/half")"
paste "$TMP/half" "$TMP/all" | awk '$2 < $1 { bad = 1 } $2 > $1 { higher = 1 }
	END { exit !(higher && !bad) }' ||
	fail "precision 1 did not raise a threshold above precision 0.5's (without lowering one):" \
		"$(paste "$TMP/half" "$TMP/all")"
cmp -s "$TMP/default" "$TMP/explicit" ||
	fail "the default is not --threshold-precision 0.97: $(paste "$TMP/default" "$TMP/explicit")"

for bad in 0.2 1.01 x; do
	expect_status 2 "train --threshold-precision $bad" "$PRONET" train "$TMP/data.ds" \
		-o "$TMP/bad.pronet" --calibrate --threshold-precision "$bad"
	expect_in "$TMP/err" "--threshold-precision: '$bad' is not a number 0.5..1" "refusal"
	expect_status 2 "eval --threshold-precision $bad" "$PRONET" eval "$TMP/data.ds" \
		--threshold-precision "$bad"
	expect_in "$TMP/err" "--threshold-precision: '$bad' is not a number 0.5..1" "refusal"
done
[ ! -e "$TMP/bad.pronet" ] || fail "a refused option still wrote a model"

finish
echo "threshold_precision: ok"
