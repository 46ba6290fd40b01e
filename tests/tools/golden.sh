#!/bin/sh
# Capture -> JSON golden files: `pronet classify` on our loopback captures
# must print exactly tests/data/golden/NAME.eve.json, so that any change in
# decoding, flows, nDPI driving, the plugin's fallback or the JSON shows up
# as a diff. The model is make_test_model's (seeded, untrained, two classes
# nDPI does not know), so the golden files do not change when the default
# model is retrained; with two classes the best one always reaches 0.5, so
# every flow nDPI leaves Unknown gets a pronet verdict.
# PRONET_REGENERATE_GOLDEN=1 rewrites the files instead (review the diff).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
data=$top_srcdir/tests/data
golden=$data/golden
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
"$top_builddir/tests/plugin/make_test_model" "$work/model.pronet" >/dev/null || {
	echo "golden.sh: make_test_model failed" >&2
	exit 1
}
status=0
for name in loopback-mixed loopback-unknown loopback-ipv6; do
	# Run from the data directory so pcap_filename is the bare file name.
	(cd "$data" && PRONET_RULES_DIR="$top_srcdir/rules" "$top_builddir/pronet" classify -q \
		-m "$work/model.pronet" --threshold 0.5 "$name.pcap") >"$work/$name.eve.json" || {
		echo "golden.sh: pronet classify $name.pcap failed" >&2
		status=1
		continue
	}
	if [ "${PRONET_REGENERATE_GOLDEN:-0}" = 1 ]; then
		cp "$work/$name.eve.json" "$golden/$name.eve.json"
		echo "golden.sh: wrote $golden/$name.eve.json"
	elif ! diff -u "$golden/$name.eve.json" "$work/$name.eve.json" >"$work/diff"; then
		echo "golden.sh: $name.pcap: output differs from $golden/$name.eve.json" \
			"(PRONET_REGENERATE_GOLDEN=1 rewrites it):" >&2
		head -40 "$work/diff" >&2
		status=1
	fi
done
# The golden files must hold what they claim: flows nDPI named and flows the
# model named, or a regeneration gone wrong would pass unnoticed.
grep -q '"source":"ndpi"' "$golden/loopback-mixed.eve.json" &&
	grep -q '"source":"pronet"' "$golden/loopback-unknown.eve.json" || {
	echo "golden.sh: golden files lack ndpi or pronet verdicts" >&2
	status=1
}
exit $status
