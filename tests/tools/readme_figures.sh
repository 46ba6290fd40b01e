#!/bin/sh
# README.md's demo figures against a real run: runs tools/demo.sh (what
# `make demo` runs, about a second) and compares the "figure NAME VALUE"
# lines it prints with the numbers README.md quotes, each at the sentence
# that quotes it:
#   "per-class table (A, B, ...)"         label.classes (step 1's classes)
#   "nDPI names N flows"                  source.ndpi
#   "the N it leaves Unknown"             unknown
#   "(N flows of `X.pcap`, M of `Y.pcap`)" unknown.X.pcap, unknown.Y.pcap
#                                         (and no capture left unquoted)
#   "abstains on N"                       abstained
#   "names N (K1 Class1, K2 Class2; ..."  named, named.Class1, named.Class2
#                                         (the classes exactly; no "names N (":
#                                         the model must name none)
# A figure that differs fails, naming it, what README.md says and what the
# run printed; a sentence that is no longer there fails too (reword this
# test with the README). Whoever changes the model updates README.md from a
# `make demo` run. Skipped (77) without jq, which the figures need.
set -u

: "${top_srcdir:?top_srcdir is not set: run through make check}"
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq not installed: make demo prints no figures without it"
	exit 77
fi
. "$top_srcdir/tests/tools/common.sh"
README=${README_FIGURES_README:-$top_srcdir/README.md}

PRONET="$PRONET" DATA="$top_srcdir/tests/data" PRONET_RULES_DIR="$top_srcdir/rules" \
	OUT="$TMP/demo" sh "$top_srcdir/tools/demo.sh" >"$TMP/demo.out" 2>"$TMP/demo.err" || {
	echo "readme_figures: tools/demo.sh failed:" >&2
	cat "$TMP/demo.err" >&2
	exit 1
}
sed -n '/^== figures/,/^== end of figures/s/^figure //p' "$TMP/demo.out" >"$TMP/figures"
[ -s "$TMP/figures" ] || {
	echo "readme_figures: tools/demo.sh printed no figure lines" >&2
	exit 1
}
# README.md as one line, runs of white space as one space: its sentences wrap.
tr '\n' ' ' <"$README" | tr -s ' ' >"$TMP/readme"

# figure NAME: the run's value (empty if it printed none).
figure() { awk -v n="$1" '$1 == n { print $2 }' "$TMP/figures"; }

# quoted PATTERN: the first group of the extended regex PATTERN in README.md,
# one line per match.
quoted() { grep -oE -- "$1" "$TMP/readme" | sed -E "s#$1#\\1#"; }

# check NAME PATTERN DESCRIPTION: README.md quotes the figure NAME exactly
# once, at PATTERN, and it is the run's.
check() {
	said=$(quoted "$2")
	run=$(figure "$1")
	if [ -z "$said" ]; then
		fail "README.md no longer says $3 (pattern '$2'; figure $1 is '$run')"
	elif [ "$(printf '%s\n' "$said" | wc -l)" -ne 1 ]; then
		fail "README.md says $3 more than once: $(printf '%s' "$said" | tr '\n' ' ')"
	elif [ "$said" != "${run:-0}" ]; then
		fail "figure $1: README.md says $3 = $said, make demo printed ${run:-none}"
	fi
}

check source.ndpi 'nDPI names ([0-9]+) flows' "'nDPI names N flows'"
check unknown 'the ([0-9]+) it leaves Unknown' "'the N it leaves Unknown'"
check abstained 'abstains on ([0-9]+)' "'abstains on N'"

# Step 1's classes, in the table's order.
classes=$(quoted 'per-class table \(([^)]*)\)' | sed 's/, */,/g')
[ "$classes" = "$(figure label.classes)" ] ||
	fail "figure label.classes: README.md says per-class table ($classes), make demo printed $(figure label.classes)"

# The Unknown flows per capture: every "N flows of `X`" / "N of `X`" is the
# run's, and every capture with Unknown flows is quoted.
grep -oE '[0-9]+ (flows )?of `[A-Za-z0-9_.-]+\.pcap`' "$TMP/readme" |
	sed -E 's/^([0-9]+) (flows )?of `(.*)`$/\3 \1/' | sort >"$TMP/readme-unknown"
sed -n 's/^unknown\.\([^ ]*\) /\1 /p' "$TMP/figures" | sort >"$TMP/run-unknown"
if ! cmp -s "$TMP/readme-unknown" "$TMP/run-unknown"; then
	fail "figures unknown.CAPTURE: README.md says '$(tr '\n' ';' <"$TMP/readme-unknown")'," \
		"make demo printed '$(tr '\n' ';' <"$TMP/run-unknown")'"
fi

# The flows the model named, and by class.
named=$(quoted 'names ([0-9]+) \(')
if [ -z "$named" ]; then
	[ "$(figure named)" = 0 ] ||
		fail "figure named: README.md quotes no 'names N (...)', make demo printed $(figure named)"
else
	check named 'names ([0-9]+) \(' "'names N ('"
	quoted 'names [0-9]+ \(([^;)]*)' | tr ',' '\n' | sed 's/^ *//; s/ *$//' |
		awk 'NF == 2 { print $2, $1 } NF != 2 { print "unreadable:", $0 }' |
		sort >"$TMP/readme-named"
	sed -n 's/^named\.\([^ ]*\) /\1 /p' "$TMP/figures" | sort >"$TMP/run-named"
	cmp -s "$TMP/readme-named" "$TMP/run-named" ||
		fail "figures named.CLASS: README.md says '$(tr '\n' ';' <"$TMP/readme-named")'," \
			"make demo printed '$(tr '\n' ';' <"$TMP/run-named")'"
fi

finish
echo "readme_figures: README.md's $(wc -l <"$TMP/figures") demo figures match a run"
