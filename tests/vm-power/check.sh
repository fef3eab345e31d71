#!/bin/bash
# Boot a sample of POWER cases live and check acsctl against the kernel that
# booted: the partition of its IOMMU groups, and `pe --check` on the BARs it
# assigned. Every committed capture is checked without booting by
# test_power; this proves the harness and the prediction still agree with a
# kernel running now.
# Usage: check.sh [--sample N] ACSCTL   (N cases per machine, default 1;
#        ACSCTL_VM_SAMPLE=0 boots none)
set -uo pipefail
export LC_ALL=C

here=$(dirname "$(realpath "$0")")
sample=1
[ "${1:-}" = --sample ] && { sample=$2; shift 2; }
acsctl=$(realpath "${1:?usage: check.sh [--sample N] ACSCTL}")
[ "$sample" -gt 0 ] || { echo "vm-power: sample 0, no boots"; exit 0; }
if ! "$here/get-kernel.sh" >/dev/null 2>&1; then
	echo "SKIP vm-power: the ppc64el kernel or qemu-system-ppc could not be fetched (see tests/vm-power/get-kernel.sh)"
	exit 0
fi

# "member member | member" with groups and members sorted, from GROUP ADDR lines
partition() {
	sort -k2 "$1" | awk '{ m[$1] = m[$1] (m[$1] ? " " : "") $2 } END { for (g in m) print m[g] }' | sort |
		paste -sd'|' -
}

pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for machine in powernv8 powernv9; do
	# a different sample each day, the same all day
	mapfile -t all < <(ls "$here"/cases/*.args | grep -v -e sriov -e two-chips)
	start=$(( $(date +%j) % ${#all[@]} ))
	for ((k = 0; k < sample && k < ${#all[@]}; k++)); do
		c=${all[$(( (start + k) % ${#all[@]} ))]}
		name=$(basename "$c" .args)
		out=$tmp/$machine-$name
		# /init waits for the devices the committed capture has (init.sh)
		expect=()
		dump=$here/../fixtures/vm-power/$machine/$name/lspci.txt
		[ -f "$dump" ] && expect=(--append "acsctl.devices=$(grep -c -E '^[0-9a-f]{4}:' "$dump")")
		# exit 3: skiboot's lines broke ours on the console (boot-lib.sh);
		# boot again, twice at most
		for try in 1 2 3; do
			"$here/boot.sh" --machine "$machine" --case "$c" --out "$out" ${expect[@]+"${expect[@]}"} >"$tmp/log" 2>&1
			rc=$?
			[ $rc -eq 3 ] || break
			echo "NOTE $machine $name: console damaged, boot $try of 3: $(tail -n 1 "$tmp/log")"
		done
		if [ $rc -ne 0 ]; then
			echo "FAIL $machine $name: boot failed: $(tail -1 "$tmp/log")"
			fail=$((fail + 1))
			continue
		fi
		"$acsctl" -F "$out/lspci.txt" --platform "$machine" groups -m >"$tmp/pred" 2>"$tmp/err"
		want=$(partition "$out/groups.txt")
		got=$(partition "$tmp/pred")
		if [ "$want" != "$got" ]; then
			echo "FAIL $machine $name: kernel $want, acsctl $got"
			fail=$((fail + 1))
		elif ! "$acsctl" -F "$out/lspci.txt" --platform "$machine" pe --check >"$tmp/chk" 2>&1 &&
			# an endpoint beside a bridge fencing other PEs is the
			# topology's (switch-ep-internal-bus), not the BARs'
			grep '^FAIL' "$tmp/chk" | grep -qv ': beside bridge '; then
			echo "FAIL $machine $name: pe --check on the kernel's BARs: $(grep -m1 FAIL "$tmp/chk")"
			fail=$((fail + 1))
		else
			echo "PASS $machine $name"
			pass=$((pass + 1))
		fi
	done
done
echo "vm-power: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
