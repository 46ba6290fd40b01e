# tools/unknown-score.sh's scoring (described there): reads the truth
# (-v truth=FILE, tools/unknown-truth.sh's lines) and verdict lines
#   CAPTURE L4 VLAN END_LOW END_HIGH NDPI_PROTOCOL SOURCE PROTOCOL
# and prints the table. Needs -v classes="A B ..." (the classes that cover a
# protocol) and -v run=NAME (the table's first column).
BEGIN {
	FS = "\t"
	OFS = "\t"
	split(classes, list, " ")
	for (i in list)
		covered[tolower(list[i])] = 1
}
FILENAME == truth {
	if ($0 ~ /^#/ || NF < 7)
		next
	truth_ids[++num_truth] = $1 FS $2 FS $3 FS $4 FS $5 FS $6
	truth_of[num_truth] = $7
	next
}
{
	id = $1 FS $2 FS $3 FS $4 FS $5
	if (++verdicts_seen[id] > 1)
		next
	ndpi[id] = $6
	source[id] = $7
	protocol[id] = $8
}
# right(verdict, truth): the verdict is the truth, or one part of its
# "MASTER.APP" is (TLS.Discord is right for Discord and for TLS).
function right(verdict, t,  dot) {
	verdict = tolower(verdict)
	t = tolower(t)
	if (verdict == t)
		return 1
	dot = index(verdict, ".")
	return dot && (substr(verdict, 1, dot - 1) == t || substr(verdict, dot + 1) == t)
}
# count(scope, group, id, t): one judged flow of truth t into the cells.
function count(scope, group, id, t,  cell, named) {
	cell = scope SUBSEP group
	judged[cell]++
	named = (group == "pronet*") ? (source[id] ~ /^pronet/) : (source[id] == group)
	if (named) {
		named_flows[cell]++
		if (right(protocol[id], t))
			right_flows[cell]++
		names[cell SUBSEP protocol[id]]++
	}
	if (!(tolower(t) in covered)) {
		uncovered[cell]++
		if (named)
			uncovered_named[cell]++
	}
}
function ratio(a, b) {
	return b ? sprintf("%.3f", a / b) : "-"
}
# most_named(cell): the protocol named most often there, "NAME COUNT".
function most_named(cell,  k, part, best, best_count) {
	best = "-"
	best_count = 0
	for (k in names) {
		split(k, part, SUBSEP)
		if (part[1] SUBSEP part[2] SUBSEP part[3] != cell)
			continue
		if (names[k] > best_count || (names[k] == best_count && part[4] < best)) {
			best = part[4]
			best_count = names[k]
		}
	}
	return best_count ? best " " best_count : "-"
}
# add(list, n, name): name appended to list[1..n] unless there; the new n.
function add(list, n, name,  i) {
	for (i = 1; i <= n; i++)
		if (list[i] == name)
			return n
	list[++n] = name
	return n
}
function print_row(truth_source, scope, group,  cell) {
	cell = truth_source SUBSEP scope SUBSEP group
	printf "%-11s %-10s %-30s %-15s %6d %6d %6d %9s %6s %6s %9d %8s  %s\n", run, truth_source,
		scope, group, judged[cell], named_flows[cell], right_flows[cell],
		ratio(right_flows[cell], named_flows[cell]), ratio(right_flows[cell], judged[cell]),
		ratio(named_flows[cell], judged[cell]), uncovered[cell],
		ratio(uncovered[cell] - uncovered_named[cell], uncovered[cell]), most_named(cell)
}
END {
	# The verdict groups: every pronet source together, then each alone
	# (sorted), so that rows come in the same order on every run.
	num_groups = add(group_list, 0, "pronet*")
	for (id in source)
		if (source[id] ~ /^pronet/)
			found[source[id]] = 1
	for (g in found)
		num_found = add(found_list, num_found, g)
	for (i = 2; i <= num_found; i++)
		for (j = i; j > 1 && found_list[j - 1] > found_list[j]; j--) {
			g = found_list[j]
			found_list[j] = found_list[j - 1]
			found_list[j - 1] = g
		}
	for (i = 1; i <= num_found; i++)
		num_groups = add(group_list, num_groups, found_list[i])
	for (i = 1; i <= num_truth; i++) {
		split(truth_ids[i], part, FS)
		truth_source = part[1]
		num_sources = add(source_list, num_sources, truth_source)
		flow = substr(truth_ids[i], length(truth_source) + 2)
		if (!(flow in verdicts_seen))
			missing[truth_source]++
		else if (verdicts_seen[flow] > 1)
			repeated[truth_source]++
		else if (ndpi[flow] != "Unknown")
			ndpi_named[truth_source]++
		else {
			for (g = 1; g <= num_groups; g++)
				count(truth_source SUBSEP "all", group_list[g], flow, truth_of[i])
			if (truth_source == "single-app") {
				num_scopes = add(scope_list, num_scopes, part[2])
				count(truth_source SUBSEP part[2], "pronet*", flow, truth_of[i])
			}
		}
	}
	printf "%-11s %-10s %-30s %-15s %6s %6s %6s %9s %6s %6s %9s %8s  %s\n", "run", "truth",
		"capture", "verdicts", "judged", "named", "right", "precision", "recall", "named",
		"uncovered", "abstain", "named most"
	for (s = 1; s <= num_sources; s++) {
		for (g = 1; g <= num_groups; g++)
			print_row(source_list[s], "all", group_list[g])
		if (source_list[s] == "single-app")
			for (c = 1; c <= num_scopes; c++)
				print_row(source_list[s], scope_list[c], "pronet*")
	}
	for (s = 1; s <= num_sources; s++)
		if (missing[source_list[s]] + repeated[source_list[s]] + ndpi_named[source_list[s]])
			printf "%-11s %-10s not judged: %d flows not in the run, %d with a repeated key, %d named by nDPI in the run\n",
				run, source_list[s], missing[source_list[s]], repeated[source_list[s]],
				ndpi_named[source_list[s]]
}
