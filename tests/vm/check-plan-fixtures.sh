#!/bin/bash
# Plans against the kernel: for each capture under tests/fixtures/vm-plan,
# (1) acsctl still plans the parameter that was booted, (2) the kernel's
# groups equal the ones acsctl predicted for that boot, (3) on the booted
# state the requirements hold: the plan has nothing left to change.
# Usage: check-plan-fixtures.sh ACSCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
acsctl=$1
# shellcheck source=lib.sh
. "$here/lib.sh"
pass=0 fail=0
for dir in "$root"/tests/fixtures/vm-plan/*/*/; do
	[ -f "$dir/requirements.txt" ] || continue
	kernel=$(basename "$(dirname "$dir")")
	name=$(basename "$dir")
	reqs=$(cat "$dir/requirements.txt")
	start=$(cat "$dir/start.txt")
	param=$(cat "$dir/params.txt")
	base=$root/tests/fixtures/$(cat "$dir/startdir.txt")/lspci.txt
	ok=1
	# shellcheck disable=SC2086
	planned=$("$acsctl" -F "$base" --kernel "$kernel" plan $reqs -j |
		sed -n 's/^  "cmdline": "\(.*\)",$/\1/p')
	[ "$planned" = "$param" ] || { echo "  planned '$planned', booted '$param'"; ok=0; }
	"$acsctl" -F "$base" --kernel "$kernel" --cmdline "$start $param" groups -m >"$dir/../.pred.$name" 2>/dev/null
	[ "$(partition "$dir/../.pred.$name")" = "$(partition "$dir/groups.txt")" ] ||
		{ echo "  groups differ from the kernel's"; ok=0; }
	rm -f "$dir/../.pred.$name"
	# shellcheck disable=SC2086
	out=$("$acsctl" -F "$dir/lspci.txt" --kernel "$kernel" plan $reqs)
	grep -q '^plan: 0 changes' <<<"$out" ||
		{ echo "  the booted state does not meet the requirements"; ok=0; }
	if [ $ok = 1 ]; then
		echo "PASS $kernel $name"; pass=$((pass + 1))
	else
		echo "FAIL $kernel $name"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
