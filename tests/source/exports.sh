#!/bin/sh
# libpronet.so's exports are its public API and nothing else: the functions
# that its installed headers declare (nobase_pkginclude_HEADERS, passed in as
# PRONET_PUBLIC_HEADERS) are exactly libpronet.sym, and the built library
# defines exactly those. Internal units (layers, file helpers, the loader)
# stay hidden, so a program linking -lpronet cannot come to depend on them.
# plugin/registration.h is installed for hosts that dlopen pronet_ndpi.so:
# its entry point lives in that module, not in the library.
set -u
: "${top_srcdir:?top_srcdir is not set: run through make check}"
: "${top_builddir:?top_builddir is not set: run through make check}"
: "${PRONET_PUBLIC_HEADERS:?PRONET_PUBLIC_HEADERS is not set: run through make check}"
list=$top_srcdir/libpronet.sym
library=$top_builddir/.libs/libpronet.so
[ -f "$library" ] || { echo "exports.sh: $library not built (configure --disable-shared?)" >&2; exit 77; }
command -v nm >/dev/null 2>&1 || { echo "exports.sh: nm not found (binutils)" >&2; exit 77; }
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT

LC_ALL=C sort -u "$list" >"$work/list"
cmp -s "$list" "$work/list" || { echo "exports.sh: $list is not sorted (LC_ALL=C sort -u) or has duplicates" >&2; exit 1; }

status=0
# 1. The library defines exactly the list (functions and data).
nm -D --defined-only "$library" | awk '$2 ~ /^[TDRBVW]$/ { print $3 }' | LC_ALL=C sort -u >"$work/defined"
if ! cmp -s "$work/list" "$work/defined"; then
	echo "exports.sh: $library exports what $list does not list (+), or misses what it lists (-):" >&2
	diff "$work/list" "$work/defined" | sed -n 's/^> /+ /p; s/^< /- /p' >&2
	status=1
fi

# 2. The list is exactly what the installed headers declare. gcc's -aux-info
# writes one line per declared function, naming its header.
{ for header in $PRONET_PUBLIC_HEADERS; do printf '#include "%s"\n' "$header"; done; } >"$work/all.c"
if ! ${CC:-gcc} -std=gnu11 -I"$top_srcdir" -I"$top_builddir" ${PRONET_HEADER_CFLAGS:-} -fsyntax-only \
	-aux-info "$work/aux" "$work/all.c" 2>"$work/cc.err"; then
	if grep -q 'aux-info' "$work/cc.err"; then
		echo "exports.sh: ${CC:-gcc} has no -aux-info (gcc does); the header check is skipped" >&2
		exit $status
	fi
	echo "exports.sh: the installed headers do not compile on their own:" >&2
	cat "$work/cc.err" >&2
	exit 1
fi
for header in $PRONET_PUBLIC_HEADERS; do
	[ "$header" = plugin/registration.h ] && continue
	awk -v header="$header" '{ path = $2; sub(/:[0-9]+:[A-Z]+$/, "", path); sub(/^\.\//, "", path) }
		path == header || substr(path, length(path) - length(header)) == "/" header' "$work/aux"
done | sed -n 's/.*[ *]\(pronet_[a-z0-9_]*\) *(.*/\1/p' | LC_ALL=C sort -u >"$work/declared"
[ -s "$work/declared" ] || { echo "exports.sh: found no declarations in the installed headers" >&2; exit 1; }
if ! cmp -s "$work/list" "$work/declared"; then
	echo "exports.sh: the installed headers declare what $list does not list (+), or it lists what they do not declare (-):" >&2
	echo "exports.sh: (a new public function goes into libpronet.sym; an internal one into a header that is not installed)" >&2
	diff "$work/list" "$work/declared" | sed -n 's/^> /+ /p; s/^< /- /p' >&2
	status=1
fi
exit $status
