#!/bin/sh
# Integration test: pronet's per-flow nDPI verdicts agree with Debian's
# ndpiReader (nDPI 4.2) on nDPI's captures ($PRONET_CORPUS) for at least 99%
# of all flows (tools/ndpi-agreement states the options of both sides). Also
# checks the script itself: one DNS flow agrees at threshold 1, and a pronet
# that prints no flows fails the bound (exit 1).
set -u
corpus=${PRONET_CORPUS:-}
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
	echo "agreement.sh: corpus directory '$corpus' not found; set PRONET_CORPUS" >&2
	exit 1
fi
: "${top_srcdir:?top_srcdir is not set: run through make check}"
: "${top_builddir:?top_builddir is not set: run through make check}"
ndpireader=${NDPIREADER:-}
[ -n "$ndpireader" ] || ndpireader=$(command -v ndpiReader) || {
	echo "agreement.sh: ndpiReader not found (Debian package ndpi)" >&2
	exit 1
}
script=$top_srcdir/tools/ndpi-agreement
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pronet-agreement.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

PRONET=$top_builddir/pronet NDPIREADER=$ndpireader "$script" --list 100 "$corpus" >"$tmp/out" 2>"$tmp/err"
status=$?
sed -n '/^TOTAL/,$p' "$tmp/out"
cat "$tmp/err" >&2
if [ "$status" -ne 0 ]; then
	echo "FAIL: ndpi-agreement exited $status (agreement below 0.99 or an error)" >&2
	exit 1
fi
# At least 500 captures and 9000 flows compared: a run that compared nothing cannot pass.
awk -F'\t' '$1 == "TOTAL" { found = 1; flows = $2 + $5 + $6 }
	END { exit !(found && flows >= 9000) }' "$tmp/out" || { echo "FAIL: too few flows compared" >&2; exit 1; }
[ "$(grep -c . "$tmp/out")" -gt 500 ] || { echo "FAIL: too few captures compared" >&2; exit 1; }

# The comparison is real: one DNS flow agrees exactly; no flows fail.
one=$corpus/dns_long_domainname.pcap
if PRONET=$top_builddir/pronet NDPIREADER=$ndpireader "$script" -t 1 "$one" >/dev/null 2>&1; then :; else
	echo "FAIL: one DNS flow should agree exactly" >&2; exit 1
fi
PRONET=/bin/true NDPIREADER=$ndpireader "$script" "$one" >"$tmp/out2" 2>&1
if [ $? -ne 1 ] || ! grep -q "only ndpiReader" "$tmp/out2"; then
	echo "FAIL: a pronet printing no flows must fail the bound" >&2
	exit 1
fi
exit 0
