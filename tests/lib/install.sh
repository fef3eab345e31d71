#!/bin/bash
# The library as others get it: `meson install --destdir` into a scratch
# directory, then checks what landed there (libacsctl.so.0 with its soname
# and links, no static or internal library, every include/acsctl/*.h,
# acsctl.pc, the man page and the documents its SEE ALSO names), builds
# examples/libacsctl-groups.c with the installed headers and library found
# through pkg-config alone, runs it on fixtures against the *installed*
# libacsctl.so.0, and compares its groups with the installed
# `acsctl groups -m`.
# Usage: install.sh MESON BUILD_DIR SOURCE_DIR PREFIX LIBDIR INCLUDEDIR BINDIR DATADIR MANDIR
#   (directories absolute, as meson was configured; CC: the compiler
#   command; SANITIZE: the build's b_sanitize, the example gets the same)
set -euo pipefail
export LC_ALL=C
[ $# -eq 9 ] || { echo "usage: $0 MESON BUILD_DIR SOURCE_DIR PREFIX LIBDIR INCLUDEDIR BINDIR DATADIR MANDIR" >&2; exit 2; }
meson=$1 build=$2 src=$3 prefix=$4 libdir=$5 includedir=$6 bindir=$7 datadir=$8 mandir=$9
read -r -a cc <<<"${CC:-cc}"
san=()
case ${SANITIZE:-none} in none | '') ;; *) san=(-fsanitize="$SANITIZE") ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=$tmp/dest
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# shellcheck disable=SC2086
$meson install -C "$build" --destdir "$D" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "FAIL meson install --destdir"; exit 1; }
lib=$D$libdir

# the shared library: real file, soname link, development link
so=$(cd "$lib" && ls libacsctl.so.0.* 2>/dev/null | head -n 1)
[ -n "$so" ] && [ -f "$lib/$so" ] && [ ! -L "$lib/$so" ] || fail "no libacsctl.so.0.* in $libdir"
[ "$(readlink "$lib/libacsctl.so.0" || true)" = "$so" ] || fail "libacsctl.so.0 is not a link to $so"
[ -L "$lib/libacsctl.so" ] || fail "no libacsctl.so link (for -lacsctl)"
soname=$(readelf -d "$lib/libacsctl.so.0" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libacsctl.so.0 ] || fail "soname is '$soname', not libacsctl.so.0"
if find "$D" -name '*.a' | grep -q .; then
	fail "a static library is installed: $(find "$D" -name '*.a' | sed "s|^$D||")"
fi

# the headers: each one, as it is, and no other
n=0
for h in "$src"/include/acsctl/*.h; do
	cmp -s "$h" "$D$includedir/acsctl/$(basename "$h")" || fail "include/acsctl/$(basename "$h") not installed as it is"
	n=$((n + 1))
done
extra=$(comm -13 <(cd "$src/include/acsctl" && ls) <(cd "$D$includedir/acsctl" && ls))
[ -z "$extra" ] || fail "installed headers that are not in include/acsctl: $extra"

# the man page, and every file its SEE ALSO names (".IR json.md ,")
[ -f "$D$mandir/man8/acsctl.8" ] || fail "no man8/acsctl.8"
docs=$(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$src/doc/acsctl.8" |
	sed -n -E 's/^\.I[RB]? ([A-Za-z0-9_.\/-]+\.(md|json)).*/\1/p')
[ -n "$docs" ] || fail "the man page's SEE ALSO names no document"
for d in $docs; do
	[ -f "$D$datadir/doc/acsctl/$d" ] || fail "SEE ALSO names $d, not installed in share/doc/acsctl"
done
for d in "$src"/doc/schema/*.json; do
	[ -f "$d" ] || continue
	[ -f "$D$datadir/doc/acsctl/schema/$(basename "$d")" ] || fail "doc/schema/$(basename "$d") not installed"
done

# build the example as a user would: pkg-config for the flags, the
# prefix moved to where this install put it
pc=$lib/pkgconfig/acsctl.pc
[ -f "$pc" ] || { fail "no acsctl.pc in $libdir/pkgconfig"; exit 1; }
export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
pkg-config --exists --print-errors acsctl || fail "pkg-config cannot use acsctl.pc"
[ "$(pkg-config --modversion acsctl)" = "$(sed -n "s/^Version: //p" "$pc")" ] || fail "pkg-config --modversion"
read -r -a flags <<<"$(pkg-config --define-variable=prefix="$D$prefix" --cflags --libs acsctl)"
case " ${flags[*]} " in
*" -I$D$includedir "*"-L$lib "*) ;;
*) fail "pkg-config flags do not point into the install: ${flags[*]}" ;;
esac
ex=$tmp/libacsctl-groups
if ! "${cc[@]}" ${san[@]+"${san[@]}"} -std=c11 -Wall -Wextra -Werror -o "$ex" \
	"$src/examples/libacsctl-groups.c" "${flags[@]}" 2>"$tmp/cc.err"; then
	sed 's/^/  /' "$tmp/cc.err"
	fail "examples/libacsctl-groups.c does not build: ${cc[*]} ${san[*]} ... ${flags[*]}"
	exit 1
fi
export LD_LIBRARY_PATH=$lib
# both load the installed library, not the build's nor the system's
for exe in "$ex" "$D$bindir/acsctl"; do
	got=$(ldd "$exe" | awk '$1 == "libacsctl.so.0" { print $3 }')
	[ "$got" = "$lib/libacsctl.so.0" ] || fail "$(basename "$exe") loads '$got', not $lib/libacsctl.so.0"
done
if readelf -d "$D$bindir/acsctl" | grep -E 'R(UN)?PATH' | grep -qF "$build"; then
	fail "the installed acsctl keeps a run path into the build"
fi

cases=0
for f in "$src"/tests/fixtures/vm/6.12/kitchen-sink-1/lspci.txt "$src"/examples/*.json; do
	for k in '' 6.1; do
		"$ex" "$f" ${k:+"$k"} >"$tmp/ex.out" 2>"$tmp/ex.err" || { fail "libacsctl-groups $f $k: $(head -n 3 "$tmp/ex.err")"; continue; }
		"$D$bindir/acsctl" -F "$f" ${k:+--kernel "$k"} groups -m >"$tmp/cli.out" 2>/dev/null ||
			{ fail "acsctl -F $f ${k:+--kernel $k} groups -m failed"; continue; }
		[ -s "$tmp/ex.out" ] || fail "libacsctl-groups $f $k printed nothing"
		if ! cmp -s "$tmp/ex.out" "$tmp/cli.out"; then
			fail "libacsctl-groups $f $k differs from acsctl groups -m:"
			diff "$tmp/cli.out" "$tmp/ex.out" | head -n 10 | sed 's/^/  /'
		fi
		cases=$((cases + 1))
	done
done
echo "install: $so ($(nm -D --defined-only "$lib/$so" | grep -c ' T ') functions exported), $n headers, $(echo "$docs" | wc -w) documents and $(ls "$D$datadir"/doc/acsctl/schema/*.json 2>/dev/null | wc -l) schemas; the example built through pkg-config and matched acsctl groups -m on $cases inputs; $fails failure(s)"
[ "$fails" -eq 0 ]
