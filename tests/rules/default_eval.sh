#!/bin/sh
# docs/evaluation.md's headline figures for the shipped model against their
# sources: rules/default.eval.txt (`make model`'s eval table) and `pronet
# info rules/default.pronet`, not a rerun. Each is read where the document
# quotes it:
#   "(`rules/default.eval.txt`) | F ± S"        the table's macro F1 over the
#                                               focus classes, best class always
#   "| by capture family (`--groups ...`) | F ± S"  the same
#   "the default options give F ± S over the N"  the same with abstention, and N
#                                               the focus classes' count
#   "mean temperature T;"                        the table's, to T's digits
#   "The model: N classes"                       the table's class rows
#   "N weights"                                  pronet info's weights
#   "A of B classes have a threshold"            pronet info's calibrated
#                                               thresholds
# A figure that differs fails, naming it, what the document says and what
# the source says; a sentence that is no longer there fails too (update this
# test with the document). Whoever retrains the model (`make model`) updates
# the document from the new table.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
DOC=${DEFAULT_EVAL_DOC:-$top_srcdir/docs/evaluation.md}
TABLE=${DEFAULT_EVAL_TABLE:-$top_srcdir/rules/default.eval.txt}
MODEL=$top_srcdir/rules/default.pronet
LC_ALL=C
export LC_ALL

tr '\n' ' ' <"$DOC" | tr -s ' ' >"$TMP/doc"
"$PRONET" info "$MODEL" >"$TMP/info" || {
	echo "default_eval: pronet info $MODEL failed" >&2
	exit 1
}

# The table: "macro F1 over the N named classes present: F ± S", once per
# table (best class always, then with abstention).
focus_line() { grep 'macro F1 over the [0-9]* named classes present:' "$TABLE" | sed -n "$1p"; }
best=$(focus_line 1 | sed 's/.*present: //')
abstain=$(focus_line 2 | sed 's/.*present: //')
focus=$(focus_line 1 | sed 's/.*macro F1 over the \([0-9]*\) named.*/\1/')
temperature=$(sed -n 's/^mean temperature: \([0-9.]*\) .*/\1/p' "$TABLE")
# Class rows of the first table: between its header and "macro average".
classes=$(awk '/^class +precision/ { on = 1; next } /^macro average/ { if (on) exit }
	on { n++ } END { print n + 0 }' "$TABLE")
weights=$(sed -n 's/^weights: //p' "$TMP/info")
thresholds=$(sed -n 's/^calibrated thresholds: \([0-9]* of [0-9]*\) classes$/\1/p' "$TMP/info")
for source in best abstain focus temperature classes weights thresholds; do
	eval "value=\$$source"
	[ -n "$value" ] || fail "$source: not found in $TABLE or pronet info (reworded?)"
done

# quoted PATTERN: the first group of the extended regex PATTERN in the
# document, one line per match.
quoted() { grep -oE -- "$1" "$TMP/doc" | sed -E "s#$1#\\1#"; }

# check NAME SOURCE_VALUE PATTERN DESCRIPTION: every quote at PATTERN (at
# least one) is SOURCE_VALUE.
check() {
	said=$(quoted "$3")
	if [ -z "$said" ]; then
		fail "docs/evaluation.md no longer says $4 (pattern '$3'; $1 is '$2')"
		return
	fi
	printf '%s\n' "$said" | while read -r one; do
		[ "$one" = "$2" ] || echo "$one"
	done >"$TMP/wrong"
	[ -s "$TMP/wrong" ] &&
		fail "$1: docs/evaluation.md says $4 = $(head -1 "$TMP/wrong"), the source says $2"
}

check "macro F1 over the focus classes, best class (rules/default.eval.txt)" "$best" \
	'\(`rules/default\.eval\.txt`\) \| ([0-9.]+ ± [0-9.]+) \|' \
	"'(\`rules/default.eval.txt\`) | F ± S |'"
check "macro F1 over the focus classes, best class (rules/default.eval.txt)" "$best" \
	'\| by capture family \(`--groups FAMILIES\.tsv`\) \| ([0-9.]+ ± [0-9.]+) \|' \
	"'| by capture family (...) | F ± S |'"
check "macro F1 over the focus classes with abstention (rules/default.eval.txt)" "$abstain" \
	'the default options give ([0-9.]+ ± [0-9.]+) over the [0-9]+ by capture' \
	"'the default options give F ± S over the N by capture'"
check "focus classes (rules/default.eval.txt)" "$focus" \
	'the default options give [0-9.]+ ± [0-9.]+ over the ([0-9]+) by capture' \
	"'the default options give F ± S over the N by capture'"
check "classes (rules/default.eval.txt)" "$classes" 'The model: ([0-9]+) classes' \
	"'The model: N classes'"
# The document groups digits by thousands with commas (86,058).
check "weights (pronet info rules/default.pronet)" \
	"$(printf '%s' "$weights" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta')" \
	'([0-9,]+) weights' "'N weights'"
check "calibrated thresholds (pronet info rules/default.pronet)" "$thresholds" \
	'([0-9]+ of [0-9]+) classes have a threshold' "'A of B classes have a threshold'"
# The temperature is quoted rounded: compare at the document's digits.
said=$(quoted 'mean temperature ([0-9.]+);')
if [ -z "$said" ]; then
	fail "docs/evaluation.md no longer says 'mean temperature T;' (the table says $temperature)"
else
	digits=$(printf '%s' "$said" | sed -n 's/^[0-9]*\.\([0-9]*\)$/\1/p' | tr -d '\n' | wc -c)
	rounded=$(awk -v t="$temperature" -v d="$digits" 'BEGIN { printf "%.*f", d, t }')
	[ "$said" = "$rounded" ] ||
		fail "mean temperature: docs/evaluation.md says $said, rules/default.eval.txt says $temperature"
fi

finish
echo "default_eval: docs/evaluation.md quotes rules/default.eval.txt and the model as they are"
