#!/bin/sh
# A fleet: N snapshots of one 500-function server (hard links to one file,
# so the disk holds one; the page cache serves the rest), read in one run
# with `acsctl -F DIR audit -j` (multi-input: a worker process a core, each
# running input after input as a run of its own would), against `lspci -F`
# once per snapshot on the same files (LSPCI=no leaves it out: at 10,000
# it takes an hour). Prints wall seconds, inputs a second, CPU seconds
# (user + system, all processes) and peak memory of the largest process
# (GNU time) of each, and the load before.
# Usage: [LSPCI=no] bench/fleet.sh [ACSCTL [N [FUNCTIONS]]]   (default N 10000, 500)
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
echo "# $n snapshots of a $funcs-function server, $size bytes each; $(nproc) cores; $(date -u '+%F %H:%M'); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %10s %9s %12s\n' command seconds inputs/s cpu-s peak-MiB
run() { # LABEL CMD...
	label=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || true
	read -r secs user sys kb <<EOT
$(tail -n 1 "$tmp/time")
EOT
	printf '%-34s %9s %10s %9s %12s\n' "$label" "$secs" "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')" \
		"$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$((kb / 1024))"
}
run "acsctl -F DIR audit -j" "$acsctl" -F "$tmp/fleet" audit -j
lines=$(wc -l <"$tmp/out")
[ "$lines" -eq "$n" ] || echo "bench/fleet.sh: $lines JSON lines for $n inputs" >&2
[ "${LSPCI:-yes}" = no ] && exit 0
run "lspci -F, once per snapshot" sh -c 'for f in "$1"/*; do lspci -F "$f" >/dev/null || exit 1; done' sh "$tmp/fleet"
