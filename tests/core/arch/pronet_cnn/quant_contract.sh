#!/bin/sh
# The 16-bit prediction path's contract (core/arch/pronet_cnn/quant.h) for
# the shipped model, rules/default.pronet, on every distinct input of nDPI's
# captures in $PRONET_CORPUS (../shared/corpus/ndpi by default): the same
# class as the float reference on >= 99.99 % of them and every class
# probability within 1e-3 (tools/quant_contract --check, `make
# quant-contract`). The set must be the corpus's, not what a damaged or
# missing corpus leaves: at least 90,000 inputs (99,570 when this was
# written).
set -u
: "${top_srcdir:?top_srcdir is not set: run through make check}" "${top_builddir:?}"
CHECK="$top_builddir/tools/quant_contract"
MODEL="$top_srcdir/rules/default.pronet"
corpus=${PRONET_CORPUS:-}

if [ -z "$corpus" ] || [ ! -r "$corpus/MANIFEST.tsv" ]; then
	echo "quant_contract.sh: no corpus at '$corpus' (PRONET_CORPUS, nDPI's captures with" \
		"MANIFEST.tsv; ../shared/corpus/ndpi by default)" >&2
	exit 1
fi
out=$("$CHECK" -m "$MODEL" -c "$corpus" --check 2>&1)
status=$?
echo "$out"
if [ "$status" -ne 0 ]; then
	echo "quant_contract.sh: the contract does not hold for $MODEL (exit $status)" >&2
	exit 1
fi
count=$(echo "$out" | sed -n 's/.*: \([0-9]*\) distinct inputs from.*/\1/p')
if [ -z "$count" ] || [ "$count" -lt 90000 ]; then
	echo "quant_contract.sh: only '${count}' distinct inputs from $corpus (expected >= 90000)" >&2
	exit 1
fi
echo "$out" | grep -q "the contract: .*: held$" || {
	echo "quant_contract.sh: the summary line is missing" >&2
	exit 1
}
# The check can fail: held to |dp| <= 1e-9, which rounding alone breaks, it
# must refuse.
"$CHECK" -m "$MODEL" -c "$corpus" --check --max-dp 1e-9 >/dev/null 2>&1
status=$?
if [ "$status" -ne 1 ]; then
	echo "quant_contract.sh: --max-dp 1e-9 passed (exit $status): the check checks nothing" >&2
	exit 1
fi
exit 0
