#!/bin/sh
# `pronet classify` sizes the plugin's flow store by --max-flows and keeps it
# for the run: a capture with more UDP flows open at once than the old fixed
# 65,536-flow store (make_flood: 140,000 one-packet flows, half UDP with an
# opaque payload, all open until the end) has every UDP flow consulted, no
# miss, in the summary and in --stats; two copies of the capture in one run
# (the store outlives the first capture's module) give the same per capture.
#
# Environment: top_builddir (set by `make check`).
set -eu

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

: "${top_builddir:=.}"
PRONET="$top_builddir/pronet"
FLOWS=140000
UDP=$((FLOWS / 2))
work=$(mktemp -d "${TMPDIR:-/tmp}/pronet-classify-store.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

"$top_builddir/tests/tools/make_flood" "$work/flood.pcap" "$FLOWS" >/dev/null ||
	fail "make_flood could not write the capture"
cp "$work/flood.pcap" "$work/again.pcap"
"$top_builddir/tests/plugin/make_test_model" "$work/model.pronet" ||
	fail "make_test_model could not write a model"

"$PRONET" classify --stats --max-flows "$FLOWS" -m "$work/model.pronet" --threshold 0.01 \
	-o "$work/events.json" "$work/flood.pcap" "$work/again.pcap" 2>"$work/err" ||
	{ cat "$work/err"; fail "classify failed"; }

grep -q "^model consulted: $((2 * UDP)) flows" "$work/err" ||
	{ cat "$work/err"; fail "not every UDP flow reached the model"; }
grep -q '^model missed: 0 flows' "$work/err" ||
	{ cat "$work/err"; fail "the summary does not say 0 flows missed"; }
for capture in flood again; do
	grep -q "^$work/$capture.pcap: .*flows $FLOWS, .*, model missed 0\$" "$work/err" ||
		{ cat "$work/err"; fail "--stats for $capture.pcap does not say model missed 0"; }
done

# A store smaller than the UDP flows open at once: the table (same size)
# evicts instead, so the store still never overflows - each evicted flow is
# reported and forgotten before the next one needs room.
"$PRONET" classify --stats --max-flows 1000 -m "$work/model.pronet" --threshold 0.01 \
	-o "$work/small.json" "$work/flood.pcap" 2>"$work/small.err" ||
	{ cat "$work/small.err"; fail "classify --max-flows 1000 failed"; }
grep -q "^model consulted: $UDP flows" "$work/small.err" ||
	{ cat "$work/small.err"; fail "with --max-flows 1000 not every UDP flow reached the model"; }
grep -q ', evictions [1-9][0-9]*, .*, model missed 0$' "$work/small.err" ||
	{ cat "$work/small.err"; fail "with --max-flows 1000: no evictions, or misses"; }
echo "classify store: $((2 * UDP)) UDP flows over two captures consulted, 0 missed"
