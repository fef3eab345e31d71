#!/bin/bash
# libacsctl.so exports exactly the public API: every function declared in
# include/acsctl/*.h (as found now: pe.h may be split) is exported, and
# every symbol exported is declared there (src/lib/libacsctl.map is the
# list the linker keeps), and C++ programs see them with C linkage. Fails
# listing the difference.
# Declarations are read by the compiler (gcc's -aux-info: every function
# prototype with the file it came from), not by pattern; static inline
# functions of the headers are not exports.
# With MAP (src/lib/libacsctl.map) also: every name it lists is exported
# (the linker says nothing of a listed name the library lacks).
# Usage: symbols.sh LIBACSCTL.so INCLUDE_DIR [MAP]   (CC: the compiler command, default cc)
set -euo pipefail
export LC_ALL=C
so=${1:?usage: symbols.sh LIBACSCTL.so INCLUDE_DIR}
inc=$(realpath "${2:?usage: symbols.sh LIBACSCTL.so INCLUDE_DIR [MAP]}")
map=${3:-}
read -r -a cc <<<"${CC:-cc}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# -aux-info is gcc's (clang takes it for a file name): the build's
# compiler if it has it, else gcc, else the test is skipped
: >"$tmp/probe.c"
if ! "${cc[@]}" -aux-info "$tmp/probe" -fsyntax-only "$tmp/probe.c" 2>/dev/null || [ ! -f "$tmp/probe" ]; then
	if command -v gcc >/dev/null && gcc -aux-info "$tmp/probe" -fsyntax-only "$tmp/probe.c" 2>/dev/null; then
		cc=(gcc)
	else
		echo "symbols: neither ${cc[*]} nor a gcc reads declarations out (-aux-info): skipped"
		exit 77
	fi
fi
for h in "$inc"/acsctl/*.h; do
	printf '#include <acsctl/%s>\n' "$(basename "$h")"
done >"$tmp/all.c"
"${cc[@]}" -std=c11 -I"$inc" -aux-info "$tmp/aux" -fsyntax-only "$tmp/all.c"
# /* .../include/acsctl/fabric.h:135:NC */ extern int acs_fabric_load (acs_fabric **, ...);
grep -E "^/\* $inc/acsctl/[^:]+:[0-9]+:[NO]C \*/ extern " "$tmp/aux" |
	sed -E 's/^[^*]*\*[^*]*\*\/ extern [^(]*[ *]([A-Za-z_][A-Za-z0-9_]*) \(.*/\1/' |
	sort -u >"$tmp/declared"
# the defined dynamic symbols but the version node (ACSCTL_0, type A)
nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/exported"

rc=0
# and a C++ program links them: each is declared inside the header's
# extern "C" (outside it, C++ looks for a mangled name the library lacks)
cxx=$(command -v "${CXX:-c++}" || true)
if [ -n "$cxx" ] && [ -s "$tmp/declared" ]; then
	{
		sed 's/^\(.*\)$/#include <\1>/' <<<"$(cd "$inc" && ls acsctl/*.h)"
		awk '{ printf "auto p_%s = &%s;\n", $1, $1 }' "$tmp/declared"
	} >"$tmp/all.cc"
	"$cxx" -std=c++11 -I"$inc" -c "$tmp/all.cc" -o "$tmp/all.o"
	nm -u "$tmp/all.o" | awk '{ print $2 }' | sort -u >"$tmp/cxx-refs"
	if comm -23 "$tmp/declared" "$tmp/cxx-refs" | grep -q .; then
		echo "FAIL declared outside extern \"C\" (C++ programs cannot link them):"
		comm -23 "$tmp/declared" "$tmp/cxx-refs" | sed 's/^/  /'
		rc=1
	fi
fi
if [ ! -s "$tmp/declared" ]; then
	echo "FAIL no function declarations found under $inc/acsctl"
	rc=1
fi
if comm -23 "$tmp/exported" "$tmp/declared" | grep -q .; then
	echo "FAIL exported by $(basename "$so") but declared in no public header (make them static, or add them to a header):"
	comm -23 "$tmp/exported" "$tmp/declared" | sed 's/^/  /'
	rc=1
fi
if comm -13 "$tmp/exported" "$tmp/declared" | grep -q .; then
	echo "FAIL declared in include/acsctl but not exported (src/lib/libacsctl.map, or not defined):"
	comm -13 "$tmp/exported" "$tmp/declared" | sed 's/^/  /'
	rc=1
fi
if [ -n "$map" ]; then
	sed -n -E 's/^[[:space:]]+([A-Za-z_][A-Za-z0-9_]*);.*/\1/p' "$map" | sort -u >"$tmp/map"
	if comm -23 "$tmp/map" "$tmp/exported" | grep -q .; then
		echo "FAIL listed in $(basename "$map") but not in the library (a function removed or renamed):"
		comm -23 "$tmp/map" "$tmp/exported" | sed 's/^/  /'
		rc=1
	fi
fi
echo "symbols: $(wc -l <"$tmp/exported") exported, $(wc -l <"$tmp/declared") declared in $(ls "$inc"/acsctl/*.h | wc -l) headers"
exit $rc
