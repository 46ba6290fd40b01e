#!/bin/sh
# Leroux et al.'s Tables I-III (seed 004) on the corpus: the accuracy of
# naive Bayes, logistic regression and random forest (histogram-nb/-lr/-rf)
# per feature space (A size x inter-arrival time, B burst x surge period, A+B)
# on windows of W packets of plain, ESP and Tor tunnels synthesized by
# `pronet tunnel` from the corpus's flows labelled by traffic type
# (rules/traffic-types.conf), beside the paper's figures; then the corpus's
# real tunnel flows as a tunnel-type task (rules/tunnel-types.conf). Each
# cell: accuracy (best class, every window decided) with folds by capture
# family / by window (windows of one tunnel on both sides, as the paper's
# random 80/20 split), then in brackets the balanced accuracy (the mean of
# the classes' recalls: the paper's classes were balanced, the corpus's are
# not; the majority class's share is printed with each table).
# docs/histogram-models.md "Tunnels", docs/evaluation.md.
#
# Usage: tools/leroux-tables.sh PRONET CORPUS RULES_DIR WORK_DIR [W]
set -u
[ $# -ge 4 ] || { echo "usage: $0 PRONET CORPUS RULES_DIR WORK_DIR [W]" >&2; exit 2; }
PRONET=$1 CORPUS=$2 RULES=$3 WORK=$4 W=${5:-64}
FAMILIES="$CORPUS/FAMILIES.tsv"
EVAL="--window $W --seed 1 --threads 2 -q"
mkdir -p "$WORK" || exit 1

# One cross-validation's best-class micro recall (the accuracy) and macro
# recall (the balanced accuracy), in %.
accuracy() {
	"$PRONET" eval "$@" >"$WORK/eval.txt" 2>"$WORK/eval.err" || { cat "$WORK/eval.err" >&2; exit 1; }
	awk '/^macro average/ && !m { m = $6 } /^micro average/ { printf "%.1f %.1f", 100 * $6, 100 * m; exit }' \
		"$WORK/eval.txt"
}

# cell DATASET ARCH FEATURES: "family / window [balanced: family / window]".
cell() {
	set -- $(accuracy "$1" --arch "$2" --features "$3" $EVAL --groups "$FAMILIES") \
		$(accuracy "$1" --arch "$2" --features "$3" $EVAL --by flow)
	printf "%s / %s [%s / %s]" "$1" "$3" "$2" "$4"
}

# classes FILE COLUMN: "name count, ..." and the majority class's share, from
# a pronet tunnel table (column 6, written) or a pronet label table (2).
classes() {
	awk -v col="$2" '$1 != "total" && $1 != "class" && $1 !~ /^[*#]/ && $col > 0 {
		printf "%s %s, ", $1, $col; n += $col; if ($col > most) most = $col }
		END { printf "majority class %.1f %%", 100 * most / n }' "$1"
}

"$PRONET" label -q "$CORPUS" --bytes 0 --all-packets -k 1024 -c "$RULES/traffic-types.conf" \
	-o "$WORK/types.ds" >"$WORK/types.txt" 2>"$WORK/types.err"
[ -s "$WORK/types.ds" ] || { cat "$WORK/types.err" >&2; exit 1; }
echo "Flows by traffic type (pronet label -k 1024 --bytes 0 --all-packets -c traffic-types.conf):"
awk 'NR > 1 && $1 !~ /^[*#]/ && $1 != "total" && $2 > 0 { printf "  %s %s flows, %s packets\n", $1, $2, $3 }' \
	"$WORK/types.txt"

# Paper's figures, NB LR RF per row A, B, A+B (Tables I, II, III).
paper_none="94.55 99.09 97.27 96.36 99.09 97.27 97.27 100.00 99.09"
paper_esp="93.55 95.70 96.77 87.10 94.62 93.55 94.62 95.70 96.77"
paper_tor="80.56 77.78 84.72 86.11 80.56 86.11 83.33 80.56 80.56"
for tunnel in none esp tor; do
	"$PRONET" tunnel -t "$tunnel" --split "$W" "$WORK/types.ds" -o "$WORK/$tunnel.ds" \
		>"$WORK/$tunnel.txt" || exit 1
	case $tunnel in
	none) title="Table I (no tunnel)" paper=$paper_none ;;
	esp) title="Table II (IPsec ESP, AES-128-CBC, HMAC-SHA-256-128)" paper=$paper_esp ;;
	tor) title="Table III (Tor)" paper=$paper_tor ;;
	esac
	echo
	echo "$title, windows of $W packets: $(classes "$WORK/$tunnel.txt" 6)"
	echo "accuracy %, by capture family / by window [balanced accuracy] (paper's accuracy)"
	echo "| features | naive Bayes | logistic regression | random forest |"
	echo "|---|---:|---:|---:|"
	set -- $paper
	for features in 1 2 3; do
		case $features in 1) name="Size - IAT" ;; 2) name="Burst features" ;; 3) name="Combined" ;; esac
		nb=$(cell "$WORK/$tunnel.ds" histogram-nb $features)
		lr=$(cell "$WORK/$tunnel.ds" histogram-lr $features)
		rf=$(cell "$WORK/$tunnel.ds" histogram-rf $features)
		echo "| $name | $nb ($1) | $lr ($2) | $rf ($3) |"
		shift 3
	done
done

# The corpus's real tunnels: which tunnel a flow is (per flow, its windows'
# mean), few flows of each.
"$PRONET" label -q "$CORPUS" --bytes 0 --all-packets -k 1024 -c "$RULES/tunnel-types.conf" \
	-o "$WORK/real.ds" >"$WORK/real.txt" 2>/dev/null
[ -s "$WORK/real.ds" ] || exit 1
echo
echo "Real tunnel flows (tunnel-types.conf), per flow, windows of $W: $(classes "$WORK/real.txt" 2)"
echo "accuracy %, by capture family / by flow [balanced accuracy]"
echo "| features | naive Bayes | logistic regression | random forest |"
echo "|---|---:|---:|---:|"
for features in 1 2 3; do
	case $features in 1) name="Size - IAT" ;; 2) name="Burst features" ;; 3) name="Combined" ;; esac
	echo "| $name | $(cell "$WORK/real.ds" histogram-nb $features) |" \
		"$(cell "$WORK/real.ds" histogram-lr $features) |" \
		"$(cell "$WORK/real.ds" histogram-rf $features) |"
done
