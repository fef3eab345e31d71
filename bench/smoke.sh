#!/bin/sh
# Every benchmark once at a small size, so none can rot (meson test
# bench, part of make check): each runs to the end and prints its rows.
# The figures themselves are make bench's (bench/README.md).
# Usage: bench/smoke.sh ACSCTL BENCH_PE_ALLOCATE [SOURCE_ROOT]
set -u
# the programs as absolute paths: meson gives them relative to the build
abs() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
acsctl=$(abs "$1")
pe=$(abs "$2")
cd "${3:-.}" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }

# run NAME ROWS CMD...: exits 0 and prints at least ROWS lines
run() {
	name=$1 rows=$2
	shift 2
	rc=0
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		bad "$name: exit $rc: $(head -c 300 "$tmp/err")"
		return
	fi
	[ "$(wc -l <"$tmp/out")" -ge "$rows" ] && ok "$name" || bad "$name: $(wc -l <"$tmp/out") lines, want $rows"
}

if [ ! -x /usr/bin/time ]; then
	echo "ok - skipped: no GNU time (apt-get install time)"
	exit 0
fi
run "synth.sh" 5 sh bench/synth.sh "$acsctl" 300 600
run "topology.sh" 10 sh bench/topology.sh "$acsctl" 300 600
grep -q '^growth groups  *time ~ n^' "$tmp/out" && ok "topology.sh fits growth" || bad "topology.sh fits growth"
run "analysis.sh" 8 sh bench/analysis.sh "$acsctl" 2000
grep -q '^2000  *plan ' "$tmp/out" && grep -q '^# 2000: p2p 0000:.* plan --p2p 0000:[0-9a-f:.]*,0000:' "$tmp/out" &&
	ok "analysis.sh found its devices and planned" || bad "analysis.sh found its devices and planned"
run "growth.sh" 10 env GROWTH_FORMATS="topo dump snapshot" sh bench/growth.sh "$acsctl" 100 200
[ "$(grep -c '^growth ' "$tmp/out")" -eq 6 ] && ok "growth.sh: six fits" || bad "growth.sh: six fits"
run "plan.sh" 2 sh bench/plan.sh "$acsctl"
if command -v lspci >/dev/null; then
	run "lspci.sh" 5 sh bench/lspci.sh "$acsctl" 30
fi
run "fleet.sh" 3 sh bench/fleet.sh "$acsctl" 3 30
run "live.sh" 6 env LIVE_FUNCTIONS=40 LIVE_PROFILE=no sh bench/live.sh "$acsctl" 2
grep -q '^groups -m  *[0-9.]* ' "$tmp/out" && grep -q '^p2p  *[0-9.]* .*x$' "$tmp/out" &&
	ok "live.sh read its tree and timed each command" || bad "live.sh read its tree and timed each command"
run "bench-pe-allocate" 2 "$pe" 30
echo "bench smoke: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
