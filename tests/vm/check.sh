#!/bin/bash
# Boot a sample of cases live, then compare acsctl's predicted groups with
# what the booted kernel made, as partitions.
# Usage: check.sh [--sample N] [--kernel K]... ACSCTL_BINARY
#   --sample N  cases per kernel, spread evenly over the sorted case list
#               (default 2; 0 = all cases)
set -euo pipefail
export LC_ALL=C
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
sample=2 kernels=()
while [ $# -gt 1 ]; do
	case $1 in
	--sample) sample=$2; shift 2 ;;
	--kernel) kernels+=("$2"); shift 2 ;;
	*) echo "check: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--sample N] [--kernel K]... ACSCTL_BINARY" >&2; exit 2; }
bin=$(realpath "$1")
[ -x "$bin" ] || { echo "check: $1 is not executable" >&2; exit 2; }
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)

all=("$here"/cases/*.args)
total=${#all[@]}
picked=()
if [ "$sample" -eq 0 ] || [ "$sample" -ge "$total" ]; then
	picked=("${all[@]}")
else
	for ((i = 0; i < sample; i++)); do picked+=("${all[i * total / sample + total / (2 * sample)]}"); done
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
for k in "${kernels[@]}"; do
	for f in "${picked[@]}"; do
		name=$(basename "$f" .args) out=$work/$k-$name
		# /init waits for the devices the committed capture has (init.sh)
		expect=()
		dump=$here/../fixtures/vm/$k/$name/lspci.txt
		[ -f "$dump" ] && expect=(--append "acsctl.devices=$(grep -c -E '^[0-9a-f]{4}:' "$dump")")
		# exit 3: the console lost lines (boot-lib.sh); boot again, twice at most
		for try in 1 2 3; do
			"$here/boot.sh" --kernel "$k" --case "$f" --out "$out" ${expect[@]+"${expect[@]}"} > "$work/boot.log" 2>&1
			rc=$?
			[ $rc -eq 3 ] || break
			echo "NOTE $k $name: console damaged, boot $try of 3: $(tail -n 1 "$work/boot.log")"
		done
		if [ $rc -ne 0 ]; then
			echo "FAIL $k $name (boot failed)"; sed 's/^/  /' "$work/boot.log" | tail -n 5
			fail=$((fail + 1)); continue
		fi
		fixture=$here/../fixtures/vm/$k/$name/groups.txt
		if [ -f "$fixture" ] && ! cmp -s <(partition "$fixture") <(partition "$out/groups.txt"); then
			echo "NOTE $k $name: live kernel groups differ from the committed fixture"
		fi
		want=$here/../fixtures/vm/$k/$name/kernel.txt
		if [ -f "$want" ] && ! cmp -s "$want" "$out/kernel.txt"; then
			echo "NOTE $k $name: booted $(cat "$out/kernel.txt"), fixture has $(cat "$want")"
		fi
		if check_one "$bin" "$k" "$out" "$k $name"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
