#!/bin/sh
# Integration test of `pronet train`, `pronet predict` and `pronet info`:
# builds a small dataset of crafted protocol prefixes (tests/tools/
# make_dataset.c: DNS queries, HTTP request lines, TLS ClientHellos, SSH
# banners), trains a small model for a few hundred steps, predicts payloads
# it has not seen, describes the model, and checks the exit status and
# messages for bad input (missing files, a corrupt model, bad hex, bad
# options).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
MAKE_DATASET="$top_builddir/tests/tools/make_dataset"
require_program "$MAKE_DATASET"

# --- a dataset, a model --------------------------------------------------
expect_status 0 "make_dataset" "$MAKE_DATASET" "$TMP/crafted.ds" 40
expect_status 0 "train" "$PRONET" train "$TMP/crafted.ds" -o "$TMP/model.bin" \
	--embed-dim 8 --filters 8 --ngram-buckets 256 --dropout 0.1 --batch-size 16 \
	--steps 300 --learning-rate 0.01 --seed 7
expect_in "$TMP/out" "samples: 160" "train summary"
expect_in "$TMP/out" "classes: 4" "train summary"
expect_in "$TMP/out" "steps: 300" "train summary"
expect_in "$TMP/out" "final loss: " "train summary"
# Not a terminal: one progress line per report, the last at step 300.
expect_in "$TMP/err" "step 300/300" "train progress"
[ -s "$TMP/model.bin" ] || fail "train wrote no model"

# --- info ----------------------------------------------------------------
expect_status 0 "info" "$PRONET" info "$TMP/model.bin"
expect_in "$TMP/out" "format version: 2" "info"
expect_in "$TMP/out" "architecture: pronet-cnn" "info"
expect_in "$TMP/out" "embed dim: 8" "info"
expect_in "$TMP/out" "filters per width: 8" "info"
expect_in "$TMP/out" "ngram buckets: 256" "info"
expect_in "$TMP/out" "classes: 4" "info"
expect_in "$TMP/out" "class: 0 DNS" "info"
expect_in "$TMP/out" "class: 3 SSH" "info"
expect_in "$TMP/out" "weights: " "info"

# --- predict payloads not in the dataset ---------------------------------
cat >"$TMP/payloads" <<'EOF'
# DNS query: id abcd, RD, 1 question, label "www"
ab cd 01 00 00 01 00 00 00 00 00 00 03 77 77 77
# "GET /about HTTP/1.1" (colons tolerated; bytes past 16 ignored)
47:45:54:20:2f:61:62:6f:75:74:20:48:54:54:50:2f:31:2e:31
# TLS 1.0 record, ClientHello of 0x01fc bytes, version 3.3, random 9a4f11c27e
160301020001000001fc03039a4f11c27e
# "SSH-2.0-OpenSSH_9.0"
5353482d322e302d4f70656e5353485f392e30
EOF
expect_status 0 "predict" "$PRONET" predict -m "$TMP/model.bin" --top 2 <"$TMP/payloads"
cut -f1 "$TMP/out" >"$TMP/labels"
printf 'DNS\nHTTP\nTLS\nSSH\n' >"$TMP/expected"
cmp -s "$TMP/labels" "$TMP/expected" || { fail "predict labels"; paste "$TMP/expected" "$TMP/out" >&2; }
# Each line: LABEL, probability, "top:" and exactly two NAME=P pairs.
awk -F'\t' 'NF != 3 || $2 < 0 || $2 > 1 || $3 !~ /^top: [A-Z]+=[0-9.]+ [A-Z]+=[0-9.]+$/ { bad = 1 }
	END { exit bad }' "$TMP/out" || { fail "predict output format"; cat "$TMP/out" >&2; }

# --- bad input -----------------------------------------------------------
printf 'zz 01\n16 03 01\n0\n' >"$TMP/bad-hex"
expect_status 1 "predict with bad hex lines" "$PRONET" predict -m "$TMP/model.bin" <"$TMP/bad-hex"
expect_in "$TMP/err" "stdin:1: 'z' at column 1 is not a hex digit" "predict bad hex"
expect_in "$TMP/err" "stdin:3: odd number of hex digits" "predict bad hex"
[ "$(wc -l <"$TMP/out")" -eq 3 ] || fail "predict: one output line per input line expected"
[ "$(sed -n 1p "$TMP/out" | cut -f1)" = "-" ] || fail "predict: bad line 1 should print '-'"
[ "$(sed -n 2p "$TMP/out" | cut -f1)" != "-" ] || fail "predict: good line 2 after a bad one should be classified"

expect_status 1 "predict, missing model" "$PRONET" predict -m "$TMP/none.bin" </dev/null
expect_in "$TMP/err" "$TMP/none.bin" "predict missing model"
expect_status 1 "info, missing model" "$PRONET" info "$TMP/none.bin"
expect_in "$TMP/err" "$TMP/none.bin" "info missing model"
expect_status 1 "train, missing dataset" "$PRONET" train "$TMP/none.ds" -o "$TMP/x.bin"
expect_in "$TMP/err" "$TMP/none.ds" "train missing dataset"
[ ! -e "$TMP/x.bin" ] || fail "train wrote a model from a missing dataset"

# A corrupt model: one byte in the middle changed.
cp "$TMP/model.bin" "$TMP/corrupt.bin"
size=$(wc -c <"$TMP/model.bin")
printf '\377' | dd of="$TMP/corrupt.bin" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cmp -s "$TMP/model.bin" "$TMP/corrupt.bin" && printf '\000' |
	dd of="$TMP/corrupt.bin" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_status 1 "info, corrupt model" "$PRONET" info "$TMP/corrupt.bin"
expect_in "$TMP/err" "corrupt.bin" "info corrupt model"
expect_status 1 "predict, corrupt model" "$PRONET" predict -m "$TMP/corrupt.bin" <"$TMP/payloads"
# A dataset given as a model, a model given as a dataset.
expect_status 1 "info, not a model" "$PRONET" info "$TMP/crafted.ds"
expect_status 1 "train, not a dataset" "$PRONET" train "$TMP/model.bin" -o "$TMP/x.bin"
expect_in "$TMP/err" "not a pronet dataset" "train on a model file"

# --- usage ---------------------------------------------------------------
expect_status 2 "train without arguments" "$PRONET" train
expect_status 2 "train without -o" "$PRONET" train "$TMP/crafted.ds"
expect_status 2 "train --steps and --epochs" "$PRONET" train "$TMP/crafted.ds" -o "$TMP/x.bin" --steps 5 --epochs 2
expect_status 2 "train --dropout 2" "$PRONET" train "$TMP/crafted.ds" -o "$TMP/x.bin" --dropout 2
expect_in "$TMP/err" "--dropout: '2'" "train bad dropout"
expect_status 2 "train --threads x" "$PRONET" train "$TMP/crafted.ds" -o "$TMP/x.bin" --threads x
# --arch: an unknown name lists the known ones; an option of another family
# is unknown; naming the default family trains the very same model.
expect_status 2 "train --arch unknown" "$PRONET" train "$TMP/crafted.ds" -o "$TMP/x.bin" --arch nope
expect_in "$TMP/err" "unknown architecture 'nope' (known: pronet-cnn" "train --arch unknown"
expect_status 2 "eval --arch unknown" "$PRONET" eval --arch=nope "$TMP/crafted.ds"
expect_in "$TMP/err" "known: pronet-cnn" "eval --arch unknown"
expect_status 0 "train --arch pronet-cnn" "$PRONET" train "$TMP/crafted.ds" -o "$TMP/arch.bin" \
	--arch pronet-cnn --embed-dim 8 --filters 8 --ngram-buckets 256 --dropout 0.1 \
	--batch-size 16 --steps 300 --learning-rate 0.01 --seed 7
cmp "$TMP/arch.bin" "$TMP/model.bin" >&2 || fail "--arch pronet-cnn trained another model"
expect_status 0 "train --help" "$PRONET" train --help
expect_in "$TMP/out" "--arch=NAME" "train --help lists --arch"
expect_in "$TMP/out" "    pronet-cnn: byte + 3-gram embeddings" "train --help lists the families"
expect_in "$TMP/out" "      --embed-dim=M         embedding dimension (default 50)" "train --help"
expect_in "$TMP/out" "      --dropout=P           dropout probability while training (default 0.5)" \
	"train --help"
expect_status 2 "predict without -m" "$PRONET" predict </dev/null
expect_status 2 "info without a model" "$PRONET" info
expect_status 2 "unknown option" "$PRONET" info --frobnicate "$TMP/model.bin"
for command in train predict info; do
	expect_status 0 "$command --help" "$PRONET" "$command" --help
	expect_in "$TMP/out" "Usage: pronet $command" "$command --help"
done

finish
echo "cli: all checks passed"
