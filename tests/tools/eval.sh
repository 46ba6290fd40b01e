#!/bin/sh
# Integration test of `pronet eval` and `pronet train --calibrate` on a small
# crafted dataset (tests/tools/make_dataset.c: DNS, HTTP, TLS and SSH
# prefixes spread over 6 captures): the table has every class and the
# averages, the JSON is valid and holds what the table says, both SVG files
# are well-formed XML, a held-out class is reported, a calibrated model
# stores its temperature and thresholds (read back by `pronet info`), bad
# options fail with a message, and an output that cannot be written fails
# naming it and leaves nothing behind. Skipped (exit 77, with a message)
# without jq or xmllint (Debian packages jq, libxml2-utils; installed in CI).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
for tool in jq xmllint; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "SKIP: $tool not installed: the JSON and SVG checks need it"
		exit 77
	fi
done
. "$top_srcdir/tests/tools/common.sh"
MAKE_DATASET="$top_builddir/tests/tools/make_dataset"

"$MAKE_DATASET" "$TMP/data.ds" 30 6 || { echo "make_dataset failed" >&2; exit 99; }
printf 'file\tfamily\ncrafted-0\tpair\ncrafted-1\tpair\n' >"$TMP/groups.tsv"
mkdir "$TMP/svg"

expect_status 0 "eval by capture" "$PRONET" eval "$TMP/data.ds" --folds 3 --epochs 4 \
	--groups "$TMP/groups.tsv" --json "$TMP/eval.json" --svg-dir "$TMP/svg" \
	--focus DNS,HTTP --focus TLS -q
cp "$TMP/out" "$TMP/table"
# Two --focus sets: a macro line for each, best class and with abstention;
# a set of one class is that class's F1.
expect_in "$TMP/table" "macro F1 over the 2 named classes present" "first focus set"
expect_in "$TMP/table" "macro F1 over the 1 named classes present" "second focus set"
[ "$(grep -c 'macro F1 over the' "$TMP/table")" = 4 ] ||
	fail "expected 4 focus lines (2 sets, 2 tables), got $(grep -c 'macro F1 over the' "$TMP/table")"
jq -e '(.scores.focus2_macro_f1 - .scores.classes.TLS.f1 | fabs) < 1e-9
	and .scores.focus_classes_present == 2 and .scores.focus2_classes_present == 1' \
	"$TMP/eval.json" >/dev/null || fail "JSON focus2 is not TLS's F1"
expect_status 2 "a third --focus" "$PRONET" eval "$TMP/data.ds" --focus DNS --focus TLS \
	--focus HTTP
for class in DNS HTTP TLS SSH "macro average" "micro average" "folds split by capture" \
	"Confusion matrix" "With abstention" "samples/s"; do
	expect_in "$TMP/table" "$class" "eval table"
done

# The JSON parses and agrees with the table's macro F1.
jq -e '.scores.macro.f1 >= 0 and .scores.macro.f1 <= 1 and (.class_names | length) == 4
	and (.confusion | length) == 4 and .options.split_by == "capture"' \
	"$TMP/eval.json" >/dev/null || fail "eval JSON lacks the expected fields"
# Training learns: the four classes' first bytes are their protocols'
# distinct framings (a DNS header, "GET ", a TLS record header, "SSH-"), so
# a trained model's macro F1 must be well above chance (1/4 for four
# balanced classes): at least 0.6. (4 epochs give 0.91.) The same check on
# a model whose training cannot move its weights (--learning-rate 1e-9, the
# smallest the CLI takes; 0.25) must fail, or the bound proves nothing.
CHANCE_BOUND=0.6
beats_chance() { jq -e --argjson b "$CHANCE_BOUND" '.scores.macro.f1 >= $b' "$1" >/dev/null; }
beats_chance "$TMP/eval.json" ||
	fail "macro F1 $(jq .scores.macro.f1 "$TMP/eval.json") is below $CHANCE_BOUND (chance: 0.25)"
expect_status 0 "eval of an untrainable model" "$PRONET" eval "$TMP/data.ds" --folds 3 --epochs 4 \
	--groups "$TMP/groups.tsv" --learning-rate 1e-9 --json "$TMP/untrained.json" -q
beats_chance "$TMP/untrained.json" &&
	fail "a model trained at learning rate 1e-9 reaches macro F1" \
		"$(jq .scores.macro.f1 "$TMP/untrained.json") >= $CHANCE_BOUND: the bound cannot fail"
f1=$(jq -r '.scores.macro.f1 * 1000 | round / 1000' "$TMP/eval.json")
grep '^macro average' "$TMP/table" | head -1 | grep -q "$(printf '%.3f' "$f1")" ||
	fail "JSON macro F1 $f1 is not the table's"
flows=$(jq '[.confusion[][]] | add' "$TMP/eval.json")
[ "$flows" = 120 ] || fail "confusion matrix counts '$flows' flows, expected 120"
for picture in confusion loss; do
	[ -s "$TMP/svg/$picture.svg" ] || fail "$picture.svg not written"
	xmllint --noout "$TMP/svg/$picture.svg" || fail "$picture.svg is not well-formed"
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
expect_in "$TMP/out" "validation samples:" "train --calibrate summary"
summary_t=$(sed -n 's/^temperature: //p' "$TMP/out")
# The model file holds what calibration fitted. (On this dataset the model
# is not over-confident, so the temperature is its lower bound 1; the
# thresholds are what tells a calibrated model from another.)
expect_status 0 "info of the calibrated model" "$PRONET" info "$TMP/m.pronet"
stored_t=$(sed -n 's/^temperature: //p' "$TMP/out")
awk -v a="$summary_t" -v b="$stored_t" 'BEGIN { d = a - b; exit !(a != "" && b != "" &&
	d < 0.0001 && d > -0.0001) }' ||
	fail "stored temperature '$stored_t' is not the fitted '$summary_t'"
expect_in "$TMP/out" "calibrated thresholds: 4 of 4 classes" "calibrated model's info"

expect_status 2 "no dataset" "$PRONET" eval
expect_in "$TMP/err" "no DATASET given" "no dataset message"
expect_status 2 "bad --by" "$PRONET" eval "$TMP/data.ds" --by packet
expect_in "$TMP/err" "not capture or flow" "bad --by message"
expect_status 2 "one fold" "$PRONET" eval "$TMP/data.ds" --folds 1
expect_in "$TMP/err" "--folds: '1' is not a whole number 2..256" "one fold message"
expect_status 1 "missing dataset" "$PRONET" eval "$TMP/none.ds"
expect_in "$TMP/err" "none.ds" "missing dataset message"
expect_status 1 "unknown held-out class" "$PRONET" eval "$TMP/data.ds" --hold-out-class Nope
expect_in "$TMP/err" "Nope is not a class" "unknown class message"

# Outputs that cannot be written: the message names the path and the
# reason, and nothing is left behind.
: >"$TMP/plain"
expect_status 1 "JSON under a regular file" "$PRONET" eval "$TMP/data.ds" --folds 2 --epochs 1 \
	-q --json "$TMP/plain/x.json"
expect_in "$TMP/err" "$TMP/plain/x.json: cannot create: Not a directory" "unwritable JSON message"
mkdir -p "$TMP/isdir/keep"
expect_status 1 "JSON over a directory" "$PRONET" eval "$TMP/data.ds" --folds 2 --epochs 1 -q \
	--json "$TMP/isdir"
expect_in "$TMP/err" "$TMP/isdir: cannot replace" "failed JSON rename message"
ls "$TMP" | grep -q '^isdir\.tmp\.' && fail "a failed JSON write left its temporary file"
[ "$(ls "$TMP/isdir")" = keep ] || fail "a failed JSON write changed the directory"
# A --svg-dir longer than PATH_MAX (4096): the system refuses it; named.
long="$TMP/$(printf '%4200s' '' | tr ' ' x)"
expect_status 1 "--svg-dir too long" "$PRONET" eval "$TMP/data.ds" --folds 2 --epochs 1 -q \
	--svg-dir "$long"
expect_in "$TMP/err" "pronet eval: $TMP/xxxxxxxx" "too long --svg-dir message"

finish
echo "eval: all checks passed"
