#!/bin/bash
# Boot tests/vm/cases/boot-base.args without parameters and with each line
# of boot-params.txt (plus random config_acs flag strings from a seed), per
# kernel, into tests/fixtures/vm-boot/K/{base,NAME}/. Usage:
#   capture-boot-params.sh [--random N] [--seed S]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/tests/fixtures/vm-boot
nrandom=6
seed=1
while [ $# -gt 0 ]; do
	case $1 in
	--random) nrandom=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	*) echo "usage: $0 [--random N] [--seed S]" >&2; exit 2 ;;
	esac
done

# name|kernels|params lines: the file, then seeded random config_acs ones
params() {
	grep -v '^#' "$here/boot-params.txt" | grep -v '^[[:space:]]*$'
	RANDOM=$seed
	local ports=(0000:00:02.0 00:02.1 0000:00:02.2 00:03.0)
	for i in $(seq 1 "$nrandom"); do
		local spec="" n=$((RANDOM % 3 + 1)) k
		for k in $(seq 1 "$n"); do
			local flags="" b
			for b in 1 2 3 4 5; do
				case $((RANDOM % 3)) in 0) flags+=0 ;; 1) flags+=1 ;; 2) flags+=x ;; esac
			done
			spec+="${spec:+;}$flags@${ports[$((RANDOM % 4))]}"
		done
		echo "random-$i | 6.12 | pci=config_acs=$spec"
	done
}

boot() { # kernel name params
	local k=$1 name=$2 p=$3 dir=$out/$1/$2
	rm -rf "$dir.tmp"
	bash "$here/boot.sh" --kernel "$k" --case "$here/cases/boot-base.args" \
		--out "$dir.tmp" ${p:+--append "$p"} >/dev/null
	printf '%s\n' "$p" >"$dir.tmp/params.txt"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $k $name"
}

for k in 6.1 6.12; do
	mkdir -p "$out/$k"
	boot "$k" base ""
done
params | while IFS='|' read -r name kernels p; do
	name=$(echo "$name" | tr -d '[:space:]')
	p=$(echo "$p" | sed 's/^ *//; s/ *$//')
	for k in $kernels; do
		boot "$k" "$name" "$p"
	done
done
