#!/bin/sh
# A per-flow model in `pronet classify` (issue 14, "Where they run"): a
# histogram-rf model trained on the loopback captures' sizes and times
# (`pronet label --bytes 0 --all-packets`) records what its input spec asks
# (payload-less packets too), and its verdicts on the flows nDPI leaves
# Unknown carry their own source, pronet-flow, and verdict.after_packets (the
# flow's packets handed to nDPI when the fallback decided). A ProNet model's
# verdicts on the same capture stay source pronet. check_events checks every
# line (after_packets within 1..the flow's packets).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
DATA="$top_srcdir/tests/data"
CHECK="$top_builddir/tests/tools/check_events"
require_program "$CHECK"
export PRONET_RULES_DIR="$top_srcdir/rules"

expect_status 0 "label sizes and times" "$PRONET" label -q --bytes 0 --all-packets --packets 4 \
	"$DATA/loopback-mixed.pcap" "$DATA/loopback-ipv6.pcap" -o "$TMP/sizes.ds"
expect_status 0 "train histogram-rf" "$PRONET" train -q --arch histogram-rf --trees 5 --seed 1 \
	--threads 1 "$TMP/sizes.ds" -o "$TMP/forest.pronet"
# A threshold this low names every flow the forest gives any class.
expect_status 0 "classify with the forest" "$PRONET" classify -q -m "$TMP/forest.pronet" \
	--threshold 0.01 "$DATA/loopback-unknown.pcap" -o "$TMP/forest.json"
expect_status 0 "check_events (forest)" "$CHECK" "$TMP/forest.json"
expect_in "$TMP/out" "source pronet 0" "forest: no packet-model verdicts"
grep -q '^source pronet-flow [1-9]' "$TMP/out" ||
	fail "forest: no pronet-flow verdicts: $(tr '\n' ' ' <"$TMP/out")"
# Payload-less packets are recorded (4 per direction, SYN and ACKs counted),
# never more than nDPI had seen when the verdict came.
jq -r 'select(.verdict.source == "pronet-flow") |
	[.pronet.packets_used, .verdict.after_packets] | @tsv' "$TMP/forest.json" >"$TMP/used"
[ -s "$TMP/used" ] || fail "forest: no pronet-flow events to read"
awk -F'\t' '$1 < 1 || $1 > 8 || $1 > $2 { bad++ } END { exit bad > 0 }' "$TMP/used" ||
	fail "forest: packets_used outside 1..8 or above after_packets: $(sort -u "$TMP/used" | tr '\n' ' ')"
awk -F'\t' '$1 == 8 { full = 1 } END { exit !full }' "$TMP/used" ||
	fail "forest: no flow with 8 recorded packets (payload-less not recorded?)"

# A ProNet model on the same capture: its verdicts are source pronet.
expect_status 0 "label payloads" "$PRONET" label -q "$DATA/loopback-mixed.pcap" \
	"$DATA/loopback-ipv6.pcap" -o "$TMP/bytes.ds"
expect_status 0 "train pronet-cnn" "$PRONET" train -q "$TMP/bytes.ds" --epochs 2 --seed 1 \
	--threads 1 -o "$TMP/cnn.pronet"
expect_status 0 "classify with ProNet" "$PRONET" classify -q -m "$TMP/cnn.pronet" \
	--threshold 0.01 "$DATA/loopback-unknown.pcap" -o "$TMP/cnn.json"
expect_status 0 "check_events (ProNet)" "$CHECK" "$TMP/cnn.json"
expect_in "$TMP/out" "source pronet-flow 0" "ProNet: no per-flow verdicts"
grep -q '^source pronet [1-9]' "$TMP/out" ||
	fail "ProNet: no pronet verdicts: $(tr '\n' ' ' <"$TMP/out")"

finish
echo "classify_flow_model.sh: ok"
