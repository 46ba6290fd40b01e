#!/bin/sh
# pronet predict with a model that reads from the IP header on: a line is a
# whole IP packet, decoded and recorded as the flow table records it (the
# addresses and checksums zeroed), so two packets that differ only there get
# the same line and one whose payload differs does not; a line that is not
# an IP packet is an error line naming the problem; --udp, which the IP
# header answers, is a usage error for such a model and still works for a
# payload model.
set -u
: "${top_srcdir:?top_srcdir is not set: run through make check}"
. "$top_srcdir/tests/tools/common.sh"

# A deep-packet-sae model over tests/data's loopback capture: undertrained,
# but a function of every byte of its input all the same.
expect_status 0 "label l3" "$PRONET" label -q --layer l3 --bytes 1500 -o "$TMP/l3.ds" \
	"$top_srcdir/tests/data/loopback-mixed.pcap"
expect_status 0 "train deep-packet-sae" "$PRONET" train -q --arch deep-packet-sae \
	--pretrain-epochs 1 --epochs 2 --seed 1 "$TMP/l3.ds" -o "$TMP/sae.pronet"

# One DNS query over UDP: A from 192.168.0.1 to 192.168.0.2 with zero
# checksums; B the same from 10.1.2.3 to 10.9.8.7 with other checksums; C
# A with another query ID.
ip='45 00 00 39 1c 46 00 00 40 11'
udp='d4 31 00 35 00 25'
dns='01 00 00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00 01'
{
	echo "$ip 00 00 c0 a8 00 01 c0 a8 00 02 $udp 00 00 12 34 $dns"
	echo "$ip ab cd 0a 01 02 03 0a 09 08 07 $udp 56 78 12 34 $dns"
	echo "$ip 00 00 c0 a8 00 01 c0 a8 00 02 $udp 00 00 99 34 $dns"
	echo "# a comment, then a blank line"
	echo
	echo "45 00 00 39 1c 46"
	echo "70 00 00 39 1c 46 00 00 40 11 00 00 c0 a8 00 01 c0 a8 00 02"
} >"$TMP/packets"
expect_status 1 "predict IP packets (two bad lines)" "$PRONET" predict -m "$TMP/sae.pronet" -k 2 \
	<"$TMP/packets"
[ "$(wc -l <"$TMP/out")" -eq 5 ] || fail "predict: 5 output lines expected (one per packet line)"
line1=$(sed -n 1p "$TMP/out") line2=$(sed -n 2p "$TMP/out") line3=$(sed -n 3p "$TMP/out")
[ "$(printf '%s' "$line1" | cut -f1)" != "-" ] || fail "predict: packet A not classified: $line1"
[ "$line1" = "$line2" ] ||
	fail "predict: the addresses or checksums changed the verdict: '$line1' against '$line2'"
[ "$line1" != "$line3" ] || fail "predict: another query ID gave the very same line: '$line1'"
expect_in "$TMP/err" "stdin:6: not an IP packet pronet reads (truncated)" "a cut IP header"
expect_in "$TMP/err" "stdin:7: not an IP packet pronet reads" "IP version 7"
[ "$(sed -n 4p "$TMP/out" | cut -f1)" = "-" ] || fail "predict: the cut header's line is not '-'"

expect_status 2 "predict --udp with an l3 model" "$PRONET" predict -m "$TMP/sae.pronet" --udp \
	<"$TMP/packets"
expect_in "$TMP/err" "--udp is not for it" "--udp with an l3 model"
# A payload model still reads a line as a payload, UDP on request.
echo "12 34 $dns" >"$TMP/payload"
expect_status 0 "predict --udp with the default model" "$PRONET" predict \
	-m "$top_srcdir/rules/default.pronet" --udp <"$TMP/payload"
[ "$(cut -f1 "$TMP/out")" != "-" ] || fail "predict: the default model classified no payload"
finish
