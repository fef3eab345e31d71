#!/bin/bash
# Fetch and unpack Debian 12's newest 6.1 and 6.12 amd64 (unsigned) kernels.
# Usage: get-kernels.sh [CACHE_DIR]
# Prints one line per kernel: KEY VMLINUZ MODULES_DIR UNAME_R
set -euo pipefail
export LC_ALL=C

CACHE=${1:-${ACSCTL_VM_CACHE:-$HOME/.cache/acsctl-vm}}
mkdir -p "$CACHE"

# newest package name matching an extended regex (sort -V on the names)
newest() {
	apt-cache pkgnames linux-image- | grep -E "$1" | sort -V | tail -n 1
}

pick() {
	local re=$1 pkg
	pkg=$(newest "$re")
	if [ -z "$pkg" ]; then
		apt-get update -qq >&2
		pkg=$(newest "$re")
	fi
	[ -n "$pkg" ] || { echo "get-kernels: no package matches $re" >&2; exit 1; }
	echo "$pkg"
}

fetch() {
	local key=$1 re=$2 dir=$CACHE/$1 pkg deb tmp
	if [ ! -f "$dir/.done" ]; then
		pkg=$(pick "$re")
		tmp=$(mktemp -d); chmod 755 "$tmp"
		if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
			apt-get update -qq >&2
			(cd "$tmp" && apt-get download -q "$pkg" >&2)
		fi
		deb=$(ls "$tmp"/*.deb)
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg -x "$deb" "$dir"
		dpkg-deb -f "$deb" Package Version > "$dir/.done"
		rm -rf "$tmp"
	fi
	local vmlinuz uname_r
	vmlinuz=$(ls "$dir"/boot/vmlinuz-* | sed -n 1p)
	uname_r=${vmlinuz##*/vmlinuz-}
	echo "$key $vmlinuz $dir/lib/modules/$uname_r $uname_r"
}

fetch 6.1 '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$'
fetch 6.12 '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$'
