# Sourced by the tools/ integration tests (cli.sh, classify.sh, label.sh,
# eval.sh) after `set -u` and a check of $top_srcdir: the build tree, a
# temporary directory removed on exit, and the checks they all use. Each
# check that fails says why and counts; `finish` ends the test with status 1
# if any did. Exit status 99 (a hard error) when the test cannot run.

: "${top_builddir:?top_builddir is not set: run through make check}"
PRONET="$top_builddir/pronet"
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pronet-$TEST_NAME.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
# A shell killed by a signal skips its EXIT trap: exit, so TMP goes too.
trap 'exit 1' HUP INT TERM
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect_status STATUS DESCRIPTION COMMAND...: runs COMMAND, output in
# $TMP/out and $TMP/err, and checks its exit status.
expect_status() {
	want=$1 what=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit status $got, expected $want"
		sed 's/^/    stderr: /' "$TMP/err" >&2
	fi
}

# expect_in FILE TEXT DESCRIPTION: FILE contains the fixed string TEXT.
expect_in() {
	grep -qF -- "$2" "$1" || { fail "$3: '$2' not in $(basename "$1")"; sed 's/^/    /' "$1" >&2; }
}

# require_program PATH: a test helper built by make check, else exit 99.
require_program() {
	[ -x "$1" ] || { echo "missing $1 (build with make check)" >&2; exit 99; }
}

# require_corpus: CORPUS is $PRONET_CORPUS, a directory of captures, else
# the test fails.
require_corpus() {
	CORPUS=${PRONET_CORPUS:-}
	if [ -z "$CORPUS" ] || [ ! -d "$CORPUS" ]; then
		echo "FAIL: PRONET_CORPUS ('$CORPUS') is not a directory of captures" >&2
		exit 1
	fi
}

# finish: exit status 1 if a check failed, else go on (to the test's own
# closing line).
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$TEST_NAME: $failures check(s) failed" >&2
		exit 1
	fi
}

# compare_threaded ONE MANY WHAT: the events of `classify --threads N`
# (MANY) against one thread's (ONE), order aside. The flows must be the
# same (pcap_filename, flow_id, start), and each event byte for byte the
# same unless its verdict rests, in either run, on what an nDPI module
# learns across flows, which each worker learns from its own flows only:
# endpoint evidence (verdict.source pronet-endpoint), nDPI's LRU caches
# (ndpi.confidence "DPI (cache)") and nDPI's STUN cache (ndpi.master STUN,
# whose sub-protocol comes from other flows at confidence DPI). Sets
# COMPARED (events) and CROSS_FLOW (events that differ for that reason).
compare_threaded() {
	sort "$1" >"$TMP/one.sorted"
	sort "$2" >"$TMP/many.sorted"
	comm -23 "$TMP/one.sorted" "$TMP/many.sorted" >"$TMP/one.only"
	comm -13 "$TMP/one.sorted" "$TMP/many.sorted" >"$TMP/many.only"
	COMPARED=$(grep -c . "$TMP/one.sorted")
	many=$(grep -c . "$TMP/many.sorted")
	[ "$COMPARED" = "$many" ] || fail "$3: $COMPARED events with one thread, $many with more"
	if ! jq -n -r --slurpfile a "$TMP/one.only" --slurpfile b "$TMP/many.only" '
		def key: "\(.pcap_filename) \(.flow_id) \(.flow.start)";
		def cross_flow: .verdict.source == "pronet-endpoint" or
			.ndpi.confidence == "DPI (cache)" or .ndpi.master == "STUN";
		($a | map({key: key, value: .}) | from_entries) as $one |
		($b | map({key: key, value: .}) | from_entries) as $many |
		[$one | keys[] | select($many[.] == null) | "only with one thread: \(.)"] +
		[$many | keys[] | select($one[.] == null) | "only with threads: \(.)"] +
		[$one | keys[] | select($many[.] != null) |
			select(($one[.] | cross_flow) or ($many[.] | cross_flow) | not) |
			"differs: \(.)"] | .[]' >"$TMP/unexplained" 2>"$TMP/jq.err"; then
		fail "$3: jq: $(cat "$TMP/jq.err")"
	fi
	if [ -s "$TMP/unexplained" ]; then
		fail "$3: $(grep -c . "$TMP/unexplained") events differ without cross-flow state"
		head -5 "$TMP/unexplained" >&2
	fi
	CROSS_FLOW=$(grep -c . "$TMP/one.only")
}
