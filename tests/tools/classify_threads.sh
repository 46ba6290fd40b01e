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
"$PRONET" classify -q $timeouts -o "$TMP/one.json" "$CORPUS" 2>"$TMP/one.err"
one_status=$?
# shellcheck disable=SC2086
"$PRONET" classify -q --threads 2 $timeouts -o "$TMP/two.json" "$CORPUS" 2>"$TMP/two.err"
two_status=$?

# The corpus holds captures nothing reads (nDPI keeps damaged ones on
# purpose): both runs must name the same ones and exit alike, 1 if there
# are any. Which they are is not written here but derived: the files the
# one-thread run names, each of which `pronet flows` (another command, one
# engine, no model) must fail to read too; so a capture that only classify
# fails on, in either run, is caught.
unreadable() {
	sed -n "s|^pronet classify: \($CORPUS/[^:]*\): .*|\1|p" "$1" | sort -u
}
unreadable "$TMP/one.err" >"$TMP/one.unreadable"
unreadable "$TMP/two.err" >"$TMP/two.unreadable"
cmp -s "$TMP/one.unreadable" "$TMP/two.unreadable" ||
	fail "the runs name different unreadable captures: $(diff "$TMP/one.unreadable" "$TMP/two.unreadable" | tail -n +2 | head -3)"
count=$(grep -c . "$TMP/one.unreadable")
want_status=0
[ "$count" -eq 0 ] || want_status=1
[ "$one_status" -eq "$want_status" ] || fail "one thread: exit status $one_status ($(head -3 "$TMP/one.err"))"
[ "$two_status" -eq "$want_status" ] || fail "two threads: exit status $two_status ($(head -3 "$TMP/two.err"))"
if [ "$count" -gt 0 ]; then
	for run in one two; do
		expect_in "$TMP/$run.err" "$count captures could not be read" "$run: the count of unreadable captures"
	done
fi
while read -r capture; do
	"$PRONET" flows "$capture" >/dev/null 2>&1 && fail "classify could not read $capture, pronet flows can"
done <"$TMP/one.unreadable"
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
