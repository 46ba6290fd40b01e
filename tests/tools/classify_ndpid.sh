#!/bin/sh
# `pronet classify --events ndpid` on tests/data: nDPId's flow events.
#  - every kind appears where the captures make it: new and end/idle for
#    every flow, detected on loopback-mixed's DPI-named flows, not-detected
#    on loopback-unknown's with the shipped model (it abstains there),
#    guessed there with a model trained here on loopback-mixed (it names
#    them; --threshold 0.3);
#  - every event holds the fields nDPId's schema requires
#    (schema/flow_event_schema.json at github.com/utoni/nDPId, which is not
#    in Debian: its lists are copied below and checked with jq), no
#    top-level field the schema does not name but "pronet", no "ndpi"
#    member it does not name, and the values it bounds within bounds;
#  - per flow: new first, one of detected / guessed / not-detected, end or
#    idle last; end only for TCP; as many flows as the EVE output has;
#  - --threads 2: the same events per flow, on both workers;
#  - --ndpid-framing: each line behind its 5-digit length (JSON + newline);
#  - bad option combinations are usage errors (2).
# --redis with --events ndpid: tests/tools/redis.sh.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
command -v jq >/dev/null 2>&1 || { echo "classify_ndpid.sh: jq not found (Debian jq)" >&2; exit 99; }
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
unset PRONET_MODEL PRONET_PACKETS PRONET_THRESHOLD
DATA="$top_srcdir/tests/data"
MIXED="$DATA/loopback-mixed.pcap"
UNKNOWN="$DATA/loopback-unknown.pcap"
IPV6="$DATA/loopback-ipv6.pcap"

# nDPId's schema: the top-level fields it requires of every flow event,
# those it requires of new/end/idle, every field it names, and the "ndpi"
# object's required and named members.
REQUIRED='["alias","source","thread_id","packet_id","flow_event_id","flow_event_name",
 "flow_id","flow_state","flow_src_packets_processed","flow_dst_packets_processed",
 "flow_first_seen","flow_src_last_pkt_time","flow_dst_last_pkt_time","flow_idle_time",
 "flow_src_min_l4_payload_len","flow_dst_min_l4_payload_len","flow_src_max_l4_payload_len",
 "flow_dst_max_l4_payload_len","flow_src_tot_l4_payload_len","flow_dst_tot_l4_payload_len",
 "l3_proto","l4_proto","midstream","thread_ts_usec","src_ip","dst_ip"]'
REQUIRED_LIFE='["flow_datalink","flow_max_packets"]'
NAMED='["alias","uuid","source","thread_id","packet_id","vlan_id","flow_event_id",
 "flow_event_name","flow_id","flow_state","flow_datalink","flow_src_packets_processed",
 "flow_dst_packets_processed","flow_max_packets","flow_first_seen","flow_src_last_pkt_time",
 "flow_dst_last_pkt_time","flow_idle_time","flow_src_min_l4_payload_len",
 "flow_dst_min_l4_payload_len","flow_src_max_l4_payload_len","flow_dst_max_l4_payload_len",
 "flow_src_tot_l4_payload_len","flow_dst_tot_l4_payload_len","l3_proto","l4_proto","midstream",
 "thread_ts_usec","src_ip","dst_ip","src_port","dst_port","ndpi","data_analysis"]'
NDPI_REQUIRED='["proto","proto_id","breed","encrypted"]'
NDPI_NAMED='["proto","proto_id","proto_by_ip","proto_by_ip_id","stream_content","category",
 "category_id","encrypted","breed","flow_risk","confidence","entropy","domainame","hostname",
 "collectd","dhcp","discord","bittorrent","mdns","mikrotik","natpmp","ntp","ubntac2","kerberos",
 "telnet","tls","quic","imap","http","pop","smtp","dns","ftp","sip","snmp","ssdp","ssh","stun",
 "softether","tftp","tivoconnect","rsh"]'

# check_schema FILE WHAT: every event of FILE against the lists above.
check_schema() {
	jq -r --argjson required "$REQUIRED" --argjson life "$REQUIRED_LIFE" \
		--argjson named "$NAMED" --argjson ndpi_required "$NDPI_REQUIRED" \
		--argjson ndpi_named "$NDPI_NAMED" '
		def ids: {"new": 1, "end": 2, "idle": 3, "guessed": 6, "detected": 7, "not-detected": 9};
		def missing($list): [$list[] as $k | select(has($k) | not) | $k];
		. as $e | "\(.flow_event_name) \(.flow_id): " as $at |
		(missing($required) | select(length > 0) | $at + "lacks \(.)"),
		(select(.flow_event_name | IN("new", "end", "idle")) |
			missing($life) | select(length > 0) | $at + "lacks \(.)"),
		(select(.flow_state == "finished" or
			(.flow_event_name | IN("guessed", "detected", "not-detected"))) |
			if has("ndpi") then (.ndpi | missing($ndpi_required) | select(length > 0) |
				$at + "ndpi lacks \(.)") else $at + "no ndpi" end),
		([keys[] | select(. as $k | $named + ["pronet"] | index($k) | not)] |
			select(length > 0) | $at + "fields the schema does not name: \(.)"),
		(select(has("ndpi")) | [.ndpi | keys[] | select(. as $k | $ndpi_named | index($k) | not)] |
			select(length > 0) | $at + "ndpi members the schema does not name: \(.)"),
		(select(ids[$e.flow_event_name] != $e.flow_event_id) | $at + "flow_event_id \(.flow_event_id)"),
		(select(.flow_state | IN("info", "finished") | not) | $at + "flow_state \(.flow_state)"),
		(select(.l3_proto | IN("ip4", "ip6") | not) | $at + "l3_proto \(.l3_proto)"),
		(select(.thread_id < 0 or .thread_id > 31 or .flow_id < 1 or .flow_idle_time < 1) |
			$at + "thread_id, flow_id or flow_idle_time out of bounds"),
		(select(.midstream | IN(0, 1) | not) | $at + "midstream \(.midstream)"),
		(select((.src_port // 1) < 1 or (.src_port // 1) > 65535 or
			(.dst_port // 1) < 1 or (.dst_port // 1) > 65535) | $at + "a port out of bounds"),
		(select(has("ndpi")) | select(.ndpi.encrypted | IN(0, 1) | not) | $at + "ndpi.encrypted"),
		(select(has("ndpi") and (.ndpi.proto_id | type) != "string") | $at + "ndpi.proto_id not a string"),
		(select(.flow_src_min_l4_payload_len > .flow_src_max_l4_payload_len or
			.flow_src_max_l4_payload_len > .flow_src_tot_l4_payload_len) | $at + "src payload lengths"),
		(select(.flow_src_last_pkt_time < .flow_first_seen or
			.flow_dst_last_pkt_time < .flow_first_seen or
			.thread_ts_usec < .flow_src_last_pkt_time) | $at + "times out of order")
		' "$1" >"$TMP/schema.out" 2>"$TMP/jq.err" || fail "$2: jq: $(cat "$TMP/jq.err")"
	if [ -s "$TMP/schema.out" ]; then
		fail "$2: $(grep -c . "$TMP/schema.out") schema violations"
		head -5 "$TMP/schema.out" >&2
	fi
}

# check_lives FILE WHAT: per flow, new first, one verdict event, end or idle
# last, and end only for TCP.
check_lives() {
	jq -r -s '
		group_by(.flow_id)[] | . as $events | map(.flow_event_name) as $names |
		"flow \($events[0].flow_id) (\($names | join(" ")))" as $at |
		(select(length != 3) | $at + ": not 3 events"),
		(select($names[0] != "new") | $at + ": not new first"),
		(select($names[1] | IN("detected", "guessed", "not-detected") | not) |
			$at + ": no verdict event second"),
		(select($names[-1] | IN("end", "idle") | not) | $at + ": not end or idle last"),
		(select($names[-1] == "end" and $events[-1].l4_proto != "tcp") | $at + ": end but not TCP"),
		(select($events[-1].flow_state != "finished") | $at + ": not finished at its end")
		' "$1" >"$TMP/lives.out" 2>"$TMP/jq.err" || fail "$2: jq: $(cat "$TMP/jq.err")"
	if [ -s "$TMP/lives.out" ]; then
		fail "$2: $(grep -c . "$TMP/lives.out") flows out of order"
		head -5 "$TMP/lives.out" >&2
	fi
}

# count NAME FILE: events named NAME.
count() {
	jq -r .flow_event_name "$2" | grep -cx "$1"
}

# --- the shipped model ---------------------------------------------------------------------
expect_status 0 "classify --events ndpid" "$PRONET" classify -q --events ndpid "$MIXED" "$UNKNOWN" "$IPV6"
cp "$TMP/out" "$TMP/shipped.json"
expect_status 0 "classify (EVE)" "$PRONET" classify -q "$MIXED" "$UNKNOWN" "$IPV6"
flows=$(grep -c . "$TMP/out")
check_schema "$TMP/shipped.json" "shipped model"
check_lives "$TMP/shipped.json" "shipped model"
[ "$(count new "$TMP/shipped.json")" = "$flows" ] || fail "$(count new "$TMP/shipped.json") new events, $flows flows"
# loopback-mixed: nDPI names every flow by DPI (tests/data/README.md).
jq -c 'select(.source | endswith("loopback-mixed.pcap"))' "$TMP/shipped.json" >"$TMP/mixed.json"
mixed_flows=$(count new "$TMP/mixed.json")
[ "$(count detected "$TMP/mixed.json")" = "$mixed_flows" ] ||
	fail "loopback-mixed: $(count detected "$TMP/mixed.json") detected of $mixed_flows flows"
# loopback-unknown: nDPI names none and the shipped model abstains on all.
jq -c 'select(.source | endswith("loopback-unknown.pcap"))' "$TMP/shipped.json" >"$TMP/unknown.json"
unknown_flows=$(count new "$TMP/unknown.json")
[ "$unknown_flows" -gt 0 ] && [ "$(count not-detected "$TMP/unknown.json")" = "$unknown_flows" ] ||
	fail "loopback-unknown: $(count not-detected "$TMP/unknown.json") not-detected of $unknown_flows flows"
jq -e -s 'map(select(.flow_event_name == "not-detected")) | all(.pronet.source == "none" and
	.pronet.abstain != null and .ndpi.proto == "Unknown")' "$TMP/unknown.json" >/dev/null ||
	fail "a not-detected event names a protocol or lacks pronet's abstention"
for kind in end idle; do
	[ "$(count "$kind" "$TMP/shipped.json")" -gt 0 ] || fail "no $kind event"
done
# A detected DNS flow carries nDPI's own block (nested into "ndpi" as nDPId's schema has it).
jq -e -s 'any(.flow_event_name == "detected" and .ndpi.proto == "DNS" and .ndpi.dns.query != null)' \
	"$TMP/shipped.json" >/dev/null || fail "no detected DNS flow with its ndpi.dns block"

# --- a model that names loopback-unknown's flows: guessed ------------------------------------
expect_status 0 "label" "$PRONET" label -q "$MIXED" -o "$TMP/mixed.ds"
expect_status 0 "train" "$PRONET" train "$TMP/mixed.ds" -o "$TMP/model.pronet" \
	--embed-dim 8 --filters 8 --ngram-buckets 256 --batch-size 16 --steps 200 \
	--learning-rate 0.01 --seed 7
expect_status 0 "classify -m --events ndpid" "$PRONET" classify -q -m "$TMP/model.pronet" \
	--threshold 0.3 --events ndpid "$UNKNOWN"
cp "$TMP/out" "$TMP/guessed.json"
check_schema "$TMP/guessed.json" "trained model"
check_lives "$TMP/guessed.json" "trained model"
guessed=$(count guessed "$TMP/guessed.json")
[ "$guessed" -gt 0 ] || fail "the trained model guessed no flow"
jq -e -s 'map(select(.flow_event_name == "guessed")) | all(.pronet.source == "pronet" and
	.pronet.model.label == .ndpi.proto and .pronet.protocol == .ndpi.proto)' "$TMP/guessed.json" \
	>/dev/null || fail "a guessed event's ndpi.proto is not pronet's label"

# --- two threads -------------------------------------------------------------------------------
expect_status 0 "--threads 2 --events ndpid" "$PRONET" classify -q --threads 2 --events ndpid "$MIXED"
cp "$TMP/out" "$TMP/threads.json"
check_schema "$TMP/threads.json" "--threads 2"
check_lives "$TMP/threads.json" "--threads 2"
# loopback-mixed's verdicts rest on no cross-flow state: the same events per flow.
jq -r '"\(.flow_id) \(.flow_event_name) \(.ndpi.proto // "")"' "$TMP/mixed.json" | sort >"$TMP/one.events"
jq -r '"\(.flow_id) \(.flow_event_name) \(.ndpi.proto // "")"' "$TMP/threads.json" | sort >"$TMP/two.events"
cmp -s "$TMP/one.events" "$TMP/two.events" ||
	fail "--threads 2: other events: $(diff "$TMP/one.events" "$TMP/two.events" | head -3)"
[ "$(jq -r .thread_id "$TMP/threads.json" | sort -u | tr '\n' ' ')" = "0 1 " ] ||
	fail "--threads 2: thread_id not 0 and 1"

# --- nDPIsrvd's framing --------------------------------------------------------------------------
expect_status 0 "--events ndpid, one capture" "$PRONET" classify -q --events ndpid "$MIXED"
cp "$TMP/out" "$TMP/plain.json"
expect_status 0 "--ndpid-framing" "$PRONET" classify -q --events ndpid --ndpid-framing "$MIXED"
awk '{ if ($0 !~ /^[0-9][0-9][0-9][0-9][0-9]\{/ || substr($0, 1, 5) + 0 != length($0) - 5 + 1) bad++ }
	END { exit bad > 0 }' "$TMP/out" || fail "--ndpid-framing: a line's prefix is not its length"
cut -c6- "$TMP/out" | cmp -s - "$TMP/plain.json" || fail "--ndpid-framing: the events behind the prefixes differ"
# The check can fail: a prefix off by one.
printf '00010{"a":1}\n' | awk '{ if (substr($0, 1, 5) + 0 != length($0) - 5 + 1) bad++ } END { exit bad == 0 }' ||
	fail "the framing check passes a wrong prefix"

# --- the checks can fail --------------------------------------------------------------------------
# One event without its alias and with a field nDPId does not know; one
# flow without its end.
jq -c 'if .flow_event_name == "detected" and (input_line_number == 2) then del(.alias) | .extra = 1
	else . end' "$TMP/plain.json" >"$TMP/bad-schema.json"
saved=$failures
check_schema "$TMP/bad-schema.json" "tampered" 2>/dev/null
[ "$failures" -eq $((saved + 1)) ] && [ "$(grep -c . "$TMP/schema.out")" -eq 2 ] ||
	{ failures=$saved; fail "check_schema missed a lacking alias or an unknown field"; }
failures=$saved
first_end=$(grep -n -m 1 '"flow_event_name":"end"' "$TMP/plain.json" | cut -d: -f1)
sed "${first_end}d" "$TMP/plain.json" >"$TMP/bad-lives.json"
check_lives "$TMP/bad-lives.json" "tampered" 2>/dev/null
[ "$failures" -eq $((saved + 1)) ] || { failures=$saved; fail "check_lives missed a flow without its end"; }
failures=$saved

# --- usage -------------------------------------------------------------------------------------
expect_status 2 "--events bad" "$PRONET" classify --events suricata "$MIXED"
expect_in "$TMP/err" "suricata" "--events names the bad format"
expect_status 2 "--ndpid-framing alone" "$PRONET" classify --ndpid-framing "$MIXED"
expect_in "$TMP/err" "--events ndpid" "--ndpid-framing needs --events ndpid"
finish
echo "classify_ndpid.sh: $flows flows, $(grep -c . "$TMP/shipped.json") nDPId events, $guessed guessed"
