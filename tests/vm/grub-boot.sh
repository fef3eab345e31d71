#!/bin/bash
# The GRUB line of a plan, proven in real GRUB 2.06 (issue 19 item 1):
# acsctl plans --p2p-one-way 01:00.0,02:00.0 on the 6.12 capture of
# cases/boot-base (three pci=config_acs= entries), its drop-in goes into a
# test tree's /etc/default/grub.d/acsctl.cfg, the real grub-mkconfig makes
# grub.cfg from that tree (in a private mount namespace: the tree's
# /etc/default and /boot bound over the host's, which it never touches),
# grub-mkrescue puts that grub.cfg with Debian's 6.12 vmlinuz and the test
# initramfs on an ISO, and QEMU boots the ISO through SeaBIOS and GRUB.
# Asserted: /proc/cmdline holds every config_acs entry, the kernel's IOMMU
# groups equal acsctl's prediction, the booted state meets the plan. Then
# the same boot with the value unquoted (the line before the fix): GRUB
# ends its linux command at the first ';' and runs the rest as commands
# ("can't find command"), so the kernel gets the first entry alone, and
# the groups are those of the first entry alone.
# Usage: grub-boot.sh ACSCTL [--keep DIR]   (DIR/{quoted,unquoted}/: the
# drop-in, grub.cfg, console.log, cmdline.txt, groups.txt, lspci.txt)
# Skips (exit 0, a SKIP line) without root, qemu, GRUB's BIOS files,
# xorriso, or the 6.12 kernel in the cache (tests/vm/get-kernels.sh).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
die() { echo "grub-boot: $*" >&2; exit 1; }
skip() { echo "SKIP grub-boot: $*"; exit 0; }
[ $# -ge 1 ] || die "usage: grub-boot.sh ACSCTL [--keep DIR]"
acsctl=$(readlink -f "$1")
keep=''
[ "${2:-}" != --keep ] || keep=$(realpath -m "$3")
TIMEOUT=${ACSCTL_VM_TIMEOUT:-180}

[ "$(id -u)" -eq 0 ] || skip "needs root (grub-mkconfig runs in a private mount namespace)"
for p in qemu-system-x86_64 grub-mkconfig grub-mkrescue grub-probe xorriso unshare cpio busybox lspci; do
	command -v "$p" >/dev/null || skip "no $p (apt-get install qemu-system-x86 grub-common grub2-common grub-pc-bin xorriso mtools busybox-static cpio pciutils)"
done
[ -f /usr/lib/grub/i386-pc/cdboot.img ] || skip "no /usr/lib/grub/i386-pc (apt-get install grub-pc-bin)"
cache=${ACSCTL_VM_CACHE:-$HOME/.cache/acsctl-vm}
vmlinuz=$(ls "$cache"/6.12/boot/vmlinuz-* 2>/dev/null | sed -n 1p)
[ -f "$cache/6.12/.done" ] && [ -n "$vmlinuz" ] || skip "no 6.12 kernel in $cache (tests/vm/get-kernels.sh)"
kver=${vmlinuz##*/vmlinuz-}
grub-probe --target=device / >/dev/null 2>&1 ||
	skip "grub-probe cannot name the device of / here (a container?), so grub-mkconfig cannot run"

# shellcheck source=tests/vm/boot-lib.sh
. "$here/boot-lib.sh"
# shellcheck source=tests/vm/lib.sh
. "$here/lib.sh"
case=$here/cases/boot-base.args
start=$root/tests/fixtures/vm-boot/6.12/base
reqs=(--p2p-one-way 01:00.0,02:00.0)
adds=()
vm_read_case "$case" "$cache/6.12/lib/modules"

work=$(mktemp -d)
# kept when it fails (the consoles, grub.cfg), or with ACSCTL_GRUB_KEEP_WORK=1
trap 'rc=$?; if [ $rc -ne 0 ] || [ -n "${ACSCTL_GRUB_KEEP_WORK:-}" ]; then echo "grub-boot: kept $work" >&2; else rm -rf "$work"; fi' EXIT

# the plan: its parameter, and the GRUB drop-in line as plan prints it
"$acsctl" -F "$start/lspci.txt" --kernel 6.12 plan "${reqs[@]}" >"$work/plan.txt"
param=$(sed -n 's/^at boot (Linux 6.12): //p' "$work/plan.txt")
line=$(awk '/^  GRUB: \/etc\/default\/grub.d\/acsctl.cfg:$/ { getline; sub(/^    /, ""); print; exit }' "$work/plan.txt")
[[ $param == pci=config_acs=*\;* ]] || die "the plan has no config_acs parameter of two or more entries: '$param'"
[ -n "$line" ] || die "the plan prints no GRUB line"
value=${param#pci=config_acs=}
first=pci=config_acs=${value%%;*}
IFS=';' read -r -a entries <<<"$value"
echo "plan ${reqs[*]}: $param (${#entries[@]} entries)"
echo "drop-in: $line"

"$here/mkinitramfs.sh" "$work/initrd.gz"
"$acsctl" -F "$start/lspci.txt" --kernel 6.12 --cmdline "$param" groups -m >"$work/pred.full"
"$acsctl" -F "$start/lspci.txt" --kernel 6.12 --cmdline "$first" groups -m >"$work/pred.first"
[ "$(partition "$work/pred.full")" != "$(partition "$start/groups.txt")" ] ||
	die "the plan changes no group: the proof would prove nothing"
[ "$(partition "$work/pred.full")" != "$(partition "$work/pred.first")" ] ||
	die "the first entry alone gives the plan's groups: the unquoted boot would prove nothing"

# boot_iso NAME T: QEMU boots T/boot.iso; the console parsed into T
boot_iso() {
	local name=$1 t=$2 rc=0
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 \
		-machine q35,kernel-irqchip=split -accel tcg -m 512 -smp 1 \
		-nodefaults -nographic -no-reboot -serial stdio -nic none \
		-device intel-iommu,intremap=on \
		-cdrom "$t/boot.iso" -boot d \
		"${qargs[@]}" </dev/null >"$t/console.log" 2>&1 || rc=$?
	[ $rc -eq 0 ] || die "$name: qemu exited with $rc (124: timed out after ${TIMEOUT}s), see $t/console.log"
	vm_split_console "$t/console.log" "$t" "grub $name" SETTLE CMDLINE UNAME GROUPS DUMP
	vm_check_settled "$t" "grub $name" "$t/console.log"
	vm_write_common "$t" "$t" "$case"
	vm_check_dump "$t" "grub $name" "$t/console.log"
}

# boot_grub NAME DROPIN: the tree, grub-mkconfig, grub-mkrescue, QEMU;
# the capture in $work/NAME/
boot_grub() {
	local name=$1 dropin=$2 t=$work/$1 kpath ipath try
	mkdir -p "$t/etc/default/grub.d" "$t/boot/grub" "$t/iso/boot/grub" "$t/out"
	# Debian's /etc/default/grub with the console and the IOMMU in
	# GRUB_CMDLINE_LINUX, before the drop-in's part: the unquoted line
	# loses what follows its first ';'
	cat >"$t/etc/default/grub" <<-'EOF'
	GRUB_DEFAULT=0
	GRUB_TIMEOUT=0
	GRUB_DISTRIBUTOR=`lsb_release -i -s 2> /dev/null || echo Debian`
	GRUB_CMDLINE_LINUX_DEFAULT=""
	GRUB_CMDLINE_LINUX="console=ttyS0 intel_iommu=on quiet loglevel=0 panic=-1"
	GRUB_TERMINAL=serial
	GRUB_SERIAL_COMMAND="serial --unit=0 --speed=115200"
	EOF
	if [ "$dropin" = @write ]; then
		# acsctl writes it: plan --write --yes under ACSCTL_BOOT_ROOT
		rmdir "$t/etc/default/grub.d"
		chmod 755 "$t" "$t/etc" "$t/etc/default"
		ACSCTL_BOOT_ROOT=$t "$acsctl" -F "$start/lspci.txt" --kernel 6.12 plan "${reqs[@]}" \
			--boot grub --write --yes >"$t/write.txt" || die "$name: plan --write --yes failed"
		[ "$(tail -n 1 "$t/etc/default/grub.d/acsctl.cfg")" = "$line" ] ||
			die "$name: plan --write wrote another line than plan prints"
		echo "$name: acsctl plan --boot grub --write --yes wrote $(grep -c '' "$t/etc/default/grub.d/acsctl.cfg") lines"
	else
		printf '%s\n' "$dropin" >"$t/etc/default/grub.d/acsctl.cfg"
	fi
	cp "$vmlinuz" "$t/boot/vmlinuz-$kver"
	cp "$work/initrd.gz" "$t/boot/initrd.img-$kver"
	unshare -m --propagation private sh -c 'mount --bind "$1/etc/default" /etc/default &&
		mount --bind "$1/boot" /boot && grub-mkconfig -o "$1/out/grub.cfg"' sh "$t" \
		>"$t/mkconfig.log" 2>&1 || { cat "$t/mkconfig.log" >&2; die "$name: grub-mkconfig failed"; }
	# the first entry's files where its grub.cfg looks for them (the
	# bound /boot makes grub-mkrelpath name the tree's own path)
	kpath=$(awk '$1 == "linux" { print $2; exit }' "$t/out/grub.cfg")
	ipath=$(awk '$1 == "initrd" { print $2; exit }' "$t/out/grub.cfg")
	[ -n "$kpath" ] && [ -n "$ipath" ] || die "$name: no linux/initrd line in grub.cfg"
	mkdir -p "$t/iso$(dirname "$kpath")" "$t/iso$(dirname "$ipath")"
	cp "$vmlinuz" "$t/iso$kpath"
	cp "$work/initrd.gz" "$t/iso$ipath"
	cp "$t/out/grub.cfg" "$t/iso/boot/grub/grub.cfg"
	grub-mkrescue -d /usr/lib/grub/i386-pc -o "$t/boot.iso" "$t/iso" >"$t/mkrescue.log" 2>&1 ||
		{ cat "$t/mkrescue.log" >&2; die "$name: grub-mkrescue failed"; }
	# a boot whose console came back damaged (a loaded host) is booted
	# again, at most twice, with a NOTE (as the other live boots)
	for try in 1 2 3; do
		(boot_iso "$name" "$t") && break
		[ $try -lt 3 ] || die "$name: no good boot in 3 tries, see $t/console.log.*"
		cp "$t/console.log" "$t/console.log.$try" 2>/dev/null || true
		echo "NOTE grub-boot: $name: boot $try failed, booting again"
	done
	if [ -n "$keep" ]; then
		mkdir -p "$keep/$name"
		cp "$t/etc/default/grub.d/acsctl.cfg" "$t/out/grub.cfg" "$t/console.log" \
			"$t/cmdline.txt" "$t/groups.txt" "$t/lspci.txt" "$keep/$name/"
	fi
}

fail=0
check() { if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fail=1; fi; }
# GRUB 2.06: "error: can't find command `WORD'."
ran_as_command() { grep -a "error: can.t find command" "$2" | grep -qF -- "\`$1'"; }
has_word() { tr ' ' '\n' <"$1" | grep -qxF -- "$2"; }

# the drop-in as acsctl writes it (test builds: ACSCTL_BOOT_ROOT), or
# as plan prints it
if grep -qa ACSCTL_BOOT_ROOT "$acsctl"; then boot_grub quoted @write; else boot_grub quoted "$line"; fi
q=$work/quoted
echo "quoted: /proc/cmdline: $(cat "$q/cmdline.txt")"
check "quoted: grub.cfg's linux line holds the value in GRUB quotes" \
	'grep -qF -- "pci=config_acs=\"$value\"" "$q/out/grub.cfg"'
check "quoted: /proc/cmdline holds the parameter whole" 'has_word "$q/cmdline.txt" "$param"'
for e in "${entries[@]}"; do
	check "quoted: /proc/cmdline holds $e" 'grep -qF -- "$e" "$q/cmdline.txt"'
done
check "quoted: the kernel's groups equal acsctl's prediction" \
	'[ "$(partition "$q/groups.txt")" = "$(partition "$work/pred.full")" ]'
check "quoted: the booted state meets ${reqs[*]} (plan: 0 changes)" \
	'"$acsctl" -F "$q/lspci.txt" --kernel 6.12 plan "${reqs[@]}" | grep -q "^plan: 0 changes"'
check "quoted: GRUB ran no entry as a command" '! grep -q "can.t find command" "$q/console.log"'

# the line before the fix: the value as it is
boot_grub unquoted "GRUB_CMDLINE_LINUX=\"\$GRUB_CMDLINE_LINUX $param\""
u=$work/unquoted
echo "unquoted: /proc/cmdline: $(cat "$u/cmdline.txt")"
grep -a "error:" "$u/console.log" | tr -d '\r' | sed 's/^/unquoted: GRUB said: /' || true
check "unquoted: /proc/cmdline holds the first entry alone" 'has_word "$u/cmdline.txt" "$first"'
for e in "${entries[@]:1}"; do
	check "unquoted: /proc/cmdline lacks $e" '! grep -qF -- "$e" "$u/cmdline.txt"'
	check "unquoted: GRUB ran $e as a command" 'ran_as_command "$e" "$u/console.log"'
done
check "unquoted: the kernel's groups are the first entry's alone" \
	'[ "$(partition "$u/groups.txt")" = "$(partition "$work/pred.first")" ]'
check "unquoted: they are not the plan's" \
	'[ "$(partition "$u/groups.txt")" != "$(partition "$work/pred.full")" ]'

# BLS (plan --boot bls): the word whole in double quotes, which the kernel
# takes off (GRUB's blscfg is not in Debian: the kernel half alone, booted
# directly as systemd-boot would pass it)
bash "$here/boot.sh" --kernel 6.12 --case "$case" --out "$work/bls" --append "\"$param\"" >/dev/null
echo "bls (quoted word, no GRUB): /proc/cmdline: $(cat "$work/bls/cmdline.txt")"
check "bls: the kernel's groups equal acsctl's prediction" \
	'[ "$(partition "$work/bls/groups.txt")" = "$(partition "$work/pred.full")" ]'
[ -z "$keep" ] || { mkdir -p "$keep/bls"; cp "$work/bls/cmdline.txt" "$work/bls/groups.txt" "$keep/bls/"; }
[ $fail -eq 0 ] || { echo "grub-boot: FAILED (the consoles are kept in ${keep:-a removed directory; pass --keep DIR})"; exit 1; }
echo "grub-boot: all passed"
