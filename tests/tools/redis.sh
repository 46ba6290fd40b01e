#!/bin/sh
# `pronet classify --redis` against a real redis-server (Debian redis-server),
# started here on a free loopback port without persistence and stopped at the
# end. With tests/data's captures (ours) and the shipped model:
#  - every mode (list, rpush, channel, stream) delivers exactly the events
#    classify writes to a file for the same captures, pipelined in batches;
#    a stream's entries carry the event in the field "eve" and
#    --redis-stream-maxlen trims it (XADD MAXLEN ~); so does --threads 2,
#    and --events ndpid (nDPId's events, unframed) with it;
#  - the server killed (SIGKILL) mid-run and restarted on the same port: the
#    run says so naming HOST:PORT, reconnects, holds a bounded backlog, and
#    accounts for every event: what reached the first server + what reached
#    the second = delivered, delivered + dropped = the file's events, no
#    event twice, none that the file lacks, exit status 1 for the drops;
#  - a server that refuses the commands (WRONGTYPE), no server at all and a
#    hung server (SIGSTOP) end the run in bounded time with the events
#    counted as dropped and exit status 1;
#  - bad option combinations are usage errors (2).
# The run is held mid-way by reading two of its captures from FIFOs that the
# test fills when it is ready. Skips (77) only without redis-server or
# redis-cli, or in a pronet built without hiredis (configure --with-hiredis
# makes that a configure error, as CI builds).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
	echo "SKIP: redis-server or redis-cli not found (Debian packages redis-server, redis-tools)"
	exit 77
fi
if [ "${PRONET_HIREDIS:-}" != yes ]; then
	echo "SKIP: pronet was built without hiredis (apt-get install libhiredis-dev; configure)"
	exit 77
fi
. "$top_srcdir/tests/tools/common.sh"
command -v jq >/dev/null 2>&1 || { echo "redis.sh: jq not found (Debian jq)" >&2; exit 99; }
DATA="$top_srcdir/tests/data"
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
unset PRONET_MODEL PRONET_PACKETS PRONET_THRESHOLD
SERVER=
trap 'stop_server; rm -rf "$TMP"' EXIT

# start_server PORT: redis-server on 127.0.0.1:PORT, no RDB, no AOF, small
# stream nodes (so that MAXLEN ~ trims a short stream); 1 if it did not come up.
start_server() {
	redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP" \
		--logfile "$TMP/redis-$1.log" --stream-node-max-entries 4 &
	SERVER=$!
	tries=0
	while [ "$(redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null)" != PONG ]; do
		tries=$((tries + 1))
		if [ "$tries" -gt 100 ] || ! kill -0 "$SERVER" 2>/dev/null; then
			kill "$SERVER" 2>/dev/null
			wait "$SERVER" 2>/dev/null
			SERVER=
			return 1
		fi
		sleep 0.1
	done
}

stop_server() {
	[ -n "$SERVER" ] || return 0
	kill -CONT "$SERVER" 2>/dev/null
	kill "$SERVER" 2>/dev/null
	wait "$SERVER" 2>/dev/null
	SERVER=
}

rcli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }

# wait_for WHAT COMMAND...: until COMMAND succeeds, at most 30 s.
wait_for() {
	what=$1
	shift
	tries=0
	until "$@"; do
		tries=$((tries + 1))
		if [ "$tries" -gt 300 ]; then
			fail "waited 30 s for $what"
			return 1
		fi
		sleep 0.1
	done
}

# counted NAME FILE: the number after NAME in the summary's redis line.
counted() {
	sed -n "s/^redis:.*[ (]$1 \([0-9][0-9]*\).*/\1/p" "$2"
}

# same_events WHAT GOT WANT: the two files hold the same lines, any order.
same_events() {
	sort "$2" >"$TMP/got.sorted"
	sort "$3" >"$TMP/want.sorted"
	cmp -s "$TMP/got.sorted" "$TMP/want.sorted" ||
		fail "$1: $(wc -l <"$2") events differ from the file output's $(wc -l <"$3")"
}

PORT=
for try in 1 2 3 4 5 6 7 8 9 10; do
	candidate=$((20000 + ($$ * 7 + try * 1543) % 40000))
	if start_server "$candidate"; then
		PORT=$candidate
		break
	fi
done
[ -n "$PORT" ] || { echo "cannot start redis-server on a loopback port (see its log)" >&2; exit 99; }
ADDRESS="127.0.0.1:$PORT"

MIXED="$DATA/loopback-mixed.pcap"
UNKNOWN="$DATA/loopback-unknown.pcap"
IPV6="$DATA/loopback-ipv6.pcap"
expect_status 0 "classify to a file" "$PRONET" classify -q -o "$TMP/file.json" "$MIXED" "$UNKNOWN" "$IPV6"
EVENTS=$(wc -l <"$TMP/file.json")
[ "$EVENTS" -gt 100 ] || fail "only $EVENTS events in the file output"

# --- every mode, pipelined ---------------------------------------------------
for mode in list rpush channel stream; do
	key="pronet-$mode"
	if [ "$mode" = channel ]; then
		redis-cli -h 127.0.0.1 -p "$PORT" --raw SUBSCRIBE "$key" >"$TMP/subscribed" &
		subscriber=$!
		wait_for "a subscriber" sh -c "redis-cli -h 127.0.0.1 -p $PORT PUBSUB NUMSUB $key | tail -n 1 | grep -qx 1"
	fi
	expect_status 0 "--redis-mode $mode" "$PRONET" classify --redis "$ADDRESS" --redis-mode "$mode" \
		--redis-key "$key" --redis-batch-size 7 "$MIXED" "$UNKNOWN" "$IPV6"
	[ -s "$TMP/out" ] && fail "$mode: events on standard output too"
	[ "$(counted delivered "$TMP/err")" = "$EVENTS" ] || fail "$mode: summary: $(grep '^redis:' "$TMP/err")"
	[ "$(counted dropped "$TMP/err")" = 0 ] || fail "$mode: dropped events"
	case $mode in
	list)
		# LPUSH: the newest first.
		rcli --raw LRANGE "$key" 0 -1 >"$TMP/$mode.events"
		;;
	rpush)
		rcli --raw LRANGE "$key" 0 -1 >"$TMP/$mode.events"
		[ "$(rcli --raw LINDEX "$key" 0)" = "$(rcli --raw LINDEX pronet-list -1)" ] ||
			fail "rpush's first event is not list's last"
		;;
	channel)
		# --raw: "subscribe KEY 1", then "message KEY EVENT" per event.
		wait_for "$EVENTS messages" sh -c "[ \$(wc -l <'$TMP/subscribed') -ge $((3 + 3 * EVENTS)) ]"
		kill "$subscriber"
		wait "$subscriber" 2>/dev/null
		awk 'NR > 3 && (NR - 3) % 3 == 0' "$TMP/subscribed" >"$TMP/$mode.events"
		;;
	stream)
		# --raw: ID, field, value per entry; the field is Suricata's "eve".
		rcli --raw XRANGE "$key" - + >"$TMP/stream.raw"
		awk 'NR % 3 == 0' "$TMP/stream.raw" >"$TMP/$mode.events"
		fields=$(awk 'NR % 3 == 2' "$TMP/stream.raw" | sort -u)
		[ "$fields" = eve ] || fail "stream fields are '$fields', not eve"
		;;
	esac
	same_events "$mode" "$TMP/$mode.events" "$TMP/file.json"
done

# --threads 2: the workers' lines reach Redis through the one writer, each
# event once, and the summary counts them all.
expect_status 0 "--threads 2" "$PRONET" classify --threads 2 --redis "$ADDRESS" --redis-mode rpush \
	--redis-key pronet-threads --redis-batch-size 7 "$MIXED" "$UNKNOWN" "$IPV6"
[ "$(counted delivered "$TMP/err")" = "$EVENTS" ] || fail "--threads 2: summary: $(grep '^redis:' "$TMP/err")"
rcli --raw LRANGE pronet-threads 0 -1 >"$TMP/threads.events"
# Order aside, and but for what a worker learns across flows (compare_threaded).
compare_threaded "$TMP/file.json" "$TMP/threads.events" "--threads 2 to Redis"

# --events ndpid --threads 2: nDPId's events, one Redis value each (no
# framing), as many as the file output has.
expect_status 0 "--events ndpid to a file" "$PRONET" classify -q --events ndpid "$MIXED"
NDPID_EVENTS=$(grep -c . "$TMP/out")
expect_status 0 "--events ndpid --threads 2" "$PRONET" classify -q --events ndpid --threads 2 \
	--redis "$ADDRESS" --redis-mode rpush --redis-key pronet-ndpid "$MIXED"
[ "$(rcli LLEN pronet-ndpid)" = "$NDPID_EVENTS" ] ||
	fail "--events ndpid: $(rcli LLEN pronet-ndpid) values, the file has $NDPID_EVENTS events"
[ "$(rcli --raw LINDEX pronet-ndpid 0 | cut -c1-15)" = '{"flow_event_id' ] ||
	fail "--events ndpid: a value is not an nDPId event"
expect_status 2 "--ndpid-framing --redis" "$PRONET" classify --events ndpid --ndpid-framing \
	--redis "$ADDRESS" "$MIXED"

# XADD MAXLEN ~ 5: trimmed to 5 give or take a node of 4 entries.
expect_status 0 "stream-maxlen" "$PRONET" classify -q --redis "$ADDRESS" --redis-mode stream \
	--redis-key pronet-trimmed --redis-stream-maxlen 5 "$MIXED"
length=$(rcli XLEN pronet-trimmed)
[ "$length" -ge 5 ] && [ "$length" -le 9 ] || fail "--redis-stream-maxlen 5: XLEN $length"

# --- the server killed mid-run and restarted ---------------------------------
# classify reads MIXED, then part1 and part2 (FIFOs: it waits at each until
# the test writes it). MIXED's events reach the first server; the server is
# killed; UNKNOWN (through part1) finds it gone and overflows a backlog of 10;
# the server comes back; IPV6 (part2) and the backlog reach it.
mkfifo "$TMP/part1.pcap" "$TMP/part2.pcap" || exit 99
(cat "$UNKNOWN" >"$TMP/part1.pcap" && cat "$IPV6" >"$TMP/part2.pcap") &
feeder=$!
"$PRONET" classify -q -o "$TMP/parts.json" "$MIXED" "$TMP/part1.pcap" "$TMP/part2.pcap" ||
	fail "classify through FIFOs to a file"
wait "$feeder"
TOTAL=$(wc -l <"$TMP/parts.json")
FIRST=$(grep -c "loopback-mixed.pcap" "$TMP/parts.json")

"$PRONET" classify --redis "$ADDRESS" --redis-key pronet-fault --redis-backlog 10 \
	"$MIXED" "$TMP/part1.pcap" "$TMP/part2.pcap" >"$TMP/fault.out" 2>"$TMP/fault.err" &
classify=$!
# Until the first capture's events stop arriving (all of them, or what the
# socket took before classify waited on part1: the rest stays in the backlog).
settled() {
	before=$(rcli LLEN pronet-fault)
	sleep 1
	after=$(rcli LLEN pronet-fault)
	[ "$after" -gt 0 ] && [ "$after" = "$before" ]
}
wait_for "the first capture's events" settled
rcli --raw LRANGE pronet-fault 0 -1 >"$TMP/fault-first.events"
kill -KILL "$SERVER"
wait "$SERVER" 2>/dev/null
SERVER=
cat "$UNKNOWN" >"$TMP/part1.pcap"
wait_for "the backlog to fill" grep -q "backlog full" "$TMP/fault.err"
start_server "$PORT" || fail "redis-server did not start again on $PORT"
cat "$IPV6" >"$TMP/part2.pcap"
wait "$classify"
status=$?
rcli --raw LRANGE pronet-fault 0 -1 >"$TMP/fault-second.events"

[ "$status" -eq 1 ] || fail "the fault run exited $status, not 1 (events were dropped)"
expect_in "$TMP/fault.err" "redis $ADDRESS: connection lost" "the lost server"
expect_in "$TMP/fault.err" "redis $ADDRESS: connected after" "the reconnection"
expect_in "$TMP/fault.err" "events dropped" "the drops"
delivered=$(counted delivered "$TMP/fault.err")
dropped=$(counted dropped "$TMP/fault.err")
events=$(counted events "$TMP/fault.err")
[ "$events" = "$TOTAL" ] || fail "the fault run counted $events events, the file has $TOTAL"
[ $((delivered + dropped)) -eq "$TOTAL" ] ||
	fail "delivered $delivered + dropped $dropped is not the $TOTAL events"
[ "$dropped" -gt 0 ] || fail "a backlog of 10 dropped nothing"
[ "$(counted reconnects "$TMP/fault.err")" = 1 ] || fail "not one reconnect: $(grep '^redis:' "$TMP/fault.err")"
cat "$TMP/fault-first.events" "$TMP/fault-second.events" >"$TMP/fault.events"
[ "$(wc -l <"$TMP/fault.events")" -eq "$delivered" ] ||
	fail "the servers hold $(wc -l <"$TMP/fault.events") events, the summary says $delivered delivered"
[ -z "$(sort "$TMP/fault.events" | uniq -d)" ] || fail "an event was delivered twice"
sort -u "$TMP/parts.json" >"$TMP/parts.sorted"
sort -u "$TMP/fault.events" >"$TMP/fault.sorted"
[ -z "$(comm -23 "$TMP/fault.sorted" "$TMP/parts.sorted")" ] ||
	fail "the servers hold events the file output lacks"
echo "fault run: $TOTAL events, $(wc -l <"$TMP/fault-first.events") to the first server, $delivered delivered, $dropped dropped"

# --- a server that refuses, none, a hung one ---------------------------------
rcli SET pronet-string x >/dev/null
expect_status 1 "refused" timeout 60 "$PRONET" classify --redis "$ADDRESS" --redis-key pronet-string "$MIXED"
expect_in "$TMP/err" "WRONGTYPE" "the refusal"
[ "$(counted refused "$TMP/err")" = "$FIRST" ] || fail "refused: $(grep '^redis:' "$TMP/err")"

DEAD=$((PORT + 1))
[ "$(redis-cli -h 127.0.0.1 -p "$DEAD" PING 2>/dev/null)" = PONG ] && DEAD=$((PORT + 2))
expect_status 1 "no server" timeout 60 "$PRONET" classify --redis "127.0.0.1:$DEAD" --redis-timeout 300 "$MIXED"
expect_in "$TMP/err" "redis 127.0.0.1:$DEAD: cannot connect: Connection refused" "no server"
[ "$(counted undelivered "$TMP/err")" = "$FIRST" ] || fail "no server: $(grep '^redis:' "$TMP/err")"

kill -STOP "$SERVER"
expect_status 1 "hung server" timeout 60 "$PRONET" classify --redis "$ADDRESS" --redis-key pronet-hung \
	--redis-timeout 300 "$MIXED"
kill -CONT "$SERVER"
expect_in "$TMP/err" "no reply in 300 ms" "the hung server"
[ "$(counted dropped "$TMP/err")" = "$FIRST" ] || fail "hung server: $(grep '^redis:' "$TMP/err")"

# --- usage -------------------------------------------------------------------
expect_status 2 "-o and --redis" "$PRONET" classify -o "$TMP/x.json" --redis "$ADDRESS" "$MIXED"
expect_status 2 "--redis-key alone" "$PRONET" classify --redis-key k "$MIXED"
expect_status 2 "bad mode" "$PRONET" classify --redis "$ADDRESS" --redis-mode queue "$MIXED"
expect_in "$TMP/err" "queue" "the bad mode"
expect_status 2 "batch size 0" "$PRONET" classify --redis "$ADDRESS" --redis-batch-size 0 "$MIXED"
expect_status 1 "bad port" "$PRONET" classify --redis 127.0.0.1:70000 "$MIXED"
expect_in "$TMP/err" "70000" "the bad port"
finish
echo "redis: $EVENTS events in each of list, rpush, channel, stream; the fault run accounted"
