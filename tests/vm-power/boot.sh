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
	--add) adds+=("$2"); shift 2 ;;
	--keep-console) keep=1; shift ;;
	*) die "unknown argument $1" ;;
	esac
done
[ -n "$machine" ] && [ -n "$case" ] && [ -n "$out" ] ||
	die "usage: boot.sh --machine powernv8|powernv9 --case CASE.args --out DIR [--append ARGS] [--add SRC:DST]..."
case $machine in powernv8 | powernv9) ;; *) die "unknown machine '$machine' (want powernv8 or powernv9)" ;; esac
[ -f "$case" ] || die "$case: no such case file"
[ -f "${case%.args}.sh" ] && adds+=("${case%.args}.sh:/case.sh")

# VMLINUX BUSYBOX UNAME
read -r vmlinux busybox uname_r < <("$here/get-kernel.sh")
[ -f "${vmlinux:-}" ] || die "no kernel from get-kernel.sh"
moddir=$(dirname "$(dirname "$vmlinux")")/lib/modules/$uname_r

# Case file: one QEMU argument per line, '#' comments, 'cmdline: ...' lines,
# 'machines: powernv8 powernv9' (the machines the case is for; default both),
# 'module: NAME' lines (NAME.ko* of the kernel is added as /lib/modules/NAME.ko*).
qargs=() ccmd='' machines='powernv8 powernv9' mods=()
while IFS= read -r line || [ -n "$line" ]; do
	line=${line%$'\r'}
	line=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$line")
	case $line in
	'' | '#'*) ;;
	cmdline:*) ccmd="$ccmd ${line#cmdline:}" ;;
	machines:*) machines=${line#machines:} ;;
	module:*) mods+=("$(sed 's/^module:[[:space:]]*//' <<<"$line")") ;;
	*) qargs+=("$line") ;;
	esac
done < "$case"
[[ " $machines " == *" $machine "* ]] || die "$case is not for $machine (machines: $machines)"
for m in ${mods[@]+"${mods[@]}"}; do
	ko=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" | sed -n 1p)
	[ -n "$ko" ] || die "$case: module $m not found under $moddir"
	adds+=("$ko:/lib/modules/${ko##*/}")
done

mkdir -p "$out"
(cd "$out" && rm -f lspci.txt groups.txt group-names.txt resources.txt pe-log.txt \
	cmdline.txt kernel.txt case.args case.out console.log dmesg.txt)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# initramfs: the ppc64el busybox-static and init.sh
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root}
cp "$busybox" "$root/bin/busybox"
install -m 755 "$here/init.sh" "$root/init"
for a in ${adds[@]+"${adds[@]}"}; do
	src=${a%%:*} dst=${a#*:}
	[ -e "$src" ] || die "--add $a: $src not found"
	mkdir -p "$root/$(dirname "$dst")"
	cp -aL "$src" "$root/$dst"
done
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
	gzip -6n > "$work/initrd.gz"

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

# Split the console into sections; ignore anything outside markers.
tr -d '\r' < "$log" | awk -v dir="$work" '
	/^@@ACSCTL [A-Z-]+$/ { sec = $2; print "" > (dir "/sec." sec); next }
	sec != "" && sec != "END" { print > (dir "/sec." sec) }'
for s in END CMDLINE UNAME GROUPS GROUP-NAMES DUMP RESOURCES DMESG; do
	[ -f "$work/sec.$s" ] || die "$case ($machine): no @@ACSCTL $s in output, see $log"
done

grep -v '^$' "$work/sec.CMDLINE" | sed -n 1p > "$out/cmdline.txt"
grep -v '^$' "$work/sec.UNAME" | sed -n 1p > "$out/kernel.txt"
bdf='[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]'
grep -E "^[0-9]+ $bdf\$" "$work/sec.GROUPS" | sort -k2,2 > "$out/groups.txt"
grep -E '^[0-9]+ [^ ]+$' "$work/sec.GROUP-NAMES" | sort -n > "$out/group-names.txt"
if [ -f "$work/sec.CASE" ]; then
	grep -v '^$' "$work/sec.CASE" > "$out/case.out" || true
fi
# Keep device headers and hex rows only; one blank line after each device.
grep -E "^($bdf |[0-9a-f]{2,3}:( [0-9a-f]{2}){16}\$)" "$work/sec.DUMP" | awk '
	/^[0-9a-f]+:[0-9a-f]+:/ { if (n) { print "" }; n++; print; next }
	{ print }
	END { if (n) print "" }' > "$out/lspci.txt"
# resources: the address, then its resource lines (start end flags), blank line
grep -E "^($bdf|0x[0-9a-f]{16} 0x[0-9a-f]{16} 0x[0-9a-f]{16})\$" "$work/sec.RESOURCES" | awk '
	/^0x/ { print; next }
	{ if (n) { print "" }; n++; print }
	END { if (n) print "" }' > "$out/resources.txt"
# the kernel's lines about PHBs, PEs and iommu groups, and a bus range the PHB
# cannot match ("Number of subordinate buses 3 unsupported"). PE is matched
# case-sensitively: -i would match "type", "pages", ...
grep -E '^\[ *[0-9]+\.[0-9]+\] ' "$work/sec.DMESG" > "$work/dmesg" || true
grep -E 'PE|PHB|IODA|segment|M32|M64|iommu group|subordinate buses' "$work/dmesg" |
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' > "$out/pe-log.txt" || true
cp "$case" "$out/case.args"

# Sanity: every device has 256 or 4096 bytes, lspci reads them all back.
bad=$(awk '/^[0-9a-f]+:[0-9a-f]+:/ { if (d != "" && r != 16 && r != 256) print d; d = $1; r = 0; next }
	/^[0-9a-f]+: / { r++ }
	END { if (d != "" && r != 16 && r != 256) print d }' "$out/lspci.txt")
[ -z "$bad" ] || die "$case ($machine): truncated config space for: $bad (see $log)"
ndump=$(grep -c -E '^[0-9a-f]{4}:' "$out/lspci.txt" || true)
[ "$ndump" -gt 0 ] || die "$case ($machine): empty dump, see $log"
nres=$(grep -c -E "^$bdf\$" "$out/resources.txt" || true)
[ "$nres" -eq "$ndump" ] || die "$case ($machine): resources for $nres of $ndump devices, see $log"
[ -s "$out/pe-log.txt" ] || die "$case ($machine): no PE lines in dmesg, see $log"
if ! command -v lspci >/dev/null; then
	[ "$(id -u)" -eq 0 ] || die "lspci not found: apt-get install pciutils"
	apt-get install -y -qq pciutils >&2 || { apt-get update -qq >&2 && apt-get install -y -qq pciutils >&2; }
fi
nlspci=$(lspci -F "$out/lspci.txt" | wc -l)
[ "$nlspci" -eq "$ndump" ] || die "$case ($machine): lspci -F sees $nlspci of $ndump devices"
missing=$(awk '{ print $2 }' "$out/groups.txt" | while read -r a; do
	grep -q "^$a " "$out/lspci.txt" || echo "$a"; done)
[ -z "$missing" ] || die "$case ($machine): grouped but not dumped: $missing"
if [ $keep -eq 1 ]; then
	sed -E 's/^\[ *[0-9]+\.[0-9]+\] //' "$work/dmesg" > "$out/dmesg.txt"
else
	rm -f "$log"
fi
echo "boot.sh: $case ($machine): $ndump devices, $(awk '{print $1}' "$out/groups.txt" | sort -u | wc -l) groups"
