# tools/unknown-truth.sh: tshark's per-packet fields (frame.protocols,
# vlan.id, ip.src, ip.dst, ipv6.src, ipv6.dst, tcp.srcport, tcp.dstport,
# udp.srcport, udp.dstport; the innermost occurrence of each) -> per flow and
# protocol name, the packets tshark dissects as that protocol:
#   CAPTURE KEY(4 fields) NAME PACKETS
# The name is the layer right above the packet's innermost TCP or UDP layer;
# packets with nothing above it, "data" or a malformed mark (_ws.*), and ICMP
# errors quoting a datagram, say nothing. Needs unknown-lib.awk and -v capture.
BEGIN {
	FS = "\t"
	OFS = "\t"
	capture = capture_name(capture)
}
{
	n = split($1, layer, ":")
	transport = 0
	for (i = n; i >= 1; i--)
		if (layer[i] == "tcp" || layer[i] == "udp") {
			transport = i
			break
		}
	if (transport == 0 || transport == n)
		next
	network = ""
	for (i = 1; i < transport; i++) {
		if (layer[i] ~ /^icmp/)
			next
		if (layer[i] == "ip" || layer[i] == "ipv6")
			network = layer[i]
	}
	name = layer[transport + 1]
	if (name == "data" || name ~ /^_ws/)
		next
	l4 = toupper(layer[transport])
	if (network == "ipv6") {
		src = $5
		dst = $6
	} else {
		src = $3
		dst = $4
	}
	if (l4 == "TCP") {
		sport = $7
		dport = $8
	} else {
		sport = $9
		dport = $10
	}
	if (src == "" || dst == "" || sport == "" || dport == "")
		next
	packets[flow_key(l4, $2, endpoint(src, sport), endpoint(dst, dport)) SUBSEP name]++
}
END {
	for (k in packets) {
		split(k, part, SUBSEP)
		print capture, part[1], part[2], packets[k]
	}
}
