#!/bin/sh
# pronet train --stream: the model trained from a dataset read through the
# block cache is the in-memory one byte for byte (early stopping,
# calibration, two threads; Deep Packet's CNN and autoencoder on a v2
# dataset of 1500 bytes from the IP header larger than the cache, ProNet and
# a random forest on payload bytes, ProNet on cli.sh's crafted v1 dataset,
# flow-cnn on whole flows of 1500-byte records); eval's cross-validation
# streamed prints the in-memory tables;
# a cut dataset
# is refused naming the file and the offset; a bad cache size is a usage
# error.
set -u
: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
require_corpus
MAKE_DATASET="$top_builddir/tests/tools/make_dataset"
require_program "$MAKE_DATASET"

# The DNS and QUIC captures' flows: records of 1500 bytes from the IP header
# (deep-packet-cnn's input) are about 1.2 MB, past a 1 MiB cache; of 16
# payload bytes (pronet-cnn's), 0.1 MB.
expect_status 0 "label l3" "$PRONET" label -q -o "$TMP/l3.ds" --bytes 1500 --layer l3 \
	"$CORPUS"/dns*.pcap* "$CORPUS"/quic*.pcap*
expect_status 0 "label payload" "$PRONET" label -q -o "$TMP/payload.ds" --all-packets \
	"$CORPUS"/dns*.pcap* "$CORPUS"/quic*.pcap*
expect_status 0 "label flow-cnn's input" "$PRONET" label -q -o "$TMP/flows1500.ds" --bytes 1500 \
	--all-packets "$CORPUS"/dns*.pcap* "$CORPUS"/quic*.pcap*
size=$(wc -c <"$TMP/l3.ds")
[ "$size" -gt 1048576 ] || fail "the l3 dataset is $size bytes, not above the 1 MiB cache"
expect_status 0 "make_dataset" "$MAKE_DATASET" "$TMP/crafted.ds" 40

# train_twice NAME DATASET OPTION...: in memory and with --stream=1, same file.
train_twice() {
	name=$1 dataset=$2
	shift 2
	expect_status 0 "train $name (memory)" "$PRONET" train -q "$@" "$dataset" \
		-o "$TMP/$name.memory.pronet"
	expect_status 0 "train $name (stream)" "$PRONET" train -q --stream=1 "$@" "$dataset" \
		-o "$TMP/$name.stream.pronet"
	cmp -s "$TMP/$name.memory.pronet" "$TMP/$name.stream.pronet" ||
		fail "$name: the streamed model differs from the in-memory one"
}
train_twice deep-packet-cnn "$TMP/l3.ds" --arch deep-packet-cnn --threads 2 --calibrate \
	--epochs 1
train_twice deep-packet-sae "$TMP/l3.ds" --arch deep-packet-sae --pretrain-epochs 1 \
	--epochs 1 --threads 2
train_twice pronet-cnn "$TMP/payload.ds" --threads 2 --calibrate --epochs 3
# A family fitted without gradients (it reads no record bytes).
train_twice histogram-rf "$TMP/payload.ds" --arch histogram-rf
train_twice crafted "$TMP/crafted.ds" --threads 2 --epochs 3
# A per-flow family: each batch's flows gathered through the cache (its
# z-score statistics too), with early stopping's validation flows.
train_twice flow-cnn "$TMP/flows1500.ds" --arch flow-cnn --threads 2 --calibrate --steps 6 \
	--batch 8 --validate-every 2

# eval trains its folds' models from the same cache: the same tables (all
# but the command line and the training speed).
eval_twice() {
	name=$1
	shift
	expect_status 0 "eval $name (memory)" "$PRONET" eval -q "$@"
	mv "$TMP/out" "$TMP/$name.memory.txt"
	expect_status 0 "eval $name (stream)" "$PRONET" eval -q --stream=1 "$@"
	mv "$TMP/out" "$TMP/$name.stream.txt"
	for copy in memory stream; do
		grep -v -e '^pronet eval ' -e '^training: ' "$TMP/$name.$copy.txt" >"$TMP/$name.$copy.cut"
	done
	grep -q '^macro average' "$TMP/$name.memory.cut" || fail "eval $name printed no table"
	cmp -s "$TMP/$name.memory.cut" "$TMP/$name.stream.cut" ||
		fail "eval $name: the streamed run's tables differ from the in-memory run's"
}
eval_twice deep-packet-cnn --arch deep-packet-cnn --steps 4 --by flow -k 2 "$TMP/l3.ds"
eval_twice flow-cnn --arch flow-cnn --steps 4 --batch-size 8 --by flow -k 2 "$TMP/flows1500.ds"
# -m trains nothing, but reading its dataset streamed is still allowed.
expect_status 0 "eval -m --stream" "$PRONET" eval -q --stream=1 -m "$TMP/pronet-cnn.memory.pronet" \
	"$TMP/payload.ds"

head -c $((size / 2)) "$TMP/l3.ds" >"$TMP/cut.ds"
expect_status 1 "train --stream on a cut dataset" "$PRONET" train -q --stream "$TMP/cut.ds" \
	-o "$TMP/cut.pronet"
expect_in "$TMP/err" "$TMP/cut.ds: offset " "a cut dataset's message"
[ ! -e "$TMP/cut.pronet" ] || fail "a model was written from a cut dataset"
expect_status 2 "--stream=0" "$PRONET" train --stream=0 "$TMP/crafted.ds" -o "$TMP/x.pronet"
expect_status 2 "--stream=lots" "$PRONET" train --stream=lots "$TMP/crafted.ds" -o "$TMP/x.pronet"
finish
echo "train_stream: streamed models and eval tables equal the in-memory ones (deep-packet-cnn and -sae on a $size-byte l3 dataset through a 1 MiB cache; pronet-cnn, histogram-rf, flow-cnn; the crafted v1 dataset)"
