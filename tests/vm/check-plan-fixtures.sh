#!/bin/bash
# Plans against the kernel: for each capture under tests/fixtures/vm-plan,
# (1) acsctl still plans the parameter that was booted, (2) the kernel's
# groups equal the ones acsctl predicted for that boot, (3) on the booted
# state the requirements hold: the plan has nothing left to change, (4)
# acsctl audit on the booted dump, with its captured command line, says
# what audit.txt holds: "ok" (exit 0, no unsafe pair: the plan's groups
# tell the truth in the kernel), or "unsafe A,B" (exit 1, and a route from
# A to B among the unsafe ones: a negative fixture).
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
	expect=ok
	[ -f "$dir/audit.txt" ] && expect=$(cat "$dir/audit.txt")
	out=$("$acsctl" -F "$dir/lspci.txt" --kernel "$kernel" --cmdline "$(cat "$dir/cmdline.txt")" audit -m 2>/dev/null)
	rc=$?
	case $expect in
	ok)
		{ [ $rc = 0 ] && grep -q '^audit .* verdict=ok' <<<"$out" && ! grep -q '^audit\.unsafe ' <<<"$out"; } ||
			{ echo "  audit of the booted state: exit $rc, not OK:"; grep '^audit\.unsafe\.routes ' <<<"$out" | sed 's/^/    /'; ok=0; }
		;;
	"unsafe "*)
		pair=${expect#unsafe }
		{ [ $rc = 1 ] && grep -q "^audit\.unsafe\.routes devices=$pair " <<<"$out"; } ||
			{ echo "  audit of the booted state: exit $rc, no unsafe route $pair"; ok=0; }
		;;
	*) echo "  audit.txt: '$expect' is neither ok nor unsafe A,B"; ok=0 ;;
	esac
	if [ $ok = 1 ]; then
		echo "PASS $kernel $name"; pass=$((pass + 1))
	else
		echo "FAIL $kernel $name"; fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
