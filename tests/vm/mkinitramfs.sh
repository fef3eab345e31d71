#!/bin/bash
# Build the busybox initramfs used by boot.sh.
# Usage: mkinitramfs.sh OUT.cpio.gz [--busybox PATH] [--add SRC:DST]...
#   --busybox PATH a static busybox (default: this host's; powernv passes the
#                  ppc64el one)
#   --add SRC:DST  copy host file/dir SRC to DST inside the image
#                  (DST /case.sh is sourced by /init before the capture)
set -euo pipefail
export LC_ALL=C

[ $# -ge 1 ] || { echo "usage: $0 OUT.cpio.gz [--add SRC:DST]..." >&2; exit 2; }
out=$(realpath -m "$1"); shift
here=$(dirname "$(realpath "$0")")
bb=$(command -v busybox || true)
if [ "${1:-}" = --busybox ]; then
	[ $# -ge 2 ] || { echo "mkinitramfs: --busybox needs a PATH" >&2; exit 2; }
	bb=$2
	shift 2
elif [ -z "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
	echo "mkinitramfs: ${bb:-busybox} is missing or dynamically linked; install busybox-static" >&2; exit 1
fi
[ -f "$bb" ] || { echo "mkinitramfs: $bb: not found" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root}
cp "$bb" "$root/bin/busybox"
install -m 755 "$here/init.sh" "$root/init"

while [ $# -gt 0 ]; do
	case $1 in
	--add)
		[ $# -ge 2 ] || { echo "mkinitramfs: --add needs SRC:DST" >&2; exit 2; }
		src=${2%%:*} dst=${2#*:}
		[ -e "$src" ] || { echo "mkinitramfs: $src: not found" >&2; exit 1; }
		mkdir -p "$root/$(dirname "$dst")"
		cp -aL "$src" "$root/$dst"   # a shared case script may be a link
		shift 2 ;;
	*) echo "mkinitramfs: unknown argument $1" >&2; exit 2 ;;
	esac
done

(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -9n > "$out"
