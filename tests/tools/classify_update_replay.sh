#!/bin/sh
# pronet classify --update's replay (tools/update_replay.h,
# docs/online-update.md "Replay"): an update whose samples hold one class
# forgets the others; with --update-replay DATASET (the model's training
# samples) it keeps them.
#   1. A ProNet CNN trained on loopback-mixed.pcap's 7 classes is updated
#      over the same capture with a class map that labels TLS alone: one
#      update of 96 TLS samples. Scored on loopback-ipv6.pcap's held-out
#      flows, DNS's recall falls without replay and stays at 1 with it, and
#      micro F1 with replay is no lower than the starting model's. Two runs
#      with replay write the same model.
#   2. The stores of earlier updates are replayed by default: the second
#      update of a run replays samples of the first.
#   3. Refusals: a replay dataset without a class of the model's, a replay
#      with no room.
set -u
: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
command -v jq >/dev/null 2>&1 || { echo "classify_update_replay.sh: jq not installed" >&2; exit 99; }
export PRONET_RULES_DIR="$top_srcdir/rules"
data=$top_srcdir/tests/data
mixed=$data/loopback-mixed.pcap

"$PRONET" label -q "$mixed" -o "$TMP/mixed.ds" >/dev/null &&
	"$PRONET" label -q "$data/loopback-ipv6.pcap" -o "$TMP/ipv6.ds" >/dev/null &&
	"$PRONET" train -q "$TMP/mixed.ds" --epochs 20 -o "$TMP/start.pronet" >/dev/null || {
	echo "classify_update_replay.sh: labelling or the starting model failed" >&2
	exit 99
}
printf 'TLS.* -> TLS\n* -> -\n' >"$TMP/tls.map"

# update OUT [OPTION...]: one update over loopback-mixed.pcap's TLS flows.
update() {
	out=$1
	shift
	"$PRONET" classify -m "$TMP/start.pronet" --update --update-class-map "$TMP/tls.map" \
		--update-samples 90 --update-epochs 40 --update-out "$out" -o /dev/null "$@" "$mixed"
}
# score MODEL NAME: pronet eval on the held-out flows into $TMP/NAME.json.
score() {
	"$PRONET" eval -q -m "$1" "$TMP/ipv6.ds" --json "$TMP/$2.json" >/dev/null ||
		fail "pronet eval -m $1"
}
field() {
	jq -r "$2" "$TMP/$1.json"
}

# --- 1. Forgetting, and replay against it.
expect_status 0 "an update without replay" update "$TMP/plain.pronet" --update-replay-class 0
expect_in "$TMP/err" "update 1: 96 samples and 0 replayed" "TLS samples alone"
expect_in "$TMP/err" "update: no replay" "no replay said"
expect_status 0 "an update with replay" update "$TMP/replay.pronet" --update-replay "$TMP/mixed.ds"
expect_in "$TMP/err" "update 1: 96 samples and 427 replayed" "the training samples replayed"
expect_in "$TMP/err" "holds 7 of 7 classes (467 samples); offered 523 (427 from $TMP/mixed.ds)" \
	"the reservoir after the update"
expect_status 0 "the same run again" update "$TMP/again.pronet" --update-replay "$TMP/mixed.ds"
cmp -s "$TMP/replay.pronet" "$TMP/again.pronet" || fail "two runs with replay wrote different models"
score "$TMP/start.pronet" start
score "$TMP/plain.pronet" plain
score "$TMP/replay.pronet" replay
dns='.scores.classes.DNS.recall'
micro='.scores.micro.f1'
echo "held-out DNS recall: start $(field start "$dns"), no replay $(field plain "$dns")," \
	"replay $(field replay "$dns"); micro F1 $(field start "$micro"), $(field plain "$micro")," \
	"$(field replay "$micro")"
awk -v s="$(field start "$dns")" -v p="$(field plain "$dns")" -v r="$(field replay "$dns")" \
	'BEGIN { exit !(s == 1 && p < 1 && r == 1) }' ||
	fail "DNS recall: want 1 before, below 1 without replay, 1 with it"
awk -v s="$(field start "$micro")" -v p="$(field plain "$micro")" -v r="$(field replay "$micro")" \
	'BEGIN { exit !(p < s && r >= s) }' ||
	fail "micro F1: want lower without replay, no lower with it"

# --- 2. The first update's samples replayed by the second (two captures;
# the default replay).
expect_status 0 "two updates" "$PRONET" classify -m "$TMP/start.pronet" --update \
	--update-class-map "$TMP/tls.map" --update-samples 60 --update-epochs 2 -o /dev/null \
	"$mixed" "$mixed"
grep -q "update 2: [0-9]* samples and [1-9][0-9]* replayed" "$TMP/err" ||
	fail "the second update replayed nothing of the first's"

# --- 3. Refusals.
"$PRONET" label -q --class-map "$TMP/tls.map" "$mixed" -o "$TMP/tls.ds" >/dev/null ||
	fail "label TLS alone"
"$PRONET" train -q "$TMP/tls.ds" --epochs 1 -o "$TMP/tls.pronet" >/dev/null || fail "a TLS model"
printf 'DNS -> DNS\n* -> -\n' >"$TMP/dns.map"
"$PRONET" label -q --class-map "$TMP/dns.map" "$mixed" -o "$TMP/dns.ds" >/dev/null ||
	fail "label DNS alone"
expect_status 1 "a replay dataset of no class the model has" \
	"$PRONET" classify -m "$TMP/tls.pronet" --update --update-replay "$TMP/dns.ds" -o /dev/null \
	"$mixed"
expect_in "$TMP/err" "dns.ds: no sample of a class the model has" "the file named"
expect_status 1 "--update-replay with no room" "$PRONET" classify -m "$TMP/start.pronet" \
	--update --update-replay "$TMP/mixed.ds" --update-replay-class 0 -o /dev/null "$mixed"
expect_in "$TMP/err" "--update-replay with a replay of 0 samples" "said"
expect_status 1 "a damaged replay dataset" "$PRONET" classify -m "$TMP/start.pronet" \
	--update --update-replay "$TMP/tls.map" -o /dev/null "$mixed"
expect_in "$TMP/err" "tls.map" "the file named"

finish
echo "classify_update_replay.sh: passed"
