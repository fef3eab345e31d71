#!/bin/bash
# Check the PE and IOMMU-group rules that README.md states against captured
# powernv fixtures, without booting. For each fixture directory it predicts,
# from lspci.txt, resources.txt and the PHB lines of pe-log.txt only:
#   - the PE of every bus (number, and whether it spans the subordinate buses),
#     compared with the kernel's "Secondary bus ... associated with PE#" lines;
#   - the IOMMU groups: id, name (domainD-peX) and members, compared with
#     groups.txt and group-names.txt.
# Usage: check-rules.sh [FIXTURE_DIR...]
#   default: every tests/fixtures/vm-power/*/*/
# Prints PASS/FAIL per fixture (FAIL with a diff) and 'N passed, M failed'.
set -euo pipefail
export LC_ALL=C

here=$(dirname "$(realpath "$0")")
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=("$here"/../fixtures/vm-power/*/*/)

# predict DIR: prints "PE DOMAIN:BUS NUMBER bus|all" and "GROUP ID NAME ADDR" lines
predict() {
	local d=$1
	awk '
	# mawk has no strtonum/and/rshift: hex parsing and bit tests by arithmetic
	function hex(s,    v, i) {
		sub(/^0x/, "", s); v = 0
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
		return v
	}
	function bit(x, k) { return int(x / 2 ^ k) % 2 }
	FILENAME ~ /pe-log.txt$/ {
		# one PHB after the other, in domain order
		if ($0 ~ /^Initializing IODA2 PHB/) { nphb++; next }
		if ($0 ~ / MEM 0x.*\(M64 #/) {
			split($2, r, /\.\./); m64base[nphb - 1] = hex(r[1]); next
		}
		if ($0 ~ /PE.s M32:/) { totpe[nphb - 1] = $1 + 0; next }
		if ($0 ~ /^ +M64: 0x/) {
			m64size[nphb - 1] = hex($2)
			s = $0; sub(/.*segment=/, "", s); sub(/\].*/, "", s); m64seg[nphb - 1] = hex(s)
		}
		next
	}
	FILENAME ~ /resources.txt$/ {
		if ($0 ~ /^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:/) { rdev = $1; ri = 0; next }
		if ($0 ~ /^0x/) { if (ri <= 6) { rs[rdev, ri] = hex($1); rf[rdev, ri] = hex($3) }; ri++ }
		next
	}
	# lspci.txt
	/^[0-9a-f][0-9a-f][0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]\.[0-7] / { dev = $1; devs[++n] = dev; next }
	/^[0-9a-f][0-9a-f]: / { base = hex(substr($1, 1, 2)); for (i = 2; i <= 17; i++) cfg[dev, base + i - 2] = hex($i) }
	END {
		for (k = 1; k <= n; k++) {
			a = devs[k]
			dom[a] = hex(substr(a, 1, 4)); bus[a] = hex(substr(a, 6, 2))
			devfn[a] = hex(substr(a, 9, 2)) * 8 + substr(a, 12, 1)
			br[a] = (cfg[a, 14] % 128 == 1 || cfg[a, 14] % 128 == 2)
			pt[a] = -1
			if (bit(cfg[a, 6], 4)) {
				p = cfg[a, 52] - cfg[a, 52] % 4
				for (guard = 0; p && guard < 48; guard++) {
					if (cfg[a, p] == 16) { pt[a] = int(cfg[a, p + 2] / 16) % 16; break }
					p = cfg[a, p + 1] - cfg[a, p + 1] % 4
				}
			}
			key = dom[a] SUBSEP bus[a]
			nb[key]++; onbus[key, nb[key]] = a
			if (br[a]) { sec = cfg[a, 25]; parent[dom[a], sec] = a }
			isdom[dom[a]] = 1
		}
		# sort each bus by devfn (insertion sort; buses are small)
		for (key in nb) for (i = 2; i <= nb[key]; i++) {
			t = onbus[key, i]
			for (j = i - 1; j >= 1 && devfn[onbus[key, j]] > devfn[t]; j--) onbus[key, j + 1] = onbus[key, j]
			onbus[key, j + 1] = t
		}
		nd = 0; for (x in isdom) doms[++nd] = x + 0
		for (i = 2; i <= nd; i++) { t = doms[i]; for (j = i - 1; j >= 1 && doms[j] > t; j--) doms[j + 1] = doms[j]; doms[j + 1] = t }
		gid = 0
		# the PHBs of pe-log.txt, in order, are the domains in order (domains
		# need not be contiguous: chip 1 of powernv8 has domains 4-6)
		for (i = 1; i <= nd; i++) rank[doms[i]] = i - 1
		for (i = 1; i <= nd; i++) {
			D = doms[i]; next_pe = totpe[rank[D]] - 3
			walk(D, 0, "")
		}
	}
	# PE of bus b: a bus below a PCIe-to-PCI bridge (PCIe type 7) starts a PE
	# that spans all its subordinate buses; any other bus is a PE of its own.
	function walk(D, b, pekey,    key, i, a, all, pe, childpass) {
		key = D SUBSEP b
		if (!(key in nb)) return
		if (pekey == "") {
			all = (b != 0 && pt[parent[D, b]] == 7)
			pekey = key
			pe = (b == 0) ? totpe[rank[D]] - 2 : m64pe(D, b, all)
			if (pe < 0) pe = next_pe--
			penum[pekey] = pe
			printf "PE %04x:%02x %x %s\n", D, b, pe, all ? "all" : "bus"
			childpass = all ? pekey : ""
		} else childpass = pekey
		# bus-add order: the devices of the bus by devfn, then the buses below
		# its bridges; a bridge joins its PE group only if the group exists
		for (i = 1; i <= nb[key]; i++) {
			a = onbus[key, i]
			if (!br[a] && !(pekey in gname)) gname[pekey] = gid++
			if (pekey in gname)
				printf "GROUP %d domain%d-pe%x %s\n", gname[pekey], D, penum[pekey], a
		}
		for (i = 1; i <= nb[key]; i++) {
			a = onbus[key, i]
			if (br[a]) walk(D, cfg[a, 25], childpass)
		}
	}
	# A PE whose devices have a BAR in the M64 window takes the number of the
	# lowest M64 segment those BARs use; -1 if none does.
	function m64pe(D, b, all,    lo, k, a, r, s) {
		lo = -1
		for (k = 1; k <= n; k++) {
			a = devs[k]
			if (dom[a] != D || !inpe(D, bus[a], b, all)) continue
			for (r = 0; r <= 6; r++) {
				if (!((a SUBSEP r) in rs) || !bit(rf[a, r], 9)) continue
				s = rs[a, r] - m64base[rank[D]]
				if (s < 0 || s >= m64size[rank[D]]) continue
				s = int(s / m64seg[rank[D]])
				if (lo < 0 || s < lo) lo = s
			}
		}
		return lo
	}
	function inpe(D, x, b, all,    p) {
		if (x == b) return 1
		if (!all) return 0
		while (x != 0) { p = parent[D, x]; if (p == "") return 0; x = bus[p]; if (x == b) return 1 }
		return 0
	}
	' "$d/pe-log.txt" "$d/resources.txt" "$d/lspci.txt"
}

# actual DIR: the same lines from the kernel's output
actual() {
	local d=$1
	sed -nE 's/^pci ([0-9a-f]{4}:[0-9a-f]{2}) +: \[PE# *[0-9a-f]+\] Secondary bus (0x[0-9a-f]+)(\.\.0x[0-9a-f]+)? associated with PE#([0-9a-f]+)$/PE \1 \4 \3/p' \
		"$d/pe-log.txt" | awk '{ print $1, $2, $3, ($4 == "" ? "bus" : "all") }'
	awk 'FILENAME ~ /names/ { name[$1] = $2; next } { print "GROUP", $1, name[$1], $2 }' \
		"$d/group-names.txt" "$d/groups.txt"
}

pass=0 fail=0
for d in "${dirs[@]}"; do
	d=${d%/}
	[ -f "$d/lspci.txt" ] || continue
	name=${d#"${d%/*/*}"/}
	if diff <(predict "$d" | sort) <(actual "$d" | sort) >/tmp/check-rules.$$ 2>&1; then
		echo "PASS $name"; pass=$((pass + 1))
	else
		echo "FAIL $name (< predicted, > kernel)"; sed 's/^/    /' /tmp/check-rules.$$; fail=$((fail + 1))
	fi
done
rm -f /tmp/check-rules.$$
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
