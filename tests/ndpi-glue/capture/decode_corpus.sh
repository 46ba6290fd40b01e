#!/bin/sh
# Decodes every packet of nDPI's captures ($PRONET_CORPUS) and checks that
# every file opens, the decoder never errs, and that few packets are skipped
# as truncated or bad headers (a decoder that misreads a header shows up
# there first). Prints the skip reasons per link type.
set -u
corpus=${PRONET_CORPUS:-}
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
	echo "decode_corpus.sh: corpus directory '$corpus' not found; set PRONET_CORPUS" >&2
	exit 1
fi
program=${top_builddir:-.}/tests/ndpi-glue/capture/decode_corpus
files=$(find "$corpus" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort)
if [ -z "$files" ]; then
	echo "decode_corpus.sh: no captures in $corpus" >&2
	exit 1
fi
# shellcheck disable=SC2086 # one argument per file; corpus names have no spaces
output=$("$program" $files) || { echo "decode_corpus.sh: $program failed" >&2; exit 1; }
echo "$output"
echo "$output" | awk '
	$1 == "total" { none = $2; truncated = $3; bad = $4; found = 1
		all = 0; for (i = 2; i <= NF; i++) all += $i }
	END {
		if (!found || all == 0) { print "decode_corpus.sh: no totals" > "/dev/stderr"; exit 1 }
		if (none < all * 0.85) { printf "decode_corpus.sh: only %d of %d packets usable\n", none, all > "/dev/stderr"; exit 1 }
		if (truncated > all * 0.001) { printf "decode_corpus.sh: %d truncated\n", truncated > "/dev/stderr"; exit 1 }
		if (bad > all * 0.01) { printf "decode_corpus.sh: %d bad headers\n", bad > "/dev/stderr"; exit 1 }
	}'
