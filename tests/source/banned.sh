#!/bin/sh
# Source hygiene, as a test: fails if any C file calls a function we do not
# use (unbounded string writes, no error reporting, hidden global state), or
# if library code (core/, ndpi-glue/, plugin/, rules/) can end the process,
# calls strerror (one buffer for every thread of the host: use
# pronet_strerror_errno or pronet_error_errno, core/util/error.h) or changes
# credentials (the CLI does that: tools/privileges.c).
# Comments are stripped first, so prose may name them.
set -u
top=${top_srcdir:-.}
status=0

# Prints "file:line: text" for calls of the words in $1 found in C sources under $2...
find_calls() {
	pattern=$1
	shift
	for dir in "$@"; do
		find "$top/$dir" -name '*.[ch]' -type f
	done | sort | while read -r file; do
		# Drop /* */ and // comments and string literals, keep line numbers.
		sed -e 's://.*$::' -e 's:"[^"]*"::g' "$file" |
			awk -v file="$file" -v pattern="$pattern" '
			{
				line = $0
				out = ""
				while (length(line) > 0) {
					if (in_comment) {
						end = index(line, "*/")
						if (end == 0) { line = ""; break }
						line = substr(line, end + 2); in_comment = 0
					} else {
						start = index(line, "/*")
						if (start == 0) { out = out line; line = ""; break }
						out = out substr(line, 1, start - 1)
						line = substr(line, start + 2); in_comment = 1
					}
				}
				if (out ~ ("(^|[^A-Za-z0-9_.>])(" pattern ")[ \t]*\\(")) printf "%s:%d: %s\n", file, NR, out
			}'
	done
}

banned='gets|strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|atoll|atof|tmpnam|mktemp|alloca|rand|srand|random|system'
hits=$(find_calls "$banned" core ndpi-glue plugin rules tools tests)
if [ -n "$hits" ]; then
	echo "banned.sh: calls of banned functions (use snprintf, strtol/strtoul with checks, core/util/rng.h, mkstemp):" >&2
	echo "$hits" >&2
	status=1
fi

hits=$(find_calls 'exit|_exit|abort|assert' core ndpi-glue plugin rules)
if [ -n "$hits" ]; then
	echo "banned.sh: library code must return an error code, not end the process:" >&2
	echo "$hits" >&2
	status=1
fi

hits=$(find_calls 'strerror' core ndpi-glue plugin rules)
if [ -n "$hits" ]; then
	echo "banned.sh: library code runs in threaded hosts: use pronet_strerror_errno or pronet_error_errno (core/util/error.h), not strerror:" >&2
	echo "$hits" >&2
	status=1
fi

hits=$(find_calls 'setuid|setgid|setgroups|seteuid|setegid|setreuid|setregid|setresuid|setresgid' core ndpi-glue plugin rules)
if [ -n "$hits" ]; then
	echo "banned.sh: library code must not change credentials (the CLI does: tools/privileges.c):" >&2
	echo "$hits" >&2
	status=1
fi

# The check itself must see calls: a crafted file with one must be caught.
probe=$(mktemp -d) || exit 1
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/core"
printf 'int f(char *d) { /* strcpy(d, "x") */ return sprintf(d, "%%d", 1); }\n' >"$probe/core/probe.c"
printf 'const char *g(int e) { return strerror(e); }\nconst char *h(int e, char *b) { return pronet_strerror_errno(e, b, 64); }\n' >"$probe/core/probe2.c"
caught_strerror=$(top=$probe; find_calls 'strerror' core)
case $caught_strerror in
*probe2.c:1:*) ;;
*) echo "banned.sh: self-check failed: a strerror call was not found" >&2; status=1 ;;
esac
case $caught_strerror in
*probe2.c:2:*) echo "banned.sh: self-check failed: pronet_strerror_errno was taken for strerror" >&2; status=1 ;;
esac
caught=$(top=$probe; find_calls "$banned" core)
case $caught in
*probe.c:1:*sprintf*) ;;
*) echo "banned.sh: self-check failed: a sprintf call was not found" >&2; status=1 ;;
esac
case $caught in
*strcpy*) echo "banned.sh: self-check failed: a call inside a comment was reported" >&2; status=1 ;;
esac
exit $status
