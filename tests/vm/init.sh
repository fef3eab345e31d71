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

# Endpoints without their IOMMU group yet: the kernel may still be adding
# devices when /init starts (a loaded host slows the emulated machine).
# Bridges have none on powernv; every endpoint of every capture has one.
ungrouped() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/config" ] && [ ! -e "$d/iommu_group" ] || continue
		case $(od -An -tx1 -j14 -N1 "$d/config" | tr -d ' ') in
		00 | 80) echo "${d##*/}" ;;
		esac
	done
}

# Wait (0.1 s steps, 120 s at most) until every endpoint has its group and
# the device count is acsctl.devices=N when the command line gives it (the
# check scripts take N from the committed capture), else until nothing
# changed for a second. What it came to is the SETTLE section.
settle() {
	want=$(sed -n 's/.*acsctl\.devices=\([0-9]*\).*/\1/p' /proc/cmdline)
	steps=0 same=0 last=
	while [ $steps -lt 1200 ]; do
		n=$(ls /sys/bus/pci/devices | wc -l)
		miss=$(ungrouped)
		now="$n $miss"
		[ "$now" = "$last" ] && same=$((same + 1)) || same=0
		last=$now
		if [ -z "$miss" ]; then
			[ -n "$want" ] && [ "$n" -ge "$want" ] && break
			[ -z "$want" ] && [ $same -ge 10 ] && break
		fi
		sleep 0.1
		steps=$((steps + 1))
	done
	mark SETTLE
	echo "devices $n want ${want:--} waited $steps ungrouped ${miss:--}"
}

settle
mark BEGIN
mark CMDLINE; cat /proc/cmdline
mark UNAME; uname -r
if [ -f /case.sh ]; then
	mark CASE
	( . /case.sh ) 2>&1
	mark CASE-END
fi
# Each section that is compared ends with how many lines it holds: skiboot
# writes to the same console as we do, and under load its messages land in
# the middle of our lines (boot-lib.sh takes them out and checks the counts).
mark GROUPS
n=0
for d in /sys/kernel/iommu_groups/*/devices/*; do
	[ -e "$d" ] || continue
	g=${d#/sys/kernel/iommu_groups/}
	echo "${g%%/*} ${d##*/}"
	n=$((n + 1))
done
echo "count $n"
# powerpc names each group after its PE: domainN-peX
mark GROUP-NAMES
for g in /sys/kernel/iommu_groups/*; do
	[ -e "$g" ] || continue
	echo "${g##*/} $(cat "$g/name" 2>/dev/null || echo -)"
done
mark DUMP
n=0
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/config" ] || continue
	echo "${d##*/} $(cat "$d/vendor"):$(cat "$d/device")"
	od -An -tx1 -v -w16 "$d/config" |
		awk '{ printf("%s%s\n", sprintf(NR <= 16 ? "%02x:" : "%03x:", (NR - 1) * 16), $0) }'
	echo
	n=$((n + 1))
done
echo "count $n"
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
