#!/bin/sh
# `pronet classify --threads N` on tests/data's captures, small enough for
# the ThreadSanitizer build (.ci/run): 2 and 3 threads say what one does
# (compare_threaded in common.sh), with and without timeouts; the summary
# and --stats are the sums over the workers; -o FILE appears whole; bad
# thread counts are usage errors. The corpus: classify_threads.sh.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
command -v jq >/dev/null 2>&1 || { echo "classify_threads_data.sh: jq not found (Debian jq)" >&2; exit 99; }
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
unset PRONET_MODEL PRONET_PACKETS PRONET_THRESHOLD
DATA="$top_srcdir/tests/data"

# summary_count WORD FILE: the number after "  WORD" in a classify summary.
summary_count() {
	awk -v w="$1" '$1 == w && NF == 2 { print $2; exit }' "$2"
}

for timeouts in "" "--idle-timeout 1 --active-timeout 5"; do
	# shellcheck disable=SC2086 # none, or two options each
	expect_status 0 "one thread $timeouts" "$PRONET" classify -s $timeouts "$DATA"
	cp "$TMP/out" "$TMP/one.json"
	grep -v '^pronet classify: ' "$TMP/err" | grep ': packets ' >"$TMP/one.stats"
	for threads in 2 3; do
		what="$threads threads $timeouts"
		# shellcheck disable=SC2086
		expect_status 0 "$what" "$PRONET" classify -s --threads "$threads" $timeouts \
			-o "$TMP/many.json" "$DATA"
		compare_threaded "$TMP/one.json" "$TMP/many.json" "$what"
		[ "$COMPARED" -ge 10 ] || fail "$what: only $COMPARED events"
		# The summary adds up the workers' counts: flows, and each source.
		flows=$(awk '$1 == "flows:" { print $2 }' "$TMP/err")
		[ "$flows" = "$COMPARED" ] || fail "$what: summary says $flows flows, $COMPARED events"
		for source in ndpi pronet pronet-endpoint none; do
			want=$(grep -c "\"source\":\"$source\"" "$TMP/many.json")
			got=$(summary_count "$source" "$TMP/err")
			[ "$got" = "$want" ] || fail "$what: summary $source $got, events $want"
		done
		# --stats: the engines' counters summed are one engine's.
		grep ': packets ' "$TMP/err" >"$TMP/many.stats"
		cmp -s "$TMP/one.stats" "$TMP/many.stats" ||
			fail "$what: --stats differ: $(diff "$TMP/one.stats" "$TMP/many.stats" | head -3)"
	done
done
grep -q '"reason":"timeout"' "$TMP/one.json" || fail "no flow timed out with --idle-timeout 1"

for bad in 0 65 two; do
	expect_status 2 "--threads $bad" "$PRONET" classify --threads "$bad" "$DATA"
	expect_in "$TMP/err" "threads" "--threads $bad names the option"
done
finish
echo "classify_threads_data.sh: 2 and 3 threads as one on tests/data"
