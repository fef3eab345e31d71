#!/bin/bash
# For each line of plans.txt: plan on the starting dump, boot with the
# plan's parameter, keep the capture in tests/fixtures/vm-plan/K/NAME/ with
# requirements.txt and params.txt. Usage: capture-plans.sh ACSCTL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
acsctl=$(readlink -f "$1")
grep -v '^#' "$here/plans.txt" | grep -v '^[[:space:]]*$' |
while IFS='|' read -r name kernel start reqs; do
	name=$(echo "$name" | tr -d '[:space:]')
	kernel=$(echo "$kernel" | tr -d '[:space:]')
	start=$(echo "$start" | sed 's/^ *//; s/ *$//')
	reqs=$(echo "$reqs" | sed 's/^ *//; s/ *$//')
	base=$root/tests/fixtures/vm-boot/$kernel/redir-ids
	# shellcheck disable=SC2086
	param=$("$acsctl" -F "$base/lspci.txt" --kernel "$kernel" plan $reqs -j |
		sed -n 's/^  "cmdline": "\(.*\)",$/\1/p')
	[ -n "$param" ] || { echo "$name: no parameter planned" >&2; exit 1; }
	dir=$root/tests/fixtures/vm-plan/$kernel/$name
	rm -rf "$dir.tmp"
	bash "$here/boot.sh" --kernel "$kernel" --case "$here/cases/boot-base.args" \
		--out "$dir.tmp" --append "$start $param" >/dev/null
	printf '%s\n' "$reqs" >"$dir.tmp/requirements.txt"
	printf '%s\n' "$start" >"$dir.tmp/start.txt"
	printf '%s\n' "$param" >"$dir.tmp/params.txt"
	rm -rf "$dir"
	mv "$dir.tmp" "$dir"
	echo "captured $kernel $name: $param"
done
