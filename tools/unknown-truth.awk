# tools/unknown-truth.sh's rules (described there): reads the tshark name
# table (-v names=FILE), tshark's flows (-v tshark=FILE, unknown-tshark.awk's
# lines) and pronet flows' lines (-f: capture path first), writes the truth.
# Needs unknown-lib.awk and -v background, carriers, min_named, share.
BEGIN {
	FS = "\t"
	OFS = "\t"
	split(background, list, " ")
	for (i in list)
		is_background[list[i]] = 1
	split(carriers, list, " ")
	for (i in list)
		is_carrier[list[i]] = 1
}
FILENAME == names {
	if ($0 ~ /^#/ || NF < 2)
		next
	if ($3 == "application")
		application_name[tolower($1)] = $2
	else
		ndpi_name[tolower($1)] = $2
	next
}
FILENAME == tshark {
	id = $1 FS $2 FS $3 FS $4 FS $5
	if ($7 > best_packets[id] || ($7 == best_packets[id] && $6 < best[id])) {
		best[id] = $6
		best_packets[id] = $7
	}
	next
}
{
	capture = capture_name($1)
	if (!(capture in unknown)) {
		captures[++num_captures] = capture
		unknown[capture] = 0
		named[capture] = 0
	}
	id = capture FS flow_key($2, $5, endpoint_text($3), endpoint_text($4))
	if (++seen[id] > 1)
		next
	if ($7 == "Unknown") {
		unknown[capture]++
		unknown_ids[++num_unknown] = id
		unknown_capture[id] = capture
		next
	}
	if ($8 != "DPI" && $8 != "DPI (cache)")
		next
	master = ""
	app = $7
	dot = index($7, ".")
	if (dot) {
		master = substr($7, 1, dot - 1)
		app = substr($7, dot + 1)
	}
	first = master != "" ? master : app
	if (first in is_background)
		next
	application = (master in is_carrier) ? app : first
	named[capture]++
	flows_of[capture, application]++
	if (flows_of[capture, application] > top_flows[capture] ||
	    (flows_of[capture, application] == top_flows[capture] && application < top[capture])) {
		top[capture] = application
		top_flows[capture] = flows_of[capture, application]
	}
}
function tshark_truth(name) {
	return (tolower(name) in ndpi_name) ? ndpi_name[tolower(name)] : name
}
# The tshark-app truth: tshark's name, or the application that runs the
# protocol as part of its own (the names table's "application" lines).
function tshark_app_truth(name) {
	if (tolower(name) in application_name)
		return application_name[tolower(name)]
	return tshark_truth(name)
}
END {
	print "# unknown-truth: single-app rule: background " background "; carriers " carriers \
		"; at least " min_named " DPI-named flows past the background, at least " share \
		" of them one application, not a carrier"
	mapped = ""
	for (k in application_name)
		mapped = mapped " " k "=" application_name[k]
	print "# unknown-truth: tshark-app: tshark's names, but" mapped \
		" (a protocol judged as the application that runs it; tools/unknown-tshark-names.tsv says why)"
	for (i = 1; i <= num_captures; i++) {
		c = captures[i]
		if (unknown[c] == 0)
			continue
		counts = top_flows[c] + 0 "/" named[c] " DPI-named flows, " unknown[c] " Unknown"
		reason = ""
		if (named[c] == 0)
			reason = "no DPI-named flow past the background"
		else if (named[c] < min_named)
			reason = "fewer than " min_named " DPI-named flows"
		else if (top_flows[c] < share * named[c])
			reason = "no application has " share " of the DPI-named flows"
		else if (top[c] in is_carrier)
			reason = top[c] " is a carrier"
		if (reason == "") {
			single[c] = top[c]
			print "# single-app", c, top[c], counts
		} else if (unknown[c] >= 10)
			print "# not single-app", c, (named[c] ? top[c] : "-"), counts, reason
	}
	for (i = 1; i <= num_unknown; i++) {
		id = unknown_ids[i]
		if (seen[id] > 1) {
			repeated++
			continue
		}
		if (id in best) {
			print "tshark", id, tshark_truth(best[id])
			print "tshark-app", id, tshark_app_truth(best[id])
			tshark_flows++
			if (tshark_app_truth(best[id]) != tshark_truth(best[id]))
				mapped_flows++
		}
		if (unknown_capture[id] in single) {
			print "single-app", id, single[unknown_capture[id]]
			single_flows++
		}
	}
	print "# unknown-truth: " num_unknown + 0 " Unknown flows; judged by tshark " tshark_flows + 0 \
		" (tshark-app: the same, " mapped_flows + 0 " of them judged as an application), by single-app " \
		single_flows + 0 "; not judged, key repeated in its capture: " repeated + 0
}
