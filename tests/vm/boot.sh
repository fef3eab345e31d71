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

# Case file: one QEMU argument per line, '#' comments, 'cmdline: ...' lines,
# 'module: NAME' lines (NAME.ko* of this kernel is added as /lib/modules/NAME.ko*).
qargs=() ccmd= mods=()
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	line=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$line")
	case $line in
	'' | '#'*) ;;
	cmdline:*) ccmd="$ccmd ${line#cmdline:}" ;;
	module:*) mods+=("$(sed 's/^module:[[:space:]]*//' <<<"$line")") ;;
	*) qargs+=("$line") ;;
	esac
done < "$case"
for m in ${mods[@]+"${mods[@]}"}; do
	ko=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" | sed -n 1p)
	[ -n "$ko" ] || die "$case: module $m not found under $moddir"
	adds+=(--add "$ko:/lib/modules/${ko##*/}")
done

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

# Split the console into sections; ignore anything outside markers.
tr -d '\r' < "$log" | awk -v dir="$work" '
	/^@@ACSCTL [A-Z-]+$/ { sec = $2; print "" > (dir "/sec." sec); next }
	sec != "" && sec != "END" { print > (dir "/sec." sec) }'
for s in END CMDLINE UNAME GROUPS DUMP; do
	[ -f "$work/sec.$s" ] || die "$case ($kernel): no @@ACSCTL $s in output, see $log"
done

grep -v '^$' "$work/sec.CMDLINE" | sed -n 1p > "$out/cmdline.txt"
grep -v '^$' "$work/sec.UNAME" | sed -n 1p > "$out/kernel.txt"
grep -E '^[0-9]+ [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' "$work/sec.GROUPS" |
	sort -k2,2 > "$out/groups.txt"
if [ -f "$work/sec.CASE" ]; then
	grep -v '^$' "$work/sec.CASE" > "$out/case.out" || true
fi
# Keep device headers and hex rows only; one blank line after each device.
grep -E '^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] |[0-9a-f]{2,3}:( [0-9a-f]{2}){16}$)' \
	"$work/sec.DUMP" | awk '
	/^[0-9a-f]+:[0-9a-f]+:/ { if (n) { print "" }; n++; print; next }
	{ print }
	END { if (n) print "" }' > "$out/lspci.txt"
cp "$case" "$out/case.args"

# Sanity: every device has 256 or 4096 bytes, lspci reads them all back.
bad=$(awk '/^[0-9a-f]+:[0-9a-f]+:/ { if (d != "" && r != 16 && r != 256) print d; d = $1; r = 0; next }
	/^[0-9a-f]+: / { r++ }
	END { if (d != "" && r != 16 && r != 256) print d }' "$out/lspci.txt")
[ -z "$bad" ] || die "$case ($kernel): truncated config space for: $bad (see $log)"
ndump=$(grep -c -E '^[0-9a-f]{4}:' "$out/lspci.txt" || true)
[ "$ndump" -gt 0 ] || die "$case ($kernel): empty dump, see $log"
if ! command -v lspci >/dev/null; then
	[ "$(id -u)" -eq 0 ] || die "lspci not found: apt-get install pciutils"
	apt-get install -y -qq pciutils >&2 || { apt-get update -qq >&2 && apt-get install -y -qq pciutils >&2; }
fi
nlspci=$(lspci -F "$out/lspci.txt" | wc -l)
[ "$nlspci" -eq "$ndump" ] || die "$case ($kernel): lspci -F sees $nlspci of $ndump devices"
missing=$(awk '{ print $2 }' "$out/groups.txt" | while read -r a; do
	grep -q "^$a " "$out/lspci.txt" || echo "$a"; done)
[ -z "$missing" ] || die "$case ($kernel): grouped but not dumped: $missing"
[ $keep -eq 1 ] || rm -f "$log"
echo "boot.sh: $case ($kernel): $ndump devices, $(awk '{print $1}' "$out/groups.txt" | sort -u | wc -l) groups"
