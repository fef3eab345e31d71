# shellcheck shell=bash
# Shared helpers for check.sh and check-fixtures.sh (sourced, bash).

# partition FILE: read "GROUP ADDRESS" lines, print one line per group with
# its members sorted, groups sorted. Group numbers are dropped, so two files
# that differ only in numbering give the same output.
partition() {
	tr 'A-F' 'a-f' < "$1" | LC_ALL=C sort -k2,2 | awk '
		{ if ($1 in g) g[$1] = g[$1] " " $2; else g[$1] = $2 }
		END { for (k in g) print g[k] }' | LC_ALL=C sort
}

# check_one ACSCTL KERNEL DIR LABEL: run ACSCTL on DIR/lspci.txt and compare
# its groups with DIR/groups.txt as partitions. Prints PASS/FAIL LABEL;
# returns 1 on failure. If ACSCTL_CMDLINE_OPT is set (e.g. --cmdline), the
# captured kernel command line is passed with it.
check_one() {
	local bin=$1 k=$2 dir=$3 label=$4 tmp rc=0 bad
	local extra=()
	[ -z "${ACSCTL_CMDLINE_OPT:-}" ] || extra=("$ACSCTL_CMDLINE_OPT" "$(cat "$dir/cmdline.txt")")
	tmp=$(mktemp -d)
	"$bin" -F "$dir/lspci.txt" --kernel "$k" ${extra[@]+"${extra[@]}"} groups -m \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	grep -v -E '^[[:space:]]*(#|$)' "$tmp/out" > "$tmp/lines" || true
	bad=$(grep -v -c -E '^[0-9]+ [0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$' "$tmp/lines" || true)
	partition "$dir/groups.txt" > "$tmp/want"
	partition "$tmp/lines" > "$tmp/got"
	if [ $rc -eq 0 ] && [ "$bad" -eq 0 ] && cmp -s "$tmp/want" "$tmp/got"; then
		echo "PASS $label"
	else
		echo "FAIL $label"
		[ $rc -eq 0 ] || echo "  $bin exited with $rc: $(head -n 3 "$tmp/err")"
		[ "$bad" -eq 0 ] || echo "  $bad output line(s) not in 'GROUP ADDRESS' form"
		diff -u --label "kernel $k" --label acsctl "$tmp/want" "$tmp/got" | sed 's/^/  /'
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$tmp"
}
