#!/bin/sh
# tools/unknown-score.sh on a hand-made truth and EVE file (every rule of
# matching and counting, asserted as table rows), and tools/unknown-truth.sh
# on two small corpus captures (tshark names one capture's Unknown flows; the
# other is a single-application capture).
set -u
: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
tools=$top_srcdir/tools

# The truth: tshark names seven flows of a.pcap, single-app five of b.pcap
# and c.pcap (one application each, as tools/unknown-truth.sh writes them).
tab=$(printf '\t')
sed "s/ /$tab/g" >"$TMP/truth.tsv" <<'TRUTH'
# a comment line, as the truth's report lines are
tshark a.pcap UDP 0 10.0.0.1:5000 10.0.0.2:427 srvloc
tshark a.pcap UDP 0 10.0.0.1:5001 10.0.0.3:3478 STUN
tshark a.pcap TCP 7 [fe80::1]:80 [fe80::2]:40000 HTTP
tshark a.pcap UDP 0 10.0.0.1:5002 10.0.0.4:9999 mojito
tshark a.pcap UDP 0 10.0.0.1:5003 10.0.0.5:53 DNS
tshark a.pcap UDP 0 10.0.0.1:5004 10.0.0.6:1 STUN
tshark a.pcap UDP 0 10.0.0.1:5005 10.0.0.7:2 STUN
single-app b.pcap UDP 0 10.1.0.1:1000 10.1.0.2:2000 Gnutella
single-app b.pcap UDP 0 10.1.0.1:1001 10.1.0.2:2001 Gnutella
single-app b.pcap UDP 0 10.1.0.1:1002 10.1.0.2:2002 Gnutella
single-app b.pcap UDP 0 10.1.0.1:1003 10.1.0.2:2003 Gnutella
single-app c.pcap TCP 0 10.2.0.1:1000 10.2.0.2:443 Discord
TRUTH
# The classes of the model: srvloc, mojito and Discord are none of them.
printf '%s\n' STUN HTTP TLS DNS Gnutella Skype_Teams >"$TMP/classes"

# event CAPTURE PROTO VLAN SRC SPORT DST DPORT NDPI VERDICT SOURCE
event() {
	vlan=
	[ "$3" = 0 ] || vlan="\"vlan\":[$3],"
	printf '{"event_type":"flow","pcap_filename":"dir/%s","proto":"%s",%s"src_ip":"%s","src_port":%s,"dest_ip":"%s","dest_port":%s,"ndpi":{"protocol":"%s"},"verdict":{"protocol":"%s","source":"%s"}}\n' \
		"$1" "$2" "$vlan" "$4" "$5" "$6" "$7" "$8" "$9" "${10}"
}
{
	# srvloc (no class covers it): abstained.
	event a.pcap UDP 0 10.0.0.1 5000 10.0.0.2 427 Unknown Unknown none
	# STUN, the other direction: named right.
	event a.pcap UDP 0 10.0.0.3 3478 10.0.0.1 5001 Unknown STUN pronet
	# HTTP over IPv6 in VLAN 7, the other direction: named wrong (TLS).
	event a.pcap TCP 7 fe80::2 40000 fe80::1 80 Unknown TLS pronet
	# mojito (no class covers it): named anyway.
	event a.pcap UDP 0 10.0.0.1 5002 10.0.0.4 9999 Unknown Skype_Teams pronet
	# nDPI named this one in the run: not judged.
	event a.pcap UDP 0 10.0.0.1 5003 10.0.0.5 53 DNS DNS ndpi
	# (10.0.0.1:5004 is not in the run: not judged.)
	# Two flows of one key: not judged.
	event a.pcap UDP 0 10.0.0.1 5005 10.0.0.7 2 Unknown Unknown none
	event a.pcap UDP 0 10.0.0.7 2 10.0.0.1 5005 Unknown STUN pronet
	# b.pcap (Gnutella): the model right, the endpoint source right, the
	# model wrong, a per-flow model right.
	event b.pcap UDP 0 10.1.0.1 1000 10.1.0.2 2000 Unknown Gnutella pronet
	event b.pcap UDP 0 10.1.0.1 1001 10.1.0.2 2001 Unknown Gnutella pronet-endpoint
	event b.pcap UDP 0 10.1.0.1 1002 10.1.0.2 2002 Unknown Skype_Teams pronet
	event b.pcap UDP 0 10.1.0.1 1003 10.1.0.2 2003 Unknown Gnutella pronet-flow
	# c.pcap (Discord, no class covers it): TLS.Discord is right.
	event c.pcap TCP 0 10.2.0.1 1000 10.2.0.2 443 Unknown TLS.Discord pronet-endpoint
	# A flow the truth does not know: not counted.
	event b.pcap UDP 0 10.1.0.1 1009 10.1.0.2 2009 Unknown Gnutella pronet
} >"$TMP/eve.json"

expect_status 0 "unknown-score.sh" \
	"$tools/unknown-score.sh" -t "$TMP/truth.tsv" -c "$TMP/classes" -r test "$TMP/eve.json"
cp "$TMP/out" "$TMP/table"
# Columns: truth, capture, verdicts, judged, named, right, precision, recall,
# named share, uncovered, abstain share, named most.
awk '$1 == "test" && $3 != "not" { $1 = ""; sub(/^ /, ""); gsub(/  +/, " "); print }' \
	"$TMP/table" >"$TMP/rows"
cat >"$TMP/expected" <<'ROWS'
tshark all pronet* 4 3 1 0.333 0.250 0.750 2 0.500 STUN 1
tshark all pronet 4 3 1 0.333 0.250 0.750 2 0.500 STUN 1
tshark all pronet-endpoint 4 0 0 - 0.000 0.000 2 1.000 -
tshark all pronet-flow 4 0 0 - 0.000 0.000 2 1.000 -
single-app all pronet* 5 5 4 0.800 0.800 1.000 1 0.000 Gnutella 3
single-app all pronet 5 2 1 0.500 0.200 0.400 1 1.000 Gnutella 1
single-app all pronet-endpoint 5 2 2 1.000 0.400 0.400 1 0.000 Gnutella 1
single-app all pronet-flow 5 1 1 1.000 0.200 0.200 1 1.000 Gnutella 1
single-app b.pcap pronet* 4 4 3 0.750 0.750 1.000 0 - Gnutella 3
single-app c.pcap pronet* 1 1 1 1.000 1.000 1.000 1 0.000 TLS.Discord 1
ROWS
cmp -s "$TMP/rows" "$TMP/expected" || {
	fail "unknown-score.sh: table rows differ (expected, got):"
	diff "$TMP/expected" "$TMP/rows" >&2
}
expect_in "$TMP/table" "tshark     not judged: 1 flows not in the run, 1 with a repeated key, 1 named by nDPI in the run" \
	"unknown-score.sh: the flows not judged"

expect_status 2 "unknown-score.sh without a truth" "$tools/unknown-score.sh" -c "$TMP/classes"
echo '{"event_type":' >"$TMP/broken.json"
expect_status 1 "unknown-score.sh on broken JSON" \
	"$tools/unknown-score.sh" -t "$TMP/truth.tsv" -c "$TMP/classes" "$TMP/broken.json"

# unknown-eval.sh refuses a run it does not have before doing anything.
expect_status 2 "unknown-eval.sh -r with an unknown run" "$tools/unknown-eval.sh" \
	-p "$PRONET" -C "$TMP" -R "$top_srcdir/rules" -s /nonexistent.so -n /nonexistent \
	-o "$TMP/eval.txt" -r by-family,nightly
expect_in "$TMP/err" "no run 'nightly'" "unknown-eval.sh names the unknown run"
[ ! -e "$TMP/eval.txt" ] || fail "unknown-eval.sh wrote its output for a refused run"

# The truth on the corpus: oicq.pcap (29 Unknown flows tshark names oicq, no
# DPI-named flow), kerberos.pcap (11 DPI-named Kerberos flows, 2 Unknown) and
# gnutella.pcap (77 Unknown flows tshark names mojito, Gnutella's DHT
# messages: mojito in the strict truth, Gnutella in tshark-app).
require_corpus
command -v "${TSHARK:-tshark}" >/dev/null ||
	{ echo "FAIL: tshark not found (Debian package tshark, tools/debian-packages)" >&2; exit 1; }
expect_status 0 "unknown-truth.sh" "$tools/unknown-truth.sh" -p "$PRONET" -o "$TMP/corpus-truth.tsv" \
	"$CORPUS/oicq.pcap" "$CORPUS/kerberos.pcap" "$CORPUS/gnutella.pcap"
truth=$TMP/corpus-truth.tsv
[ "$(grep -c "^tshark${tab}oicq.pcap${tab}UDP${tab}.*${tab}oicq\$" "$truth")" -eq 29 ] ||
	fail "unknown-truth.sh: not 29 oicq flows by tshark in oicq.pcap"
[ "$(grep -c "^tshark-app${tab}oicq.pcap${tab}UDP${tab}.*${tab}oicq\$" "$truth")" -eq 29 ] ||
	fail "unknown-truth.sh: not 29 oicq flows by tshark-app in oicq.pcap (no mapping)"
[ "$(grep -c "^tshark${tab}gnutella.pcap${tab}UDP${tab}.*${tab}mojito\$" "$truth")" -eq 77 ] ||
	fail "unknown-truth.sh: not 77 mojito flows by strict tshark in gnutella.pcap"
[ "$(grep -c "^tshark-app${tab}gnutella.pcap${tab}UDP${tab}.*${tab}Gnutella\$" "$truth")" -eq 77 ] ||
	fail "unknown-truth.sh: not 77 mojito flows judged Gnutella by tshark-app in gnutella.pcap"
! grep -q "^tshark-app${tab}.*${tab}mojito\$" "$truth" ||
	fail "unknown-truth.sh: a mojito flow left unmapped in tshark-app"
expect_in "$truth" "tshark-app: tshark's names, but mojito=Gnutella" \
	"unknown-truth.sh: the report says which names tshark-app maps"
expect_in "$truth" "# single-app${tab}kerberos.pcap${tab}Kerberos${tab}11/11 DPI-named flows, 2 Unknown" \
	"unknown-truth.sh: kerberos.pcap is a single-application capture"
[ "$(grep -c "^single-app${tab}kerberos.pcap${tab}.*${tab}Kerberos\$" "$truth")" -eq 2 ] ||
	fail "unknown-truth.sh: not 2 single-app Kerberos flows in kerberos.pcap"
expect_in "$truth" "# not single-app${tab}oicq.pcap${tab}-${tab}0/0 DPI-named flows, 29 Unknown${tab}no DPI-named flow past the background" \
	"unknown-truth.sh: oicq.pcap is not a single-application capture, and why"
! grep -q "^single-app${tab}oicq.pcap" "$truth" || fail "unknown-truth.sh: oicq.pcap judged single-app"
expect_status 1 "unknown-truth.sh on a missing capture" \
	"$tools/unknown-truth.sh" -p "$PRONET" -o "$TMP/missing.tsv" "$TMP/no-such.pcap"
expect_in "$TMP/err" "no-such.pcap" "unknown-truth.sh names the missing capture"
expect_in "$TMP/missing.tsv" "# unknown-truth: 0 Unknown flows" "unknown-truth.sh: the truth of no flow"

finish
echo "unknown_eval: scoring and truth as expected"
