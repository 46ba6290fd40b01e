#!/bin/sh
# `pronet classify --threads 2` over the whole corpus ($PRONET_CORPUS) says
# the same as one thread, order aside (compare_threaded in common.sh: the
# same flows, each event the same unless it rests on what a module learns
# across flows). With idle and active timeouts, so that flows end by time:
# each worker's table sees only its own packets, yet its flows must end
# when, and as, one table's would. docs/classify-threads.md states the
# differences this allows and how many the corpus shows.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
require_corpus
command -v jq >/dev/null 2>&1 || { echo "classify_threads.sh: jq not found (Debian jq)" >&2; exit 99; }
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
unset PRONET_MODEL PRONET_PACKETS PRONET_THRESHOLD

timeouts="--idle-timeout 15 --active-timeout 120"
# shellcheck disable=SC2086 # two options each
"$PRONET" classify -q $timeouts -o "$TMP/one.json" "$CORPUS" 2>"$TMP/one.err" ||
	fail "one thread: exit status $? ($(head -3 "$TMP/one.err"))"
# shellcheck disable=SC2086
"$PRONET" classify -q --threads 2 $timeouts -o "$TMP/two.json" "$CORPUS" 2>"$TMP/two.err" ||
	fail "two threads: exit status $? ($(head -3 "$TMP/two.err"))"
compare_threaded "$TMP/one.json" "$TMP/two.json" "corpus, 2 threads"
[ "$COMPARED" -ge 9000 ] || fail "only $COMPARED events compared"
# Time did end flows, and both ways, so the timeouts were tested.
for reason in timeout shutdown; do
	grep -q "\"reason\":\"$reason\"" "$TMP/one.json" || fail "no flow ended by $reason"
done

# The comparison can fail: one byte of a plain nDPI event changed.
awk '!done && /"source":"ndpi"/ && /"confidence":"DPI"/ && !/"master":"STUN"/ {
	sub(/"pkts_toserver":/, "\"pkts_toserver\":9"); done = 1 } { print }' \
	"$TMP/two.json" >"$TMP/bad.json"
saved=$failures
compare_threaded "$TMP/one.json" "$TMP/bad.json" "tampered" 2>/dev/null
[ "$failures" -eq $((saved + 1)) ] || { failures=$saved; fail "a changed event was not found"; }
failures=$saved
finish
echo "classify_threads.sh: $COMPARED events, 2 threads as one; $CROSS_FLOW differ by cross-flow state"
