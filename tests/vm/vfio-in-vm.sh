#!/bin/bash
# acsctl vfio in the booted kernel (issue 19 item 2), on cases/boot-base.args:
# NVMe 06:00.0 bound to vfio-pci (its group 10 with downstream port
# 05:00.0 on pcieport: ready), NVMe 07:00.0 left on nvme (group 11:
# blocked). Records what sysfs said (drivers, reset_method, group types,
# the IR- interrupt chips, the DMAR ecap), acsctl vfio's text and JSON for
# both groups, and acsctl's snapshot, under tests/fixtures/vm-vfio/KERNEL/;
# tests/cli/vfio.sh checks them. Usage: vfio-in-vm.sh ACSCTL KERNEL...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
acsctl=$(readlink -f "$1")
shift
# shellcheck source=tests/vm/boot-lib.sh
. "$here/boot-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# the binary and the libraries it loads (boot-lib.sh)
mkdir -p "$work/root/bin"
cp "$acsctl" "$work/root/bin/acsctl"
adds=()
vm_stage "$work/root" "$acsctl"

# vfio, and nvme with what it needs (which differs between the kernels;
# vfio_virqfd is a module of its own before 6.2)
mods="irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci"
optmods="vfio_virqfd crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi nvme-auth nvme-core nvme"
cat >"$work/vfio.sh" <<'SCRIPT'
A=/bin/acsctl
for m in irqbypass vfio vfio_virqfd vfio_iommu_type1 vfio-pci-core vfio-pci crct10dif_common crc-t10dif crc64 \
	crc64-rocksoft t10-pi nvme-auth nvme-core nvme; do
	ls /lib/modules/$m.ko* >/dev/null 2>&1 || continue
	insmod /lib/modules/$m.ko* || echo "insmod $m failed"
done
D=/sys/bus/pci/devices/0000:06:00.0
[ -e $D/driver ] && echo 0000:06:00.0 > $D/driver/unbind
echo vfio-pci > $D/driver_override
echo 0000:06:00.0 > /sys/bus/pci/drivers_probe
echo "@@ facts"
for d in /sys/bus/pci/devices/*; do
	drv=-
	[ -e $d/driver ] && drv=$(basename "$(readlink $d/driver)")
	rm=-
	[ -e $d/reset_method ] && rm=$(tr ' ' ',' <$d/reset_method)
	echo "${d##*/} driver=$drv reset_method=$rm group=$(basename "$(readlink $d/iommu_group)")"
done
for g in /sys/kernel/iommu_groups/*; do echo "group ${g##*/} type=$(cat $g/type 2>/dev/null || echo -)"; done
echo "ir_chips=$(grep -c ' IR-' /proc/interrupts)"
for e in /sys/class/iommu/*/intel-iommu/ecap; do echo "ecap ${e#/sys/class/iommu/} $(cat $e)"; done
echo "@@ ready"; $A vfio 06:00.0; echo "rc=$?"
echo "@@ ready-json"; $A vfio 06:00.0 -j; echo "rc=$?"
echo "@@ blocked"; $A vfio 07:00.0; echo "rc=$?"
echo "@@ blocked-json"; $A vfio 07:00.0 -j; echo "rc=$?"
echo "@@ snapshot"; $A snapshot -; echo "rc=$?"
echo "@@ end"
SCRIPT
for kernel in "$@"; do
	dir=$root/tests/fixtures/vm-vfio/$kernel
	rm -rf "$dir.tmp"
	read -r _ _ moddir _ < <("$here/get-kernels.sh" | awk -v k="$kernel" '$1 == k')
	{
		for m in $mods; do
			echo "module: $m"
		done
		for m in $optmods; do
			[ -n "$(find "$moddir" -name "$m.ko*" | head -1)" ] && echo "module: $m"
		done
		cat "$here/cases/boot-base.args"
	} >"$work/vfio.args"
	mkdir -p "$work/case"
	cp "$work/vfio.args" "$work/case/vfio.args"
	cp "$work/vfio.sh" "$work/case/vfio.sh"
	bash "$here/boot.sh" --kernel "$kernel" --case "$work/case/vfio.args" --out "$dir.tmp" \
		"${adds[@]}" >/dev/null
	log=$dir.tmp/case.out
	# section NAME: the lines of one @@ step, its rc= line left out
	section() { sed -n "/^@@ $1\$/,/^@@ /p" "$log" | sed '1d;$d'; }
	section facts >"$dir.tmp/facts.txt"
	for s in ready ready-json blocked blocked-json; do
		section "$s" | grep -v '^rc=' >"$dir.tmp/$s.out"
		section "$s" | sed -n 's/^rc=//p' >"$dir.tmp/$s.rc"
	done
	section snapshot | grep -v '^rc=' >"$dir.tmp/snapshot.txt"
	rm -f "$dir.tmp/case.out" "$dir.tmp/lspci.txt"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $kernel: ready rc=$(cat "$dir/ready.rc"), blocked rc=$(cat "$dir/blocked.rc")"
done
