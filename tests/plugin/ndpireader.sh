#!/bin/sh
# Debian's ndpiReader with and without pronet_ndpi.so (LD_PRELOAD) on nDPI's
# captures that have Unknown flows. Asserts that the plugin run names flows
# the plain run leaves Unknown, and changes no flow the plain run names.
#
# Environment: PRONET_CORPUS, NDPIREADER, top_builddir (set by `make check`);
# PRONET_PLUGIN_SO, PRONET_MODEL: the module and model to use (default: the
# build's module and a model made by tests/plugin/make_test_model);
# PRONET_PLUGIN_CAPTURES: capture names, or "all" for the whole corpus.
# Prints one line per capture and a total line.
set -eu

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# A build with --enable-sanitizers or --enable-thread-sanitizer cannot run:
# the sanitizer runtime must be the first
# library of the process, and Debian's ndpiReader is not built with it.
if [ "${PRONET_SANITIZERS:-no}" = yes ]; then
	echo "SKIP: configured with a sanitizer: cannot LD_PRELOAD a sanitizer-built plugin into Debian's ndpiReader"
	exit 77
fi

: "${top_builddir:=.}"
[ -n "${PRONET_CORPUS:-}" ] && [ -d "$PRONET_CORPUS" ] ||
	fail "corpus not found: PRONET_CORPUS='${PRONET_CORPUS:-}' (nDPI's captures, ../shared/corpus/ndpi)"
[ -n "${NDPIREADER:-}" ] && [ -x "$NDPIREADER" ] ||
	fail "ndpiReader not found: NDPIREADER='${NDPIREADER:-}' (Debian package ndpi)"
plugin=${PRONET_PLUGIN_SO:-$top_builddir/plugin/.libs/pronet_ndpi.so}
[ -f "$plugin" ] || fail "plugin not built: $plugin"

work=$(mktemp -d "${TMPDIR:-/tmp}/pronet-ndpireader.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ -z "${PRONET_MODEL:-}" ]; then
	PRONET_MODEL=$work/model.pronet
	"$top_builddir/tests/plugin/make_test_model" "$PRONET_MODEL" ||
		fail "could not make a test model"
	# The test model is untrained: a low threshold makes it answer.
	PRONET_THRESHOLD=${PRONET_THRESHOLD:-0.01}
	export PRONET_THRESHOLD
fi
export PRONET_MODEL
# The repository's rules files (thresholds, protos), unless told otherwise.
if [ -z "${PRONET_RULES_DIR:-}" ] && [ -n "${top_srcdir:-}" ]; then
	PRONET_RULES_DIR=$top_srcdir/rules
	export PRONET_RULES_DIR
fi

# Captures nDPI 4.2 leaves flows Unknown in (PPStream, Skype, ...), and
# KakaoTalk_talk.pcap, whose mid-stream TCP flow libndpi gives up on
# internally after one packet: labelling there would override the name nDPI
# finds later (AmazonAWS).
captures=${PRONET_PLUGIN_CAPTURES:-"pps.pcap 1kxun.pcap skype.pcap zoom_p2p.pcapng KakaoTalk_talk.pcap"}
if [ "$captures" = all ]; then
	captures=$(cd "$PRONET_CORPUS" && ls | grep -E '\.(pcap|pcapng|cap)$')
fi

# One line per flow: "L4 a:port <-> b:port Protocol" (or ->), sorted.
flows() {
	sed -nE 's/^\t[0-9]+\t([A-Za-z0-9]+ [^ ]+ <?-> [^ ]+) .*\[proto: [0-9.]+\/([^]]+)\].*/\1 \2/p' "$1" |
		sort
}

total_plain=0 total_plugin=0 total_flows=0
for capture in $captures; do
	pcap=$PRONET_CORPUS/$capture
	[ -f "$pcap" ] || fail "capture missing from the corpus: $pcap"
	"$NDPIREADER" -q -v 2 -i "$pcap" >"$work/plain.out" 2>"$work/plain.err" ||
		fail "$capture: ndpiReader failed: $(cat "$work/plain.err")"
	LD_PRELOAD=$plugin "$NDPIREADER" -q -v 2 -i "$pcap" >"$work/plugin.out" 2>"$work/plugin.err" ||
		fail "$capture: ndpiReader with the plugin failed: $(cat "$work/plugin.err")"
	if grep -q '^pronet:' "$work/plugin.err"; then
		fail "$capture: the plugin disabled itself: $(grep '^pronet:' "$work/plugin.err")"
	fi
	flows "$work/plain.out" >"$work/plain.flows"
	flows "$work/plugin.out" >"$work/plugin.flows"
	n_plain=$(wc -l <"$work/plain.flows")
	n_plugin=$(wc -l <"$work/plugin.flows")
	[ "$n_plain" -eq "$n_plugin" ] ||
		fail "$capture: $n_plain flows without the plugin, $n_plugin with it"
	unknown_plain=$(grep -c ' Unknown$' "$work/plain.flows" || true)
	unknown_plugin=$(grep -c ' Unknown$' "$work/plugin.flows" || true)
	# Flows plain ndpiReader names must come out identical.
	grep -v ' Unknown$' "$work/plain.flows" >"$work/plain.named" || true
	changed=$(comm -23 "$work/plain.named" "$work/plugin.flows" | wc -l)
	if [ "$changed" -ne 0 ]; then
		comm -23 "$work/plain.named" "$work/plugin.flows" | head -5 >&2
		fail "$capture: the plugin changed $changed flows ndpiReader names"
	fi
	printf '%s\tflows %d\tunknown plain %d\tunknown with plugin %d\n' \
		"$capture" "$n_plain" "$unknown_plain" "$unknown_plugin"
	total_flows=$((total_flows + n_plain))
	total_plain=$((total_plain + unknown_plain))
	total_plugin=$((total_plugin + unknown_plugin))
done
printf 'TOTAL\tcaptures %d\tflows %d\tunknown plain %d\tunknown with plugin %d\tnamed flows changed 0\n' \
	"$(echo $captures | wc -w)" "$total_flows" "$total_plain" "$total_plugin"
[ "$total_plugin" -lt "$total_plain" ] ||
	fail "the plugin named none of the $total_plain flows ndpiReader leaves Unknown"

# A damaged model: the shim says so once and gets out of the way.
first=$(echo $captures | cut -d' ' -f1)
head -c 64 "$PRONET_MODEL" >"$work/damaged.model"
"$NDPIREADER" -q -v 2 -i "$PRONET_CORPUS/$first" >"$work/plain.out" 2>/dev/null
PRONET_MODEL=$work/damaged.model LD_PRELOAD=$plugin \
	"$NDPIREADER" -q -v 2 -i "$PRONET_CORPUS/$first" >"$work/damaged.out" 2>"$work/damaged.err" ||
	fail "$first: ndpiReader failed with a damaged model"
[ "$(grep -c '^pronet: .*damaged.model.*disabled' "$work/damaged.err")" -eq 1 ] ||
	fail "a damaged model was not reported exactly once: $(cat "$work/damaged.err")"
flows "$work/plain.out" >"$work/plain.flows"
flows "$work/damaged.out" >"$work/damaged.flows"
cmp -s "$work/plain.flows" "$work/damaged.flows" ||
	fail "$first: a disabled plugin changed ndpiReader's flows"
echo "damaged model: reported once, ndpiReader unchanged"

# PRONET_MAX_FLOWS sizes the flow store. A bad value is reported once, naming
# the variable, and the plugin stays out of the way (as a damaged model);
# a store of one flow names fewer of the capture's Unknown flows than the
# default store of 65536.
PRONET_MAX_FLOWS=lots LD_PRELOAD=$plugin \
	"$NDPIREADER" -q -v 2 -i "$PRONET_CORPUS/$first" >"$work/bad.out" 2>"$work/bad.err" ||
	fail "$first: ndpiReader failed with a bad PRONET_MAX_FLOWS"
[ "$(grep -c '^pronet: PRONET_MAX_FLOWS=lots: not in 1\.\.67108864; the plugin is disabled$' \
	"$work/bad.err")" -eq 1 ] ||
	fail "a bad PRONET_MAX_FLOWS was not reported exactly once: $(cat "$work/bad.err")"
flows "$work/bad.out" >"$work/bad.flows"
cmp -s "$work/plain.flows" "$work/bad.flows" ||
	fail "$first: a disabled plugin (bad PRONET_MAX_FLOWS) changed ndpiReader's flows"
LD_PRELOAD=$plugin "$NDPIREADER" -q -v 2 -i "$PRONET_CORPUS/$first" >"$work/default.out" 2>&1 ||
	fail "$first: ndpiReader failed with the plugin"
PRONET_MAX_FLOWS=1 LD_PRELOAD=$plugin \
	"$NDPIREADER" -q -v 2 -i "$PRONET_CORPUS/$first" >"$work/one.out" 2>"$work/one.err" ||
	fail "$first: ndpiReader failed with PRONET_MAX_FLOWS=1"
if grep -q '^pronet:' "$work/one.err"; then
	fail "PRONET_MAX_FLOWS=1 disabled the plugin: $(cat "$work/one.err")"
fi
unknown_default=$(flows "$work/default.out" | grep -c ' Unknown$' || true)
unknown_one=$(flows "$work/one.out" | grep -c ' Unknown$' || true)
unknown_none=$(grep -c ' Unknown$' "$work/plain.flows" || true)
[ "$unknown_default" -lt "$unknown_one" ] && [ "$unknown_one" -le "$unknown_none" ] ||
	fail "$first: Unknown flows: plain $unknown_none, store of 1 flow $unknown_one, default store $unknown_default"
echo "PRONET_MAX_FLOWS: a bad value reported once; Unknown flows in $first: plain $unknown_none, a store of 1 flow $unknown_one, the default store $unknown_default"
