#!/bin/bash
# For each line of plans.txt (or only the NAMEs given): plan on the
# starting dump, boot with the plan's parameter, keep the capture in
# tests/fixtures/vm-plan/K/NAME/ with requirements.txt, params.txt and
# audit.txt (what acsctl audit must say of the booted state: ok, or unsafe
# A,B). Usage: capture-plans.sh ACSCTL [NAME...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
acsctl=$(readlink -f "$1")
shift
only=" $* "
# shellcheck source=plan-lines.sh
. "$here/plan-lines.sh"
plan_lines "$here/plans.txt" |
while IFS='|' read -r name kernel case startdir start reqs audit; do
	[ "$only" = "  " ] || [[ $only == *" $name "* ]] || continue
	base=$root/tests/fixtures/$startdir
	# shellcheck disable=SC2086
	param=$("$acsctl" -F "$base/lspci.txt" --kernel "$kernel" plan $reqs -j |
		sed -n 's/^  "cmdline": "\(.*\)",$/\1/p')
	[ -n "$param" ] || { echo "$name: no parameter planned" >&2; exit 1; }
	# the kernel keeps only the last of each option: a start with the
	# plan's own option would be undone
	for opt in pci=config_acs= pci=disable_acs_redir=; do
		if [[ $start == *"$opt"* && $param == *"$opt"* ]]; then
			echo "$name: the start and the plan both give ${opt%=}; the kernel keeps only the last" >&2
			exit 1
		fi
	done
	dir=$root/tests/fixtures/vm-plan/$kernel/$name
	rm -rf "$dir.tmp"
	bash "$here/boot.sh" --kernel "$kernel" --case "$here/cases/$case.args" \
		--out "$dir.tmp" --append "$start $param" >/dev/null
	printf '%s\n' "$reqs" >"$dir.tmp/requirements.txt"
	printf '%s\n' "$start" >"$dir.tmp/start.txt"
	printf '%s\n' "$startdir" >"$dir.tmp/startdir.txt"
	printf '%s\n' "$param" >"$dir.tmp/params.txt"
	printf '%s\n' "${audit:-ok}" >"$dir.tmp/audit.txt"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $kernel $name: $param"
done
