#!/bin/sh
# unknown-eval.sh (`make unknown-eval`): pronet's verdicts on the flows nDPI
# leaves Unknown, measured against truths from outside the model
# (tools/unknown-truth.sh), in three runs (docs/evaluation.md, "Verdicts on
# the flows nDPI leaves Unknown"):
#   shipped     the shipped model, `pronet classify` over the whole corpus;
#   by-family   5 folds of whole capture families: per fold, `pronet label`
#               on the other folds' captures, `pronet train` with the default
#               model's options, `pronet classify` on the fold's captures;
#   ndpiReader  Debian's ndpiReader with the plugin (LD_PRELOAD) and the
#               shipped model, on the single-application captures.
# The section it writes replaces the file's lines from its heading to the
# end; the lines before it (`make model-eval`'s tables) are kept.
#
# Usage: unknown-eval.sh -p PRONET -C CORPUS -R RULES -s PLUGIN_SO -n NDPIREADER
#                        -o EVAL_TXT [-w WORKDIR] [-T TRUTH] [-m MODEL] [-r RUNS]
#                        [-L LABELLED] [-- TRAIN_OPTION...]
#   MODEL: the shipped run's model (default RULES/default.pronet; any
#   family, e.g. a flow model trained on the whole corpus);
#   RUNS: which runs, comma-separated (default shipped,by-family,ndpiReader;
#   `-r by-family` for a family other than the default model's);
#   LABELLED: the WORKDIR of an earlier by-family run with the same label
#   options: its flows per capture (the folds' sizes) and fold-K.ds are used
#   instead of counting and labelling again, e.g. to train three families on
#   one labelling;
#   WORKDIR: keep the runs' files there (default: a temporary directory);
#   TRUTH: tools/unknown-truth.sh's output for CORPUS, made before (it
#   depends on the corpus, nDPI and tshark, not on the model), else derived;
#   RULES: the rules directory (default.pronet, class-map.conf, thresholds);
#   TRAIN_OPTION: `pronet train`'s options for the folds (--calibrate is
#   added), `--arch FAMILY ...` for another family. Environment: PRONET_LABEL_OPTIONS (`pronet label`'s, word-split),
#   JOBS, TSHARK (tools/unknown-truth.sh). Progress goes to standard error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
HEADING="Verdicts on the flows nDPI leaves Unknown (make unknown-eval; docs/evaluation.md)"
FOLDS=5
usage() {
	echo "usage: unknown-eval.sh -p PRONET -C CORPUS -R RULES -s PLUGIN_SO -n NDPIREADER -o EVAL_TXT [-w WORKDIR] [-T TRUTH] [-m MODEL] [-r RUNS] [-L LABELLED] [-- TRAIN_OPTION...]" >&2
	exit 2
}
pronet= corpus= rules= plugin= ndpireader= out= work= truth= model= runs=shipped,by-family,ndpiReader labelled=
while getopts p:C:R:s:n:o:w:T:m:r:L: option; do
	case $option in
	p) pronet=$OPTARG ;;
	C) corpus=$OPTARG ;;
	R) rules=$OPTARG ;;
	s) plugin=$OPTARG ;;
	n) ndpireader=$OPTARG ;;
	o) out=$OPTARG ;;
	w) work=$OPTARG ;;
	T) truth=$OPTARG ;;
	m) model=$OPTARG ;;
	r) runs=$OPTARG ;;
	L) labelled=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$pronet" ] && [ -n "$corpus" ] && [ -n "$rules" ] && [ -n "$plugin" ] &&
	[ -n "$ndpireader" ] && [ -n "$out" ] || usage
[ -d "$corpus" ] || { echo "unknown-eval: no corpus at $corpus" >&2; exit 1; }
# wants RUN: whether RUN is one of the runs asked for.
wants() { case ",$runs," in *",$1,"*) return 0 ;; esac; return 1; }
for run in $(echo "$runs" | tr ',' ' '); do
	case $run in
	shipped | by-family | ndpiReader) ;;
	*) echo "unknown-eval: no run '$run' (shipped, by-family, ndpiReader)" >&2; exit 2 ;;
	esac
done
if [ -z "$work" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/unknown-eval.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' HUP INT TERM
fi
mkdir -p "$work"
[ -n "$model" ] || model=$rules/default.pronet
progress() { echo "unknown-eval: $*" >&2; }

# classify MODEL OUTPUT CAPTURE...: pronet classify; its status 1 (a capture
# could not be read, said on stderr, the others done) is no reason to stop.
classify() {
	m=$1 o=$2
	shift 2
	status=0
	"$pronet" classify -q -r "$rules" -m "$m" -o "$o" "$@" 2>"$work/classify.err" || status=$?
	[ "$status" -le 1 ] || { cat "$work/classify.err" >&2; exit 1; }
}

if [ -n "$truth" ]; then
	cp "$truth" "$work/truth.tsv"
else
	progress "truth (pronet flows, tshark)"
	# Status 1 with a truth: a capture could not be read (as pronet flows).
	status=0
	"$here/unknown-truth.sh" -p "$pronet" -o "$work/truth.tsv" "$corpus" 2>"$work/truth.err" ||
		status=$?
	[ "$status" -eq 0 ] || { [ "$status" -eq 1 ] && [ -s "$work/truth.tsv" ]; } ||
		{ cat "$work/truth.err" >&2; exit 1; }
fi
"$pronet" info "$rules/default.pronet" | sed -n 's/^class: [0-9]* \([^ ]*\) .*/\1/p' >"$work/classes"

: >"$work/shipped.txt"
if wants shipped; then
	progress "shipped: pronet classify -m $model over $corpus"
	classify "$model" "$work/shipped.eve" "$corpus"
	"$here/unknown-score.sh" -t "$work/truth.tsv" -c "$work/classes" -r shipped \
		"$work/shipped.eve" >"$work/shipped.txt"
	jq -r '.pcap_filename' "$work/shipped.eve" | sed 's|.*/||' | LC_ALL=C sort | uniq -c |
		awk '{ print $2 "\t" $1 }' >"$work/flows-per-capture"
elif wants by-family && [ -n "$labelled" ]; then
	cp "$labelled/flows-per-capture" "$work/flows-per-capture"
elif wants by-family; then
	# The folds' sizes without a classify run: pronet flows has the same
	# flows (the same engine, driven alike).
	# Its status 1 (a capture it could not read) counts those as no flows.
	progress "flows per capture (pronet flows)"
	{ "$pronet" flows -f "$corpus" 2>/dev/null || [ $? -eq 1 ]; } >"$work/flows.tsv"
	cut -f 1 "$work/flows.tsv" | sed 's|.*/||' | LC_ALL=C sort | uniq -c |
		awk '{ print $2 "\t" $1 }' >"$work/flows-per-capture"
fi

# Folds of whole families (FAMILIES.tsv; a capture it does not name is its
# own family): families in decreasing order of flows (ties by name), each to
# the fold with the fewest flows so far. pronet eval fills its folds the same
# way in an order shuffled by its seed, and cannot print them.
find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | LC_ALL=C sort \
	>"$work/captures"
families=$corpus/FAMILIES.tsv
[ -f "$families" ] || families=/dev/null
awk -F'\t' -v folds="$FOLDS" -v families="$families" '
	FILENAME == families { if (FNR > 1) family[$1] = $2; next }
	FILENAME ~ /flows-per-capture$/ { flows[$1] = $2; next }
	{
		name = $0; sub(/.*\//, "", name)
		f = (name in family) ? family[name] : name
		path[++n] = $0; of[n] = f; size[f] += flows[name]
	}
	END {
		for (f in size) order[++m] = f
		for (i = 2; i <= m; i++)
			for (j = i; j > 1 && (size[order[j - 1]] < size[order[j]] ||
			     (size[order[j - 1]] == size[order[j]] && order[j - 1] > order[j])); j--) {
				t = order[j]; order[j] = order[j - 1]; order[j - 1] = t
			}
		for (i = 1; i <= m; i++) {
			best = 1
			for (k = 2; k <= folds; k++) if (load[k] < load[best]) best = k
			fold[order[i]] = best; load[best] += size[order[i]]
		}
		for (i = 1; i <= n; i++) print fold[of[i]] "\t" path[i]
	}' "$families" "$work/flows-per-capture" "$work/captures" >"$work/folds"

: >"$work/by-family.txt"
if wants by-family; then
	: >"$work/by-family.list"
	fold=1
	while [ "$fold" -le "$FOLDS" ]; do
		awk -F'\t' -v f="$fold" '$1 != f { print $2 }' "$work/folds" >"$work/train-$fold.list"
		awk -F'\t' -v f="$fold" '$1 == f { print $2 }' "$work/folds" >"$work/test-$fold.list"
		progress "by-family fold $fold/$FOLDS: label $(wc -l <"$work/train-$fold.list") captures, train, classify $(wc -l <"$work/test-$fold.list")"
		rm -f "$work/fold-$fold.ds"
		if [ -n "$labelled" ]; then
			cmp -s "$labelled/train-$fold.list" "$work/train-$fold.list" ||
				{ echo "unknown-eval: $labelled: fold $fold has other captures" >&2; exit 1; }
			ln -s "$(cd "$labelled" && pwd)/fold-$fold.ds" "$work/fold-$fold.ds"
			cp "$labelled/label-$fold.txt" "$work/label-$fold.txt"
		else
			status=0
			# shellcheck disable=SC2086 # the label options are words
			"$pronet" label -q ${PRONET_LABEL_OPTIONS:-} -c "$rules/class-map.conf" \
				"@$work/train-$fold.list" -o "$work/fold-$fold.ds" >"$work/label-$fold.txt" \
				2>"$work/label.err" || status=$?
			[ "$status" -eq 0 ] || { [ "$status" -eq 1 ] && [ -s "$work/fold-$fold.ds" ]; } ||
				{ cat "$work/label.err" >&2; exit 1; }
		fi
		"$pronet" train "$work/fold-$fold.ds" "$@" --calibrate -q -o "$work/fold-$fold.pronet" \
			>"$work/train.err" 2>&1 || { cat "$work/train.err" >&2; exit 1; }
		classify "$work/fold-$fold.pronet" "$work/fold-$fold.eve" "@$work/test-$fold.list"
		echo "$work/fold-$fold.eve" >>"$work/by-family.list"
		fold=$((fold + 1))
	done
	# shellcheck disable=SC2046 # five file names without blanks
	"$here/unknown-score.sh" -t "$work/truth.tsv" -c "$work/classes" -r by-family \
		$(cat "$work/by-family.list") >"$work/by-family.txt"
	# What each single-application capture's fold trained on of its
	# application (pronet label's table): a family no other capture shares
	# leaves its fold without examples of it.
	grep '^# single-app' "$work/truth.tsv" | cut -f 2,3 | while IFS=$(printf '\t') read -r capture app; do
		fold=$(awk -F'\t' -v c="$capture" '{ n = $2; sub(/.*\//, "", n) } n == c { print $1; exit }' \
			"$work/folds")
		flows=$(awk -v app="$app" '$1 == app { print $2; found = 1 } END { if (!found) print 0 }' \
			"$work/label-$fold.txt")
		echo "by-family training: $capture (fold $fold): $flows training flows of $app"
	done >"$work/by-family-training.txt"
fi

# ndpiReader on the single-application captures, without and with the
# plugin: one verdict line per flow of the plugin run (ndpiReader -v 2's
# flow lines), Unknown where the plain run left the flow Unknown.
: >"$work/ndpireader.txt"
if wants ndpiReader; then
	sed -n 's/^# single-app\t\([^\t]*\)\t.*/\1/p' "$work/truth.tsv" >"$work/single-app"
	progress "ndpiReader with the plugin on $(wc -l <"$work/single-app") single-application captures"
	: >"$work/ndpireader.tsv"
	while read -r capture; do
		"$ndpireader" -q -v 2 -i "$corpus/$capture" >"$work/plain.out" 2>/dev/null ||
			{ echo "unknown-eval: ndpiReader failed on $capture" >&2; exit 1; }
		PRONET_MODEL=$model PRONET_RULES_DIR=$rules LD_PRELOAD=$plugin \
			"$ndpireader" -q -v 2 -i "$corpus/$capture" >"$work/plugin.out" 2>"$work/plugin.err" ||
			{ echo "unknown-eval: ndpiReader with the plugin failed on $capture" >&2; exit 1; }
		if grep -q '^pronet:' "$work/plugin.err"; then
			cat "$work/plugin.err" >&2
			exit 1
		fi
		awk -v capture="$capture" -v plain="$work/plain.out" -f "$here/unknown-lib.awk" \
			-f "$here/unknown-ndpireader.awk" "$work/plain.out" "$work/plugin.out" >>"$work/ndpireader.tsv"
	done <"$work/single-app"
	awk -F'\t' 'FILENAME == ARGV[1] { want[$1] = 1; next } /^#/ || ($2 in want)' \
		"$work/single-app" "$work/truth.tsv" >"$work/truth-single-app.tsv"
	"$here/unknown-score.sh" -t "$work/truth-single-app.tsv" -c "$work/classes" -r ndpiReader \
		-V "$work/ndpireader.tsv" >"$work/ndpireader.txt"
fi

# The section, then the file: the lines before the heading, the new section.
{
	echo "$HEADING"
	echo "pronet classify / ndpiReader + pronet_ndpi.so on the flows nDPI leaves Unknown, scored"
	echo "against truths outside the model (tools/unknown-truth.sh); $(wc -l <"$work/classes") classes."
	! wants shipped || echo "shipped: $model over the corpus;"
	! wants by-family || {
		echo "by-family: $FOLDS folds of capture families, each trained on the others with"
		echo "pronet label ${PRONET_LABEL_OPTIONS:-} and pronet train $* --calibrate;"
	}
	! wants ndpiReader ||
		echo "ndpiReader: Debian's ndpiReader with the plugin and $model, single-app captures."
	echo "precision = right / named, recall = right / judged, named = named / judged,"
	echo "uncovered = judged flows of protocols no class covers, abstain = share of those not named."
	echo
	grep '^#' "$work/truth.tsv" | sed 's/^# //'
	for table in shipped by-family by-family-training ndpireader; do
		[ ! -s "$work/$table.txt" ] || { echo; cat "$work/$table.txt"; }
	done
} >"$work/section.txt"
if [ -f "$out" ]; then
	awk -v heading="$HEADING" '$0 == heading { exit } { print }' "$out" >"$work/eval.txt"
	# One blank line between the tables before and the section.
	[ ! -s "$work/eval.txt" ] || [ -z "$(tail -n 1 "$work/eval.txt")" ] || echo >>"$work/eval.txt"
else
	: >"$work/eval.txt"
fi
cat "$work/section.txt" >>"$work/eval.txt"
cp "$work/eval.txt" "$out.tmp"
mv "$out.tmp" "$out"
progress "wrote $out"
