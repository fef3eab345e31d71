#!/bin/bash
# acsctl apply in the booted kernel, on cases/boot-base.args: a live change
# and back, a refused one, a bound driver, and a fault injected at every
# step (failing, then killing the process and rolling back), lockdown
# (a fault that fails every config write after the probe, then the real
# one), two applies at once, a device bound to vfio-pci whose group a
# process holds open, and one pinned to vfio-pci by driver_override that
# must not end on nvme after the rescan. The log goes
# to tests/fixtures/vm-apply/KERNEL/log.txt; check-apply-fixtures.sh reads
# it. Usage: apply-in-vm.sh ACSCTL KERNEL...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
acsctl=$(readlink -f "$1")
shift
# the fault steps need the ACSCTL_FAULT hook: a test build (the hook is
# in libacsctl.so.0, which the binary loads)
# shellcheck disable=SC2046
if ! grep -qa ACSCTL_FAULT "$acsctl" $(ldd "$acsctl" | awk '$1 ~ /^libacsctl/ { print $3 }'); then
	echo "apply-in-vm.sh: $acsctl has no ACSCTL_FAULT hook: build it with meson -Dfault_injection=true (make check does)" >&2
	exit 2
fi
# shellcheck source=tests/vm/boot-lib.sh
. "$here/boot-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# acsctl, and util-linux's setpriv (busybox's cannot bound capabilities)
# to run the unit's ExecStart as systemd would: its CapabilityBoundingSet,
# NoNewPrivileges and UMask
setpriv=$(command -v setpriv) || { echo "apply-in-vm.sh: needs util-linux's setpriv" >&2; exit 2; }
mkdir -p "$work/root/bin" "$work/root/opt"
cp "$acsctl" "$work/root/bin/acsctl"
cp "$setpriv" "$work/root/opt/setpriv"
# the unit as the package installs it (meson's prefix /usr)
sed 's|@bindir@|/usr/bin|g' "$root/contrib/acsctl-apply.service.in" >"$work/acsctl-apply.service"
adds=(--add "$work/acsctl-apply.service:/acsctl-apply.service")
vm_stage "$work/root" "$acsctl" "$setpriv"

mods="pci-pf-stub irqbypass vfio vfio_iommu_type1 vfio-pci-core vfio-pci"
# nvme and what it needs, which differs between the kernels
optmods="vfio_virqfd crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi nvme-auth nvme-core nvme"
cat >"$work/apply.sh" <<'SCRIPT'
A=/bin/acsctl
export ACSCTL_JOURNAL=/run/acsctl-test/journal.json
RP=0000:00:03.0
ctl() { $A -s 00:03.0 show | sed -n 's/.*ACSCtl: .* (\(0x[0-9a-f]*\))/\1/p'; }
groups() { for d in /sys/kernel/iommu_groups/*/devices/*; do g=${d#/sys/kernel/iommu_groups/}; echo "${g%%/*} ${d##*/}"; done; }
step() { echo "@@ $*"; }
step dry-run; $A apply $RP:RR-,CR-; echo "rc=$?"; echo "ctl=$(ctl)"
step clear; $A apply $RP:RR-,CR- --yes; echo "rc=$?"; echo "ctl=$(ctl)"
step groups-cleared; groups
step check-cleared; $A groups --check; echo "rc=$?"
step back; $A apply $RP:RR+,CR+ --yes; echo "rc=$?"; echo "ctl=$(ctl)"
step check-back; $A groups --check; echo "rc=$?"
step mf-refused; $A apply 0000:00:02.1:RR-,CR- 0000:00:02.2:RR-,CR- --yes; echo "rc=$?"
insmod /lib/modules/pci-pf-stub.ko* 2>/dev/null
echo pci-pf-stub > /sys/bus/pci/devices/0000:06:00.0/driver_override
echo 0000:06:00.0 > /sys/bus/pci/drivers_probe
step driver-refused; $A apply $RP:RR-,CR- --yes; echo "rc=$?"
step driver-unbind; $A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"
echo "driver=$(basename "$(readlink /sys/bus/pci/devices/0000:06:00.0/driver)")"
step driver-back; $A apply $RP:RR+,CR+ --yes --unbind; echo "rc=$?"
echo "driver=$(basename "$(readlink /sys/bus/pci/devices/0000:06:00.0/driver)")"
drv() { basename "$(readlink /sys/bus/pci/devices/$1/driver 2>/dev/null)"; }
devices() { ls /sys/bus/pci/devices | wc -l; }
# lockdown: every config write after the probe refused, the restore's too
for s in journal unbind remove write lockdown rescan verify rebind; do
	step "fault $s"; ACSCTL_FAULT=$s $A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"
	echo "ctl=$(ctl)"; $A groups --check >/dev/null; echo "check=$?"
	echo "pending=$([ -e $ACSCTL_JOURNAL ] && echo yes || echo no)"
	echo "driver=$(drv 0000:06:00.0) devices=$(devices)"
done
for s in journal unbind remove write rescan verify rebind; do
	step "kill $s"; (ACSCTL_FAULT=$s:kill $A apply $RP:RR-,CR- --yes --unbind); echo "rc=$?"
	$A apply --rollback >/dev/null 2>&1; echo "rollback=$?"
	echo "ctl=$(ctl)"; $A groups --check >/dev/null; echo "check=$?"
	echo "pending=$([ -e $ACSCTL_JOURNAL ] && echo yes || echo no)"
	echo "driver=$(basename "$(readlink /sys/bus/pci/devices/0000:06:00.0/driver 2>/dev/null)")"
done
# two applies at once: the first stopped (SIGSTOP) at its write, with the
# devices removed and the lock held; the second is refused and touches
# nothing; the first, continued, completes
step concurrent
(ACSCTL_FAULT=write:stop $A apply $RP:RR-,CR- --yes --unbind >/tmp/first.txt 2>&1; echo "first rc=$?" >>/tmp/first.txt) &
P=
for i in $(seq 60); do
	P=$(cat /run/acsctl-test/lock 2>/dev/null)
	[ -n "$P" ] && grep -q '^State:.*T' /proc/$P/status 2>/dev/null && break
	sleep 0.5
done
echo "first=$(sed -n 's/^State:[[:space:]]*//p' /proc/$P/status) devices=$(devices)"
$A apply $RP:RR-,CR- --yes --unbind; echo "second rc=$?"
echo "journal=$(tr -d ' \n' <$ACSCTL_JOURNAL | grep -o '"ctrl_before":[0-9]*,"ctrl_after":[0-9]*')"
kill -CONT $P; wait
cat /tmp/first.txt
echo "ctl=$(ctl) driver=$(drv 0000:06:00.0) devices=$(devices)"; $A groups --check >/dev/null; echo "check=$?"
echo "pending=$([ -e $ACSCTL_JOURNAL ] && echo yes || echo no)"
step concurrent-back; $A apply $RP:RR+,CR+ --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
# VFIO: a guest's device is never touched live while its group is open
for m in irqbypass vfio vfio_virqfd vfio_iommu_type1 vfio-pci-core vfio-pci; do
	[ -e /lib/modules/$m.ko ] || [ -e /lib/modules/$m.ko.xz ] || continue
	insmod /lib/modules/$m.ko* || echo "insmod $m failed"
done
DEV=/sys/bus/pci/devices/0000:06:00.0
echo 0000:06:00.0 > $DEV/driver/unbind
echo vfio-pci > $DEV/driver_override
echo 0000:06:00.0 > /sys/bus/pci/drivers_probe
G=$(basename "$(readlink $DEV/iommu_group)")
step vfio-open; echo "driver=$(basename "$(readlink $DEV/driver)") group=$G"
sleep 60 3<>/dev/vfio/$G &
HOLDER=$!
sleep 1
echo "held=$(readlink /proc/$HOLDER/fd/3)"
$A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
kill $HOLDER; wait $HOLDER 2>/dev/null
step vfio-closed; $A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
echo "driver=$(basename "$(readlink $DEV/driver)")"
step vfio-back; $A apply $RP:RR+,CR+ --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
echo "driver=$(basename "$(readlink $DEV/driver)")"
# the iommufd cdev of a vfio device, held open, if this kernel makes one
step iommufd
C=$(ls $DEV/vfio-dev 2>/dev/null | head -1); echo "vfio-dev=$C"
if [ -n "$C" ] && [ -e /dev/vfio/devices/$C ]; then
	sleep 60 3<>/dev/vfio/devices/$C &
	HOLDER=$!
	sleep 1
	echo "held=$(readlink /proc/$HOLDER/fd/3)"
	$A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
	kill $HOLDER; wait $HOLDER 2>/dev/null
else
	echo "cdev=absent: no /dev/vfio/devices (this kernel has no CONFIG_VFIO_DEVICE_CDEV)"
fi
# nvme loaded: the kernel probes a rescanned device with every driver,
# drivers_autoprobe or not; a device pinned to vfio-pci by driver_override
# ends on vfio-pci again, pinned, never left on nvme
for m in crct10dif_common crc-t10dif crc64 crc64-rocksoft t10-pi nvme-auth nvme-core nvme; do
	[ -e /lib/modules/$m.ko ] || [ -e /lib/modules/$m.ko.xz ] || continue
	insmod /lib/modules/$m.ko* || echo "insmod $m failed"
done
step autoprobe-off
echo "07=$(drv 0000:07:00.0)"
echo 0 > /sys/bus/pci/drivers_autoprobe
echo 1 > /sys/bus/pci/devices/0000:07:00.0/remove
echo 1 > /sys/bus/pci/devices/$RP/rescan
echo "autoprobe=$(cat /sys/bus/pci/drivers_autoprobe) 07=$(drv 0000:07:00.0)"
echo 1 > /sys/bus/pci/drivers_autoprobe
step vfio-pinned; echo "driver=$(drv 0000:06:00.0) override=$(cat $DEV/driver_override) 07=$(drv 0000:07:00.0)"
$A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
echo "driver=$(drv 0000:06:00.0)"; echo "override=$(cat $DEV/driver_override)"; echo "07=$(drv 0000:07:00.0)"
step vfio-pinned-back; $A apply $RP:RR+,CR+ --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
echo "driver=$(drv 0000:06:00.0)"; echo "override=$(cat $DEV/driver_override)"; echo "07=$(drv 0000:07:00.0)"
rmmod nvme
# the boot service's command, as contrib/acsctl-apply.service.in has it,
# with the unit's capability bounding set, no new privileges and umask
mkdir -p /etc/acsctl /usr/bin
ln -sf /bin/acsctl /usr/bin/acsctl
printf '# the root port above the switch\n%s:RR-,CR-\n' $RP > /etc/acsctl/acs.conf
X=$(sed -n 's/^ExecStart=//p' /acsctl-apply.service)
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' /acsctl-apply.service)
UM=$(sed -n 's/^UMask=//p' /acsctl-apply.service)
BSET=-all; for c in $CAPS; do BSET="$BSET,+$(echo "${c#CAP_}" | tr A-Z a-z)"; done
unit() { /opt/setpriv --no-new-privs --inh-caps=-all --bounding-set="$BSET" -- /bin/sh -c "umask $UM; grep -E '^(CapBnd|CapEff|NoNewPrivs):' /proc/self/status; $X"; }
step service; echo "exec=$X"; echo "caps=$CAPS"
unit; echo "rc=$?"; echo "ctl=$(ctl)"
echo "driver=$(basename "$(readlink $DEV/driver)")"
step service-back; $A apply $RP:RR+,CR+ --yes --unbind; echo "rc=$?"; echo "ctl=$(ctl)"
echo "driver=$(basename "$(readlink $DEV/driver)")"
# with only the unit's capabilities it still sees a VFIO group that a
# process of another user (a qemu) holds open, and refuses
G=$(basename "$(readlink $DEV/iommu_group)")
/opt/setpriv --reuid=1000 --regid=1000 --clear-groups sleep 60 3<>/dev/vfio/$G &
HOLDER=$!
sleep 1
step service-vfio-open; echo "held=$(readlink /proc/$HOLDER/fd/3) uid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$HOLDER/status)"
unit; echo "rc=$?"; echo "ctl=$(ctl)"
kill $HOLDER; wait $HOLDER 2>/dev/null
echo "driver=$(basename "$(readlink $DEV/driver)")"
# the real lockdown, last (it cannot be lifted): named and refused before
# anything is touched; without securityfs to read it, the probe write
# finds it, still before anything is removed
step lockdown-real
mkdir -p /sys/kernel/security; mount -t securityfs none /sys/kernel/security
echo integrity > /sys/kernel/security/lockdown; echo "lockdown=$(cat /sys/kernel/security/lockdown)"
$A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"
echo "ctl=$(ctl) driver=$(drv 0000:06:00.0) devices=$(devices)"
echo "pending=$([ -e $ACSCTL_JOURNAL ] && echo yes || echo no)"
step lockdown-unseen; umount /sys/kernel/security
$A apply $RP:RR-,CR- --yes --unbind; echo "rc=$?"
echo "ctl=$(ctl) driver=$(drv 0000:06:00.0) devices=$(devices)"
echo "pending=$([ -e $ACSCTL_JOURNAL ] && echo yes || echo no)"
step end
SCRIPT
for kernel in "$@"; do
	dir=$root/tests/fixtures/vm-apply/$kernel
	rm -rf "$dir.tmp"
	# vfio_virqfd is a module of its own before 6.2
	read -r _ _ moddir _ < <("$here/get-kernels.sh" | awk -v k="$kernel" '$1 == k')
	{
		for m in $mods; do
			echo "module: $m"
		done
		for m in $optmods; do
			[ -n "$(find "$moddir" -name "$m.ko*" | head -1)" ] && echo "module: $m"
		done
		cat "$here/cases/boot-base.args"
	} >"$work/apply.args"
	bash "$here/boot.sh" --kernel "$kernel" --case "$work/apply.args" --out "$dir.tmp" \
		"${adds[@]}" >/dev/null
	mv "$dir.tmp/case.out" "$dir.tmp/log.txt"
	rm -f "$dir.tmp/lspci.txt"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $kernel: $(grep -c '^@@' "$dir/log.txt") steps"
done
