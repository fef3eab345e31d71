#!/bin/sh
# The analyses on fabrics of 64-port switches (acsctl synth --switch-ports
# 64, seed 1): groups, audit, audit -j (its answer to /dev/null like every
# step's: 860 MB at 100k), p2p of 8 named devices, plan of one P2P pair
# below one switch, whatif of one port's ReqRedir cleared. Each timed with
# GNU time: wall, user and system CPU seconds, peak memory; the load
# average beside each run (the box may be shared: CPU time is the steadier
# figure). Usage: bench/analysis.sh [ACSCTL [N...]]   (default N: 10000 100000)
#   SYNTH=ACSCTL: another acsctl makes the fabrics (one without --switch-ports
#   can then be timed); BENCH_TIMEOUT=S: a command's limit (default 600 s:
#   its row says "timeout")
set -eu
acsctl=${1:-./build/acsctl}
synth=${SYNTH:-$acsctl}
limit=${BENCH_TIMEOUT:-600}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 100000
[ -x /usr/bin/time ] || { echo "bench/analysis.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# $(uname -n), $(nproc) cores, $(date -u '+%F %H:%M') UTC"
printf '%-9s %-8s %7s %7s %7s %9s  %s\n' functions command wall-s user-s sys-s peak-MiB load
for n in "$@"; do
	f=$tmp/f.json
	"$synth" synth --functions "$n" --seed 1 --switch-ports 64 -o "$f" >/dev/null
	# endpoints right below downstream ports: TYPE[addr], PARENT[addr]
	"$synth" -F "$f" show -m | awk '
		$1 == "show.functions" {
			a = ""; t = ""; p = ""
			for (i = 2; i <= NF; i++) {
				if ($i ~ /^address=/) a = substr($i, 9)
				else if ($i ~ /^parent=/) p = substr($i, 8)
				else if ($i ~ /^type=/) { t = substr($i, 6); if (t ~ /^"/) { t = t " " $(i + 1); i++ } }
			}
			type[a] = t; parent[a] = p; order[++k] = a
		}
		END {
			for (j = 1; j <= k; j++) {
				a = order[j]
				if (type[a] != "Endpoint" || a !~ /\.0$/ || type[parent[a]] != "\"Downstream Port\"") continue
				if (ne < 8) ep[++ne] = a
				sw = parent[parent[a]]
				if (!pair && first[sw] != "" && first[sw] != a) { pair = first[sw] "," a; port = parent[first[sw]] }
				if (first[sw] == "") first[sw] = a
			}
			for (j = 1; j <= ne; j++) printf "%s ", ep[j]
			printf "\n%s\n%s\n", pair, port
		}' >"$tmp/targets"
	devs=$(sed -n 1p "$tmp/targets")
	pair=$(sed -n 2p "$tmp/targets")
	port=$(sed -n 3p "$tmp/targets")
	echo "# $n: p2p $devs; plan --p2p $pair; whatif $port:RR-"
	for step in groups audit audit-j p2p plan whatif; do
		case $step in
		groups) set -- groups -m ;;
		audit) set -- audit ;;
		audit-j) set -- audit -j ;;
		# shellcheck disable=SC2086
		p2p) set -- p2p $devs ;;
		plan) set -- plan --p2p "$pair" ;;
		whatif) set -- whatif "$port:RR-" ;;
		esac
		load=$(cut -d' ' -f1 /proc/loadavg)
		# 1 is a finding, 3 unknown: only bad usage (2) stops the bench
		rc=0
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" timeout "$limit" "$acsctl" -F "$f" "$@" >/dev/null 2>"$tmp/err" ||
			rc=$?
		if [ "$rc" -eq 124 ]; then
			printf '%-9s %-8s %7s %7s %7s %9s  %s\n' "$n" "$step" ">$limit" - - - "$load"
			continue
		fi
		[ "$rc" -ne 2 ] || { echo "bench/analysis.sh: $step failed: $(head -c 300 "$tmp/err")" >&2; exit 1; }
		tail -n 1 "$tmp/time" >"$tmp/last"   # GNU time says first when the exit was not 0
		read -r wall user sys kb <"$tmp/last"
		printf '%-9s %-8s %7s %7s %7s %9s  %s\n' "$n" "$step" "$wall" "$user" "$sys" "$((kb / 1024))" "$load"
	done
	rm -f "$f"
done
