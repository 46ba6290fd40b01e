#!/bin/sh
# Integration test of `pronet classify`, with a model trained here on the
# labelled tests/data/loopback-mixed.pcap: every output line is one JSON
# object with the EVE fields (tests/tools/check_events.c, json-c), flows add
# up to the summary and to `pronet flows`, verdict.source is pronet only
# where nDPI said Unknown; a damaged capture among good ones is named, the
# others still classified, exit status 1; -o FILE appears whole (also after
# SIGINT) and never half-written; the default model ($PRONET_MODEL, else
# default.pronet in the rules directory) and the error without one. Then the
# whole corpus ($PRONET_CORPUS). (Live capture: classify_live.sh.)
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
CHECK="$top_builddir/tests/tools/check_events"
DATA="$top_srcdir/tests/data"
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
unset PRONET_MODEL PRONET_PACKETS PRONET_THRESHOLD

# summary_count WORD FILE: the number after "  WORD" in a classify summary.
summary_count() {
	awk -v w="$1" '$1 == w && NF == 2 { print $2; exit }' "$2"
}

# check_output FILE ERR WHAT: every line valid; lines and sources add up.
check_output() {
	if ! "$CHECK" "$1" >"$TMP/check" 2>"$TMP/check.err"; then
		fail "$3: $(cat "$TMP/check.err")"
		return
	fi
	lines=$(awk '$1 == "lines" { print $2 }' "$TMP/check")
	flows=$(awk '$1 == "flows:" { print $2 }' "$2")
	[ -n "$flows" ] || fail "$3: no summary"
	[ "$lines" = "$flows" ] || fail "$3: $lines lines, summary says $flows flows"
	for source in ndpi pronet pronet-endpoint none; do
		got=$(awk -v s="$source" '$1 == "source" && $2 == s { print $3 }' "$TMP/check")
		want=$(summary_count "$source" "$2")
		[ "$got" = "$want" ] || fail "$3: $got lines with source $source, summary says $want"
	done
	by_protocol=$(awk '/^by protocol:/ { on = 1; next } on { s += $NF } END { print s + 0 }' "$2")
	[ "$by_protocol" = "$flows" ] || fail "$3: protocols add up to $by_protocol of $flows flows"
}

require_program "$CHECK"
MIXED="$DATA/loopback-mixed.pcap"
CAPTURES="$DATA/loopback-mixed.pcap $DATA/loopback-unknown.pcap $DATA/loopback-ipv6.pcap"

# --- a model, trained here -------------------------------------------------
expect_status 0 "label" "$PRONET" label -q "$MIXED" -o "$TMP/mixed.ds"
expect_status 0 "train" "$PRONET" train "$TMP/mixed.ds" -o "$TMP/model.pronet" \
	--embed-dim 8 --filters 8 --ngram-buckets 256 --batch-size 16 --steps 200 \
	--learning-rate 0.01 --seed 7
MODEL="$TMP/model.pronet"

# --- tests/data captures ------------------------------------------------------
# shellcheck disable=SC2086 # CAPTURES is a list of paths without blanks
expect_status 0 "classify tests/data" "$PRONET" classify -m "$MODEL" --threshold 0.3 $CAPTURES
cp "$TMP/out" "$TMP/data.json"
cp "$TMP/err" "$TMP/data.err"
check_output "$TMP/data.json" "$TMP/data.err" "tests/data"
# shellcheck disable=SC2086
flows=$("$PRONET" flows $CAPTURES | wc -l)
[ "$(wc -l <"$TMP/data.json")" -eq "$flows" ] ||
	fail "classify printed $(wc -l <"$TMP/data.json") flows, pronet flows $flows"
# loopback-unknown's demo protocols are Unknown to nDPI: the model is consulted.
grep -q '"pronet":{' "$TMP/data.json" || fail "the model was never consulted on loopback-unknown"
# Where nDPI named a flow, classify agrees with pronet flows.
grep -c '"source":"ndpi"' "$TMP/data.json" >"$TMP/a"
# shellcheck disable=SC2086
"$PRONET" flows $CAPTURES | awk -F'\t' '$6 != "Unknown"' | wc -l >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "flows named by nDPI: classify $(cat "$TMP/a"), pronet flows $(cat "$TMP/b")"

# --- -o FILE: the same lines, whole ------------------------------------------
# shellcheck disable=SC2086
expect_status 0 "classify -o" "$PRONET" classify -q -m "$MODEL" --threshold 0.3 -o "$TMP/data-o.json" $CAPTURES
cmp -s "$TMP/data.json" "$TMP/data-o.json" || fail "-o FILE differs from standard output"
[ -s "$TMP/out" ] && fail "-o FILE also wrote to standard output"
ls "$TMP" | grep -q '\.tmp\.' && fail "-o left a temporary file"
expect_status 1 "classify -o unwritable" "$PRONET" classify -m "$MODEL" -o "$TMP/nodir/x.json" "$MIXED"
grep -q "nodir" "$TMP/err" || fail "an unwritable -o is not named"

# --- damaged captures among good ones --------------------------------------------
head -c 3000 "$MIXED" >"$TMP/truncated.pcap"
echo "not a capture" >"$TMP/garbage.pcap"
expect_status 1 "damaged" "$PRONET" classify -m "$MODEL" "$TMP/garbage.pcap" "$MIXED" \
	"$TMP/truncated.pcap" "$TMP/missing.pcap"
for name in garbage.pcap truncated.pcap missing.pcap; do
	grep -q "$name" "$TMP/err" || fail "the error does not name $name"
done
grep -c "loopback-mixed.pcap" "$TMP/out" >"$TMP/a"
"$PRONET" flows "$MIXED" | wc -l >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "the good capture was not classified whole next to damaged ones"
cp "$TMP/out" "$TMP/damaged.json"
cp "$TMP/err" "$TMP/damaged.err"
check_output "$TMP/damaged.json" "$TMP/damaged.err" "damaged"

# --- the default model ---------------------------------------------------------------
mkdir "$TMP/rules"
cp "$top_srcdir/rules/thresholds.conf" "$top_srcdir/rules/protos.txt" "$TMP/rules/"
PRONET_RULES_DIR="$TMP/rules" expect_status 1 "no model" "$PRONET" classify "$MIXED"
grep -q "no model" "$TMP/err" && grep -q -- "-m" "$TMP/err" ||
	fail "without a model: no clear message ($(cat "$TMP/err"))"
cp "$MODEL" "$TMP/rules/default.pronet"
PRONET_RULES_DIR="$TMP/rules" expect_status 0 "default.pronet" "$PRONET" classify -q "$MIXED"
[ "$(wc -l <"$TMP/out")" -gt 0 ] || fail "default.pronet: no events"
PRONET_MODEL="$MODEL" PRONET_RULES_DIR="$TMP/rules" expect_status 0 "PRONET_MODEL" \
	"$PRONET" classify -q "$MIXED"
PRONET_MODEL="$TMP/missing.pronet" expect_status 1 "PRONET_MODEL missing" "$PRONET" classify -q "$MIXED"
grep -q "missing.pronet" "$TMP/err" || fail "a missing PRONET_MODEL is not named"

# --- usage ---------------------------------------------------------------------------
expect_status 2 "no input" "$PRONET" classify -m "$MODEL"
expect_status 2 "files and -i" "$PRONET" classify -m "$MODEL" -i lo "$MIXED"
expect_status 0 "classify --help" "$PRONET" classify --help
grep -q "Usage: pronet classify" "$TMP/out" || fail "classify --help"

# --- the whole corpus -------------------------------------------------------------------
require_corpus
"$PRONET" classify -m "$MODEL" --threshold 0.3 -o "$TMP/corpus.json" "$CORPUS" 2>"$TMP/corpus.err"
status=$?
# nDPI's corpus holds damaged captures on purpose: they must be named.
if grep -q "could not be read" "$TMP/corpus.err"; then
	[ "$status" -eq 1 ] || fail "corpus: captures failed but exit status $status"
else
	[ "$status" -eq 0 ] || fail "corpus: exit status $status"
fi
check_output "$TMP/corpus.json" "$TMP/corpus.err" "corpus"
pronet_flows=$(summary_count pronet "$TMP/corpus.err")
[ "${pronet_flows:-0}" -gt 0 ] || fail "corpus: the model named no flow"
[ "$(summary_count ndpi "$TMP/corpus.err")" -gt 1000 ] || fail "corpus: nDPI named too few flows"

# --- SIGINT during a file run: whole lines, renamed into place ----------------------------
"$PRONET" classify -q -m "$MODEL" -o "$TMP/interrupted.json" "$CORPUS" "$CORPUS" \
	2>"$TMP/interrupted.err" &
pid=$!
# Signal once the run is under way: events have reached the temporary
# output file (the corpus twice takes far longer). Polled, at most 30 s; a
# run that has already ended, or writes nothing by then, fails.
tries=0
while [ "$tries" -lt 300 ] && kill -0 "$pid" 2>/dev/null; do
	for tmp_file in "$TMP"/interrupted.json.tmp.*; do
		[ -s "$tmp_file" ] && break 2
	done
	sleep 0.1
	tries=$((tries + 1))
done
kill -0 "$pid" 2>/dev/null || fail "SIGINT: the run ended before it could be interrupted"
[ "$tries" -lt 300 ] || fail "SIGINT: no event written after 30 s"
kill -INT "$pid"
# It must stop soon after: at most 30 s, or the test fails (not hangs).
tries=0
while [ "$tries" -lt 300 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.1
	tries=$((tries + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	kill -KILL "$pid"
	fail "SIGINT: still running 30 s after SIGINT"
fi
wait "$pid"
interrupted_status=$?
# Interrupted before its last capture: status 1, as the help says.
[ "$interrupted_status" -eq 1 ] || fail "SIGINT: exit status $interrupted_status, expected 1"
[ -f "$TMP/interrupted.json" ] || fail "SIGINT: the output was not renamed into place"
"$CHECK" "$TMP/interrupted.json" >"$TMP/check" 2>"$TMP/check.err" ||
	fail "SIGINT: $(cat "$TMP/check.err")"
[ "$(awk '$1 == "lines" { print $2 }' "$TMP/check")" -gt 0 ] ||
	fail "SIGINT: the output holds no event (the open flows were not finished)"
grep -q "stopped" "$TMP/interrupted.err" || fail "SIGINT: no word that the run stopped early"
ls "$TMP" | grep -q '\.tmp\.' && fail "SIGINT left a temporary file"

# A model of sizes and times (histogram-nb) sees up to 1024 packets a flow
# with -k 1024 (the plugin's records without bytes); a byte model only 4.
expect_status 0 "label sizes" "$PRONET" label -q "$DATA/loopback-mixed.pcap" --bytes 0 \
	--all-packets -k 1024 -c "$top_srcdir/rules/class-map.conf" -o "$TMP/sizes.ds"
expect_status 0 "train histogram-nb" "$PRONET" train -q "$TMP/sizes.ds" --arch histogram-nb \
	-o "$TMP/sizes.pronet"
for k in 4 1024; do
	expect_status 0 "classify histogram-nb -k $k" "$PRONET" classify -m "$TMP/sizes.pronet" -k $k \
		"$DATA/loopback-unknown.pcap" -o "$TMP/sizes$k.json"
	grep -o '"packets_used":[0-9]*' "$TMP/sizes$k.json" | cut -d: -f2 | sort -n | tail -n 1 \
		>"$TMP/most$k"
done
[ "$(cat "$TMP/most4")" -eq 8 ] || fail "histogram-nb -k 4: at most $(cat "$TMP/most4") packets, not 8"
[ "$(cat "$TMP/most1024")" -gt 8 ] || fail "histogram-nb -k 1024: at most $(cat "$TMP/most1024") packets"
expect_status 1 "classify ProNet -k 5" "$PRONET" classify -m "$MODEL" -k 5 "$DATA/loopback-unknown.pcap" \
	-o "$TMP/k5.json"
expect_in "$TMP/err" "is not in 1..4" "classify -k 5 message"

finish
echo "classify: ok (corpus: $(awk '$1 == "lines" { print $2 }' "$TMP/check") lines after SIGINT)"
