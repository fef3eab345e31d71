#!/bin/sh
# acsctl against lspci on the same lspci -xxxx dumps of growing size:
# reading the dump and printing (lspci: its list, -vv; acsctl: groups -m,
# show), wall seconds and peak memory of each (GNU time). Both read dumps
# through libpci's dump reader. A dump takes about 11.4 KiB a function
# (4 KiB of config space in hex): 1M functions need about 11 GiB of disk.
# Usage: bench/lspci.sh [ACSCTL [N...]]   (N default: 10000 100000)
set -eu
acsctl=${1:-./build/acsctl}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 100000
command -v lspci >/dev/null || { echo "bench/lspci.sh: needs lspci (pciutils)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/lspci.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %-22s %8s %10s\n' functions command seconds peak-MiB
run() { # N LABEL CMD...
	n=$1 label=$2
	shift 2
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" ||
		{ echo "bench/lspci.sh: $label failed: $(head -c 200 "$tmp/err")" >&2; exit 1; }
	read -r secs kb <"$tmp/time"
	printf '%-10s %-22s %8s %10s\n' "$n" "$label" "$secs" "$((kb / 1024))"
}
for n in "$@"; do
	"$acsctl" synth --functions "$n" --seed 1 --format dump -o "$tmp/d.txt"
	run "$n" "lspci" lspci -F "$tmp/d.txt"
	run "$n" "acsctl groups -m" "$acsctl" --max-input 0 -F "$tmp/d.txt" groups -m
	run "$n" "lspci -vv" lspci -vv -F "$tmp/d.txt"
	run "$n" "acsctl show" "$acsctl" --max-input 0 -F "$tmp/d.txt" show
	rm -f "$tmp/d.txt"
done
