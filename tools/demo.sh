#!/bin/sh
# The README's main job (`make demo`): pronet end to end on the captures the
# repository ships (tests/data/, recorded on loopback by us), nothing from the
# network or ../shared:
#   1. label: nDPI's DPI verdicts on loopback-mixed and loopback-ipv6 become
#      a training dataset (per-class table);
#   2. train: a small model from those labels, then predict two payloads;
#   3. classify: every flow of tests/data/ with the shipped default model, as
#      EVE JSON lines (demo/verdicts.json) and a summary; the model speaks
#      only for the flows nDPI leaves Unknown (loopback-unknown.pcap);
#   4. figures: the counts README.md quotes, one "figure NAME VALUE" line
#      each between "== figures" and "== end of figures", read by
#      tests/tools/readme_figures.sh (needs jq, tools/debian-packages).
# Environment (set by `make demo`): PRONET (the pronet binary), DATA (the
# captures), PRONET_RULES_DIR (rules/, with default.pronet), OUT (a directory).
set -eu
: "${PRONET:?}" "${DATA:?}" "${PRONET_RULES_DIR:?}" "${OUT:?}"
export PRONET_RULES_DIR
mkdir -p "$OUT"

step() { printf '\n== %s\n' "$*"; }

step "1. label: nDPI names the flows of loopback-mixed.pcap and loopback-ipv6.pcap"
"$PRONET" label -q "$DATA/loopback-mixed.pcap" "$DATA/loopback-ipv6.pcap" -o "$OUT/loopback.pnds" |
	tee "$OUT/label.txt"

step "2. train: a small model on those labels (the paper's m=50, t=30; 40 epochs, 2 threads)"
"$PRONET" train -q "$OUT/loopback.pnds" -o "$OUT/loopback.pronet" \
	--epochs 40 --threads 2 --seed 1
echo "predict: a DNS query and an SSH banner, as hex payloads"
# A DNS query header (id 0x1234, RD, one question) and "SSH-2.0-OpenSSH_9.2".
printf '%s\n' 123401000001000000000000 5353482d322e302d4f70656e5353485f392e32 |
	"$PRONET" predict -m "$OUT/loopback.pronet"

step "3. classify: every flow of $DATA with the default model ($PRONET_RULES_DIR/default.pronet)"
"$PRONET" classify "$DATA" -o "$OUT/verdicts.json"
echo
echo "$(wc -l <"$OUT/verdicts.json") JSON lines in $OUT/verdicts.json; the first flow the model was asked about:"
grep -m 1 '"pronet":' "$OUT/verdicts.json" || echo "(none: nDPI named every flow)"

# The figures README.md quotes, machine-readable: flows by verdict source,
# the flows nDPI left Unknown (all, and per capture), how many the model
# was asked about, abstained on and named, and the named ones by class; the
# classes of step 1's table (rows with flows, in its order).
printf '\n== figures (README.md quotes these; tests/tools/readme_figures.sh checks them)\n'
awk '$1 != "class" && $1 != "total" && $1 !~ /^[*#]/ && $2 > 0 { c = c (c ? "," : "") $1 }
	END { print "figure label.classes " c }' "$OUT/label.txt"
if command -v jq >/dev/null 2>&1; then
	jq -rs '
	def count(f): map(select(f)) | length;
	def capture: .pcap_filename | split("/") | last;
	"figure flows \(length)",
	(group_by(.verdict.source)[] | "figure source.\(.[0].verdict.source) \(length)"),
	"figure unknown \(count(.ndpi.protocol == "Unknown"))",
	(map(select(.ndpi.protocol == "Unknown")) | group_by(capture)[] |
		"figure unknown.\(.[0] | capture) \(length)"),
	"figure consulted \(count(.pronet != null))",
	"figure abstained \(count(.pronet.abstained == true))",
	(map(select(.pronet.abstained == true)) | group_by(capture)[] |
		"figure abstained.\(.[0] | capture) \(length)"),
	"figure named \(count(.verdict.source == "pronet"))",
	(map(select(.verdict.source == "pronet")) | group_by(.verdict.protocol)[] |
		"figure named.\(.[0].verdict.protocol) \(length)")' "$OUT/verdicts.json"
else
	echo "(jq is not installed: no figures from $OUT/verdicts.json; tools/debian-packages)"
fi
echo "== end of figures"
