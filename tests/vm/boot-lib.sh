# shellcheck shell=bash
# What tests/vm/boot.sh (x86) and tests/vm-power/boot.sh (powernv) share:
# reading a case file, splitting the console into sections, writing the
# files every capture has, and checking them. Sourced; the caller sets
# `set -euo pipefail` and defines die().

BDF='[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]'

# vm_read_case CASE MODDIR: one QEMU argument per line, '#' comments,
# 'cmdline: ...' lines, 'machines: M...' (the machines a case is for),
# 'module: NAME' lines (NAME.ko* under MODDIR goes in as /lib/modules/).
# Sets qargs, ccmd, case_machines; appends --add SRC:DST pairs to adds.
vm_read_case() {
	local case=$1 moddir=$2 line m ko mods=()
	qargs=() ccmd='' case_machines=''
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		line=$(sed 's/^[[:space:]]*//; s/[[:space:]]*$//' <<<"$line")
		case $line in
		'' | '#'*) ;;
		cmdline:*) ccmd="$ccmd ${line#cmdline:}" ;;
		machines:*) case_machines=${line#machines:} ;;
		module:*) mods+=("$(sed 's/^module:[[:space:]]*//' <<<"$line")") ;;
		*) qargs+=("$line") ;;
		esac
	done < "$case"
	for m in ${mods[@]+"${mods[@]}"}; do
		ko=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" | sed -n 1p)
		[ -n "$ko" ] || die "$case: module $m not found under $moddir"
		adds+=(--add "$ko:/lib/modules/${ko##*/}")
	done
}

# vm_split_console LOG DIR: DIR/sec.NAME per @@ACSCTL NAME section, then
# check that the named sections are there (LABEL names the boot).
#
# skiboot (powernv's firmware) shares the console, and on a loaded host it
# prints ("[   36.246723993,3] SBE: Timer stuck, ...") into the middle of
# our lines. Its lines are taken out, the part of ours before one joined
# with the rest after it; the counts /init prints end each compared section
# and vm_check_count holds them. (Linux's own lines have no ",N" in their
# stamp, and quiet loglevel=0 keeps them off the console.)
vm_split_console() {
	local log=$1 dir=$2 label=$3 s
	shift 3
	tr -d '\r' < "$log" | awk -v dir="$dir" '
		{
			if (match($0, /\[ *[0-9]+\.[0-9]+,[0-9]\] /)) {
				carry = carry substr($0, 1, RSTART - 1)
				next
			}
			$0 = carry $0
			carry = ""
		}
		/^@@ACSCTL [A-Z-]+$/ { sec = $2; print "" > (dir "/sec." sec); next }
		sec != "" && sec != "END" { print > (dir "/sec." sec) }'
	for s in END "$@"; do
		[ -f "$dir/sec.$s" ] || die "$label: no @@ACSCTL $s in output, see $log"
	done
	vm_check_count "$dir/sec.GROUPS" "^[0-9]+ $BDF\$" "$label" "$log"
	vm_check_count "$dir/sec.DUMP" "^$BDF " "$label" "$log"
}

# vm_check_count SECTION PATTERN LABEL LOG: the lines PATTERN matches are as
# many as the section's "count N" says (exit 3: the console lost some, a
# boot worth retrying, not a wrong answer).
vm_check_count() {
	local want got
	want=$(sed -n 's/^count \([0-9][0-9]*\)$/\1/p' "$1" | tail -n 1)
	[ -n "$want" ] || { echo "boot.sh: $3: no count in ${1##*/sec.} (console damaged), see $4" >&2; exit 3; }
	got=$(grep -c -E "$2" "$1" || true)
	[ "$got" -eq "$want" ] || { echo "boot.sh: $3: ${1##*/sec.} has $got of its $want lines (console damaged), see $4" >&2; exit 3; }
}

# vm_check_settled WORK LABEL LOG: /init found every endpoint grouped (and
# the device count acsctl.devices= asked for) before it read anything; a
# boot that did not settle fails here rather than as a wrong comparison.
vm_check_settled() {
	local line
	line=$(grep '^devices ' "$1/sec.SETTLE" | sed -n 1p)
	set -- "$@" $line
	# devices N want W waited S ungrouped U
	[ "${11:-}" = - ] || die "$2: endpoints without an IOMMU group after $((${9:-0} / 10)) s: ${11:-?} (see $3)"
	[ "${7:-}" = - ] || [ "${5:-0}" -ge "${7:-0}" ] || die "$2: $5 of $7 devices after $((${9:-0} / 10)) s (see $3)"
}

# vm_write_common WORK OUT CASE: cmdline.txt, kernel.txt, groups.txt,
# case.out, lspci.txt (device headers and hex rows, a blank line after
# each device) and case.args.
vm_write_common() {
	local work=$1 out=$2 case=$3
	grep -v '^$' "$work/sec.CMDLINE" | sed -n 1p > "$out/cmdline.txt"
	grep -v '^$' "$work/sec.UNAME" | sed -n 1p > "$out/kernel.txt"
	grep -E "^[0-9]+ $BDF\$" "$work/sec.GROUPS" | sort -k2,2 > "$out/groups.txt"
	if [ -f "$work/sec.CASE" ]; then
		grep -v '^$' "$work/sec.CASE" > "$out/case.out" || true
	fi
	grep -E "^($BDF |[0-9a-f]{2,3}:( [0-9a-f]{2}){16}\$)" "$work/sec.DUMP" | awk '
		/^[0-9a-f]+:[0-9a-f]+:/ { if (n) { print "" }; n++; print; next }
		{ print }
		END { if (n) print "" }' > "$out/lspci.txt"
	cp "$case" "$out/case.args"
}

# vm_check_dump OUT LABEL LOG: every device has 256 or 4096 bytes, lspci
# reads them all back, every grouped device is dumped. Sets ndump.
vm_check_dump() {
	local out=$1 label=$2 log=$3 bad nlspci missing
	bad=$(awk '/^[0-9a-f]+:[0-9a-f]+:/ { if (d != "" && r != 16 && r != 256) print d; d = $1; r = 0; next }
		/^[0-9a-f]+: / { r++ }
		END { if (d != "" && r != 16 && r != 256) print d }' "$out/lspci.txt")
	# rows lost on the way (the console), not in the kernel: exit 3, retried
	[ -z "$bad" ] || { echo "boot.sh: $label: truncated config space for: $bad (console damaged), see $log" >&2; exit 3; }
	ndump=$(grep -c -E '^[0-9a-f]{4}:' "$out/lspci.txt" || true)
	[ "$ndump" -gt 0 ] || die "$label: empty dump, see $log"
	if ! command -v lspci >/dev/null; then
		[ "$(id -u)" -eq 0 ] || die "lspci not found: apt-get install pciutils"
		apt-get install -y -qq pciutils >&2 || { apt-get update -qq >&2 && apt-get install -y -qq pciutils >&2; }
	fi
	nlspci=$(lspci -F "$out/lspci.txt" | wc -l)
	[ "$nlspci" -eq "$ndump" ] || die "$label: lspci -F sees $nlspci of $ndump devices"
	missing=$(awk '{ print $2 }' "$out/groups.txt" | while read -r a; do
		grep -q "^$a " "$out/lspci.txt" || echo "$a"; done)
	[ -z "$missing" ] || die "$label: grouped but not dumped: $missing"
}

# vm_summary CASE LABEL-SUFFIX OUT: the line boot.sh ends with
vm_summary() {
	echo "boot.sh: $1 ($2): $ndump devices, $(awk '{print $1}' "$3/groups.txt" | sort -u | wc -l) groups"
}

# vm_stage ROOT EXE...: the shared libraries each EXE loads (as ldd names
# them) under ROOT at their own paths, one outside the loader's directories
# (libacsctl.so.0 of a build tree, found through $ORIGIN) in ROOT/usr/lib
# as well; then --add SRC:DST for every file under ROOT appended to adds.
vm_stage() {
	local root=$1 exe lib f
	shift
	for exe in "$@"; do
		while read -r lib; do
			[ -f "$lib" ] || continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
			case $lib in
			/lib/* | /lib64/* | /usr/lib/* | /usr/lib64/*) ;;
			*) mkdir -p "$root/usr/lib" && cp -L "$lib" "$root/usr/lib/" ;;
			esac
		done < <(ldd "$exe" | awk '/=>/ { print $3 } /ld-linux/ { print $1 }')
	done
	while read -r f; do
		adds+=(--add "$f:${f#"$root"}")
	done < <(find "$root" -type f)
}
