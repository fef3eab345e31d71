#!/bin/sh
# Install what acsctl needs on Debian 12: `build` for building, `test` for
# the whole test suite (adds QEMU, busybox and the Debian kernels), `deb`
# for make deb.
# Installs only what is missing; needs root for that (apt-get).
set -eu

build_pkgs="gcc pkg-config meson ninja-build libpci-dev libjson-c-dev zlib1g-dev liblzma-dev libzstd-dev pci.ids"
test_pkgs="$build_pkgs libcmocka-dev pciutils xz-utils zstd qemu-system-x86 busybox-static cpio groff-base man-db systemd libxml2-utils python3-jsonschema prometheus grub-pc-bin grub-common grub2-common xorriso mtools chromium fonts-dejavu-core time"  # prometheus: promtool; grub-*, xorriso, mtools: tests/vm/grub-boot.sh; chromium, fonts-dejavu-core: tests/cli/report-browser.sh; time: GNU time for bench/
deb_pkgs="$build_pkgs libcmocka-dev pciutils dpkg-dev debhelper build-essential"  # dpkg-buildpackage checks build-essential

case "${1:-build}" in
build) want=$build_pkgs ;;
test) want=$test_pkgs ;;
deb) want=$deb_pkgs ;;
*) echo "usage: $0 build|test|deb" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "acsctl: missing Debian packages:$missing (run as root, or apt-get install them)" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ "${1:-build}" = test ]; then
	bash "$(dirname "$0")/../tests/vm/get-kernels.sh" >/dev/null
fi
