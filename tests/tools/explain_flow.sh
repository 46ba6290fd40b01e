#!/bin/sh
# Integration test of `pronet explain --flow` (tools/explain_flow.c) with the
# shipped model on tests/data/loopback-unknown.pcap, whose flows nDPI leaves
# Unknown so that classify asks the model: for every such flow, explain
# finds it by classify's flow_id and prints the verdict classify gave (the
# best class and its probability to 4 digits, the abstention reason, the
# packets used); its per-packet parts add up to each packet's centred logit
# and their mean is the flow's. An unknown flow_id, a bad one, a missing
# capture and --flow with --dataset fail with a message.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
MODEL="$top_srcdir/rules/default.pronet"
CAPTURE="$top_srcdir/tests/data/loopback-unknown.pcap"

PRONET_RULES_DIR="$top_srcdir/rules" "$PRONET" classify -q -m "$MODEL" "$CAPTURE" \
	>"$TMP/eve.json" 2>"$TMP/classify.err" || { cat "$TMP/classify.err" >&2; exit 99; }
# flow_id label probability packets_used abstain-reason, for the flows the
# model was asked about (flow_id as text: jq would round it to a double).
sed -n 's/.*"flow_id":\([-0-9]*\).*"pronet":{"label":"\([^"]*\)","probability":\([0-9.]*\).*"packets_used":\([0-9]*\).*"abstain":"\([a-z-]*\)".*/\1 \2 \3 \4 \5/p' \
	"$TMP/eve.json" >"$TMP/asked"
asked=$(wc -l <"$TMP/asked")
[ "$asked" -ge 10 ] || fail "classify asked the model about $asked flows of loopback-unknown.pcap (want >= 10)"

while read -r id label probability packets reason; do
	expect_status 0 "explain --flow $id" "$PRONET" explain -m "$MODEL" --flow "$id" "$CAPTURE"
	expect_in "$TMP/out" "pronet explain: flow $id of $CAPTURE" "flow $id: heading"
	expect_in "$TMP/out" "nDPI: Unknown" "flow $id: nDPI's verdict"
	# classify rounds to 4 digits as explain prints them.
	expect_in "$TMP/out" "model: $label $(printf '%.4f' "$probability")" "flow $id: verdict"
	case $reason in
	rejected) want="abstained: the reject class won" ;;
	below-threshold) want="abstained: below the class's threshold" ;;
	random-looking) want="abstained: random-looking" ;;
	*) want="abstained" ;;
	esac
	expect_in "$TMP/out" "$want" "flow $id: decision ($reason)"
	expect_in "$TMP/out" "over $packets packets" "flow $id: packets used"
	# Each packet: total = constant + context + bytes + 3-grams (to the
	# printed digits), and the flow's total is the packets' mean.
	awk -v id="$id" '
		/^    packet [0-9]+:/ {
			for (i = 1; i <= NF; i++) {
				if ($i == "logit") t = $(i + 1)
				if ($i == "constant") c = $(i + 1)
				if ($i == "context") x = $(i + 1)
				if ($i == "bytes") b = $(i + 1)
				if ($i == "3-grams") g = $(i + 1)
			}
			d = t - (c + x + b + g); if (d < 0) d = -d
			if (d > 0.003) { printf "flow %s: packet parts sum to %f, total %f\n", id, c + x + b + g, t; bad = 1 }
			sum += t; n++
		}
		/^  flow: centred logit/ { flow = $4 }
		END {
			if (n == 0) { print "flow " id ": no packet lines"; exit 1 }
			d = flow - sum / n; if (d < 0) d = -d
			if (d > 0.002) { printf "flow %s: flow logit %f, packets mean %f\n", id, flow, sum / n; bad = 1 }
			exit bad
		}' "$TMP/out" || fail "flow $id: attributions do not add up"
done <"$TMP/asked"

# Towards another class: the same flow, the parts of that class.
first=$(head -n 1 "$TMP/asked" | cut -d' ' -f1)
expect_status 0 "explain --flow --class" "$PRONET" explain -m "$MODEL" --flow "$first" -c DNS "$CAPTURE"
expect_in "$TMP/out" "towards DNS" "--class DNS"

expect_status 1 "an unknown flow_id" "$PRONET" explain -m "$MODEL" --flow 12345 "$CAPTURE"
expect_in "$TMP/err" "no flow with flow_id 12345" "unknown flow_id message"
expect_status 2 "a bad flow_id" "$PRONET" explain -m "$MODEL" --flow 12x "$CAPTURE"
expect_in "$TMP/err" "'12x' is not a flow_id" "bad flow_id message"
expect_status 2 "--flow without a capture" "$PRONET" explain -m "$MODEL" --flow 1
expect_status 2 "--flow with --dataset" "$PRONET" explain -m "$MODEL" --flow 1 -d x.ds "$CAPTURE"
expect_status 1 "a missing capture" "$PRONET" explain -m "$MODEL" --flow 1 "$TMP/none.pcap"
expect_in "$TMP/err" "none.pcap" "missing capture message"
expect_status 1 "a class the model lacks" "$PRONET" explain -m "$MODEL" --flow "$first" -c NoSuch "$CAPTURE"
expect_in "$TMP/err" "NoSuch is not a class" "unknown class message"

finish
echo "explain_flow: $asked flows explained as classify decided them"
