#!/bin/sh
# Live capture drops root: `pronet classify -i lo -u nobody` opens the
# loopback interface as root, then must run as nobody, with nobody's group
# as its only group and no capabilities left, and write its output file as
# nobody. Skipped (77, with a message) when not run as root, without a
# "nobody" user or an "lo" interface, or when the sandbox refuses to open a
# live capture even to root.
set -u

: "${top_builddir:?top_builddir is not set: run through make check}"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "not root: no privileges to drop"
nobody_uid=$(id -u nobody 2>/dev/null) || skip "no user named nobody"
nobody_gid=$(id -g nobody)
[ -e /sys/class/net/lo ] || skip "no loopback interface lo"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/pronet-live.XXXXXX") || exit 99
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
"$top_builddir/tests/plugin/make_test_model" "$TMP/model.pronet" || fail "no test model"
# The output is created as nobody: a directory nobody may write to.
mkdir "$TMP/out" && chmod 1777 "$TMP/out" && chmod 755 "$TMP" && chmod 644 "$TMP/model.pronet"

"$top_builddir/pronet" classify -q -m "$TMP/model.pronet" -i lo -u nobody \
	-o "$TMP/out/events.json" 2>"$TMP/err" &
pid=$!
# Wait (at most ~20 s) until the process has dropped to nobody or ended.
status_file=/proc/$pid/status
uid= tries=0
while [ $tries -lt 200 ] && kill -0 "$pid" 2>/dev/null; do
	uid=$(awk '/^Uid:/ { print $2 " " $3 " " $4 " " $5 }' "$status_file" 2>/dev/null)
	[ "$uid" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] && break
	sleep 0.1
	tries=$((tries + 1))
done
if ! kill -0 "$pid" 2>/dev/null; then
	wait "$pid"
	cat "$TMP/err" >&2
	pid=
	grep -q 'permitted\|permission' "$TMP/err" && skip "this sandbox refuses live capture on lo"
	fail "pronet classify -i lo ended before dropping privileges"
fi
[ "$uid" = "$nobody_uid $nobody_uid $nobody_uid $nobody_uid" ] ||
	fail "still not nobody after 20 s: Uid: $uid"
gid=$(awk '/^Gid:/ { print $2 " " $3 " " $4 " " $5 }' "$status_file")
[ "$gid" = "$nobody_gid $nobody_gid $nobody_gid $nobody_gid" ] || fail "Gid: $gid, not nobody's $nobody_gid"
groups=$(awk '/^Groups:/ { $1 = ""; print }' "$status_file" | tr -d ' ')
[ "$groups" = "$nobody_gid" ] || fail "supplementary groups '$groups', not just $nobody_gid"
cap=$(awk '/^CapEff:/ { print $2 }' "$status_file")
[ "$cap" = "0000000000000000" ] || fail "effective capabilities $cap left after the drop"

kill -TERM "$pid"
wait "$pid"
code=$?
pid=
cat "$TMP/err" >&2
[ "$code" -eq 0 ] || fail "pronet classify -i lo exited $code after SIGTERM"
[ -f "$TMP/out/events.json" ] || fail "no output file after SIGTERM"
owner=$(stat -c %u "$TMP/out/events.json")
[ "$owner" = "$nobody_uid" ] || fail "output file owned by uid $owner, not nobody ($nobody_uid)"
echo "live: pronet classify -i lo -u nobody ran as uid/gid $nobody_uid/$nobody_gid, groups $groups, no capabilities; output owned by nobody"
exit 0
