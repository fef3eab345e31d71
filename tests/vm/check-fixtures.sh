#!/bin/bash
# Compare acsctl's predicted groups with every committed fixture
# (tests/fixtures/vm/<KERNEL>/<CASE>/), as partitions. No booting.
# Usage: check-fixtures.sh [--kernel K] ACSCTL_BINARY
set -euo pipefail
export LC_ALL=C
here=$(dirname "$(realpath "$0")")
. "$here/lib.sh"
fix=$here/../fixtures/vm
kernels=()
while [ $# -gt 1 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	*) echo "check-fixtures: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ $# -eq 1 ] || { echo "usage: $0 [--kernel K] ACSCTL_BINARY" >&2; exit 2; }
bin=$(realpath "$1")
[ -x "$bin" ] || { echo "check-fixtures: $1 is not executable" >&2; exit 2; }
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)

pass=0 fail=0
for k in "${kernels[@]}"; do
	for d in "$fix/$k"/*/; do
		[ -f "$d/groups.txt" ] || continue
		if check_one "$bin" "$k" "$d" "$k $(basename "$d")"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
