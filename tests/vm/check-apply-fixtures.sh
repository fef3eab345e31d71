#!/bin/bash
# Reads the logs of apply-in-vm.sh (tests/fixtures/vm-apply/K/log.txt) and
# checks what happened in the real kernel: the live change and its way
# back verified, groups equal to booting with the same ACS (6.12), the
# multifunction root port change and the bound driver refused, and after
# every injected fault and kill: the original ACS, the kernel's groups
# agreeing, no journal left, the driver bound again; a vfio-pci device
# whose group a process holds open refused and untouched, then changed
# and bound to vfio-pci again once the group is closed; the boot unit's
# ExecStart applying an acs.conf.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
pass=0 fail=0 faults=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# section LOG NAME: the lines of one @@ step
section() { sed -n "/^@@ $2\$/,/^@@ /p" "$1" | sed '1d;$d'; }
# has TEXT PATTERN: grep -q without a pipe (under pipefail, grep -q
# leaving early makes the writer of a pipe fail at random)
has() { grep -qE "$2" <<<"$1"; }

for log in "$root"/tests/fixtures/vm-apply/*/log.txt; do
	k=$(basename "$(dirname "$log")")
	has "$(section "$log" dry-run)" '^ctl=0x001d' && ok || bad "$k dry run changed something"
	has "$(section "$log" clear)" '^verify: /sys/kernel/iommu_groups equals the prediction' &&
		has "$(section "$log" clear)" '^ctl=0x0011' && ok || bad "$k live clear"
	has "$(section "$log" check-cleared)" '^OK' && ok || bad "$k groups after the live change"
	has "$(section "$log" back)" '^ctl=0x001d' && has "$(section "$log" check-back)" '^OK' &&
		ok || bad "$k live change back"
	has "$(section "$log" mf-refused)" '^(at boot instead: pci=config_acs=|at boot: Linux 6.1 has no pci=config_acs=)' &&
		has "$(section "$log" mf-refused)" '^rc=1' && ok || bad "$k multifunction port not refused"
	has "$(section "$log" driver-refused)" 'bound to pci-pf-stub' && ok || bad "$k driver not refused"
	has "$(section "$log" driver-unbind)" '^driver=pci-pf-stub' &&
		has "$(section "$log" driver-unbind)" '^OK: applied' && ok || bad "$k --unbind"
	out=$(section "$log" vfio-open)
	has "$out" '^held=/dev/vfio/[0-9]+$' && has "$out" 'its VFIO group [0-9]+ is open' &&
		has "$out" '^rc=1$' && has "$out" '^ctl=0x001d$' && ok || bad "$k open VFIO group not refused"
	out=$(section "$log" vfio-closed)
	has "$out" '^unbind 0000:06:00.0 from vfio-pci$' && has "$out" '^OK: applied' && has "$out" '^ctl=0x0011$' &&
		has "$out" '^driver=vfio-pci$' && ok || bad "$k closed VFIO group: change or rebind"
	out=$(section "$log" vfio-back)
	has "$out" '^ctl=0x001d$' && has "$out" '^driver=vfio-pci$' && ok || bad "$k VFIO change back"
	# the boot service's command as the unit has it now (the package's
	# prefix), run with its capability bounding set and no new privileges
	out=$(section "$log" service)
	unit=$(sed -n 's|^ExecStart=@bindir@/|/usr/bin/|p' "$root/contrib/acsctl-apply.service.in")
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$root/contrib/acsctl-apply.service.in")
	[ "$(sed -n 's/^exec=//p' <<<"$out")" = "$unit" ] && [ "$(sed -n 's/^caps=//p' <<<"$out")" = "$caps" ] &&
		has "$out" '^NoNewPrivs:[[:space:]]*1$' && ! has "$out" '^CapBnd:[[:space:]]*000001ffffffffff$' &&
		has "$out" '^OK: applied' && has "$out" '^rc=0$' &&
		has "$out" '^ctl=0x0011$' && has "$(section "$log" service-back)" '^ctl=0x001d$' &&
		ok || bad "$k the service's ExecStart and capabilities (recapture after changing the unit)"
	# with only those capabilities, a VFIO group another user holds open is seen
	out=$(section "$log" service-vfio-open)
	has "$out" '^held=/dev/vfio/[0-9]+ uid=1000$' && has "$out" 'its VFIO group [0-9]+ is open' &&
		has "$out" '^rc=1$' && has "$out" '^ctl=0x001d$' && has "$out" '^driver=vfio-pci$' &&
		ok || bad "$k the service's capabilities do not see another user's open VFIO group"
	# the live partition against a boot with the same ACS (6.12 has config_acs)
	boot=$root/tests/fixtures/vm-boot/$k/config-rp-switch/groups.txt
	if [ -f "$boot" ]; then
		section "$log" groups-cleared >"$log.tmp"
		[ "$(partition "$log.tmp")" = "$(partition "$boot")" ] && ok || bad "$k live groups differ from the boot's"
		rm -f "$log.tmp"
	fi
	for kind in fault kill; do
		for s in journal unbind remove write rescan verify rebind; do
			out=$(section "$log" "$kind $s")
			faults=$((faults + 1))
			has "$out" '^ctl=0x001d' && has "$out" '^check=0' &&
				has "$out" '^pending=no' && ok || bad "$k $kind $s left a half-applied state"
		done
	done
done
echo "$faults injected faults checked"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
