#!/bin/sh
# unknown-truth.sh: what the flows nDPI leaves Unknown really are, from
# evidence outside pronet's model (docs/evaluation.md, "Verdicts on the flows
# nDPI leaves Unknown"). Two truths, each a rule over data, no capture named:
#
#   tshark      tshark's dissectors name the flow: per flow, the protocol
#               layer right above its TCP/UDP layer, over the flow's packets
#               (the name most of them carry; ties: the first alphabetically).
#               Packets tshark only sees as "data" (or malformed) say nothing;
#               a flow with no other packet is not judged. Names go through
#               tools/unknown-tshark-names.tsv to nDPI's spelling.
#   tshark-app  the same flows and names, except a protocol that the names
#               table maps to the application that runs it as part of its
#               own protocol (mojito, Gnutella's DHT messages: Gnutella),
#               with the reason beside it. Scored apart from the strict
#               tshark truth, so that both figures are in the table.
#   single-app  the capture's DPI-named flows, past the background protocols
#               below, are one application: its Unknown flows are taken to be
#               that application. A flow is DPI-named when nDPI's confidence
#               is "DPI" or "DPI (cache)" (by port or IP address is a guess).
#               The flow's application is nDPI's master protocol, or its app
#               protocol when the master only carries it (TLS.Discord is
#               Discord, Skype_Teams.SkypeCall is Skype_Teams). A flow whose
#               master (or only protocol) is a background protocol is left
#               out. The capture qualifies when at least MIN_NAMED flows are
#               left, at least SHARE of them have one application, and that
#               application is not a carrier itself (TLS, HTTP, ...: those say
#               how the bytes travel, not which program sent them).
#
# Both judge only the flows `pronet flows` (nDPI 4.2 as ndpiReader drives it)
# leaves Unknown, which no pronet model trains on (the class map excludes
# them). A flow is named by its capture's file name and its key (L4, VLAN,
# both ends; tools/unknown-lib.awk). Keys that repeat within a capture
# (a reused 5-tuple) cannot be matched to one flow: not judged, counted.
#
# Usage: unknown-truth.sh [-p PRONET] [-o TRUTH] CAPTURE...
#   CAPTURE: files, directories or @LISTs, as `pronet flows` takes them.
# Environment: TSHARK (default tshark), JOBS (tshark runs at once, default 2).
# Output (TRUTH, default standard output; written whole or not at all):
#   '#' lines: the rule's parameters, the derived single-application
#   captures with the counts that qualified them, the captures with at least
#   10 Unknown flows that did not qualify and why; then one line per judged
#   flow: SOURCE CAPTURE L4 VLAN END_LOW END_HIGH TRUTH (tab-separated).
# Exit status: 0; 1 when a capture could not be read (said on stderr; the
# truth of the others is written, as pronet flows goes on) or a tool failed
# (nothing written); 2 usage error.
set -eu

# The rule's parameters (documented in docs/evaluation.md).
BACKGROUND="DNS MDNS LLMNR SSDP NetBIOS SMBv1 SMBv23 DHCP DHCPV6 ICMP ICMPV6 IGMP NTP WSD"
CARRIERS="TLS DTLS HTTP HTTP_Proxy HTTP_Connect QUIC STUN"
MIN_NAMED=5
SHARE=0.9

here=$(dirname "$0")
pronet=pronet
out=
while getopts p:o: option; do
	case $option in
	p) pronet=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: unknown-truth.sh [-p PRONET] [-o TRUTH] CAPTURE..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: unknown-truth.sh [-p PRONET] [-o TRUTH] CAPTURE..." >&2; exit 2; }
tshark=${TSHARK:-tshark}
jobs=${JOBS:-2}

work=$(mktemp -d "${TMPDIR:-/tmp}/unknown-truth.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

# nDPI's verdict per flow. Status 1: a capture could not be read (said on
# stderr); the others are still there.
echo "unknown-truth: pronet flows" >&2
flows_status=0
"$pronet" flows -f "$@" >"$work/flows.tsv" || flows_status=$?
[ "$flows_status" -le 1 ] || exit 1

# tshark on each capture that has Unknown TCP or UDP flows: one line per
# packet, the innermost value of each field.
awk -F'\t' '$7 == "Unknown" && ($2 == "TCP" || $2 == "UDP") { print $1 }' "$work/flows.tsv" |
	sort -u >"$work/tshark.captures"
echo "unknown-truth: tshark on $(wc -l <"$work/tshark.captures") captures with Unknown flows" >&2
mkdir "$work/tshark"
# Each run writes tshark/N.tsv (N: the capture's line), so the order of the
# concatenation does not depend on which job ends first. A damaged capture
# makes tshark stop early with a message: the packets before it count.
awk '{ print NR "\t" $0 }' "$work/tshark.captures" |
	TSHARK=$tshark LIB=$here/unknown-lib.awk PACKETS=$here/unknown-tshark.awk DIR=$work/tshark \
		xargs -d '\n' -P "$jobs" -n 1 sh -c '
		n=${1%%	*} capture=${1#*	}
		"$TSHARK" -n -r "$capture" -T fields -E occurrence=l -e frame.protocols \
			-e vlan.id -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport \
			-e tcp.dstport -e udp.srcport -e udp.dstport 2>/dev/null |
			awk -v capture="$capture" -f "$LIB" -f "$PACKETS" >"$DIR/$n.tsv"' sh
awk '{ print NR }' "$work/tshark.captures" | while read -r n; do
	cat "$work/tshark/$n.tsv"
done >"$work/tshark.tsv"

# Everything else in one pass over pronet flows' lines.
awk -v names="$here/unknown-tshark-names.tsv" -v tshark="$work/tshark.tsv" \
	-v background="$BACKGROUND" -v carriers="$CARRIERS" -v min_named="$MIN_NAMED" \
	-v share="$SHARE" -f "$here/unknown-lib.awk" -f "$here/unknown-truth.awk" \
	"$here/unknown-tshark-names.tsv" "$work/tshark.tsv" "$work/flows.tsv" >"$work/truth.tsv"

if [ -n "$out" ]; then
	cp "$work/truth.tsv" "$out.tmp" && mv "$out.tmp" "$out"
else
	cat "$work/truth.tsv"
fi
exit "$flows_status"
