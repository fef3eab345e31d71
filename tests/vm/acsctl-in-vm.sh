#!/bin/bash
# Run acsctl inside the booted kernel: boot a case with the acsctl binary
# (and the shared libraries it needs) in the initramfs, take a snapshot of
# the live sysfs and check the kernel's groups there, and keep both.
# Usage: acsctl-in-vm.sh ACSCTL OUTDIR KERNEL CASE...
# Writes OUTDIR/KERNEL/CASE/{snapshot.txt,check.txt,groups.txt,...}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
acsctl=$(readlink -f "$1")
outdir=$2
kernel=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the binary and what ldd says it loads, at the same paths; one found
# elsewhere (libacsctl.so.0 of a build tree, through the binary's
# $ORIGIN run path) also in /usr/lib, where the loader looks
mkdir -p "$work/root/bin"
cp "$acsctl" "$work/root/bin/acsctl"
ldd "$acsctl" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }' | while read -r lib; do
	[ -f "$lib" ] || continue
	mkdir -p "$work/root$(dirname "$lib")"
	cp -L "$lib" "$work/root$lib"
	case $lib in
	/lib/* | /lib64/* | /usr/lib/* | /usr/lib64/*) ;;
	*) mkdir -p "$work/root/usr/lib" && cp -L "$lib" "$work/root/usr/lib/" ;;
	esac
done
adds=()
while read -r f; do
	adds+=(--add "$f:${f#"$work/root"}")
done < <(find "$work/root" -type f)

for name in "$@"; do
	src=$here/cases/$name.args
	[ -f "$src" ] || { echo "no case $name" >&2; exit 2; }
	mkdir -p "$work/case"
	cp "$src" "$work/case/$name.args"
	{
		[ -f "$here/cases/$name.sh" ] && cat "$here/cases/$name.sh"
		echo 'echo "@@SNAPSHOT"; /bin/acsctl snapshot - 2>&1; echo "@@SNAPSHOT-END"'
		echo 'echo "@@CHECK"; /bin/acsctl groups --check 2>&1; echo "rc=$?"; echo "@@CHECK-END"'
	} >"$work/case/$name.sh"
	dir=$outdir/$kernel/$name
	rm -rf "$dir.tmp"
	bash "$here/boot.sh" --kernel "$kernel" --case "$work/case/$name.args" --out "$dir.tmp" \
		"${adds[@]}" >/dev/null
	sed -n '/^@@SNAPSHOT$/,/^@@SNAPSHOT-END$/p' "$dir.tmp/case.out" | sed '1d;$d' >"$dir.tmp/snapshot.txt"
	sed -n '/^@@CHECK$/,/^@@CHECK-END$/p' "$dir.tmp/case.out" | sed '1d;$d' >"$dir.tmp/check.txt"
	rm -f "$dir.tmp/case.out" "$dir.tmp/lspci.txt"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $kernel $name: $(tail -1 "$dir/check.txt")"
done
