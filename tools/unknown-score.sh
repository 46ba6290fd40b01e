#!/bin/sh
# unknown-score.sh: pronet's verdicts on the flows nDPI leaves Unknown,
# against a truth from tools/unknown-truth.sh (docs/evaluation.md, "Verdicts
# on the flows nDPI leaves Unknown").
#
# Usage: unknown-score.sh -t TRUTH -c CLASSES [-r RUN] [-V VERDICTS]... [EVE]...
#   TRUTH     tools/unknown-truth.sh's output
#   CLASSES   the class names of the model, one a line: a truth protocol that
#             is none of them is "a protocol no class covers"
#   RUN       the name in the table's first column (default "run")
#   VERDICTS  verdict lines already made (as ndpiReader's are by
#             tools/unknown-eval.sh): CAPTURE L4 VLAN END_LOW END_HIGH
#             NDPI_PROTOCOL SOURCE PROTOCOL, tab-separated
#   EVE       `pronet classify` output (JSON lines)
#
# A flow is judged when the truth names it, the run has exactly one flow of
# its key in that capture, and nDPI left it Unknown in the run. Among the
# judged flows, for each verdict source whose name starts with "pronet"
# (pronet: the model; pronet-endpoint: endpoint evidence, what nDPI's DPI
# named on other flows of the endpoints), and for all of them together
# ("pronet*"):
#   named      flows that source named; right: named as the truth (or one part
#              of a MASTER.APP verdict is the truth)
#   precision  right / named          recall: right / judged
#   named      (share) named / judged
#   uncovered  judged flows whose truth no class covers; abstain: the share
#              of those no pronet source named
# Rows: per truth source ("all"), then for single-app per capture (pronet*),
# then, per truth source, the flows that could not be judged and why.
set -eu
here=$(dirname "$0")
usage() {
	echo "usage: unknown-score.sh -t TRUTH -c CLASSES [-r RUN] [-V VERDICTS]... [EVE]..." >&2
	exit 2
}
truth= classes= run=run
work=$(mktemp -d "${TMPDIR:-/tmp}/unknown-score.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
: >"$work/verdicts.tsv"
while getopts t:c:r:V: option; do
	case $option in
	t) truth=$OPTARG ;;
	c) classes=$OPTARG ;;
	r) run=$OPTARG ;;
	V) cat -- "$OPTARG" >>"$work/verdicts.tsv" ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$truth" ] && [ -n "$classes" ] || usage
[ -r "$truth" ] || { echo "unknown-score.sh: cannot read the truth $truth" >&2; exit 1; }
[ -r "$classes" ] || { echo "unknown-score.sh: cannot read the classes $classes" >&2; exit 1; }

# EVE flow events -> verdict lines (the key as tools/unknown-lib.awk makes it).
for eve in "$@"; do
	jq -r 'select(.event_type == "flow") |
		[.pcap_filename // .in_iface, .proto, ((.vlan // [0]) | last), .src_ip, .src_port,
		 .dest_ip, .dest_port, .ndpi.protocol, .verdict.source, .verdict.protocol] | @tsv' \
		"$eve" >"$work/eve.tsv" ||
		{ echo "unknown-score.sh: $eve: not EVE JSON lines" >&2; exit 1; }
	awk -f "$here/unknown-lib.awk" -f "$here/unknown-eve.awk" "$work/eve.tsv" >>"$work/verdicts.tsv"
done
awk -v truth="$truth" -v classes="$(cat "$classes")" -v run="$run" \
	-f "$here/unknown-score.awk" "$truth" "$work/verdicts.tsv"
