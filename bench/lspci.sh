#!/bin/sh
# acsctl against lspci on the same lspci -xxxx dumps of growing size:
# reading the dump and printing (lspci: its list, -vv; acsctl: groups -m,
# show), and acsctl's groups -m on the same fabric as a snapshot (acsctl
# snapshot of the dump); wall seconds, user seconds and peak memory of
# each. Then issue 20's goals for dumps and snapshots alike:
# acsctl groups -m at most 0.1x lspci -F's time on the dump, and at least
# 0.5 GB/s of hex (the file's bytes a second) on one core, each on a wall
# and on a user-time basis. A dump takes about 11.4 KiB a function (4 KiB
# of config space in hex): 1M functions need about 11 GiB of disk.
# Usage: bench/lspci.sh [ACSCTL [N...]]   (N default: 10000 100000)
set -eu
acsctl=${1:-./build/acsctl}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 100000
command -v lspci >/dev/null || { echo "bench/lspci.sh: needs lspci (pciutils)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/lspci.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench/lspci.sh: needs python3" >&2; exit 2; }
tmp=$(mktemp -d)
export ERR="$tmp/err"
trap 'rm -rf "$tmp"' EXIT
echo "# $(uname -n), $(nproc) cores, $(date -u '+%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %-28s %8s %8s %8s %10s\n' functions command seconds user-s sys-s peak-MiB
# run N LABEL CMD...: the row; $secs, $user and $sys after. Times from wait4
# (microseconds, not GNU time's 10 ms), the peak from GNU time (a child
# of python would report python's own)
run() {
	n=$1 label=$2
	shift 2
	python3 -c '
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open(os.environ["ERR"], "w"))
_, status, ru = os.wait4(p.pid, 0)
print("%.4f %.4f %.4f %d" % (time.perf_counter() - t, ru.ru_utime, ru.ru_stime, os.waitstatus_to_exitcode(status)))
' /usr/bin/time -f %M -o "$tmp/mem" "$@" >"$tmp/time" ||
		{ echo "bench/lspci.sh: $label: cannot run" >&2; exit 1; }
	read -r secs user sys rc <"$tmp/time"
	kb=$(tail -n 1 "$tmp/mem")
	[ "$rc" -eq 0 ] || { echo "bench/lspci.sh: $label failed: $(head -c 200 "$tmp/err")" >&2; exit 1; }
	printf '%-10s %-28s %8.3f %8.3f %8.3f %10s\n' "$n" "$label" "$secs" "$user" "$sys" "$((kb / 1024))"
}
# goal N FORMAT BYTES ACSCTL-WALL ACSCTL-USER ACSCTL-SYS LSPCI-WALL LSPCI-USER
goal() {
	awk -v n="$1" -v f="$2" -v b="$3" -v aw="$4" -v au="$5" -v as="$6" -v lw="$7" -v lu="$8" 'BEGIN {
		r = lw > 0 ? sprintf("%.3fx", aw / lw) : "-"; ru = lu > 0 ? sprintf("%.3fx", au / lu) : "-"
		g = aw > 0 ? sprintf("%.2f", b / aw / 1e9) : "-"
		gu = au > 0 ? sprintf("%.2f", b / au / 1e9) : "-"
		gc = au + as > 0 ? sprintf("%.2f", b / (au + as) / 1e9) : "-"
		printf "# %s %-8s (%d MB): acsctl/lspci %s wall, %s user (goal 0.1x); GB/s %s wall, %s user, %s user+sys (goal 0.5)\n",
			n, f, b / 1e6, r, ru, g, gu, gc }'
}
for n in "$@"; do
	"$acsctl" synth --functions "$n" --seed 1 --format dump -o "$tmp/d.txt" >/dev/null
	"$acsctl" --max-input 0 -F "$tmp/d.txt" snapshot "$tmp/s.txt" >/dev/null
	run "$n" "lspci" lspci -F "$tmp/d.txt"
	lw=$secs lu=$user
	run "$n" "acsctl groups -m" "$acsctl" --max-input 0 -F "$tmp/d.txt" groups -m
	dw=$secs du=$user ds=$sys
	run "$n" "acsctl groups -m (snapshot)" "$acsctl" --max-input 0 -F "$tmp/s.txt" groups -m
	sw=$secs su=$user ss=$sys
	run "$n" "lspci -vv" lspci -vv -F "$tmp/d.txt"
	run "$n" "acsctl show" "$acsctl" --max-input 0 -F "$tmp/d.txt" show
	goal "$n" dump "$(wc -c <"$tmp/d.txt")" "$dw" "$du" "$ds" "$lw" "$lu"
	goal "$n" snapshot "$(wc -c <"$tmp/s.txt")" "$sw" "$su" "$ss" "$lw" "$lu"
	rm -f "$tmp/d.txt" "$tmp/s.txt"
done
