#!/bin/bash
# Every public header compiles alone: include/acsctl/*.h as found now (not
# a list kept by hand), each included twice into a file of its own and
# compiled with strict flags as C11, and as C++11 where a C++ compiler is
# installed (the headers say extern "C"). A header that leans on another
# being included first, or has no include guard, fails here; so does one
# that acsctl/acsctl.h does not include.
# Usage: headers.sh INCLUDE_DIR   (CC: the compiler command, default cc)
set -euo pipefail
export LC_ALL=C
inc=$(realpath "${1:?usage: headers.sh INCLUDE_DIR}")
read -r -a cc <<<"${CC:-cc}"
cxx=$(command -v "${CXX:-c++}" || true)
cflags=(-std=c11 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wundef)
cxxflags=(-std=c++11 -Wall -Wextra -Werror -pedantic -Wshadow -Wundef)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

headers=("$inc"/acsctl/*.h)
[ -f "${headers[0]}" ] || { echo "headers: no headers under $inc/acsctl" >&2; exit 1; }
n=0 bad=0
for h in "${headers[@]}"; do
	name=acsctl/$(basename "$h")
	printf '#include <%s>\n#include <%s>\n' "$name" "$name" >"$tmp/t.c"
	if ! "${cc[@]}" "${cflags[@]}" -I"$inc" -c "$tmp/t.c" -o "$tmp/t.o" >"$tmp/err" 2>&1; then
		echo "FAIL $name does not compile alone (C11: ${cc[*]} ${cflags[*]}):"
		sed 's/^/  /' "$tmp/err" | head -n 20
		bad=$((bad + 1))
	fi
	if [ -n "$cxx" ]; then
		cp "$tmp/t.c" "$tmp/t.cc"
		if ! "$cxx" "${cxxflags[@]}" -I"$inc" -c "$tmp/t.cc" -o "$tmp/t.o" >"$tmp/err" 2>&1; then
			echo "FAIL $name does not compile alone (C++11: $cxx ${cxxflags[*]}):"
			sed 's/^/  /' "$tmp/err" | head -n 20
			bad=$((bad + 1))
		fi
	fi
	n=$((n + 1))
done
# acsctl/acsctl.h includes every public header (directly or through another)
printf '#include <acsctl/acsctl.h>\n' >"$tmp/t.c"
"${cc[@]}" -std=c11 -I"$inc" -M "$tmp/t.c" | tr ' \\' '\n\n' | sed -n 's|.*/acsctl/\([^/]*\.h\)$|\1|p' | sort -u >"$tmp/umbrella"
for h in "${headers[@]}"; do
	grep -qx "$(basename "$h")" "$tmp/umbrella" || { echo "FAIL acsctl/acsctl.h does not include acsctl/$(basename "$h")"; bad=$((bad + 1)); }
done
echo "headers: $n public headers, each alone: C11${cxx:+ and C++11}; all in acsctl/acsctl.h; $bad failure(s)"
[ "$bad" -eq 0 ]
