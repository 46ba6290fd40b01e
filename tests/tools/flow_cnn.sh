#!/bin/sh
# Integration test of the flow-cnn family through the CLI (docs/flow-cnn.md):
# a dataset of the loopback captures' first 8 payload packets per direction,
# 1500 bytes each; `pronet train --arch flow-cnn` (a small network, a few
# steps), `pronet info` on its file, `pronet eval --arch flow-cnn` by flow;
# a dataset holding 16 bytes per packet and byte augmentation are refused
# with a message. (The network's behaviour is tests/core/arch/flow_cnn.)
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
DATA="$top_srcdir/tests/data"
SMALL="--input-values 256 --filters1 2 --filters2 2 --filters3 3 --filters4 3 --dense1 8
	--dense2 8"

expect_status 0 "label" "$PRONET" label -q --layer payload --bytes 1500 --packets 8 \
	"$DATA/loopback-mixed.pcap" -o "$TMP/flows.ds"
# shellcheck disable=SC2086 # SMALL is a list of options
expect_status 0 "train" "$PRONET" train --arch flow-cnn $SMALL "$TMP/flows.ds" --steps 5 \
	--threads 2 -o "$TMP/m.pronet"
expect_in "$TMP/out" "steps: 5" "train"
expect_status 0 "info" "$PRONET" info "$TMP/m.pronet"
for text in "architecture: flow-cnn" "input: 256 values per flow" \
	"normalisation: z-score per position" "conv 2x3, conv 2x3, max-pool 2, conv 3x3" \
	"multiply-adds per flow:" "workspace bytes:" "packets per direction: 8"; do
	expect_in "$TMP/out" "$text" "info"
done
# shellcheck disable=SC2086
expect_status 0 "eval by flow" "$PRONET" eval --arch flow-cnn $SMALL "$TMP/flows.ds" \
	--by flow -k 2 --steps 3 --threads 2 -q
for text in "folds split by flow" "Best class always" "With abstention" "macro average"; do
	expect_in "$TMP/out" "$text" "eval"
done
expect_status 0 "help" "$PRONET" train --help
expect_in "$TMP/out" "batch size 64, learning rate 0.0005" "train --help"

# What the model reads must be in the dataset: 16 bytes per packet is not.
expect_status 0 "label 16 bytes" "$PRONET" label -q "$DATA/loopback-mixed.pcap" \
	-o "$TMP/short.ds"
# shellcheck disable=SC2086
expect_status 1 "train on 16 bytes" "$PRONET" train --arch flow-cnn $SMALL "$TMP/short.ds" \
	--steps 1 -o "$TMP/x.pronet"
expect_in "$TMP/err" "the dataset" "train on 16 bytes"
# shellcheck disable=SC2086
expect_status 1 "augmentation" "$PRONET" train --arch flow-cnn $SMALL "$TMP/flows.ds" \
	--steps 1 --augment-bytes 0.1 -o "$TMP/x.pronet"
expect_in "$TMP/err" "byte augmentation is for per-packet architectures" "augmentation"
[ -e "$TMP/x.pronet" ] && fail "a refused training wrote a model"

finish
echo "flow_cnn.sh: ok"
