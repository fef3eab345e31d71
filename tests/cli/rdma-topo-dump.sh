#!/bin/bash
# rdma_topo's dump format both ways (doc/rdma-topo-dump.md, issue 18
# item 5): acsctl -F reads `rdma_topo dump` files, acsctl snapshot
# --format rdma-topo writes them.
#   - every VM capture of tests/fixtures/vm/6.12 (lspci.txt + the kernel's
#     groups.txt), written as a dump by acsctl's writer, holds the kernel's
#     groups (read back by Python's own json/base64/zlib) and acsctl groups
#     --check on it is OK; the same through tests/fixtures/rdma-topo/mkdump.py;
#   - the recorded dumps of tests/fixtures/rdma-topo load, their groups
#     --check is OK, and acsctl writes each back equal, object for object
#     (config and VPD compared decoded);
#   - bad input (JSON, base64, zlib, types, realpath, duplicates) is one
#     line naming the file, exit 2;
#   - a multifunction slot that lacks functions is warned of.
# With RDMA_TOPO=PATH (rdma-core's kernel-boot/rdma_topo) rdma_topo itself
# reads acsctl's dumps and answers as on the recorded ones.
# Usage: rdma-topo-dump.sh ACSCTL SOURCE_ROOT
set -u
acsctl=$1
root=$(cd "$2" && pwd)
dir=$root/tests/fixtures/rdma-topo
py=/usr/bin/python3
[ -x "$py" ] || py=python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); echo "not ok $n - $1"; fails=$((fails + 1)); }
expect() { # STATUS NAME CMD...
	local want=$1 name=$2 rc=0
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq "$want" ] && ok "$name (exit $rc)" || { bad "$name (exit $rc, not $want)"; head -3 "$tmp/err"; }
}
# one line on stderr, naming the file, exit 2
refused() { # NAME FILE
	expect 2 "$1" "$acsctl" -F "$2" groups
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "$(basename "$2")" "$tmp/err" &&
		ok "$1: one line naming the file" || { bad "$1: one line naming the file"; cat "$tmp/err"; }
}
to_snapshot() { # CASE_DIR > a snapshot with the kernel's groups
	printf '# acsctl snapshot 2\n# iommu-groups: present\n\n'
	awk 'NR == FNR { g[$2] = $1; next }
	     /^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7] / { n++; print $1 " iommu_group=" (($1 in g) ? g[$1] : "-"); next }
	     { print } END { printf "# end: %d functions\n", n }' "$1/groups.txt" "$1/lspci.txt"
}

# 1. VM captures through acsctl's writer
cases=0 written=0 checked=0
: >"$tmp/list"
for d in "$root"/tests/fixtures/vm/6.12/*/; do
	[ -f "$d/groups.txt" ] && [ -f "$d/lspci.txt" ] || continue
	c=$(basename "$d")
	cases=$((cases + 1))
	to_snapshot "$d" >"$tmp/$c.snap"
	"$acsctl" -F "$tmp/$c.snap" snapshot --format rdma-topo "$tmp/$c.rdma.json" >/dev/null 2>"$tmp/err" &&
		written=$((written + 1)) || { echo "# $c: $(cat "$tmp/err")"; continue; }
	echo "$tmp/$c.rdma.json $d/groups.txt" >>"$tmp/list"
	if "$acsctl" -F "$tmp/$c.rdma.json" --kernel 6.12 --cmdline "$(cat "$d/cmdline.txt")" groups --check \
		>"$tmp/out" 2>&1 && grep -q "^OK: the kernel's groups equal" "$tmp/out"; then
		checked=$((checked + 1))
	else
		echo "# $c: groups --check:"; sed 's/^/#   /' "$tmp/out" | head -5
	fi
done
[ "$cases" -gt 0 ] && [ "$written" -eq "$cases" ] && ok "acsctl writes all $cases VM captures as rdma_topo dumps" ||
	bad "acsctl writes all $cases VM captures as rdma_topo dumps ($written)"
[ "$checked" -eq "$cases" ] && ok "groups --check OK on all $cases dumps" || bad "groups --check OK on $checked of $cases dumps"
# the dumps, read by Python's json, base64 and zlib: the kernel's groups,
# each function's config space whole, realpaths that end in the address
if "$py" - "$tmp/list" >"$tmp/out" 2>&1 <<'EOF'; then ok "Python reads the dumps: the kernel's groups, config, realpath"; else bad "Python reads the dumps"; cat "$tmp/out"; fi
import base64, json, sys, zlib
bad = 0
for line in open(sys.argv[1]):
    dump, groups = line.split()
    want = {b: int(g) for g, b in (l.split() for l in open(groups))}
    got = {}
    for o in json.load(open(dump)):
        bdf = o["realpath"].rsplit("/", 1)[1]
        cfg = zlib.decompress(base64.b64decode(o["config"], validate=True))
        assert len(cfg) in (64, 256, 4096), (dump, bdf, len(cfg))
        vendor = int.from_bytes(cfg[0:2], "little")  # a VF's reads ffff, as in sysfs
        assert vendor == 0xffff or o["modalias"].startswith("pci:v%08X" % vendor), (dump, bdf)
        assert set(o) <= {"realpath", "config", "iommu_group", "modalias", "numa_node", "vpd", "subsystems"}
        if o["iommu_group"] is not None:
            got[bdf] = o["iommu_group"]
    if got != want:
        print(dump, "groups differ:", set(got.items()) ^ set(want.items()))
        bad += 1
sys.exit(bad)
EOF

# 2. the same captures through mkdump.py (the colleague's writer)
mk=0 mkok=0
for c in kitchen-sink-1 kitchen-sink-2 ep-mf-e1000e pcie-pci-bridge-nested rand-1; do
	d=$root/tests/fixtures/vm/6.12/$c
	[ -d "$d" ] || continue
	mk=$((mk + 1))
	"$acsctl" -F "$d/lspci.txt" snapshot "$tmp/$c.plain.snap" >/dev/null 2>&1 &&
		awk '{ print $1, $2 }' "$d/groups.txt" >"$tmp/$c.groups" &&
		"$py" "$dir/mkdump.py" "$tmp/$c.plain.snap" --groups "$tmp/$c.groups" --dump "$tmp/$c.mk.json" &&
		"$acsctl" -F "$tmp/$c.mk.json" --kernel 6.12 --cmdline "$(cat "$d/cmdline.txt")" groups --check >"$tmp/out" 2>&1 &&
		grep -q "^OK: the kernel's groups equal" "$tmp/out" && mkok=$((mkok + 1))
done
[ "$mk" -gt 0 ] && [ "$mkok" -eq "$mk" ] && ok "mkdump.py's dumps of $mk VM captures: groups --check OK" ||
	bad "mkdump.py's dumps: groups --check OK on $mkok of $mk"

# 3. the recorded dumps: loaded, checked, written back equal
for f in "$dir"/*.sysfs.json; do
	s=$(basename "$f" .sysfs.json)
	expect 0 "$s: groups --check on the recorded dump" "$acsctl" -F "$f" --kernel 6.12 groups --check
	expect 0 "$s: written back" "$acsctl" -F "$f" snapshot --format rdma-topo "$tmp/$s.back.json"
	if "$py" - "$f" "$tmp/$s.back.json" <<'EOF'; then ok "$s: written back equal"; else bad "$s: written back equal"; fi
import base64, json, sys, zlib
def load(p):
    r = {}
    for o in json.load(open(p)):
        o = dict(o)
        for k in ("config", "vpd"):
            if o.get(k) is not None:
                o[k] = zlib.decompress(base64.b64decode(o[k]))
        r[o["realpath"]] = o
    return r
a, b = load(sys.argv[1]), load(sys.argv[2])
for k in a:
    if a[k] != b.get(k):
        print(k, a[k], b.get(k))
sys.exit(a != b)
EOF
done
# detected by content, named by its own option too
expect 0 "dump detected by content (no .json needed)" "$acsctl" -F "$dir/inline.sysfs.json" groups -m
cp "$dir/inline.sysfs.json" "$tmp/inline.txt"
expect 0 "detected whatever its name" "$acsctl" -F "$tmp/inline.txt" groups -m
expect 2 "snapshot --format other" "$acsctl" -F "$dir/inline.sysfs.json" snapshot --format xml "$tmp/x"
# no kernel groups: the prediction, said
kitchen=$root/tests/fixtures/vm/6.12/kitchen-sink-1
expect 0 "a source without kernel groups" "$acsctl" -F "$kitchen/lspci.txt" --kernel 6.12 snapshot --format rdma-topo "$tmp/pred.json"
grep -q "prediction" "$tmp/err" && ok "says the groups are predicted" || bad "says the groups are predicted"
# the dumps with no group at all: UNKNOWN, not "IOMMU off"
"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for o in d: o["iommu_group"] = None
json.dump(d, open(sys.argv[2], "w"))' "$tmp/pred.json" "$tmp/nogroups.json"
expect 0 "null groups load" "$acsctl" -F "$tmp/nogroups.json" --kernel 6.12 groups -m
expect 2 "null groups: nothing to check" "$acsctl" -F "$tmp/nogroups.json" --kernel 6.12 groups --check
grep -q "the kernel's groups are not known here" "$tmp/err" && ok "null groups: the kernel's groups unknown" ||
	{ bad "null groups: the kernel's groups unknown"; cat "$tmp/err"; }

# 4. refused input
c=$tmp/kitchen-sink-1.rdma.json
mut() { # PYTHON-STATEMENT-ON-d (the list) NAME: writes $tmp/bad-NAME.json
	"$py" -c '
import base64, json, sys, zlib
d = json.load(open(sys.argv[1]))
'"$1"'
json.dump(d, open(sys.argv[2], "w"), indent=4)' "$c" "$tmp/bad-$2.json"
}
mut 'd[1]["config"] = d[1]["config"][:-3] + "!=="' base64
refused "bad base64" "$tmp/bad-base64.json"
mut 'd[1]["config"] = base64.b64encode(b"not zlib at all").decode()' zlib
refused "bad zlib" "$tmp/bad-zlib.json"
mut 'd[1]["config"] = base64.b64encode(zlib.compress(bytes(4096))[:-9]).decode()' cutzlib
refused "zlib stream cut short" "$tmp/bad-cutzlib.json"
mut 'd[1]["config"] = base64.b64encode(zlib.compress(bytes(8192))).decode()' bigzlib
refused "config over 4096 bytes" "$tmp/bad-bigzlib.json"
mut 'd[1]["vpd"] = "eJzz"' vpd
refused "bad vpd" "$tmp/bad-vpd.json"
mut 'd[1]["iommu_group"] = "3"' type
refused "iommu_group a string" "$tmp/bad-type.json"
mut 'd[1]["numa_node"] = 1.5' numa
refused "numa_node a float" "$tmp/bad-numa.json"
mut 'del d[1]["modalias"]' nomod
refused "no modalias" "$tmp/bad-nomod.json"
mut 'd[1]["realpath"] = "/sys/devices/pci0000:00/nothing"' path
refused "realpath without an address" "$tmp/bad-path.json"
mut 'd.append(d[1])' dup
refused "a function twice" "$tmp/bad-dup.json"
mut 'd[1] = [d[1]]' item
refused "an item not an object" "$tmp/bad-item.json"
mut 'd[1]["modalias"] = "pci:v0000ABCDd00001234sv00000000sd00000000bc02sc00i00"' ids
refused "modalias of another device" "$tmp/bad-ids.json"
head -c 2000 "$c" >"$tmp/bad-cut.json"
refused "JSON cut short" "$tmp/bad-cut.json"
printf '[]\n' >"$tmp/bad-empty.json"
refused "an empty list" "$tmp/bad-empty.json"
printf '[ {"realpath": "/sys/devices/pci0000:00/0000:00:00.0", "config": 5, "modalias": "pci:v"} ]\n' >"$tmp/bad-cfgtype.json"
refused "config a number" "$tmp/bad-cfgtype.json"
grep -q 'bad-cfgtype.json:1: item 1 of 1 0000:00:00.0: "config" is int' "$tmp/err" && ok "the error names line, item and function" ||
	{ bad "the error names line, item and function"; cat "$tmp/err"; }

# 5. what rdma_topo dump leaves out: a slot whose function 0 is gone
"$py" -c '
import json, sys
d = json.load(open(sys.argv[1]))
d = [o for o in d if not o["realpath"].endswith("0000:00:1f.0")]
json.dump(d, open(sys.argv[2], "w"), indent=4)' "$c" "$tmp/noisa.json"
expect 0 "without the ISA bridge" "$acsctl" -F "$tmp/noisa.json" --kernel 6.12 groups --check
grep -q "warning: .*rdma_topo dump leaves out .*0000:00:1f" "$tmp/err" && ok "warns of the slot that lacks functions" ||
	{ bad "warns of the slot that lacks functions"; cat "$tmp/err"; }
expect 0 "acsctl's own dump whole" "$acsctl" -F "$c" --kernel 6.12 groups --check
grep -q "leaves out" "$tmp/err" && bad "no such warning on a whole dump" || ok "no such warning on a whole dump"

# a dump taken without root (256 bytes of config space): ACS UNKNOWN, and
# how to get it
"$py" -c '
import base64, json, sys, zlib
d = json.load(open(sys.argv[1]))
for o in d:
    o["config"] = base64.b64encode(zlib.compress(zlib.decompress(base64.b64decode(o["config"]))[:256])).decode()
json.dump(d, open(sys.argv[2], "w"), indent=4)' "$c" "$tmp/user.json"
expect 3 "a dump without root: UNKNOWN" "$acsctl" -F "$tmp/user.json" --kernel 6.12 audit
grep -q "^UNKNOWN: .*run \`rdma_topo dump\` as root" "$tmp/out" && ok "without root: UNKNOWN, and how to get it" ||
	{ bad "without root: UNKNOWN, and how to get it"; tail -3 "$tmp/out"; }

# 6. rdma_topo itself on acsctl's dumps, where given
if [ -n "${RDMA_TOPO:-}" ] && [ -f "$RDMA_TOPO" ]; then
	cp "$RDMA_TOPO" "$tmp/rdma_topo"
	for f in "$dir"/*.sysfs.json; do
		s=$(basename "$f" .sysfs.json)
		for cmd in topo "topo -j" check; do
			# shellcheck disable=SC2086
			{ (cd "$tmp" && "$py" rdma_topo $cmd -F "$f"); echo "exit $?"; } >"$tmp/theirs" 2>&1
			# shellcheck disable=SC2086
			{ (cd "$tmp" && "$py" rdma_topo $cmd -F "$tmp/$s.back.json"); echo "exit $?"; } >"$tmp/ours" 2>&1
			cmp -s "$tmp/theirs" "$tmp/ours" && ok "rdma_topo $cmd: acsctl's dump of $s answers as the recorded one" ||
				{ bad "rdma_topo $cmd: acsctl's dump of $s answers as the recorded one"; diff "$tmp/theirs" "$tmp/ours" | head -5; }
		done
	done
	{ (cd "$tmp" && "$py" rdma_topo topo -F "$c"); echo "exit $?"; } >"$tmp/out" 2>&1
	grep -q "^E: No supported topology detected" "$tmp/out" && ok "rdma_topo reads a VM capture's dump (no NVIDIA complex in it)" ||
		{ bad "rdma_topo reads a VM capture's dump"; cat "$tmp/out"; }
else
	echo "# RDMA_TOPO not set: rdma_topo itself not run"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
