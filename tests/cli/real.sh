#!/bin/bash
# Real machines (tests/fixtures/real/*): public `lspci -vvnn` uploads run
# as root with the IOMMU on, so every managed function has the kernel's
# "IOMMU group: N" line. For each, at the kernel version it ran
# (SOURCE.txt's "kernel-policy:" line):
# - groups --check is OK and compares every function with a group line;
# - the predicted numbers equal the kernel's (the lines give the order of
#   the root buses; where acsctl says numbers are uncertain, memberships
#   only, and the script says so);
# - from the text without the lines the numbers are still the kernel's,
#   unless acsctl says they are uncertain there;
# - audit ends with a definite status (0, 1 or 3), never a crash.
# Usage: real.sh ACSCTL SRCDIR
set -u
acsctl=$1
src=${2:-.}
. "$(dirname "$0")/lib.sh"
machines=0

# The kernel's answer: "GROUP 0000:BB:DD.F" per function with a line.
# Only a device header starts a device (a line that pcilib's error broke
# off, such as "8125 2.5GbE Controller ...", does not).
kernel_groups() {
	awk '/^([0-9a-f]+:)?[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] / {
		a = $1; if (a !~ /^[0-9a-f]+:[0-9a-f]+:/) a = "0000:" a }
	     /^\tIOMMU group:/ { print $3, a }' "$1" | sort -k2
}

for d in "$src"/tests/fixtures/real/*/; do
	m=$(basename "$d")
	f=$d/lspci-vvnn.txt
	kv=$(sed -n 's/^kernel-policy: *//p' "$d/SOURCE.txt")
	if [ ! -s "$f" ] || [ -z "$kv" ]; then
		bad "$m: lspci-vvnn.txt and a kernel-policy: line in SOURCE.txt"
		continue
	fi
	machines=$((machines + 1))
	kernel_groups "$f" >"$tmp/kernel"
	nk=$(wc -l <"$tmp/kernel")

	"$acsctl" -F "$f" --kernel "$kv" groups --check >"$tmp/check" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "^OK: the kernel's groups equal the prediction of policy .* for all $nk grouped functions" "$tmp/check"; then
		ok "$m: groups --check at $kv: all $nk memberships equal the kernel's"
	else
		bad "$m: groups --check at $kv (exit $rc, $nk grouped): $(grep -v '^#' "$tmp/check" | head -5)"
	fi

	"$acsctl" -F "$f" --kernel "$kv" groups >"$tmp/text" 2>&1
	"$acsctl" -F "$f" --kernel "$kv" groups -m 2>/dev/null | sort -k2 >"$tmp/pred"
	if grep -q 'group numbers are uncertain' "$tmp/text"; then
		echo "# $m: acsctl says the numbers are uncertain: memberships only"
	elif cmp -s "$tmp/kernel" "$tmp/pred"; then
		ok "$m: all $nk group numbers equal the kernel's"
	else
		bad "$m: group numbers differ from the kernel's: $(diff "$tmp/kernel" "$tmp/pred" | grep '^[<>]' | head -6 | tr '\n' ' ')"
	fi

	# the same text without its IOMMU group lines: the prediction alone
	grep -v '^	IOMMU group:' "$f" >"$tmp/plain.txt"
	"$acsctl" -F "$tmp/plain.txt" --kernel "$kv" groups >"$tmp/text" 2>&1
	"$acsctl" -F "$tmp/plain.txt" --kernel "$kv" groups -m 2>/dev/null | sort -k2 >"$tmp/pred"
	same=$(join -1 2 -2 2 "$tmp/kernel" "$tmp/pred" | awk '$2 == $3' | wc -l)
	if grep -q 'group numbers are uncertain' "$tmp/text"; then
		echo "# $m: without the lines acsctl says the numbers are uncertain ($same of $nk equal)"
	elif cmp -s "$tmp/kernel" "$tmp/pred"; then
		ok "$m: from the text alone, all $nk group numbers equal the kernel's"
	else
		bad "$m: from the text alone, $same of $nk group numbers equal the kernel's"
	fi

	"$acsctl" -F "$f" --kernel "$kv" audit >"$tmp/audit" 2>"$tmp/err"
	rc=$?
	case $rc in
	0 | 1 | 3) ok "$m: audit ends with a definite status ($rc)" ;;
	*) bad "$m: audit exit $rc: $(head -c 300 "$tmp/err")" ;;
	esac
done
[ "$machines" -ge 8 ] && ok "$machines real machines" || bad "only $machines real machines (want 8 or more)"
finish
