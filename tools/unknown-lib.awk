# Shared by tools/unknown-truth.sh and tools/unknown-score.sh: the flow key
# that matches one flow across pronet flows, pronet classify's EVE lines,
# tshark and ndpiReader. A key is "L4 VLAN LOW HIGH" (tab-separated): L4 as
# pronet names it (TCP, UDP), the innermost VLAN ID (0 for none), and the
# flow's two ends as "ip:port" ("[ip]:port" for IPv6), the smaller string
# first, so that either direction gives the same key.

# endpoint(ip, port): "ip:port", or "[ip]:port" when ip is IPv6.
function endpoint(ip, port) {
	if (index(ip, ":") && substr(ip, 1, 1) != "[")
		ip = "[" ip "]"
	return ip ":" (port + 0)
}

# flow_key(l4, vlan, a, b): the key of a flow between endpoints a and b.
function flow_key(l4, vlan, a, b) {
	return l4 "\t" (vlan + 0) "\t" (a < b ? a "\t" b : b "\t" a)
}

# capture_name(path): the capture's file name, without its directory.
function capture_name(path) {
	sub(/.*\//, "", path)
	return path
}

# endpoint_text(s): endpoint() of "ip:port" or "[ip]:port" as pronet flows
# and ndpiReader print it.
function endpoint_text(s,  colon) {
	colon = match(s, /:[0-9]+$/)
	return endpoint(substr(s, 1, colon - 1), substr(s, colon + 1))
}
