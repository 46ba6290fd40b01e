#!/bin/sh
# Capture -> JSON golden files: `pronet classify` on our loopback captures
# must print exactly tests/data/golden/NAME.eve.json, so that any change in
# decoding, flows, nDPI driving, the plugin's fallback, the model or the JSON
# shows up as a diff.
#
# The model is trained here, not shipped: `pronet label` on
# loopback-mixed.pcap and loopback-ipv6.pcap (the flows nDPI names by DPI),
# then `pronet train --seed 1 --threads 1` (training is bit for bit the same
# for a seed and a thread count), so the golden files do not change when
# rules/default.pronet is retrained. The model has never seen the made-up
# protocols nDPI leaves Unknown; at the class threshold THRESHOLD below some
# of those flows reach it (named, "abstained":false) and the others do not
# (abstained), so both outcomes are in the golden files. The test checks
# that they are, and that no flow's probability lies within MARGIN of the
# threshold (a last-digit change in the arithmetic cannot flip a verdict).
#
# PRONET_REGENERATE_GOLDEN=1 rewrites the files instead (review the diff;
# tests/data/README.md).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
THRESHOLD=0.39
MARGIN=0.003
data=$top_srcdir/tests/data
golden=$data/golden
pronet=$top_builddir/pronet
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT
export PRONET_RULES_DIR="$top_srcdir/rules"

"$pronet" label -q "$data/loopback-mixed.pcap" "$data/loopback-ipv6.pcap" \
	-o "$work/train.pnds" >"$work/label.out" &&
	"$pronet" train -q "$work/train.pnds" -o "$work/model.pronet" --epochs 40 --seed 1 \
		--threads 1 >"$work/train.out" || {
	echo "golden.sh: labelling or training the test model failed:" >&2
	cat "$work/label.out" "$work/train.out" >&2
	exit 99
}
status=0
for name in loopback-mixed loopback-unknown loopback-ipv6; do
	# Run from the data directory so pcap_filename is the bare file name.
	(cd "$data" && "$pronet" classify -q -m "$work/model.pronet" --threshold "$THRESHOLD" \
		"$name.pcap") >"$work/$name.eve.json" || {
		echo "golden.sh: pronet classify $name.pcap failed" >&2
		status=1
		continue
	}
	if [ "${PRONET_REGENERATE_GOLDEN:-0}" = 1 ]; then
		cp "$work/$name.eve.json" "$golden/$name.eve.json"
		echo "golden.sh: wrote $golden/$name.eve.json"
	elif ! diff -u "$golden/$name.eve.json" "$work/$name.eve.json" >"$work/diff"; then
		echo "golden.sh: $name.pcap: output differs from $golden/$name.eve.json" \
			"(PRONET_REGENERATE_GOLDEN=1 rewrites it; tests/data/README.md):" >&2
		head -40 "$work/diff" >&2
		status=1
	fi
done

# The golden files must hold what they claim, or a regeneration gone wrong
# would pass unnoticed: flows nDPI named, flows the model named and flows it
# abstained on.
all="$golden/loopback-mixed.eve.json $golden/loopback-unknown.eve.json $golden/loopback-ipv6.eve.json"
# shellcheck disable=SC2086 # $all: three paths without spaces
for what in '"source":"ndpi"' '"source":"pronet"' '"abstained":false' '"abstained":true'; do
	cat $all | grep -qF "$what" || {
		echo "golden.sh: no golden line has $what" >&2
		status=1
	}
done
# shellcheck disable=SC2086
cat $all | sed -n 's/.*"pronet":{"label":"[^"]*","probability":\([0-9.]*\).*/\1/p' |
	awk -v t="$THRESHOLD" -v m="$MARGIN" '
		{ d = $1 - t; if (d < 0) d = -d; if (d < m) { print; near++ } }
		END { exit near > 0 }' >"$work/near" || {
	echo "golden.sh: probabilities within $MARGIN of the threshold $THRESHOLD" \
		"(a rounding difference could flip their verdicts; choose another):" >&2
	cat "$work/near" >&2
	status=1
}
exit $status
