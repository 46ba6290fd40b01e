#!/bin/sh
# Integration test of `pronet label`: on tests/data/loopback-mixed.pcap the
# dataset's classes and flows are exactly the DPI-named flows `pronet flows`
# prints, and the dataset loads; options (--packets, --direction, --dedup,
# --max-per-class with its seed, directories and @lists) do what they say; a
# damaged capture among good ones is named, the others still labelled, exit
# status 1; a dataset that cannot be written leaves nothing behind. Then the
# whole corpus ($PRONET_CORPUS): every flow `pronet flows` prints is either
# labelled or excluded for a reason, and the reasons match its confidences;
# --label app labels by nDPI's application (TLS.Google -> Google).
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"
SUMMARY="$top_builddir/tests/tools/dataset_summary"
DATA="$top_srcdir/tests/data"
PRONET_RULES_DIR="$top_srcdir/rules"
export PRONET_RULES_DIR
require_program "$SUMMARY"
MIXED="$DATA/loopback-mixed.pcap"

# --- classes and flows agree with `pronet flows` ---------------------------
expect_status 0 "flows mixed" "$PRONET" flows "$MIXED"
# DPI-named flows per label: the master of Master.App, else the name.
awk -F'\t' '$7 ~ /^DPI/ && $6 != "Unknown" { split($6, p, "."); n[p[1]]++ }
	END { for (k in n) print k, n[k] }' "$TMP/out" | sort >"$TMP/flows.expected"
[ -s "$TMP/flows.expected" ] || fail "pronet flows named no flow by DPI in $MIXED"
expect_status 0 "label mixed" "$PRONET" label "$MIXED" -o "$TMP/mixed.ds"
cp "$TMP/out" "$TMP/mixed.table"
expect_status 0 "dataset_summary mixed" "$SUMMARY" "$TMP/mixed.ds"
cp "$TMP/out" "$TMP/mixed.summary"
awk '$1 == "class" { print $2, $4 }' "$TMP/mixed.summary" | sort >"$TMP/flows.got"
cmp -s "$TMP/flows.expected" "$TMP/flows.got" ||
	{ fail "classes/flows differ from pronet flows"; diff "$TMP/flows.expected" "$TMP/flows.got" >&2; }
samples=$(awk '$1 == "samples" { print $2 }' "$TMP/mixed.summary")
table_samples=$(awk '$1 == "total" { print $3 }' "$TMP/mixed.table")
[ "${samples:-0}" -gt 0 ] || fail "the dataset of $MIXED has no samples"
[ "$samples" = "$table_samples" ] || fail "table says $table_samples samples, dataset has $samples"
# Per class, the table agrees with the dataset.
awk '$1 == "class" { print $2, $4, $3 }' "$TMP/mixed.summary" | sort >"$TMP/a"
awk 'NR > 1 && $1 != "total" && $1 !~ /^[*#]/ && $2 > 0 { print $1, $2, $3 }' "$TMP/mixed.table" |
	sort >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || { fail "per-class table differs from the dataset"; diff "$TMP/a" "$TMP/b" >&2; }
# Samples carry their capture and flow number (a line of `pronet flows`).
"$SUMMARY" --flows "$TMP/mixed.ds" >"$TMP/mixed.flows"
grep -q "^flow $MIXED [0-9]" "$TMP/mixed.flows" || fail "samples do not name their capture"
# Default K = 4 per direction: no flow has more than 8 samples.
awk '$6 > 8 { bad = 1 } END { exit bad }' "$TMP/mixed.flows" || fail "a flow has more than 8 samples"

# --- --packets, --direction ------------------------------------------------
expect_status 0 "label -k 1" "$PRONET" label -k 1 "$MIXED" -o "$TMP/k1.ds"
"$SUMMARY" --flows "$TMP/k1.ds" >"$TMP/k1.flows" || fail "the -k 1 dataset does not load"
[ -s "$TMP/k1.flows" ] || fail "--packets 1 labelled no flow"
awk '$6 > 2 { bad = 1 } END { exit bad }' "$TMP/k1.flows" ||
	fail "--packets 1 gave a flow more than 2 samples"
expect_status 0 "label client" "$PRONET" label --direction client "$MIXED" -o "$TMP/client.ds"
client=$("$SUMMARY" "$TMP/client.ds" | awk '$1 == "samples" { print $2 }')
[ "$client" -gt 0 ] && [ "$client" -lt "$samples" ] ||
	fail "--direction client: $client samples of $samples"
expect_status 2 "bad direction" "$PRONET" label --direction up "$MIXED" -o "$TMP/x.ds"
grep -q "direction" "$TMP/err" || fail "bad --direction not explained"
expect_status 2 "no output" "$PRONET" label "$MIXED"
[ -e "$TMP/x.ds" ] && fail "a usage error wrote a dataset"

# --- --dedup ----------------------------------------------------------------
dups=$(awk '$1 == "duplicates" { print $2 }' "$TMP/mixed.summary")
[ "$dups" -gt 0 ] || fail "loopback-mixed has no duplicate samples: --dedup untested"
expect_status 0 "label --dedup" "$PRONET" label --dedup "$MIXED" -o "$TMP/dedup.ds"
"$SUMMARY" "$TMP/dedup.ds" >"$TMP/dedup.summary"
grep -qx "duplicates 0" "$TMP/dedup.summary" || fail "--dedup left duplicates"
grep -qx "samples $((samples - dups))" "$TMP/dedup.summary" ||
	fail "--dedup: expected $((samples - dups)) samples"
# A flow whose every sample was a duplicate is not counted as written.
set -- $(awk '$1 == "total" { print $2, $4, $NF }' "$TMP/out")
[ $# -eq 3 ] || { fail "--dedup: no total line in the table"; set -- 0 0 0; }
all_flows=$(awk '$1 == "total" { print $2 }' "$TMP/mixed.table")
[ $(($1 + $3)) -eq "$all_flows" ] || fail "--dedup: $1 flows + $3 all-dups, expected $all_flows"
[ "$3" -gt 0 ] || fail "--dedup: no flow was all duplicates in loopback-mixed"

# --- --max-per-class: whole flows, reproducible -----------------------------
expect_status 0 "cap seed 3" "$PRONET" label --max-per-class 30 --seed 3 "$MIXED" -o "$TMP/cap3.ds"
expect_status 0 "cap seed 3 again" "$PRONET" label --max-per-class 30 --seed 3 "$MIXED" -o "$TMP/cap3b.ds"
cmp -s "$TMP/cap3.ds" "$TMP/cap3b.ds" || fail "--max-per-class with one seed is not reproducible"
"$SUMMARY" "$TMP/cap3.ds" | awk '$1 == "class" && $3 > 30 { bad = 1 } END { exit bad }' ||
	fail "--max-per-class 30 let a class exceed 30 samples"
# Every kept flow is whole: the same flow with the same samples as uncapped.
"$SUMMARY" --flows "$TMP/cap3.ds" >"$TMP/cap3.flows"
[ -s "$TMP/cap3.flows" ] || fail "--max-per-class kept nothing"
grep -vxFf "$TMP/mixed.flows" "$TMP/cap3.flows" >"$TMP/partial" &&
	{ fail "--max-per-class split flows"; head "$TMP/partial" >&2; }
# TLS (160 samples in 20 flows of 8) is capped: 3 flows of 8 fit.
"$SUMMARY" "$TMP/cap3.ds" | grep -qx "class TLS 24 3" || fail "TLS not capped to 3 whole flows"
expect_status 0 "cap seed 4" "$PRONET" label --max-per-class 30 --seed 4 "$MIXED" -o "$TMP/cap4.ds"
cmp -s "$TMP/cap3.ds" "$TMP/cap4.ds" && fail "--seed does not change the choice of flows"

# --- directories and lists ---------------------------------------------------
mkdir -p "$TMP/dir/sub" && cp "$MIXED" "$TMP/dir/sub/b.pcap" && cp "$DATA/loopback-ipv6.pcap" "$TMP/dir/a.pcap"
echo "not a capture" >"$TMP/dir/notes.txt"
expect_status 0 "label dir" "$PRONET" label -q "$TMP/dir" -o "$TMP/dir.ds"
printf '# two captures\n\ndir/a.pcap\n  dir/sub/b.pcap  \n' >"$TMP/list.txt"
expect_status 0 "label @list" "$PRONET" label -q "@$TMP/list.txt" -o "$TMP/list.ds"
"$SUMMARY" "$TMP/dir.ds" | grep -v duplicates >"$TMP/a"
"$SUMMARY" "$TMP/list.ds" | grep -v duplicates >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "a directory and a list of its files label differently"
grep -qx "captures 2" "$TMP/a" || fail "directory: expected 2 captures"
expect_status 1 "missing list" "$PRONET" label "@$TMP/nolist.txt" "$MIXED" -o "$TMP/nolist.ds"
grep -q "nolist.txt" "$TMP/err" || fail "a missing list is not named"
[ -s "$TMP/nolist.ds" ] || fail "a missing list stopped the other captures"

# --- damaged captures among good ones ---------------------------------------
head -c 1000 "$MIXED" >"$TMP/truncated.pcap"
echo "garbage, not a capture" >"$TMP/garbage.pcap"
expect_status 1 "damaged captures" "$PRONET" label "$TMP/garbage.pcap" "$MIXED" "$TMP/truncated.pcap" \
	"$TMP/missing.pcap" -o "$TMP/damaged.ds"
for name in garbage.pcap truncated.pcap missing.pcap; do
	grep -q "$name" "$TMP/err" || fail "the error does not name $name"
done
grep -q "3 of 4 captures could not be read" "$TMP/err" || fail "failed captures not counted"
"$SUMMARY" "$TMP/damaged.ds" | grep -q "^class TLS 160 20$" ||
	fail "the good capture was not labelled whole next to damaged ones"

# --- the dataset is written whole or not at all ------------------------------
expect_status 1 "unwritable output" "$PRONET" label "$MIXED" -o "$TMP/nodir/out.ds"
grep -q "nodir/out.ds" "$TMP/err" || fail "an unwritable output is not named"
[ -e "$TMP/nodir" ] && fail "an unwritable output created its directory"
# The dataset is written, then cannot replace the directory standing in its
# place: the temporary file beside it must go, the directory stay as it was.
mkdir "$TMP/isdir" && touch "$TMP/isdir/kept"
expect_status 1 "output over a directory" "$PRONET" label -q "$MIXED" -o "$TMP/isdir"
grep -q "isdir: cannot replace" "$TMP/err" || fail "a failed rename is not named ($(cat "$TMP/err"))"
ls "$TMP" | grep -q '^isdir\.tmp\.' && fail "a failed rename left its temporary file"
[ "$(ls "$TMP/isdir")" = kept ] || fail "a failed rename changed the directory in its place"

# --- the record spec: --bytes, --layer, --all-packets (dataset v2) --------------
# Defaults: the header says 16 payload bytes, 4 per direction, payload packets only.
expect_status 0 "dataset_summary --records mixed" "$SUMMARY" --records "$TMP/mixed.ds"
[ "$(head -n 1 "$TMP/out")" = "spec 16 payload 0 4" ] || fail "default spec: $(head -n 1 "$TMP/out")"
awk '$1 == "record" && ($3 == 65535 || $4 > 16 || $6 != 0 || $7 != 0)' "$TMP/out" | grep -q . &&
	fail "default records: a payload-less record, more than 16 bytes or header offsets"
expect_status 0 "label --layer l3 --bytes 1500 --all-packets" "$PRONET" label "$MIXED" \
	--layer l3 --bytes 1500 --all-packets -o "$TMP/l3.ds"
grep -q "^# records: 1500 bytes, layer l3, 4 per direction, payload-less included; 0 dropped" \
	"$TMP/out" || fail "label l3: no records line"
expect_status 0 "dataset_summary --records l3" "$SUMMARY" --records "$TMP/l3.ds"
[ "$(head -n 1 "$TMP/out")" = "spec 1500 l3 1 4" ] || fail "l3 spec: $(head -n 1 "$TMP/out")"
awk '$1 == "record" && $8 != 1' "$TMP/out" | grep -q . && fail "l3: a record's addresses are not zeroed"
awk '$1 == "record" && $3 == 65535' "$TMP/out" | grep -q . || fail "l3: no payload-less record (a SYN)"
awk '$1 == "record" && $4 > 100' "$TMP/out" | grep -q . || fail "l3: no record longer than 100 bytes"
awk '$1 == "record" && ($6 < 20 || $7 < $6)' "$TMP/out" | grep -q . && fail "l3: bad header offsets"
# A tiny budget drops records and says so; the dataset still loads.
expect_status 0 "label --record-memory 1 --bytes 1500" "$PRONET" label "$MIXED" --bytes 1500 \
	-k 8 --all-packets --record-memory 1 -o "$TMP/budget.ds"
grep -q "^# records: 1500 bytes, layer payload, 8 per direction, payload-less included; [1-9][0-9]* dropped" "$TMP/out" ||
	fail "label: a 1 MB budget of 1500-byte records dropped nothing: $(grep '^# records' "$TMP/out")"
expect_status 0 "dataset_summary budget" "$SUMMARY" "$TMP/budget.ds"
expect_status 2 "label --bytes 1501" "$PRONET" label "$MIXED" --bytes 1501 -o "$TMP/x.ds"
# Many packets per direction only without bytes (40-byte records), up to 1024.
expect_status 2 "label -k 9 with bytes" "$PRONET" label "$MIXED" -k 9 -o "$TMP/x.ds"
expect_in "$TMP/err" "at most 8 with bytes" "label -k 9 message"
expect_status 2 "label -k 1025 --bytes 0" "$PRONET" label "$MIXED" -k 1025 --bytes 0 -o "$TMP/x.ds"
expect_status 2 "label --layer l4" "$PRONET" label "$MIXED" --layer l4 -o "$TMP/x.ds"

# With the defaults, label writes v2 records whose predictions are the v1
# fixture's (tests/data/v1: the same captures labelled by a v1 build).
PREDICT="$top_builddir/tests/core/model/v1_predictions"
(cd "$DATA" && "$PRONET" label -q loopback-mixed.pcap loopback-ipv6.pcap loopback-unknown.pcap \
	-o "$TMP/default-v2.ds") >/dev/null || fail "label the v1 fixture's captures"
expect_status 0 "v2 default dataset gives the v1 fixture's predictions" "$PREDICT" --compare \
	"$DATA/v1/predictions-default.txt" "$DATA/v1/default-v1.pronet" "$TMP/default-v2.ds"

# --- help ------------------------------------------------------------------------
expect_status 0 "label --help" "$PRONET" label --help
grep -q "Usage: pronet label" "$TMP/out" || fail "label --help"

# --- the whole corpus ------------------------------------------------------------
require_corpus
"$PRONET" flows "$CORPUS" >"$TMP/corpus.flows" 2>"$TMP/corpus.flows.err"
flows_status=$?
"$PRONET" label "$CORPUS" -o "$TMP/corpus.ds" >"$TMP/corpus.table" 2>"$TMP/corpus.err"
label_status=$?
[ "$label_status" -eq "$flows_status" ] ||
	fail "corpus: label exit $label_status, flows exit $flows_status"
grep -v "captures, " "$TMP/corpus.err" | grep -v "could not be read" | sort >"$TMP/a"
sed 's/^pronet flows/pronet label/' "$TMP/corpus.flows.err" | sort >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || { fail "corpus: label and flows fail on different captures"; diff "$TMP/a" "$TMP/b" >&2; }
lines=$(wc -l <"$TMP/corpus.flows")
dpi=$(awk -F'\t' '$7 ~ /^DPI/ && $6 != "Unknown"' "$TMP/corpus.flows" | wc -l)
by_port=$(awk -F'\t' '$7 == "Match by port"' "$TMP/corpus.flows" | wc -l)
by_ip=$(awk -F'\t' '$7 == "Match by IP"' "$TMP/corpus.flows" | wc -l)
# total: flows, then the excluded columns unknown, by-port, by-ip, guessed,
# class-map, no-payload, all-dups (no dups/capped columns in this run).
set -- $(awk '$1 == "total" { print $2, $4, $5, $6, $7, $8, $9, $10 }' "$TMP/corpus.table")
[ $# -eq 8 ] || { fail "corpus: no total line"; set -- 0 0 0 0 0 0 0 0; }
accounted=$(($1 + $2 + $3 + $4 + $5 + $6 + $7 + $8))
[ "$accounted" -eq "$lines" ] ||
	fail "corpus: table accounts for $accounted flows, pronet flows printed $lines"
[ $(($1 + $6 + $7 + $8)) -eq "$dpi" ] || fail "corpus: $dpi DPI flows, table has $(($1 + $6 + $7 + $8))"
[ "$3" -eq "$by_port" ] || fail "corpus: $by_port flows by port, table says $3"
[ "$4" -eq "$by_ip" ] || fail "corpus: $by_ip flows by IP, table says $4"
"$SUMMARY" "$TMP/corpus.ds" >"$TMP/corpus.summary" || fail "corpus dataset does not load"
corpus_samples=$(awk '$1 == "total" { print $3 }' "$TMP/corpus.table")
grep -qx "samples $corpus_samples" "$TMP/corpus.summary" || fail "corpus: dataset and table disagree"
[ "$1" -gt 1000 ] || fail "corpus: only $1 flows labelled"

# --- sizes and times only: a flow's first 1024 packets (histogram windows) -----
# anydesk.pcap's TLS flow has thousands of packets: -k 1024 --bytes 0 keeps its
# first 1024 in arrival order, -k 8 its first 8 per direction.
ANY="$CORPUS/anydesk.pcap"
expect_status 0 "label -k 1024 --bytes 0" "$PRONET" label -q "$ANY" -k 1024 --bytes 0 \
	--all-packets -o "$TMP/sizes.ds"
expect_in "$TMP/out" "0 bytes, layer payload, 1024 per direction, payload-less included; 0 dropped" \
	"label -k 1024 records line"
expect_status 0 "dataset_summary --flows sizes" "$SUMMARY" --flows "$TMP/sizes.ds"
awk '$1 == "flow" && $4 == "TLS" && $5 == 1024' "$TMP/out" | grep -q . ||
	fail "-k 1024 --bytes 0: no TLS flow of 1024 records in anydesk.pcap"
awk '$1 == "flow" && $5 > 1024' "$TMP/out" | grep -q . && fail "-k 1024: a flow past 1024 records"
expect_status 0 "label -k 8 --bytes 0" "$PRONET" label -q "$ANY" -k 8 --bytes 0 --all-packets \
	-o "$TMP/sizes8.ds"
expect_status 0 "dataset_summary --records sizes" "$SUMMARY" --records "$TMP/sizes.ds"
awk '$1 == "record" && $4 != 0' "$TMP/out" | grep -q . && fail "--bytes 0: a record with bytes"
# The first records, where neither direction has reached 8, are the same.
"$SUMMARY" --records "$TMP/sizes8.ds" | sed -n 2,9p >"$TMP/a"
sed -n 2,9p "$TMP/out" >"$TMP/b"
cmp -s "$TMP/a" "$TMP/b" || fail "-k 8 and -k 1024 disagree on a flow's first records"

# --- --label app: nDPI's application (after the dot), no class map ----------
APPS="$CORPUS/quic.pcap $CORPUS/google_ssl.pcap"
# shellcheck disable=SC2086
"$PRONET" flows $APPS >"$TMP/apps.flows" 2>/dev/null
awk -F'\t' '$7 ~ /^DPI/ && $6 != "Unknown" { n = split($6, p, "."); c[p[n]]++ }
	END { for (k in c) print k, c[k] }' "$TMP/apps.flows" | sort >"$TMP/apps.expected"
grep -q "^YouTube " "$TMP/apps.expected" || fail "--label app: quic.pcap has no QUIC.YouTube flow by DPI"
# shellcheck disable=SC2086
expect_status 0 "label --label app" "$PRONET" label -q --label app $APPS -o "$TMP/apps.ds"
# Per label: flows written, plus those without payload or all duplicates.
awk 'NR > 1 && $1 != "total" && $1 !~ /^[*#]/ && $2 + $9 + $10 > 0 { print $1, $2 + $9 + $10 }' \
	"$TMP/out" | sort >"$TMP/apps.got"
cmp -s "$TMP/apps.expected" "$TMP/apps.got" ||
	{ fail "--label app: labels differ from nDPI's applications"; diff "$TMP/apps.expected" "$TMP/apps.got" >&2; }
expect_status 2 "--label app with a class map" "$PRONET" label --label app -c x "$MIXED" -o "$TMP/x.ds"
expect_in "$TMP/err" "takes no class map" "--label app -c message"
expect_status 2 "--label sni" "$PRONET" label --label sni "$MIXED" -o "$TMP/x.ds"
expect_in "$TMP/err" "'sni' is not protocol or app" "--label sni message"

finish
echo "label: ok ($1 corpus flows labelled, $corpus_samples samples)"
