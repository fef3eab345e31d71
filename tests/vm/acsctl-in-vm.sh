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
# shellcheck source=tests/vm/boot-lib.sh
. "$here/boot-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the binary and the libraries it loads (boot-lib.sh)
mkdir -p "$work/root/bin"
cp "$acsctl" "$work/root/bin/acsctl"
adds=()
vm_stage "$work/root" "$acsctl"

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
