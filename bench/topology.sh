#!/bin/sh
# Topology files of growing size (acsctl synth --format topo, seed 1):
# load + group (groups -m), load + audit (audit) and load + write
# (export), each timed with GNU time: wall, user and system CPU seconds
# and peak memory; then, per step, the growth exponent k of time ~ n^k (a least
# squares fit of log CPU time, user + system, against log n).
# Usage: bench/topology.sh [ACSCTL [N...]]   (default N: 10000 100000 1000000)
set -eu
acsctl=${1:-./build/acsctl}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 100000 1000000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %-8s %8s %8s %8s %9s\n' functions step wall-s user-s sys-s peak-MiB
for n in "$@"; do
	"$acsctl" synth --functions "$n" --seed 1 --format topo -o "$tmp/t.json" >/dev/null
	for step in groups audit export; do
		case $step in
		groups) args="groups -m" ;;
		*) args=$step ;;
		esac
		# audit exits 1 when it finds something: only a crash stops the bench
		# shellcheck disable=SC2086
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$acsctl" -F "$tmp/t.json" $args >/dev/null || [ $? -lt 2 ]
		tail -n 1 "$tmp/time" >"$tmp/last"  # GNU time says first when the exit was not 0
		read -r wall user sys kb <"$tmp/last"
		printf '%-10s %-8s %8s %8s %8s %9s\n' "$n" "$step" "$wall" "$user" "$sys" "$((kb / 1024))"
		echo "$step $n $user $sys" | awk '{ print $1, $2, $3 + $4 }' >>"$tmp/fit"
	done
done
# the fit: slope of log(cpu) against log(n), per step (0.00 counts as 0.005)
awk '{ t = $3 < 0.005 ? 0.005 : $3; x = log($2); y = log(t)
       n[$1]++; sx[$1] += x; sy[$1] += y; sxx[$1] += x * x; sxy[$1] += x * y }
     END { for (s in n) if (n[s] > 1) {
             d = n[s] * sxx[s] - sx[s] * sx[s]
             printf "growth %-8s time ~ n^%.2f\n", s, (n[s] * sxy[s] - sx[s] * sy[s]) / d } }' "$tmp/fit" | sort
