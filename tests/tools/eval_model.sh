#!/bin/sh
# Integration test of `pronet eval -m MODEL DATASET` (tools/cmd_eval.c, core/
# eval/eval_model.c): a model trained on crafted DNS/HTTP/TLS/SSH prefixes
# (tests/tools/make_dataset.c) is scored as it is, in the Table-1 layout with
# the JSON and confusion.svg of cross-validation; on the loopback captures'
# dataset its unknown classes (SMTP, Redis, MQTT) are counted apart; a
# dataset sharing no class with the model, a damaged model file, a damaged
# dataset and training options given with -m are refused with a message.
# (That the figures are the right ones is tests/core/eval/test_eval_model.)
# Skipped (77) without jq or xmllint, like eval.sh.
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
require_program "$MAKE_DATASET"
DATA="$top_srcdir/tests/data"

"$MAKE_DATASET" "$TMP/data.ds" 30 6 || { echo "make_dataset failed" >&2; exit 99; }
expect_status 0 "train" "$PRONET" train "$TMP/data.ds" -o "$TMP/m.pronet" --epochs 4 \
	--threads 1 --calibrate -q
mkdir "$TMP/svg"
expect_status 0 "eval -m" "$PRONET" eval -m "$TMP/m.pronet" "$TMP/data.ds" \
	--json "$TMP/e.json" --svg-dir "$TMP/svg"
cp "$TMP/out" "$TMP/table"
for text in "model $TMP/m.pronet scored as it is (no training)" \
	"Best class always (as the paper's Table 1)" "With abstention" "macro average" \
	"temperature:" "Confusion matrix"; do
	expect_in "$TMP/table" "$text" "eval -m table"
done
grep -q "^training:" "$TMP/table" && fail "eval -m reports a training it did not do"
jq -e --arg m "$TMP/m.pronet" '.options.model == $m and (.class_names | length) == 4
	and ([.confusion[][]] | add) == 120 and .unknown_to_model.flows == 0' \
	"$TMP/e.json" >/dev/null || fail "eval -m JSON lacks the expected fields"
f1=$(jq -r '.scores.macro.f1 * 1000 | round / 1000' "$TMP/e.json")
grep '^macro average' "$TMP/table" | head -1 | grep -q "$(printf '%.3f' "$f1")" ||
	fail "JSON macro F1 $f1 is not the table's"
xmllint --noout "$TMP/svg/confusion.svg" || fail "confusion.svg is not well-formed"
[ -e "$TMP/svg/loss.svg" ] && fail "eval -m drew a loss curve without training"

# The loopback captures: HTTP, DNS, TLS and SSH the model knows; SMTP (8
# flows), Redis (10) and MQTT (10) it does not.
expect_status 0 "label loopback" "$PRONET" label -q "$DATA/loopback-mixed.pcap" -o "$TMP/loop.ds"
expect_status 0 "eval -m, unknown classes" "$PRONET" eval -m "$TMP/m.pronet" "$TMP/loop.ds" \
	--json "$TMP/loop.json"
expect_in "$TMP/out" "Classes of the dataset the model does not know" "unknown classes"
for class in SMTP Redis MQTT; do
	grep -q "^  $class  *[0-9]* flows" "$TMP/out" || fail "unknown class $class not listed"
done
jq -e '.unknown_to_model.flows == 28 and .unknown_to_model.classes.Redis.flows == 10
	and ([.confusion[][]] | add) == 64' "$TMP/loop.json" >/dev/null ||
	fail "unknown classes in the JSON: $(jq -c .unknown_to_model "$TMP/loop.json")"

# No class in common: every flow is labelled Other.
printf '* -> Other\n' >"$TMP/other.conf"
expect_status 0 "label as Other" "$PRONET" label -q -c "$TMP/other.conf" \
	"$DATA/loopback-mixed.pcap" -o "$TMP/other.ds"
expect_status 1 "eval -m, no shared class" "$PRONET" eval -m "$TMP/m.pronet" "$TMP/other.ds"
expect_in "$TMP/err" "no class of the dataset is a class of the model" "class mismatch"
expect_in "$TMP/err" "dataset: Other" "class mismatch lists the dataset's classes"

# Damaged files.
size=$(wc -c <"$TMP/m.pronet")
head -c $((size / 2)) "$TMP/m.pronet" >"$TMP/cut.pronet"
expect_status 1 "eval -m, truncated model" "$PRONET" eval -m "$TMP/cut.pronet" "$TMP/data.ds"
expect_in "$TMP/err" "$TMP/cut.pronet" "truncated model named"
size=$(wc -c <"$TMP/data.ds")
{ head -c $((size / 2)) "$TMP/data.ds"; printf 'X'; tail -c +$((size / 2 + 2)) "$TMP/data.ds"; } \
	>"$TMP/bad.ds"
expect_status 1 "eval -m, damaged dataset" "$PRONET" eval -m "$TMP/m.pronet" "$TMP/bad.ds"
expect_in "$TMP/err" "$TMP/bad.ds" "damaged dataset named"
expect_status 1 "eval -m, no model file" "$PRONET" eval -m "$TMP/none.pronet" "$TMP/data.ds"
expect_in "$TMP/err" "$TMP/none.pronet" "missing model named"

# Training and fold options mean nothing with -m.
expect_status 2 "eval -m --folds" "$PRONET" eval -m "$TMP/m.pronet" --folds 3 "$TMP/data.ds"
expect_in "$TMP/err" "--folds: -m scores a given model" "-m with --folds"
expect_status 2 "eval -m --epochs" "$PRONET" eval -m "$TMP/m.pronet" --epochs 3 "$TMP/data.ds"
expect_in "$TMP/err" "--epochs" "-m with --epochs"

finish
echo "eval_model: pass"
