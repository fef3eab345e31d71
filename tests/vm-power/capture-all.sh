#!/bin/bash
# Boot cases on the powernv machines and store what the kernel saw as fixtures
# in tests/fixtures/vm-power/<MACHINE>/<CASE>/ (lspci.txt groups.txt
# group-names.txt resources.txt pe-log.txt cmdline.txt kernel.txt case.args).
# Usage: capture-all.sh [--machine M]... [-j N] [CASE...]
#   CASE is a name (switch-basic) or a path to a .args file; default: all
#   cases in tests/vm-power/cases. Default machines: powernv8 and powernv9.
#   A case with a 'machines:' line is booted only on the machines it names.
#   -j: parallel boots (default 1; each boot uses one host core under TCG).
set -euo pipefail
export LC_ALL=C

here=$(dirname "$(realpath "$0")")
dest=$(realpath -m "$here/../fixtures/vm-power")
machines=() cases=() jobs=1
while [ $# -gt 0 ]; do
	case $1 in
	--machine) machines+=("$2"); shift 2 ;;
	-j) jobs=$2; shift 2 ;;
	-*) echo "capture-all: unknown option $1" >&2; exit 2 ;;
	*) cases+=("$1"); shift ;;
	esac
done
[ ${#machines[@]} -gt 0 ] || machines=(powernv8 powernv9)
[ ${#cases[@]} -gt 0 ] || cases=("$here"/cases/*.args)
"$here/get-kernel.sh" >/dev/null   # fetch once, before any parallel boots

logs=$(mktemp -d)
faildir=${TMPDIR:-/tmp}/acsctl-vm-power-fail
trap 'rm -rf "$logs"' EXIT
touch "$logs/results"

capture() { # MACHINE CASEFILE
	local m=$1 f=$2 name tmp t0
	name=$(basename "$f" .args)
	tmp=$dest/$m/.tmp-$name
	rm -rf "$tmp"
	t0=$(date +%s)
	if "$here/boot.sh" --machine "$m" --case "$f" --out "$tmp" >"$logs/$m-$name" 2>&1; then
		rm -rf "${dest:?}/$m/${name:?}"
		mv "$tmp" "$dest/$m/$name"
		echo "ok   $m $name ($(($(date +%s) - t0)) s): $(grep boot.sh: "$logs/$m-$name" | tail -n 1 | sed 's/.*: //')" |
			tee -a "$logs/results"
	else
		echo "FAIL $m $name: $(grep boot.sh: "$logs/$m-$name" | tail -n 1)" | tee -a "$logs/results"
		rm -rf "$faildir/$m-$name"; mkdir -p "$faildir"
		mv "$tmp" "$faildir/$m-$name"
		echo "     (console log kept in $faildir/$m-$name)"
	fi
}

# the machines a case is for: its 'machines:' line, or both
case_machines() {
	local l
	l=$(sed -n 's/^[[:space:]]*machines:[[:space:]]*//p' "$1" | sed -n 1p)
	echo "${l:-powernv8 powernv9}"
}

n=0
for m in "${machines[@]}"; do
	mkdir -p "$dest/$m"
	for c in "${cases[@]}"; do
		case $c in */* | *.args) f=$c ;; *) f=$here/cases/$c.args ;; esac
		[ -f "$f" ] || { echo "FAIL $m $c: no such case" | tee -a "$logs/results"; n=$((n + 1)); continue; }
		[[ " $(case_machines "$f") " == *" $m "* ]] || continue
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
		capture "$m" "$f" &
		n=$((n + 1))
	done
done
wait
fail=$(grep -c ^FAIL "$logs/results" || true)
echo "captured $((n - fail)) of $n"
[ "$fail" -eq 0 ]
