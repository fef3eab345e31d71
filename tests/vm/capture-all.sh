#!/bin/bash
# Boot cases under the Debian kernels and store what the kernel saw as fixtures
# in tests/fixtures/vm/<KERNEL>/<CASE>/ (lspci.txt groups.txt cmdline.txt
# kernel.txt case.args).
# Usage: capture-all.sh [--kernel K]... [-j N] [CASE...]
#   CASE is a name (rp-acs-single) or a path to a .args file; default: all
#   cases in tests/vm/cases. Default kernels: 6.1 and 6.12. -j: parallel boots.
set -euo pipefail
export LC_ALL=C

here=$(dirname "$(realpath "$0")")
dest=$(realpath -m "$here/../fixtures/vm")
kernels=() cases=() jobs=1
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-*) echo "capture-all: unknown option $1" >&2; exit 2 ;;
	*) cases+=("$1"); shift ;;
	esac
done
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
[ ${#cases[@]} -gt 0 ] || cases=("$here"/cases/*.args)
"$here/get-kernels.sh" >/dev/null   # fetch once, before any parallel boots

logs=$(mktemp -d)
faildir=${TMPDIR:-/tmp}/acsctl-vm-fail
trap 'rm -rf "$logs"' EXIT

capture() { # KERNEL CASEFILE
	local k=$1 f=$2 name tmp
	name=$(basename "$f" .args)
	tmp=$dest/$k/.tmp-$name
	rm -rf "$tmp"
	if "$here/boot.sh" --kernel "$k" --case "$f" --out "$tmp" >"$logs/$k-$name" 2>&1; then
		rm -rf "${dest:?}/$k/${name:?}"
		mv "$tmp" "$dest/$k/$name"
		echo "ok   $k $name" | tee -a "$logs/results"
	else
		echo "FAIL $k $name: $(grep boot.sh: "$logs/$k-$name" | tail -n 1)" | tee -a "$logs/results"
		rm -rf "$faildir/$k-$name"; mkdir -p "$faildir"
		mv "$tmp" "$faildir/$k-$name"
		echo "     (console log kept in $faildir/$k-$name)"
	fi
}

n=0
for k in "${kernels[@]}"; do
	mkdir -p "$dest/$k"
	for c in "${cases[@]}"; do
		case $c in */* | *.args) f=$c ;; *) f=$here/cases/$c.args ;; esac
		[ -f "$f" ] || { echo "FAIL $k $c: no such case" | tee -a "$logs/results"; n=$((n + 1)); continue; }
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
		capture "$k" "$f" &
		n=$((n + 1))
	done
done
wait
fail=$(grep -c ^FAIL "$logs/results" || true)
echo "captured $((n - fail)) of $n"
[ "$fail" -eq 0 ]
