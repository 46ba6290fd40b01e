# tools/unknown-score.sh: jq's fields of an EVE flow event (capture, proto,
# vlan, src ip, src port, dest ip, dest port, ndpi.protocol, verdict.source,
# verdict.protocol) -> a verdict line: CAPTURE KEY(4 fields) NDPI SOURCE
# PROTOCOL. Needs unknown-lib.awk.
BEGIN {
	FS = "\t"
	OFS = "\t"
}
{
	print capture_name($1), flow_key($2, $3, endpoint($4, $5), endpoint($6, $7)), $8, $9, $10
}
