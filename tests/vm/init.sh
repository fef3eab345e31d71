#!/bin/busybox sh
# shellcheck shell=dash
# /init of the acsctl test initramfs, x86 and powernv alike (see
# mkinitramfs.sh). Prints what the booted kernel sees between @@ACSCTL markers
# on the console, then powers off.
/bin/busybox --install -s
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

mark() { printf '\n@@ACSCTL %s\n' "$1"; }

mark BEGIN
mark CMDLINE; cat /proc/cmdline
mark UNAME; uname -r
if [ -f /case.sh ]; then
	mark CASE
	( . /case.sh ) 2>&1
	mark CASE-END
fi
mark GROUPS
for d in /sys/kernel/iommu_groups/*/devices/*; do
	[ -e "$d" ] || continue
	g=${d#/sys/kernel/iommu_groups/}
	echo "${g%%/*} ${d##*/}"
done
# powerpc names each group after its PE: domainN-peX
mark GROUP-NAMES
for g in /sys/kernel/iommu_groups/*; do
	[ -e "$g" ] || continue
	echo "${g##*/} $(cat "$g/name" 2>/dev/null || echo -)"
done
mark DUMP
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/config" ] || continue
	echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device")"
	od -An -tx1 -v -w16 "$d/config" |
		awk '{ printf("%s%s\n", sprintf(NR <= 16 ? "%02x:" : "%03x:", (NR - 1) * 16), $0) }'
	echo
done
mark RESOURCES
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/resource" ] || continue
	echo "${d##*/}"
	cat "$d/resource"
	echo
done
mark DMESG
dmesg
mark END
sleep 1
poweroff -f
