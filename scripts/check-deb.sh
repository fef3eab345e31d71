#!/bin/sh
# What `make deb` built, checked: the three packages and what each holds.
#   acsctl         /usr/bin/acsctl, the man page, the unit (enabled by the
#                  postinst), the bash completion, the documents the man
#                  page's SEE ALSO names
#   libacsctl0     libacsctl.so.0 and the file it links to
#   libacsctl-dev  every include/acsctl/*.h, libacsctl.so, acsctl.pc
# and that the release has no ACSCTL_FAULT hook, in the binary or the
# library it loads.
# Usage: check-deb.sh DEB_DIR (the directory dpkg-buildpackage wrote to)
set -eu
export LC_ALL=C
dir=${1:?usage: check-deb.sh DEB_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "make deb: $*" >&2; fails=$((fails + 1)); }

for p in acsctl libacsctl0 libacsctl-dev; do
	set -- "$dir/${p}_"*.deb
	[ $# -eq 1 ] && [ -f "$1" ] || { echo "make deb: no single $p .deb in $dir" >&2; exit 1; }
	dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' >"$tmp/$p.files"
	cp "$1" "$tmp/$p.deb"
done
has() {  # has PACKAGE EXTENDED-REGEX: a path of the package matches, whole
	grep -Eqx "$2" "$tmp/$1.files" || fail "$1 holds no $2"
}

has acsctl '/usr/bin/acsctl'
has acsctl '/usr/share/man/man8/acsctl\.8\.gz'
has acsctl '/lib/systemd/system/acsctl-apply\.service'
# made from acsctl's option tables (acsctl --completion bash)
has acsctl '/usr/share/bash-completion/completions/acsctl'
dpkg-deb -I "$tmp/acsctl.deb" postinst | grep -q deb-systemd-helper || fail "acsctl's postinst does not enable the unit"
# acsctl metrics for node_exporter: installed, left disabled
has acsctl '/lib/systemd/system/acsctl-metrics\.service'
has acsctl '/lib/systemd/system/acsctl-metrics\.timer'
# (dh_installsystemd --no-enable: enabled again only where it was before)
dpkg-deb -I "$tmp/acsctl.deb" postinst | grep -q "debian-installed .*acsctl-metrics\.timer" ||
	fail "acsctl's postinst enables the metrics timer (or names it not)"
# acsctl nfd for node-feature-discovery: installed, left disabled
has acsctl '/lib/systemd/system/acsctl-nfd\.service'
has acsctl '/lib/systemd/system/acsctl-nfd\.timer'
dpkg-deb -I "$tmp/acsctl.deb" postinst | grep -q "debian-installed .*acsctl-nfd\.timer" ||
	fail "acsctl's postinst enables the nfd timer (or names it not)"
dpkg-deb -f "$tmp/acsctl.deb" Depends | grep -q 'libacsctl0 (>= ' || fail "acsctl does not depend on libacsctl0"
# SEE ALSO: ".IR json.md ," names /usr/share/doc/acsctl/json.md
docs=$(sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$src/doc/acsctl.8" |
	sed -n -E 's/^\.I[RB]? ([A-Za-z0-9_.\/-]+\.(md|json)).*/\1/p')
[ -n "$docs" ] || fail "the man page's SEE ALSO names no document"
for d in $docs; do
	has acsctl "/usr/share/doc/acsctl/$d"
done

has libacsctl0 '/usr/lib/[^/]+/libacsctl\.so\.0'
has libacsctl0 '/usr/lib/[^/]+/libacsctl\.so\.0\.[0-9.]+'
! grep -Eq 'include|\.pc$|libacsctl\.so$' "$tmp/libacsctl0.files" || fail "libacsctl0 holds development files"

for h in "$src"/include/acsctl/*.h; do
	has libacsctl-dev "/usr/include/acsctl/$(basename "$h")"
done
has libacsctl-dev '/usr/lib/[^/]+/libacsctl\.so'
has libacsctl-dev '/usr/lib/[^/]+/pkgconfig/acsctl\.pc'
dpkg-deb -f "$tmp/libacsctl-dev.deb" Depends | grep -q 'libacsctl0 (= ' || fail "libacsctl-dev does not depend on libacsctl0 of its version"

# a release: no fault hook in the binary or the library
mkdir "$tmp/x"
for p in acsctl libacsctl0; do dpkg-deb -x "$tmp/$p.deb" "$tmp/x"; done
! grep -qa ACSCTL_FAULT "$tmp/x/usr/bin/acsctl" "$tmp"/x/usr/lib/*/libacsctl.so.0 || fail "the ACSCTL_FAULT hook is in the package"
soname=$(readelf -d "$tmp"/x/usr/lib/*/libacsctl.so.0 | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libacsctl.so.0 ] || fail "soname '$soname'"

[ "$fails" -eq 0 ] || exit 1
for p in acsctl libacsctl0 libacsctl-dev; do
	echo "$p: $(wc -l <"$tmp/$p.files") files"
done
