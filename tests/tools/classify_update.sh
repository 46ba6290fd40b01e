#!/bin/sh
# pronet classify --update (tools/classify_update.h, docs/online-update.md):
#   1. a class the starting model never learnt: make_update_model trains a
#      model with MQTT among its classes but no MQTT sample; classify
#      --update over loopback-mixed.pcap (nDPI names every flow by DPI, MQTT
#      included) trains it further; on loopback-ipv6.pcap's flows, held out,
#      the updated model names MQTT flows the starting one never names, and
#      is right more often overall. Run twice, the update writes the same
#      model (capture clock: the same samples, the same training);
#   2. a swap under traffic: the capture arrives through a FIFO, held back
#      after the flows that trigger the update until the worker says its
#      model is ready; the rest (loopback-unknown.pcap's flows, which nDPI
#      leaves to the model) is then answered by generation 1. Every packet
#      and flow is there, nDPI's verdicts as without --update;
#   3. refusals: --update-* without --update, a fitted family.
# .ci/run runs this test under ThreadSanitizer too, with
# PRONET_UPDATE_TEST_PARTS=swap: part 2 alone (the worker thread, the atomic
# handoff, the swap), as part 1's training takes minutes under TSan.
set -u
parts=${PRONET_UPDATE_TEST_PARTS:-all}
: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
MAKE_MODEL="$top_builddir/tests/tools/make_update_model"
require_program "$MAKE_MODEL"
command -v jq >/dev/null 2>&1 || { echo "classify_update.sh: jq not installed" >&2; exit 99; }
export PRONET_RULES_DIR="$top_srcdir/rules"
data=$top_srcdir/tests/data
start_epochs=20
[ "$parts" = all ] || start_epochs=1 # part 2 needs a model, not a good one

"$PRONET" label -q "$data/loopback-mixed.pcap" -o "$TMP/mixed.ds" >/dev/null &&
	"$PRONET" label -q "$data/loopback-ipv6.pcap" -o "$TMP/ipv6.ds" >/dev/null &&
	"$MAKE_MODEL" "$TMP/mixed.ds" MQTT "$start_epochs" "$TMP/start.pronet" >/dev/null || {
	echo "classify_update.sh: labelling or the starting model failed" >&2
	exit 99
}

# --- 1. A class gained. 427 samples in all: the update starts past 400 (the
# first 88 flows in the order they started: MQTT's are among them).
if [ "$parts" = all ]; then
update() {
	"$PRONET" classify -m "$TMP/start.pronet" --update --update-samples 400 \
		--update-epochs 40 --update-out "$1" -o "$2" "$data/loopback-mixed.pcap"
}
expect_status 0 "classify --update over loopback-mixed.pcap" update "$TMP/updated.pronet" \
	"$TMP/mixed.eve.json"
expect_in "$TMP/err" "update: 1 started (0 waited for the worker), 1 trained, 0 failed" \
	"one update"
expect_in "$TMP/err" "update: generation 1 written to $TMP/updated.pronet" "the model written"
expect_in "$TMP/err" "update: kept 92 flows nDPI's DPI named (427 samples)" \
	"every DPI-named flow kept, as pronet label keeps them"
[ -s "$TMP/updated.pronet" ] || fail "no updated model"
"$PRONET" classify -q -m "$TMP/start.pronet" -o "$TMP/plain.eve.json" \
	"$data/loopback-mixed.pcap" || fail "classify without --update"
cmp -s "$TMP/plain.eve.json" "$TMP/mixed.eve.json" ||
	fail "--update changed the events of a capture nDPI names whole"
expect_status 0 "the same run again" update "$TMP/again.pronet" "$TMP/again.eve.json"
cmp -s "$TMP/updated.pronet" "$TMP/again.pronet" ||
	fail "two runs over one capture wrote different models"

# Scored on held-out flows: MQTT's recall (best class, flows decided as the
# plugin decides them) from 0 to at least 2 of 3, and more flows right.
score() {
	"$PRONET" eval -q -m "$1" "$TMP/ipv6.ds" --json "$TMP/$2.json" >/dev/null ||
		fail "pronet eval -m $1"
}
score "$TMP/start.pronet" start
score "$TMP/updated.pronet" updated
start_mqtt=$(jq -r '.scores.classes.MQTT.recall' "$TMP/start.json")
updated_mqtt=$(jq -r '.scores.classes.MQTT.recall' "$TMP/updated.json")
start_micro=$(jq -r '.scores.micro.f1' "$TMP/start.json")
updated_micro=$(jq -r '.scores.micro.f1' "$TMP/updated.json")
echo "MQTT recall on held-out flows: $start_mqtt -> $updated_mqtt; micro F1 $start_micro -> $updated_micro"
awk -v s="$start_mqtt" -v u="$updated_mqtt" 'BEGIN { exit !(s == 0 && u >= 0.66) }' ||
	fail "MQTT recall $start_mqtt -> $updated_mqtt (want 0 -> at least 2/3)"
awk -v s="$start_micro" -v u="$updated_micro" 'BEGIN { exit !(u > s) }' ||
	fail "micro F1 $start_micro -> $updated_micro: not better"
fi

# --- 2. A swap under traffic. The stream: loopback-mixed.pcap, then
# loopback-unknown.pcap's records (1.2 s later, the same link type). With
# --idle-timeout 1 the first unknown packet ends the mixed flows: their
# samples start the update. The rest waits until the model is ready.
first_length=$(od -An -tu4 -j 32 -N 4 "$data/loopback-unknown.pcap" | tr -d ' ')
first_end=$((24 + 16 + first_length))
{ cat "$data/loopback-mixed.pcap"; head -c "$first_end" "$data/loopback-unknown.pcap" |
	tail -c +25; } >"$TMP/part1"
tail -c +$((first_end + 1)) "$data/loopback-unknown.pcap" >"$TMP/part2"
mkfifo "$TMP/fifo" || exit 99
(
	exec 3>"$TMP/fifo"
	cat "$TMP/part1" >&3
	tries=0
	until grep -q "update 1: .*: ready" "$TMP/swap.err" 2>/dev/null || [ $tries -ge 1200 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	cat "$TMP/part2" >&3
) &
writer=$!
"$PRONET" classify -s -m "$TMP/start.pronet" --update --update-samples 400 --update-epochs 2 \
	--idle-timeout 1 -o "$TMP/swap.eve.json" "$TMP/fifo" 2>"$TMP/swap.err"
status=$?
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
[ "$status" -eq 0 ] || { fail "classify --update from the FIFO: exit status $status"; cat "$TMP/swap.err" >&2; }
expect_in "$TMP/swap.err" "1 swapped in" "a swap"
packet=$(sed -n 's/.*swapped in before packet \([0-9]*\) of capture 1.*/\1/p' "$TMP/swap.err")
# Packets 1..1186 are the mixed capture's, 1187 the first unknown one.
[ -n "$packet" ] && [ "$packet" -gt 1187 ] && [ "$packet" -le 1842 ] ||
	fail "swap before packet '$packet': not while the unknown flows came"
expect_in "$TMP/swap.err" "packets 1842, in flows 1842" "every packet read"
expect_in "$TMP/swap.err" "flows 144," "every flow"
[ "$(grep -c . "$TMP/swap.eve.json")" -eq 144 ] || fail "not 144 events"
# The model answered every Unknown flow, each after the swap: generation 1.
answered=$(jq -r 'select(.pronet) | .pronet.model_generation' "$TMP/swap.eve.json" | sort | uniq -c |
	awk '{ printf "%s x %s; ", $2, $1 }')
[ "$answered" = "1 x 52; " ] || fail "model generations answering: $answered (want 52 flows of 1)"
# nDPI's verdicts, flows and counts are those of the same stream without --update.
cat "$TMP/part1" "$TMP/part2" >"$TMP/stream.pcap"
"$PRONET" classify -q -m "$TMP/start.pronet" --idle-timeout 1 -o "$TMP/stream.eve.json" \
	"$TMP/stream.pcap" || fail "classify the stream without --update"
for run in stream swap; do
	jq -c '[.flow_id, .flow, .ndpi]' "$TMP/$run.eve.json" | sort >"$TMP/$run.ndpi"
done
cmp -s "$TMP/stream.ndpi" "$TMP/swap.ndpi" || fail "--update changed flows or nDPI's verdicts"

# --- 3. Refusals.
if [ "$parts" = all ]; then
expect_status 2 "--update-samples without --update" \
	"$PRONET" classify -m "$TMP/start.pronet" --update-samples 5 "$data/loopback-mixed.pcap"
expect_in "$TMP/err" "the --update-* options need --update" "said"
expect_status 2 "--update with --threads 2" \
	"$PRONET" classify -m "$TMP/start.pronet" --update --threads 2 "$data/loopback-mixed.pcap"
expect_in "$TMP/err" "not with --threads" "said"
"$PRONET" label -q --all-packets "$data/loopback-mixed.pcap" -o "$TMP/all.ds" >/dev/null &&
	"$PRONET" train -q "$TMP/all.ds" --arch histogram-nb -o "$TMP/nb.pronet" >/dev/null ||
	fail "a histogram-nb model"
expect_status 1 "--update with a fitted family" \
	"$PRONET" classify -m "$TMP/nb.pronet" --update "$data/loopback-mixed.pcap"
expect_in "$TMP/err" "histogram-nb is fitted in one go" "the family named"
fi

finish
echo "classify_update.sh: parts $parts passed"
