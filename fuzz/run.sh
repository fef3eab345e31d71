#!/bin/bash
# Seed a corpus per target from the project's own inputs and fuzz each for
# SECONDS. Crashes, leaks and timeouts land in BUILD/fuzz-findings/ and make
# the script exit 1. Usage: fuzz/run.sh BUILD [SECONDS] [TARGET...];
# FUZZ_RUNS=N stops each target after N inputs instead (SECONDS still bounds it).
# FUZZ_TIMEOUT=S: an input slower than S seconds is a finding (default 10;
# more on a loaded machine, where a slow free() is not a hang).
# FUZZ_MAX_LEN=N: the largest input for every target (default per target,
# below): long counted runs use a smaller one, most of a large input's time
# being the same rows parsed again.
set -euo pipefail
build=$1 secs=${2:-60}
shift $(($# < 2 ? $# : 2))
src=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(input dump lspci snapshot topology rdma-topo params plan conf journal)
corpus=$build/fuzz-corpus findings=$build/fuzz-findings
mkdir -p "$findings"

seed() { # CORPUS: a few of each kind, small ones first (the fuzzer grows them)
	local d=$corpus/$1 f n=0 z
	mkdir -p "$d"
	case $1 in
	input) # each compression whole, cut short and concatenated; plain text
		for f in $(ls -S -r "$src"/tests/fixtures/vm/6.1/*/lspci.txt | head -n 3); do
			n=$((n + 1)); head -c 600 "$f" > "$d/plain-$n"
			for z in gzip xz zstd; do
				head -c 2000 "$f" | $z -c > "$d/$z-$n" 2>/dev/null || continue
				head -c $(($(stat -c %s "$d/$z-$n") / 2)) "$d/$z-$n" > "$d/$z-$n-cut"
			done
		done
		for f in $(ls -S -r "$src"/tests/fixtures/vm/6.1/*/lspci.txt | head -n 1); do
			gzip -c "$f" > "$d/gzip-whole"
			for z in gzip xz zstd; do  # two members, frames or streams
				{ head -c 300 "$f" | $z -c; tail -c 300 "$f" | $z -c; } > "$d/$z-two" 2>/dev/null || true
			done
		done
		printf '\357\273\27700:00.0 Host bridge: x\n' > "$d/bom"
		printf '\377\3760\0000\000:\000' > "$d/utf16"
		printf '# acsctl snapshot 1\n' > "$d/snapshot"
		printf '{"devices": []}\n' > "$d/topology" ;;
	dump)
		for f in $(ls -S -r "$src"/tests/fixtures/vm/6.1/*/lspci.txt | head -n 12); do cp "$f" "$d/$(basename "$(dirname "$f")")"; done
		for f in $(ls -S -r "$src"/tests/fixtures/vm-power/powernv9/*/lspci.txt | head -n 4); do cp "$f" "$d/p9-$(basename "$(dirname "$f")")"; done ;;
	lspci)
		command -v lspci >/dev/null || return 0
		for f in $(ls -S -r "$src"/tests/fixtures/vm/6.1/*/lspci.txt | head -n 8); do
			n=$((n + 1)); lspci -F "$f" -vvnn > "$d/vvnn-$n" 2>/dev/null || true
			lspci -F "$f" -v > "$d/v-$n" 2>/dev/null || true
		done
		# Region lines of every kind: 64-bit M64 BARs, VF BARs, PHB windows
		for f in $(ls -S -r "$src"/tests/fixtures/vm-power/powernv9/*/lspci.txt | head -n 4); do
			n=$((n + 1)); lspci -F "$f" -vvv > "$d/p9-$n" 2>/dev/null || true
		done ;;
	snapshot)
		for f in "$src"/tests/fixtures/vm-snapshot/*/*/snapshot.txt; do n=$((n + 1)); cp "$f" "$d/s-$n"; done ;;
	topology)
		for f in "$src"/examples/*.json; do cp "$f" "$d/"; done ;;
	rdma-topo) # rdma_topo's dumps (tests/fixtures/rdma-topo), and a VM capture's
		for f in "$src"/tests/fixtures/rdma-topo/*.sysfs.json; do cp "$f" "$d/"; done ;;
	params)
		printf '\0pci=disable_acs_redir=0000:00:01.0;1b36:000c' > "$d/c1"
		printf '\0pci=config_acs=1101x0x@pci:8086:1234,noats pcie_acs_override=downstream,multifunction' > "$d/c2"
		printf '\1pes=256,reserved=last,m32=2G' > "$d/p1"
		printf '\0010004:m64-bars=1..15,m64-base=0x6000000000000' > "$d/p2" ;;
	plan) # tests/robust/run.sh's plans, on fuzz-plan's fabric (6.12 kitchen-sink-1)
		p() { printf '{"kernel":"6.12","feasible":true,"changes":%s}\n' "$2" > "$d/$1"; }
		p good '[{"device":"0000:00:02.0","acs_ctl_after":"0x0011"}]'
		p two '[{"device":"0000:00:02.0","acs_ctl_after":"001d"},{"device":"00:03.0","acs_ctl_after":"0000"}]'
		p twice '[{"device":"0000:00:02.0","acs_ctl_after":"0011"},{"device":"0000:00:02.0","acs_ctl_after":"0011"}]'
		p null-dev '[{"device":null,"acs_ctl_after":"0011"}]'
		p null-val '[{"device":"0000:00:02.0","acs_ctl_after":null}]'
		p number '5'
		p no-object '[5]'
		p not-hex '[{"device":"0000:00:02.0","acs_ctl_after":"1zz"}]'
		p past-cap '[{"device":"0000:00:02.0","acs_ctl_after":"00ff"}]'
		p not-here '[{"device":"0000:7f:00.0","acs_ctl_after":"0011"}]'
		p no-acs '[{"device":"0000:02:00.0","acs_ctl_after":"0000"}]'
		printf '{"changes":[' > "$d/many"
		for n in $(seq 30); do printf '{"device":"0000:00:03.0","acs_ctl_after":"0011"},' >> "$d/many"; done
		printf '{}]}\n' >> "$d/many"
		head -c 30 "$d/good" > "$d/cut" ;;
	conf) # tests/cli/cli.sh's acs.conf lines, on the same fabric
		printf '# ACS for the GPU box\n\n00:02.0:RR- # the root port\n00:02.0:XX-\n' > "$d/bad-bit"
		printf '# nothing yet\n   \n' > "$d/comments"
		printf '00:02.0:RR-,CR- # one\n0000:00:03.0:SV+,ReqRedir-\tDT-\n' > "$d/good"
		printf 'switch 01:00.0:RR-\nswitch 0000:04:00.0:UF+,EgressCtrl-\n' > "$d/switch"
		printf '00:02.0:RR-\0 junk\n' > "$d/nul"
		printf '00:02.0:TB+ 00:02.0:TB- 00:03.0:TransBlk+,CmpltRedir-,UpstreamFwd+\r\n' > "$d/words" ;;
	journal) # tests/unit/test_apply.c's journals
		j() { printf '{"acsctl-journal":1,"sysfs":"/sys","time":0,"changes":%s,"drivers":%s}\n' "$2" "$3" > "$d/$1"; }
		local g='{"device":"0000:00:02.0","acs_pos":256,"ctrl_before":29,"ctrl_after":0}'
		j good "[$g]" '[]'
		j drivers "[$g]" '[{"device":"0000:01:00.0","driver":"nvme","pinned":false},{"device":"0000:01:00.1","driver":"vfio-pci","pinned":true}]'
		j pos-neg '[{"device":"0000:00:02.0","acs_pos":-2,"ctrl_before":29,"ctrl_after":0}]' '[]'
		j escape "[$g]" '[{"device":"0000:01:00.0","driver":"../../../../victimdir"}]'
		j bad-addr '[{"device":"0000:00:02","acs_pos":256,"ctrl_before":29,"ctrl_after":0}]' '[]'
		j big '[{"device":"0000:00:02.0","acs_pos":256,"ctrl_before":65536,"ctrl_after":0}]' '[]'
		j twice "[$g,$g]" '[]'
		printf '{"acsctl-journal":1,"changes":[],"drivers":[]}\n' > "$d/no-sysfs"
		printf '{"acsctl-journal":1,"sysfs":"/tmp/x","changes":[],"drivers":[]}\n' > "$d/other-sysfs" ;;
	esac
}

max_len() { # CORPUS: the largest input the fuzzer makes
	case $1 in
	input) echo 131072 ;;  # past the 64 KiB sniff; decompressed up to the 1 MiB limit
	plan|conf|journal) echo 65536 ;;  # a few ports; longer is only slower
	*) echo 262144 ;;
	esac
}

rc=0
for t in "${targets[@]}"; do
	bin=$build/fuzz/fuzz-$t
	c=${t#parse-}  # fuzz-parse-KIND shares fuzz-KIND's corpus
	[ -x "$bin" ] || { echo "fuzz/run.sh: no $bin (make fuzz builds it)" >&2; exit 2; }
	seed "$c"
	echo "== fuzz-$t: $(ls "$corpus/$c" | wc -l) seeds, ${secs}s"
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-$(max_len "$c")}" \
		${FUZZ_RUNS:+-runs=$FUZZ_RUNS} \
		-artifact_prefix="$findings/$t-" -print_final_stats=1 "$corpus/$c" 2>"$build/fuzz-$t.log" ||
		{ rc=1; echo "fuzz-$t FOUND something: $(ls "$findings" | grep "^$t-" | head -3)"; tail -n 30 "$build/fuzz-$t.log"; }
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$build/fuzz-$t.log" | tr '\n' ' '
	echo
done
exit $rc
