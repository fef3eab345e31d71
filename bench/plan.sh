#!/bin/sh
# Planning time: the 8-GPU / 8-NIC / 16-NVMe example (with ACS cleared on
# four ports first, so isolation must be searched for), and a 1000-function
# synthetic fabric. Usage: bench/plan.sh [ACSCTL]
set -eu
acsctl=${1:-./build/acsctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t() { /usr/bin/time -f "%e s, %M KiB" "$@" >/dev/null 2>"$tmp/t" || true; tail -1 "$tmp/t"; }
printf 'gpu8-nic8-nvme16, p2p + isolate + tenants: '
t "$acsctl" -F examples/gpu8-nic8-nvme16.json \
	--cmdline "pci=config_acs=0000000@0000:02:00.0;0000000@0000:02:01.0;0000000@0000:02:02.0;0000000@0000:00:01.1" \
	plan --p2p 0f:00.0,13:00.0 --isolate 03:00.0 --tenant a:04:00.0,05:00.0 --tenant b:06:00.0
"$acsctl" synth --functions 1000 --seed 3 -o "$tmp/s.json"
printf 'synth 1000 functions, isolate 4 endpoints:  '
t "$acsctl" -F "$tmp/s.json" plan --isolate 0000:05:00.0 --isolate 0000:11:00.0 \
	--isolate 0000:14:00.0 --isolate 0000:15:01.0
