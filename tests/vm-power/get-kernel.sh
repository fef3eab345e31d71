#!/bin/bash
# Fetch and unpack Debian 12's newest 6.1 ppc64el kernel (powerpc64le flavour)
# and busybox-static:ppc64el; install qemu-system-ppc (it ships skiboot.lid,
# the OPAL firmware of the powernv machines) if it is missing.
# Usage: get-kernel.sh [CACHE_DIR]
# Prints one line: VMLINUX BUSYBOX UNAME_R
# The cache is CACHE_DIR/ppc64el-6.1/ (default ${ACSCTL_VM_CACHE:-~/.cache/acsctl-vm}).
# Idempotent: with CACHE/ppc64el-6.1/.done present nothing is fetched.
set -euo pipefail
export LC_ALL=C

CACHE=${1:-${ACSCTL_VM_CACHE:-$HOME/.cache/acsctl-vm}}
dir=$CACHE/ppc64el-6.1
die() { echo "get-kernel: $*" >&2; exit 1; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"
	elif command -v sudo >/dev/null; then sudo "$@"
	else die "need root for: $*"
	fi
}

# apt-get update may report a failed index (e.g. a mirror in sync) and still
# leave the others usable: do not stop on it.
updated=0
update() {
	[ $updated -eq 0 ] || return 0
	updated=1
	as_root apt-get update -qq >&2 || echo "get-kernel: apt-get update reported errors (continuing)" >&2
}

if ! command -v qemu-system-ppc64 >/dev/null || [ ! -f /usr/share/qemu/skiboot.lid ]; then
	as_root apt-get install -y -qq qemu-system-ppc >&2 ||
		{ update; as_root apt-get install -y -qq qemu-system-ppc >&2; }
fi

if [ ! -f "$dir/.done" ]; then
	if ! dpkg --print-foreign-architectures | grep -qx ppc64el; then
		as_root dpkg --add-architecture ppc64el
		update
	fi
	re='^linux-image-6\.1\.0-[0-9]+-powerpc64le(-unsigned)?$'
	newest() { apt-cache pkgnames linux-image-6.1 | sed 's/:ppc64el$//' | grep -E "$re" | sort -V | tail -n 1; }
	pkg=$(newest)
	# the lists may be stale: refresh once, then take the newest again
	update
	pkg=$(newest)
	[ -n "$pkg" ] || die "no package matches $re (is ppc64el in the apt lists?)"
	tmp=$(mktemp -d); chmod 755 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "$pkg:ppc64el" busybox-static:ppc64el >&2)
	rm -rf "$dir"
	mkdir -p "$dir"
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$dir"
		dpkg-deb -f "$deb" Package Version Architecture | paste -sd' ' >> "$dir/.done.tmp"
	done
	mv "$dir/.done.tmp" "$dir/.done"
fi

vmlinux=$(ls "$dir"/boot/vmlinux-* 2>/dev/null | sed -n 1p)
[ -n "$vmlinux" ] || vmlinux=$(ls "$dir"/boot/vmlinuz-* | sed -n 1p)
[ -f "$dir/bin/busybox" ] || die "$dir/bin/busybox missing; remove $dir/.done and run again"
uname_r=${vmlinux##*/vmlinu[xz]-}
echo "$vmlinux $dir/bin/busybox $uname_r"
