#!/bin/sh
# Integration test of `pronet eval` and `pronet train --calibrate` on a small
# crafted dataset (tests/tools/make_dataset.c: DNS, HTTP, TLS and SSH
# prefixes spread over 6 captures): the table has every class and the
# averages, the JSON is valid and holds what the table says, both SVG files
# are well-formed XML, a held-out class is reported, a calibrated model
# stores a temperature, and bad options fail with a message.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
MAKE_DATASET="$top_builddir/tests/tools/make_dataset"

"$MAKE_DATASET" "$TMP/data.ds" 30 6 || { echo "make_dataset failed" >&2; exit 99; }
printf 'file\tfamily\ncrafted-0\tpair\ncrafted-1\tpair\n' >"$TMP/groups.tsv"
mkdir "$TMP/svg"

expect_status 0 "eval by capture" "$PRONET" eval "$TMP/data.ds" --folds 3 --epochs 4 \
	--groups "$TMP/groups.tsv" --json "$TMP/eval.json" --svg-dir "$TMP/svg" -q
cp "$TMP/out" "$TMP/table"
for class in DNS HTTP TLS SSH "macro average" "micro average" "folds split by capture" \
	"Confusion matrix" "With abstention" "samples/s"; do
	expect_in "$TMP/table" "$class" "eval table"
done

# The JSON parses and agrees with the table's macro F1.
if command -v jq >/dev/null 2>&1; then
	jq -e '.scores.macro.f1 >= 0 and .scores.macro.f1 <= 1 and (.class_names | length) == 4
		and (.confusion | length) == 4 and .options.split_by == "capture"' \
		"$TMP/eval.json" >/dev/null || fail "eval JSON lacks the expected fields"
	f1=$(jq -r '.scores.macro.f1 * 1000 | round / 1000' "$TMP/eval.json")
	grep '^macro average' "$TMP/table" | head -1 | grep -q "$(printf '%.3f' "$f1")" ||
		fail "JSON macro F1 $f1 is not the table's"
	flows=$(jq '[.confusion[][]] | add' "$TMP/eval.json")
	[ "$flows" -eq 120 ] || fail "confusion matrix counts $flows flows, expected 120"
else
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/eval.json" ||
		fail "eval JSON does not parse"
fi
for picture in confusion loss; do
	[ -s "$TMP/svg/$picture.svg" ] || fail "$picture.svg not written"
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$TMP/svg/$picture.svg" || fail "$picture.svg is not well-formed"
	fi
	expect_in "$TMP/svg/$picture.svg" "<svg" "$picture.svg"
done
expect_in "$TMP/svg/confusion.svg" ">TLS<" "confusion.svg names the classes"
expect_in "$TMP/svg/loss.svg" "<polyline" "loss.svg draws a curve"

expect_status 0 "eval by flow, held-out class" "$PRONET" eval "$TMP/data.ds" --by flow \
	--folds 2 --epochs 3 --hold-out-class SSH -q
expect_in "$TMP/out" "folds split by flow" "eval by flow"
expect_in "$TMP/out" "Open set: class SSH held out of training" "held-out report"

expect_status 0 "train --calibrate" "$PRONET" train "$TMP/data.ds" -o "$TMP/m.pronet" \
	--calibrate --epochs 3 -q
expect_in "$TMP/out" "temperature:" "train --calibrate summary"
expect_in "$TMP/out" "validation samples:" "train --calibrate summary"

expect_status 2 "no dataset" "$PRONET" eval
expect_status 2 "bad --by" "$PRONET" eval "$TMP/data.ds" --by packet
expect_in "$TMP/err" "not capture or flow" "bad --by message"
expect_status 2 "one fold" "$PRONET" eval "$TMP/data.ds" --folds 1
expect_status 1 "missing dataset" "$PRONET" eval "$TMP/none.ds"
expect_in "$TMP/err" "none.ds" "missing dataset message"
expect_status 1 "unknown held-out class" "$PRONET" eval "$TMP/data.ds" --hold-out-class Nope
expect_in "$TMP/err" "Nope is not a class" "unknown class message"
expect_status 1 "unwritable JSON" "$PRONET" eval "$TMP/data.ds" --folds 2 --epochs 1 -q \
	--json "$TMP/no/such/dir/x.json"
[ -e "$TMP/no" ] && fail "a failed JSON write left files behind"

finish
echo "eval: all checks passed"
