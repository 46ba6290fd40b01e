#!/bin/sh
# Live `pronet classify -i lo --user nobody -o FILE` ends cleanly on SIGINT:
# exit status 0, the output file renamed into place (written as nobody),
# every line a valid event and as many as the summary's flows, no temporary
# file left. SIGINT is sent once the capture is running (the process has
# opened lo and dropped to nobody, polled in /proc), not after a fixed
# sleep; the whole wait is bounded (20 s to start, 20 s to stop), so a hang
# fails the test instead of hanging CI. Skipped (77, with a message) when
# not root, without a "nobody" user or an "lo" interface, or when this
# sandbox refuses a live capture even to root.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
skip() {
	echo "SKIP: $*"
	exit 77
}
CHECK="$top_builddir/tests/tools/check_events"
require_program "$CHECK"
require_program "$top_builddir/tests/plugin/make_test_model"
[ "$(id -u)" -eq 0 ] || skip "not root: no live capture on lo"
nobody_uid=$(id -u nobody 2>/dev/null) || skip "no user named nobody"
[ -e /sys/class/net/lo ] || skip "no loopback interface lo"
export PRONET_RULES_DIR="$top_srcdir/rules"

"$top_builddir/tests/plugin/make_test_model" "$TMP/model.pronet" >/dev/null || exit 99
# The output is written as the user the run drops to.
mkdir "$TMP/live" && chmod 777 "$TMP/live" && chmod 755 "$TMP" && chmod 644 "$TMP/model.pronet"
"$PRONET" classify -m "$TMP/model.pronet" -i lo --user nobody -o "$TMP/live/live.json" \
	2>"$TMP/live.err" &
pid=$!
trap 'kill -KILL "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT

# wait_for CONDITION TENTHS: polls CONDITION every 0.1 s while the process
# lives, at most TENTHS times; status 0 once it holds.
wait_for() {
	tries=0
	while [ "$tries" -lt "$2" ]; do
		eval "$1" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		tries=$((tries + 1))
	done
	return 1
}
# Started: lo is open and the process runs as nobody (it drops right after
# opening the interface, before reading packets).
dropped="[ \"\$(awk '/^Uid:/ { print \$3 }' /proc/$pid/status 2>/dev/null)\" = $nobody_uid ]"
if ! wait_for "$dropped" 200; then
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		grep -q 'permitted\|permission' "$TMP/live.err" &&
			skip "this sandbox refuses live capture on lo: $(head -1 "$TMP/live.err")"
		fail "live: pronet classify -i lo ended before capturing"
	else
		fail "live: not capturing as nobody after 20 s"
	fi
	cat "$TMP/live.err" >&2
	finish
fi
kill -INT "$pid"
# Stopped: bounded too, a run that ignores SIGINT fails.
tries=0
while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 200 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
if kill -0 "$pid" 2>/dev/null; then
	fail "live: still running 20 s after SIGINT"
	finish
fi
wait "$pid"
live_status=$?
[ "$live_status" -eq 0 ] || { fail "live: exit status $live_status"; cat "$TMP/live.err" >&2; }
if [ -f "$TMP/live/live.json" ]; then
	"$CHECK" "$TMP/live/live.json" >"$TMP/check" 2>"$TMP/check.err" ||
		fail "live: $(cat "$TMP/check.err")"
	lines=$(awk '$1 == "lines" { print $2 }' "$TMP/check")
	flows=$(awk '$1 == "flows:" { print $2 }' "$TMP/live.err")
	[ -n "$flows" ] && [ "$lines" = "$flows" ] ||
		fail "live: $lines lines, summary says '$flows' flows"
else
	fail "live: no output file after SIGINT"
fi
ls "$TMP/live" | grep -q '\.tmp\.' && fail "live: a temporary file was left"
finish
echo "classify_live: SIGINT ended a live capture cleanly ($lines flows)"
