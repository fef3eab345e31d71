#!/bin/sh
# Growth with the fabric's size, per input format: a synthetic fabric
# (acsctl synth --seed 1) of each size N written as a topology (topo), an
# lspci -xxxx dump (dump), an acsctl snapshot (snapshot) and lspci -vvv
# text (lspci, made by lspci -vvvnn -F from the dump), then load + groups
# (groups -m) and load + audit (audit) on each, GROWTH_RUNS times (default
# 3): the run of least CPU (user + system, to the microsecond: GNU time's
# hundredths are a sixth of a 10,000-function run) and its wall time, and
# the peak memory. Last, per format and step, the growth
# exponents k of CPU time ~ n^k and of peak memory ~ n^k: least-squares
# slopes of log-log fits over the sizes run.
# Dumps, snapshots and text take about 11 KiB a function: past
# GROWTH_TEXT_MAX functions (default 100000; 1M would be 11 GiB) those
# formats are left out of a size, and the output says so. Inputs are read
# with --max-input 0: a 100,000-function dump is over the 1 GiB default.
# Usage: bench/growth.sh [ACSCTL [N...]]   (default N: 10000 100000)
#        GROWTH_FORMATS="topo dump snapshot lspci" (default: all four)
set -eu
acsctl=${1:-./build/acsctl}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- 10000 100000
formats=${GROWTH_FORMATS:-topo dump snapshot lspci}
text_max=${GROWTH_TEXT_MAX:-100000}
runs=${GROWTH_RUNS:-3}
py=$(command -v python3) || { echo "bench/growth.sh: needs python3 (its resource module times the runs)" >&2; exit 2; }

# measure ERRFILE CMD...: "WALL CPU PEAK-KiB" of the run of least CPU of
# $runs; exit 2 where a run exits 2 (bad input), any other status is an
# answer (audit: 1 a finding, 3 unknown)
measure() {
	"$py" - "$runs" "$@" <<'PY'
import resource, subprocess, sys, time
runs, err, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = None
for _ in range(runs):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(err, "w") as e:
        rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=e).returncode
    t1 = time.monotonic()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc == 2:
        sys.exit(2)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if best is None or cpu < best[1]:
        best = (t1 - t0, cpu)
print("%.3f %.3f %d" % (best[0], best[1], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# $(uname -n), $(nproc) cores, $(date -u '+%F %H:%M') UTC, sizes: $*, formats: $formats"
printf '%-9s %-9s %-7s %7s %7s %9s  %s\n' functions format step wall-s cpu-s peak-MiB load
: >"$tmp/fit"
for n in "$@"; do
	# the dump only where a format made from it is run (1M: 11 GiB)
	if [ "$n" -le "$text_max" ] && [ "$formats" != topo ]; then
		"$acsctl" synth --functions "$n" --seed 1 --format dump -o "$tmp/dump.txt" >/dev/null
	fi
	for fmt in $formats; do
		if [ "$fmt" != topo ] && [ "$n" -gt "$text_max" ]; then
			echo "# $n $fmt: left out (over GROWTH_TEXT_MAX=$text_max functions)"
			continue
		fi
		case $fmt in
		topo) "$acsctl" synth --functions "$n" --seed 1 --format topo -o "$tmp/in" >/dev/null ;;
		dump) cp "$tmp/dump.txt" "$tmp/in" ;;
		snapshot) "$acsctl" --max-input 0 -F "$tmp/dump.txt" snapshot "$tmp/in" >/dev/null ;;
		lspci)
			command -v lspci >/dev/null || { echo "# $n lspci: left out (no lspci)"; continue; }
			lspci -vvvnn -F "$tmp/dump.txt" >"$tmp/in" 2>/dev/null
			;;
		*) echo "bench/growth.sh: unknown format '$fmt'" >&2; exit 2 ;;
		esac
		for step in groups audit; do
			[ "$step" = groups ] && args="groups -m" || args=audit
			load=$(cut -d' ' -f1 /proc/loadavg)
			# shellcheck disable=SC2086
			measure "$tmp/err" "$acsctl" --max-input 0 -F "$tmp/in" $args >"$tmp/last" ||
				{ echo "bench/growth.sh: $fmt $step failed: $(head -c 300 "$tmp/err")" >&2; exit 1; }
			read -r wall cpu kb <"$tmp/last"
			printf '%-9s %-9s %-7s %7s %7s %9s  %s\n' "$n" "$fmt" "$step" "$wall" "$cpu" "$((kb / 1024))" "$load"
			echo "$fmt-$step $n $cpu $kb" >>"$tmp/fit"
		done
		rm -f "$tmp/in"
	done
	rm -f "$tmp/dump.txt"
done
# slopes of log(cpu) and log(peak) against log(n) (0 s counts as 0.001)
awk '{ t = $3 < 0.001 ? 0.001 : $3; x = log($2); y = log(t); m = log($4)
       k = $1; c[k]++; sx[k] += x; sxx[k] += x * x; sy[k] += y; sxy[k] += x * y; sm[k] += m; sxm[k] += x * m }
     END { for (k in c) if (c[k] > 1) {
             d = c[k] * sxx[k] - sx[k] * sx[k]
             if (d <= 0) continue
             printf "growth %-16s time ~ n^%.2f  memory ~ n^%.2f  (%d sizes)\n", k,
                    (c[k] * sxy[k] - sx[k] * sy[k]) / d, (c[k] * sxm[k] - sx[k] * sm[k]) / d, c[k] } }' "$tmp/fit" | sort
