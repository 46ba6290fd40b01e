# tools/unknown-eval.sh: ndpiReader -v 2's flow lines ("\tN\tL4 A <-> B
# [VLAN: V][proto: ID/NAME]...") of a plain run (-v plain=FILE, read first)
# and of a run with the plugin -> a verdict line per flow of the plugin run:
#   CAPTURE KEY(4 fields) NDPI SOURCE PROTOCOL
# NDPI is the plain run's name (Unknown or not); SOURCE, where the plain run
# left the flow Unknown and the plugin run names it, is the plugin's source
# as its confidence says: "pronet-endpoint" for "DPI (cache)"
# (PRONET_PLUGIN_ENDPOINT_CONFIDENCE), else "pronet" (the model's
# "Unknown"); otherwise "none" or "ndpi".
# Needs unknown-lib.awk and -v capture.
BEGIN {
	OFS = "\t"
}
/^\t[0-9]+\t/ {
	line = $0
	sub(/^\t[0-9]+\t/, "", line)
	split(line, word, " ")
	if (word[3] != "<->" && word[3] != "->")
		next
	vlan = 0
	if (match(line, /\[VLAN: [0-9]+\]/))
		vlan = substr(line, RSTART + 7, RLENGTH - 8)
	if (!match(line, /\[proto: [0-9.]+\/[^]]+\]/))
		next
	name = substr(line, RSTART + 8, RLENGTH - 9)
	sub(/^[0-9.]+\//, "", name)
	key = flow_key(word[1], vlan, endpoint_text(word[2]), endpoint_text(word[4]))
	if (FILENAME == plain) {
		plain_name[key] = name
		next
	}
	ndpi = (key in plain_name) ? plain_name[key] : "Unknown"
	if (ndpi != "Unknown")
		source = "ndpi"
	else
		source = (name == "Unknown") ? "none" : \
			(index(line, "[Confidence: DPI (cache)]") ? "pronet-endpoint" : "pronet")
	print capture, key, ndpi, source, name
}
