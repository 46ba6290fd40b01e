#!/bin/sh
# tools/bench's -f filter runs the rows it names and no others, and a
# group of rows made together (the 1- and 2-thread rows and their ratio)
# runs whole when the filter names any one of them, whatever part of the
# name it quotes. On a corpus of tests/data's captures, so it is quick;
# the figures themselves are not checked (a benchmark's, not a test's).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
BENCH="$top_builddir/tools/bench"
require_program "$BENCH"

mkdir "$TMP/corpus" "$TMP/work"
printf 'file\tsource\n' >"$TMP/corpus/MANIFEST.tsv"
for capture in "$top_srcdir"/tests/data/*.pcap; do
	ln -s "$capture" "$TMP/corpus/"
	printf '%s\ttests/data\n' "$(basename "$capture")" >>"$TMP/corpus/MANIFEST.tsv"
done

# run FILTER: the bench's table for FILTER, in $TMP/out.
run() {
	expect_status 0 "bench -f '$1'" "$BENCH" -s 0.05 -c "$TMP/corpus" -p "$PRONET" \
		-m "$top_srcdir/rules/default.pronet" -w "$TMP/work" -o "$TMP/work/bench.json" -f "$1"
}
# rows NAME...: how many of the table's lines begin with NAME.
rows() {
	grep -c -F -- "$1" "$TMP/out"
}
want_rows() {
	got=$(rows "$2")
	[ "$got" -ge 1 ] || fail "-f '$1': no row '$2'"
}
want_no_rows() {
	got=$(rows "$2")
	[ "$got" -eq 0 ] || fail "-f '$1': $got row(s) '$2', not asked for"
}

# A word from the middle of the long-capture rows' names: those three.
run "long capture"
want_rows "long capture" "pronet classify --threads 1, one long capture (wall)"
want_rows "long capture" "pronet classify --threads 2, one long capture (wall)"
want_rows "long capture" "pronet classify 2 threads / 1, one long capture (wall)"
want_no_rows "long capture" "pronet classify --threads 1 (wall)"
want_no_rows "long capture" "pronet classify (model)"
want_no_rows "long capture" "predict default"

# The ratio's name alone: the two rows it divides come with it.
run "2 threads / 1 (wall)"
want_rows "2 threads / 1 (wall)" "pronet classify --threads 1 (wall)"
want_rows "2 threads / 1 (wall)" "pronet classify --threads 2 (wall)"
want_rows "2 threads / 1 (wall)" "pronet classify 2 threads / 1 (wall)"
want_no_rows "2 threads / 1 (wall)" "one long capture"

# A prefix of several groups' names runs them all, and only those.
run "pronet classify --threads"
want_rows "pronet classify --threads" "pronet classify 2 threads / 1 (wall)"
want_rows "pronet classify --threads" "pronet classify 2 threads / 1, one long capture (wall)"
want_no_rows "pronet classify --threads" "pronet flows"

finish
echo "bench_filter.sh: the filter's rows and groups as asked"
