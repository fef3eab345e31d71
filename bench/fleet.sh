#!/bin/sh
# A fleet: N snapshots of one 500-function server (hard links to one file,
# so the disk holds one; the page cache serves the rest), read in one run
# with `acsctl -F DIR audit -j` (multi-input: each input run alone, on
# every core), against `lspci -F` once per snapshot on the same files.
# Prints wall seconds, inputs a second and peak memory (GNU time) of each.
# Usage: bench/fleet.sh [ACSCTL [N [FUNCTIONS]]]   (default N 10000, 500)
set -eu
acsctl=${1:-./build/acsctl}
n=${2:-10000}
funcs=${3:-500}
[ -x /usr/bin/time ] || { echo "bench/fleet.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$acsctl" synth --functions "$funcs" --seed 1 --format dump -o "$tmp/server.txt" >/dev/null
"$acsctl" -F "$tmp/server.txt" snapshot "$tmp/server.snap" >/dev/null
mkdir "$tmp/fleet"
i=0
while [ "$i" -lt "$n" ]; do
	ln "$tmp/server.snap" "$tmp/fleet/host-$i.snap"
	i=$((i + 1))
done
size=$(stat -c %s "$tmp/server.snap")
echo "# $n snapshots of a $funcs-function server, $size bytes each; $(nproc) cores; $(date -u +%F)"
printf '%-34s %9s %10s %12s\n' command seconds inputs/s peak-MiB
run() { # LABEL CMD...
	label=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || true
	read -r secs kb <<EOT
$(tail -n 1 "$tmp/time")
EOT
	printf '%-34s %9s %10s %12s\n' "$label" "$secs" "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')" "$((kb / 1024))"
}
run "acsctl -F DIR audit -j" "$acsctl" -F "$tmp/fleet" audit -j
lines=$(wc -l <"$tmp/out")
[ "$lines" -eq "$n" ] || echo "bench/fleet.sh: $lines JSON lines for $n inputs" >&2
run "lspci -F, once per snapshot" sh -c 'for f in "$1"/*; do lspci -F "$f" >/dev/null || exit 1; done' sh "$tmp/fleet"
