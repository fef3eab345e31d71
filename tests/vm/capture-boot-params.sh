#!/bin/bash
# Boot tests/vm/cases/boot-base.args without parameters and with each line
# of boot-params.txt (plus random config_acs flag strings from a seed), per
# kernel, into tests/fixtures/vm-boot/K/{base,NAME}/. Each capture keeps the
# kernel's own words on its parameters in dmesg.txt (the dmesg lines about
# PCI options and ACS), so a twin pins the message as well as the effect.
# Usage:
#   capture-boot-params.sh [--random N] [--seed S] [NAME...]
# With NAMEs, only those lines are booted (and base only where it is absent).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/tests/fixtures/vm-boot
nrandom=6
seed=1
only=()
while [ $# -gt 0 ]; do
	case $1 in
	--random) nrandom=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	-*) echo "usage: $0 [--random N] [--seed S] [NAME...]" >&2; exit 2 ;;
	*) only+=("$1"); shift ;;
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

wanted() { # name
	[ ${#only[@]} -eq 0 ] && return 0
	local n
	for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

# The kernel's lines on pci= options and ACS, without timestamps: what it
# said it could not parse, ignored or configured.
kernel_words() { # console.log
	tr -d '\r' <"$1" | awk '/^@@ACSCTL DMESG$/ { on = 1; next } /^@@ACSCTL / { on = 0 } on' |
		sed 's/^\[ *[0-9.]*\] //' |
		grep -E 'PCI: (Unknown|Can.t parse)|ACS|PCIe: ATS|acs_redir|config_acs|Malformed' |
		grep -vE '^(ACPI|Command line|Kernel command line)' || true
}

boot() { # kernel name params
	local k=$1 name=$2 p=$3 dir=$out/$1/$2
	rm -rf "$dir.tmp"
	bash "$here/boot.sh" --kernel "$k" --case "$here/cases/boot-base.args" \
		--out "$dir.tmp" --keep-console ${p:+--append "$p"} >/dev/null
	printf '%s\n' "$p" >"$dir.tmp/params.txt"
	kernel_words "$dir.tmp/console.log" >"$dir.tmp/dmesg.txt"
	rm -f "$dir.tmp/console.log"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $k $name"
}

for k in 6.1 6.12; do
	mkdir -p "$out/$k"
	if [ ${#only[@]} -eq 0 ] || [ ! -d "$out/$k/base" ]; then
		boot "$k" base ""
	fi
done
params | while IFS='|' read -r name kernels p; do
	name=$(echo "$name" | tr -d '[:space:]')
	p=$(echo "$p" | sed 's/^ *//; s/ *$//')
	wanted "$name" || continue
	for k in $kernels; do
		boot "$k" "$name" "$p"
	done
done
