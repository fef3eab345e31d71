#!/bin/bash
# Boot one case under a real Debian kernel in QEMU (TCG) and capture what the
# kernel sees: config space dump, IOMMU groups, cmdline, uname -r.
# Usage: boot.sh --kernel 6.1|6.12 --case CASE.args --out DIR
#                [--append "extra cmdline"] [--add SRC:DST]... [--keep-console]
# If CASE.sh exists next to CASE.args it is added as /case.sh (sourced by /init).
set -euo pipefail
export LC_ALL=C

here=$(dirname "$(realpath "$0")")
kernel='' case='' out='' append='' keep=0 adds=()
TIMEOUT=${ACSCTL_VM_TIMEOUT:-120}
die() { echo "boot.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift 2 ;;
	--case) case=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--add) adds+=(--add "$2"); shift 2 ;;
	--keep-console) keep=1; shift ;;
	*) die "unknown argument $1" ;;
	esac
done
[ -n "$kernel" ] && [ -n "$case" ] && [ -n "$out" ] ||
	die "usage: boot.sh --kernel 6.1|6.12 --case CASE.args --out DIR [--append ARGS] [--add SRC:DST]..."
[ -f "$case" ] || die "$case: no such case file"
[ -f "${case%.args}.sh" ] && adds+=(--add "${case%.args}.sh:/case.sh")

# KEY VMLINUZ MODULES UNAME
read -r _ vmlinuz moddir _ < <("$here/get-kernels.sh" | awk -v k="$kernel" '$1 == k')
[ -n "${vmlinuz:-}" ] || die "unknown kernel '$kernel' (want 6.1 or 6.12)"

# shellcheck source=tests/vm/boot-lib.sh
. "$here/boot-lib.sh"
vm_read_case "$case" "$moddir"

mkdir -p "$out"
(cd "$out" && rm -f lspci.txt groups.txt cmdline.txt kernel.txt case.args case.out console.log bios.log)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/mkinitramfs.sh" "$work/initrd.gz" ${adds[@]+"${adds[@]}"}

cmdline="console=ttyS0 intel_iommu=on quiet loglevel=0 panic=-1"
cmdline=$(echo "$cmdline $ccmd $append" | tr -s ' ' | sed 's/ $//')
log=$out/console.log
rc=0
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
	-machine q35,kernel-irqchip=split -accel tcg -m 512 -smp 1 \
	-nodefaults -nographic -no-reboot -serial stdio -nic none \
	-device intel-iommu,intremap=on \
	-chardev file,id=bios,path="$work/bios.log" -device isa-debugcon,iobase=0x402,chardev=bios \
	-kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "$cmdline" \
	"${qargs[@]}" </dev/null >"$log" 2>&1 || rc=$?
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	cp "$work/bios.log" "$out/bios.log" 2>/dev/null || true
	grep -qs "out of I/O address space" "$out/bios.log" &&
		die "$case ($kernel): SeaBIOS ran out of I/O space (too many bridges above devices with I/O BARs), see $out/bios.log"
	die "$case ($kernel): timed out after ${TIMEOUT}s, see $log and $out/bios.log"
fi
[ $rc -eq 0 ] || die "$case ($kernel): qemu exited with $rc, see $log"

vm_split_console "$log" "$work" "$case ($kernel)" SETTLE CMDLINE UNAME GROUPS DUMP
vm_check_settled "$work" "$case ($kernel)" "$log"
vm_write_common "$work" "$out" "$case"
vm_check_dump "$out" "$case ($kernel)" "$log"
[ $keep -eq 1 ] || rm -f "$log"
vm_summary "$case" "$kernel" "$out"
