#!/bin/bash
# Boot one case on an emulated IBM POWER machine (QEMU powernv8/powernv9, TCG,
# skiboot firmware) under Debian 12's ppc64el 6.1 kernel and capture what the
# kernel sees: config space, IOMMU groups, BARs, and its log lines about PEs.
# Usage: boot.sh --machine powernv8|powernv9 --case CASE.args --out DIR
#                [--append "extra cmdline"] [--add SRC:DST]... [--keep-console]
# If CASE.sh exists next to CASE.args it is added as /case.sh (sourced by /init).
set -euo pipefail
export LC_ALL=C

here=$(dirname "$(realpath "$0")")
machine='' case='' out='' append='' keep=0 adds=()
TIMEOUT=${ACSCTL_VM_TIMEOUT:-300}
die() { echo "boot.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--machine) machine=$2; shift 2 ;;
	--case) case=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--add) adds+=(--add "$2"); shift 2 ;;
	--keep-console) keep=1; shift ;;
	*) die "unknown argument $1" ;;
	esac
done
[ -n "$machine" ] && [ -n "$case" ] && [ -n "$out" ] ||
	die "usage: boot.sh --machine powernv8|powernv9 --case CASE.args --out DIR [--append ARGS] [--add SRC:DST]..."
case $machine in powernv8 | powernv9) ;; *) die "unknown machine '$machine' (want powernv8 or powernv9)" ;; esac
[ -f "$case" ] || die "$case: no such case file"
[ -f "${case%.args}.sh" ] && adds+=(--add "${case%.args}.sh:/case.sh")

# VMLINUX BUSYBOX UNAME
read -r vmlinux busybox uname_r < <("$here/get-kernel.sh")
[ -f "${vmlinux:-}" ] || die "no kernel from get-kernel.sh"
moddir=$(dirname "$(dirname "$vmlinux")")/lib/modules/$uname_r

# shellcheck source=tests/vm/boot-lib.sh
. "$here/../vm/boot-lib.sh"
vm_read_case "$case" "$moddir"
machines=${case_machines:-powernv8 powernv9}
[[ " $machines " == *" $machine "* ]] || die "$case is not for $machine (machines: $machines)"

mkdir -p "$out"
(cd "$out" && rm -f lspci.txt groups.txt group-names.txt resources.txt pe-log.txt \
	cmdline.txt kernel.txt case.args case.out console.log dmesg.txt)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# initramfs: the ppc64el busybox-static and the shared init.sh
"$here/../vm/mkinitramfs.sh" "$work/initrd.gz" --busybox "$busybox" ${adds[@]+"${adds[@]}"}

# hvc0 is the OPAL console; skiboot and the kernel share QEMU's first serial.
# log_buf_len: the PE lines of a big case must survive in dmesg.
cmdline="console=hvc0 quiet loglevel=0 panic=-1 log_buf_len=4M"
cmdline=$(echo "$cmdline $ccmd $append" | tr -s ' ' | sed 's/ $//')
log=$out/console.log
rc=0
# No -nodefaults: it would drop the PHBs (and their root ports) of powernv.
timeout -k 5 "$TIMEOUT" qemu-system-ppc64 \
	-machine "$machine" -accel tcg -m 2G -smp 1 -nographic -no-reboot \
	-kernel "$vmlinux" -initrd "$work/initrd.gz" -append "$cmdline" \
	"${qargs[@]}" </dev/null >"$log" 2>&1 || rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	die "$case ($machine): timed out after ${TIMEOUT}s, see $log"
fi
[ $rc -eq 0 ] || die "$case ($machine): qemu exited with $rc, see $log"

label="$case ($machine)"
vm_split_console "$log" "$work" "$label" SETTLE CMDLINE UNAME GROUPS GROUP-NAMES DUMP RESOURCES DMESG
vm_check_settled "$work" "$label" "$log"
vm_write_common "$work" "$out" "$case"
grep -E '^[0-9]+ [^ ]+$' "$work/sec.GROUP-NAMES" | sort -n > "$out/group-names.txt"
# resources: the address, then its resource lines (start end flags), blank line
grep -E "^($BDF|0x[0-9a-f]{16} 0x[0-9a-f]{16} 0x[0-9a-f]{16})\$" "$work/sec.RESOURCES" | awk '
	/^0x/ { print; next }
	{ if (n) { print "" }; n++; print }
	END { if (n) print "" }' > "$out/resources.txt"
# the kernel's lines about PHBs, PEs and iommu groups, and a bus range the PHB
# cannot match ("Number of subordinate buses 3 unsupported"). PE is matched
# case-sensitively: -i would match "type", "pages", ...
grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$work/sec.DMESG" > "$work/dmesg" || true
grep -E 'PE|PHB|IODA|segment|M32|M64|iommu group|subordinate buses' "$work/dmesg" |
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' > "$out/pe-log.txt" || true
vm_check_dump "$out" "$label" "$log"
nres=$(grep -c -E "^$BDF\$" "$out/resources.txt" || true)
[ "$nres" -eq "$ndump" ] || die "$case ($machine): resources for $nres of $ndump devices, see $log"
[ -s "$out/pe-log.txt" ] || die "$case ($machine): no PE lines in dmesg, see $log"
if [ $keep -eq 1 ]; then
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$work/dmesg" > "$out/dmesg.txt"
else
	rm -f "$log"
fi
vm_summary "$case" "$machine" "$out"
