#!/bin/sh
# Generate, load and group synthetic fabrics of growing size; prints wall
# time and peak memory of each step (GNU time).
# Usage: bench/synth.sh [ACSCTL [N...]]   (default N: 10000 100000 1000000)
set -eu
acsctl=${1:-./build/acsctl}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 100000 1000000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %-22s %8s %10s\n' functions step seconds peak-MiB
for n in "$@"; do
	for step in synth groups; do
		if [ "$step" = synth ]; then
			set -- "$acsctl" synth --functions "$n" --seed 1 -o "$tmp/f.json"
		else
			set -- "$acsctl" -F "$tmp/f.json" groups -m
		fi
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null
		read -r secs kb <"$tmp/time"
		printf '%-10s %-22s %8s %10s\n' "$n" "$step" "$secs" "$((kb / 1024))"
	done
done
