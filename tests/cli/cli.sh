#!/bin/bash
# The acsctl command as a user meets it: exit codes, one-line errors,
# output shapes. Usage: cli.sh ACSCTL FIXTURE_DUMP
set -u
acsctl=$1
dump=$2
src=${3:-.}
. "$(dirname "$0")/lib.sh"



expect 0 "groups from a dump" "$acsctl" -F "$dump" groups
grep -q '^group 0' "$tmp/out" && ok "groups text lists group 0" || bad "groups text lists group 0"
grep -q 'kernel policy: [0-9]*\.[0-9]* (newest known)' "$tmp/out" && ok "output names the policy" || bad "output names the policy"
expect 0 "groups -m" "$acsctl" -F "$dump" groups -m
grep -qE '^[0-9]+ 0000:00:00\.0$' "$tmp/out" && ok "-m lines are GROUP ADDRESS" || bad "-m lines are GROUP ADDRESS"
expect 0 "groups -j --kernel 6.1" "$acsctl" -F "$dump" --kernel 6.1 groups -j
grep -q '"kernel": "6.1"' "$tmp/out" && grep -q '"devices"' "$tmp/out" &&
	ok "JSON names kernel and devices" || bad "JSON names kernel and devices"
expect 0 "show" "$acsctl" -F "$dump" show
grep -q '^\[0000:00\]' "$tmp/out" && ok "show draws the root bus" || bad "show draws the root bus"
expect 0 "show -j" "$acsctl" -F "$dump" -j
grep -q '"functions"' "$tmp/out" && ok "show JSON lists functions" || bad "show JSON lists functions"
expect 0 "-s selects" "$acsctl" -F "$dump" -s 00:00.0 groups -m
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok "-s 00:00.0 gives one line" || bad "-s 00:00.0 gives one line"
expect 0 "--help" "$acsctl" --help

expect 2 "missing file" "$acsctl" -F "$tmp/none" groups
expect 2 "not a dump" "$acsctl" -F /etc/hostname groups
mkdir -p "$tmp/empty-dir"
expect 2 "a directory with no files" "$acsctl" -F "$tmp/empty-dir" groups
grep -q 'empty-dir: no files in it' "$tmp/err" && ok "an empty directory says so" || bad "an empty directory says so"
printf '00:00.0 Host\n00: 86 80 c0 29\n' >"$tmp/short"
expect 2 "truncated dump" "$acsctl" -F "$tmp/short" groups
grep -q "$tmp/short" "$tmp/err" && grep -q ':2: 00:00.0: config row 0x0: byte 4 is missing' "$tmp/err" &&
	ok "error names file and device" || bad "error names file and device"
expect 2 "not a kernel version" "$acsctl" -F "$dump" --kernel 4 groups
expect 2 "unknown command" "$acsctl" frobnicate
expect 2 "bad selector" "$acsctl" -F "$dump" -s 1:2:3:4:5 groups
expect 2 "two sources" "$acsctl" -F "$dump" --sysfs /sys groups
expect 2 "unknown option" "$acsctl" --frob

for ex in "$src"/examples/*.json; do
	expect 0 "example $(basename "$ex") loads and groups" "$acsctl" -F "$ex" groups
done
expect 0 "synth" "$acsctl" synth --functions 50 --seed 9 -o "$tmp/s.json"
expect 0 "synth output loads" "$acsctl" -F "$tmp/s.json" groups -m
[ "$(wc -l <"$tmp/out")" -eq 50 ] && ok "synth made 50 functions" || bad "synth made 50 functions"
expect 0 "synth dump" "$acsctl" synth --functions 20 --format dump -o "$tmp/s.txt"
expect 0 "synth dump loads" "$acsctl" -F "$tmp/s.txt" groups -m
expect 2 "synth bad count" "$acsctl" synth --functions lots
expect 2 "synth bad format" "$acsctl" synth --functions 5 --format xml
# issue 20: switches of 64 downstream ports, past 32 two functions a device
expect 0 "synth --switch-ports 64" "$acsctl" synth --functions 3000 --seed 2 --switch-ports 64 -o "$tmp/p64.json"
expect 0 "64-port switches load" "$acsctl" -F "$tmp/p64.json" show
grep -q ':1f\.1  \[Downstream Port\]' "$tmp/out" && ok "synth: a switch's 64th port is 1f.1" ||
	bad "synth: a switch's 64th port is 1f.1"
# plan on them (the audit after as its findings alone, candidates as views
# of the fabric): word for word what it said before, sha256 of the text
# but its header as main printed it at 3ffd5d9
expect 0 "plan on 64-port switches" "$acsctl" -F "$tmp/p64.json" plan --tenant a:0000:04:00.0 --tenant b:0000:05:00.0
grep -q '^  0000:03:00.0: ACSCtl 0x0011 -> 0x001d ' "$tmp/out" && grep -qx 'groups after: 819 (3 new)' "$tmp/out" &&
	grep -qx 'audit after: 14322 unsafe, 14 conservative, 0 unknown' "$tmp/out" &&
	[ "$(grep -c '^assign together: ' "$tmp/out")" -eq 10981 ] &&
	[ "$(grep -v '^#' "$tmp/out" | sha256sum | cut -d' ' -f1)" = 45457bfa46518fdd9abd4b73b1a696877f8ea2d2fd353f85195d3619ff238d39 ] &&
	ok "plan on 64-port switches: the answer of before" || bad "plan on 64-port switches: the answer of before"
expect 2 "synth --switch-ports 0" "$acsctl" synth --functions 5 --switch-ports 0
expect 2 "synth --switch-ports 257" "$acsctl" synth --functions 5 --switch-ports 257
# a matrix of every peer of a large fabric: refused, its size said
expect 2 "p2p of 2000 peers unnamed" "$acsctl" -F "$tmp/p64.json" p2p
grep -q 'p2p: [0-9]* devices in .*, [0-9]* pairs: name the devices' "$tmp/err" &&
	ok "p2p: too many devices, the count said" || bad "p2p: too many devices, the count said"
expect 0 "p2p of named devices on a large fabric" "$acsctl" -F "$tmp/p64.json" p2p 0000:03:00.0 0000:04:00.0
expect 0 "export" "$acsctl" -F "$dump" export "$tmp/e.json"
expect 0 "export loads" "$acsctl" -F "$tmp/e.json" groups -m
"$acsctl" -F "$dump" groups -m >"$tmp/a"
"$acsctl" -F "$tmp/e.json" groups -m >"$tmp/b"
cmp -s "$tmp/a" "$tmp/b" && ok "export keeps the groups" || bad "export keeps the groups"
printf '{ "acsctl-topology": 1,\n  "roots": [ oops ] }\n' >"$tmp/bad.json"
expect 2 "bad topology" "$acsctl" -F "$tmp/bad.json" groups
grep -q 'bad.json:2:' "$tmp/err" && ok "topology error has line" || bad "topology error has line"

# groups --check on a snapshot made from a VM capture: the kernel's groups
# go on the device lines.
fixture=$(dirname "$dump")
to_snapshot() { # GROUPS_FILE CMDLINE > snapshot (version 2: an end line)
	printf '# acsctl snapshot 2\n# kernel-release: 6.12.0-test\n# cmdline: %s\n# iommu-groups: present\n\n' "$2"
	awk 'NR == FNR { g[$2] = $1; next }
	     /^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7] / { n++; print $1 " iommu_group=" (($1 in g) ? g[$1] : "-"); next }
	     { print } END { printf "# end: %d functions\n", n }' "$1" "$fixture/lspci.txt"
}
to_snapshot "$fixture/groups.txt" "quiet" >"$tmp/snap"
expect 0 "groups --check agrees with the kernel" "$acsctl" -F "$tmp/snap" groups --check
grep -q '^OK' "$tmp/out" && ok "check prints OK" || bad "check prints OK"
grep -q 'kernel policy\|6.12' "$tmp/out" && ok "check names the policy" || bad "check names the policy"
# one device moved to a group of its own: the kernel "splits"
last=$(awk '{ n[$1]++; m[$1] = $2 } END { for (g in n) if (n[g] > 1) { print m[g]; exit } }' "$fixture/groups.txt")
sed "s/^[0-9]* $last\$/999 $last/" "$fixture/groups.txt" >"$tmp/g2"
to_snapshot "$tmp/g2" "quiet pcie_acs_override=downstream" >"$tmp/snap2"
expect 1 "groups --check finds a difference" "$acsctl" -F "$tmp/snap2" groups --check
grep -q "^FAIL kernel splits predicted group .*$last (kernel group 999)" "$tmp/out" &&
	ok "FAIL names the device" || bad "FAIL names the device"
grep -q 'pcie_acs_override' "$tmp/out" && ok "FAIL blames the override" || bad "FAIL blames the override"
expect 1 "groups --check -j" "$acsctl" -F "$tmp/snap2" groups --check -j
grep -q '"ok": false' "$tmp/out" && ok "check JSON says not ok" || bad "check JSON says not ok"
expect 2 "groups --check on a dump" "$acsctl" -F "$dump" groups --check

expect 0 "explain one device" "$acsctl" -F "$dump" explain 00:1f.2
grep -q '^1\. 0000:00:1f.2 .* is in group' "$tmp/out" && ok "explain lists facts" || bad "explain lists facts"
expect 0 "explain two devices, JSON" "$acsctl" -F "$dump" explain 00:1f.2 00:1f.3 -j
grep -q '"shared": true' "$tmp/out" && ok "explain JSON says shared" || bad "explain JSON says shared"
expect 2 "explain a missing device" "$acsctl" -F "$dump" explain 42:00.0
expect 2 "explain a bad address" "$acsctl" -F "$dump" explain foo
expect 0 "--cmdline" "$acsctl" -F "$dump" --kernel 6.1 --cmdline "pci=disable_acs_redir=00:02.0" groups
grep -q '^# booted with: pci=disable_acs_redir=00:02.0' "$tmp/out" && ok "--cmdline is echoed" || bad "--cmdline is echoed"
expect 0 "--cmdline with bad flags: the kernel boots, so does acsctl" "$acsctl" -F "$dump" --cmdline "pci=config_acs=12@00:02.0" groups
grep -q "^acsctl: warning: --cmdline: pci=config_acs: '12@00:02.0': its ACS flags '12' hold '2'" "$tmp/err" &&
	ok "bad flags named" || bad "bad flags named"
expect 2 "--firmware-acs bad device" "$acsctl" -F "$dump" --firmware-acs 77:00.0=0x1d groups

expect 0 "p2p matrix" "$acsctl" -F "$src/examples/switch-acs-everywhere.json" p2p
grep -q '^Legend' "$tmp/out" && grep -q '^GPU0  *X  *PIX\*/no  ' "$tmp/out" && ok "p2p matrix has legend and cells" || bad "p2p matrix has legend and cells"
grep -q 'CONFIG_PCI_P2PDMA is not set' "$tmp/out" && ok "p2p says Debian has no P2PDMA" || bad "p2p says Debian has no P2PDMA"
expect 0 "p2p pairs -j" "$acsctl" -F "$src/examples/switch-acs-everywhere.json" --cpu amd-zen p2p 03:00.0 04:00.0 -j
grep -q '"map": "thru_host_bridge"' "$tmp/out" && grep -A1 '"redirected_by"' "$tmp/out" | grep -q '0000:02:00.0' &&
	ok "p2p JSON: map and redirect" || bad "p2p JSON: map and redirect"
expect 0 "p2p -v" "$acsctl" -F "$dump" p2p -v
grep -q 'hardware:' "$tmp/out" && ok "p2p -v shows the hardware path" || bad "p2p -v shows the hardware path"
expect 2 "p2p unknown device" "$acsctl" -F "$dump" p2p 99:00.0

# --- p2p as nvidia-smi topo -m shows it: labels, classes, NUMA, links ---
# gpu8-nic8-nvme16: one host bridge (root bus 00), four root ports, one
# switch below each with 2 GPUs, 2 NICs and 4 NVMe on ACS-redirecting
# downstream ports. By hand: two devices below one switch are PIX (one
# switch between them; their downstream ports redirect, so * and the
# kernel's not_supported with the CPU unknown), below two root ports PHB;
# there is no second switch level (no PXB) and no second host bridge (no
# NODE, SYS).
g8="$src/examples/gpu8-nic8-nvme16.json"
expect 0 "p2p view: gpu8-nic8-nvme16" "$acsctl" -F "$g8" p2p
hdr=$(grep -m1 '^  *GPU0 ' "$tmp/out" | tr -s ' ')
[ "$hdr" = " GPU0 GPU1 GPU2 GPU3 GPU4 GPU5 GPU6 GPU7 NIC0 NIC1 NIC2 NIC3 NIC4 NIC5 NIC6 NIC7 $(echo NVMe{0..15}) NUMA LINK" ] &&
	grep -q '^# 32 of 32 peer functions: the GPUs' "$tmp/out" &&
	ok "p2p view: GPU0..7, NIC0..7, NVMe0..15 and the count" || bad "p2p view: GPU0..7, NIC0..7, NVMe0..15 and the count: $hdr"
grep -q '^GPU0  *X  *PIX\*/no  *PHB/no  ' "$tmp/out" && grep -q '^GPU2  *PHB/no  *PHB/no  *X  *PIX\*/no  *PHB/no ' "$tmp/out" &&
	grep -q '^NIC0  *PIX\*/no  *PIX\*/no  *PHB/no ' "$tmp/out" && grep -q '^NVMe15 .* PIX\*/no  *X  *-  *-$' "$tmp/out" &&
	! grep -qE '^[A-Za-z]+[0-9]+ .*(PXB|NODE|SYS|XHB)/' "$tmp/out" &&
	ok "p2p view: PIX within a switch, PHB between root ports, nothing else" || bad "p2p view: PIX within a switch, PHB between root ports, nothing else"
grep -q '^  GPU0     0000:03:00.0  3D controller: NVIDIA Corporation GA100' "$tmp/out" &&
	grep -q '^  NIC7     0000:24:00.0  Infiniband controller: .* \[0207\]$' "$tmp/out" &&
	grep -q '^  NVMe15   0000:28:00.0  Non-Volatile memory controller: .* \[0108\]$' "$tmp/out" &&
	grep -q '^  PHB   = through a PCIe host bridge' "$tmp/out" && grep -q '^  no    = not_supported' "$tmp/out" &&
	ok "p2p view: the legend names devices and codes" || bad "p2p view: the legend names devices and codes"
expect 0 "p2p view: --cpu amd-zen" "$acsctl" -F "$g8" --cpu amd-zen p2p
grep -q '^GPU0  *X  *PIX\*/hb  *PHB/hb  ' "$tmp/out" && ok "p2p view: a trusted host bridge is hb" || bad "p2p view: a trusted host bridge is hb"
expect 0 "p2p view -j" "$acsctl" -F "$g8" p2p -j
python3 - "$tmp/out" <<'PY' && ok "p2p view -j: legend, selection, class and detour" || bad "p2p view -j: legend, selection, class and detour"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["selection"] == {"by": "kind", "count": 32, "peers": 32, "vfs_left_out": 0}
lab = [x["label"] for x in d["legend"]]
assert lab == ["GPU%d" % i for i in range(8)] + ["NIC%d" % i for i in range(8)] + ["NVMe%d" % i for i in range(16)], lab
g0 = d["legend"][0]
assert g0["address"] == "0000:03:00.0" and g0["kind"] == "GPU" and g0["class"] == "0302" and "GA100" in g0["name"]
assert g0["numa_node"] is None and g0["link"] is None
assert len(d["pairs"]) == 32 * 31 // 2
p = {(x["label_a"], x["label_b"]): x for x in d["pairs"]}
g = p[("GPU0", "GPU1")]
assert g["class"] == "PIX" and g["cell"] == "PIX*/no" and g["map"] == "not_supported"
assert g["detour"] == "0000:02:01.0" and g["detour_back"] == "0000:02:00.0"    # each client's downstream port
g = p[("GPU0", "GPU2")]
assert g["class"] == "PHB" and g["cell"] == "PHB/no" and g["detour"] is None
assert {x["class"] for x in d["pairs"]} == {"PIX", "PHB"}
PY
expect 0 "p2p view: -d chooses among every peer" "$acsctl" -F "$g8" -d 15b3: p2p -m
grep -q '^p2p\.selection by=selector count=8 peers=32 vfs_left_out=0$' "$tmp/out" && [ "$(grep -c '^p2p\.legend label=NIC' "$tmp/out")" = 8 ] &&
	ok "p2p view: -d selects, the count said" || bad "p2p view: -d selects, the count said"
expect 0 "p2p view: a named bridge" "$acsctl" -F "$g8" p2p 00:01.1 03:00.0
grep -q '^BR[0-9]*  *X  *PIX/' "$tmp/out" && grep -q '^# 2 devices, as named$' "$tmp/out" &&
	ok "p2p view: a named bridge gets a BR label" || bad "p2p view: a named bridge gets a BR label"

# lspci -vv text as people have it: LnkCap/LnkSta and "NUMA node:" lines
# give the LINK and NUMA columns (a real X470 board: the X550 trained at
# x1 of its x4, lspci's own "(downgraded)"), and the BMC's ASPEED VGA is
# not GPU0 (the Cezanne APU's display is)
real=$src/tests/fixtures/real
expect 0 "p2p view of lspci text: links" "$acsctl" -F "$real/asrockrack-x470d4u2-cezanne-pve-5.13/lspci-vvnn.txt" p2p -s :
grep -q '^NIC1 .* -  *8GT/s x1 (of 8GT/s x4) !$' "$tmp/out" && grep -q '^GPU0 .* -  *8GT/s x16$' "$tmp/out" &&
	grep -q '^  GPU0  *0000:30:00\.0  VGA compatible controller: Advanced Micro Devices' "$tmp/out" &&
	grep -q '^  DEV[0-9]*  *0000:22:00\.0  VGA compatible controller: ASPEED' "$tmp/out" &&
	ok "p2p view of lspci text: LnkSta against LnkCap; the BMC's VGA is no GPU" ||
	bad "p2p view of lspci text: LnkSta against LnkCap; the BMC's VGA is no GPU"
expect 0 "p2p view of lspci text: NUMA node" "$acsctl" -F "$real/nuc11-tgl-6.5/lspci-vvnn.txt" p2p
grep -q '^NVMe0 .* 0  *8GT/s x4$' "$tmp/out" && ok "p2p view of lspci text: NUMA node 0, 8GT/s x4" ||
	bad "p2p view of lspci text: NUMA node 0, 8GT/s x4: $(grep '^NVMe0' "$tmp/out")"
sed 's/^\tNUMA node: 0$/\tNUMA node: zero/' "$real/nuc11-tgl-6.5/lspci-vvnn.txt" >"$tmp/numa.txt"
expect 2 "lspci text: a malformed NUMA node line" "$acsctl" -F "$tmp/numa.txt" groups
grep -q "numa.txt:[0-9]*: 0000:01:00.0: malformed 'NUMA node:' line" "$tmp/err" && ok "lspci text: the NUMA line named" ||
	bad "lspci text: the NUMA line named: $(cat "$tmp/err")"

# A hand-written topology with NUMA nodes and links (doc/topology.md):
# socket 0 with root buses 00 and 40, socket 1 with 80, and c0 whose node
# is not said; a switch below a switch; two links trained low.
nl="$src/tests/fixtures/p2p-view/numa-links.json"
expect 0 "p2p view: NUMA and links" "$acsctl" -F "$nl" p2p
grep -q '^GPU0  *X  *PHB/no  *SYS/no  *PIX/no  *NODE/no  *PXB/no  *XHB/no  *0  *16GT/s x16$' "$tmp/out" &&
	grep -q '^GPU1  .* 0  *8GT/s x8 (of 16GT/s x16) !$' "$tmp/out" &&
	grep -q '^NIC0  *PIX\*/no  *PHB/no  *SYS/no  *X  *NODE/no  *PXB/bus  ' "$tmp/out" &&
	grep -q '^NVMe0 .* 0  *8GT/s x2 (of 16GT/s x4) !$' "$tmp/out" && grep -q '^NVMe1 .* X  *-  *16GT/s x4$' "$tmp/out" &&
	ok "p2p view: PIX, PXB, PHB, NODE, SYS, XHB; NUMA; downgraded links" || bad "p2p view: PIX, PXB, PHB, NODE, SYS, XHB; NUMA; downgraded links"
expect 0 "p2p view -j: NUMA and links" "$acsctl" -F "$nl" p2p -j
python3 - "$tmp/out" <<'PY' && ok "p2p view -j: numa_node, link, detour" || bad "p2p view -j: numa_node, link, detour"
import json, sys
d = json.load(open(sys.argv[1]))
dev = {x["label"]: x for x in d["legend"]}
assert dev["GPU1"]["numa_node"] == 0 and dev["GPU2"]["numa_node"] == 1 and dev["NVMe1"]["numa_node"] is None
assert dev["GPU1"]["link"] == {"speed": "8GT/s", "width": 8, "max_speed": "16GT/s", "max_width": 16, "downgraded": True}
assert dev["GPU0"]["link"]["downgraded"] is False
p = {(x["label_a"], x["label_b"]): x for x in d["pairs"]}
# NIC0's requests enter by a port without redirect, GPU0's by one with it
g = p[("GPU0", "NIC0")]
assert g["class"] == "PIX" and g["detour"] is None and g["detour_back"] == "0000:02:00.0" and g["cell_back"] == "PIX*/no"
assert p[("NIC0", "NVMe0")]["class"] == "PXB" and p[("NIC0", "NVMe0")]["map"] == "bus_addr"
assert p[("GPU0", "NIC1")]["class"] == "NODE" and p[("GPU0", "GPU2")]["class"] == "SYS" and p[("GPU0", "NVMe1")]["class"] == "XHB"
PY
expect 0 "p2p view -v: labels and class" "$acsctl" -F "$nl" p2p -v 04:00.0 07:00.0
grep -q '^0000:04:00.0 -> 0000:07:00.0: bus_addr, distance 6, PXB (NIC0 -> NVMe0)$' "$tmp/out" &&
	ok "p2p view -v: a pair's line has its class and labels" || bad "p2p view -v: a pair's line has its class and labels"
# the same through a snapshot (numa_node=, config space) and an export
"$acsctl" -F "$nl" p2p | grep -v '^# source' >"$tmp/p2p-topo"
"$acsctl" -F "$nl" snapshot "$tmp/nl.snap" >/dev/null && "$acsctl" -F "$tmp/nl.snap" p2p | grep -v '^# source' >"$tmp/p2p-snap"
"$acsctl" -F "$nl" export "$tmp/nl.json" >/dev/null && "$acsctl" -F "$tmp/nl.json" p2p | grep -v '^# source' >"$tmp/p2p-exp"
grep -q 'numa_node=1 link=16GT/s,x16' "$tmp/nl.snap" && cmp -s "$tmp/p2p-topo" "$tmp/p2p-snap" && cmp -s "$tmp/p2p-topo" "$tmp/p2p-exp" &&
	ok "p2p view: a snapshot and an export keep NUMA nodes and links" || bad "p2p view: a snapshot and an export keep NUMA nodes and links"
# a snapshot taken without root: link= alone, no Link Capabilities
awk '!/^[0-9a-f]+: / || /^[0-3]0: /' "$tmp/nl.snap" | sed '/^0000:03:00.0 /s/ link=[^ ]*/ link=8GT\/s,x4/' >"$tmp/nl-noroot.snap"
"$acsctl" -F "$tmp/nl-noroot.snap" p2p -j >"$tmp/out" 2>/dev/null
python3 - "$tmp/out" <<'PY' && ok "p2p view: sysfs's link alone, not called downgraded" || bad "p2p view: sysfs's link alone, not called downgraded"
import json, sys
d = json.load(open(sys.argv[1]))
g0 = [x for x in d["legend"] if x["address"] == "0000:03:00.0"][0]
assert g0["link"] == {"speed": "8GT/s", "width": 4, "max_speed": None, "max_width": None, "downgraded": False}, g0
PY
printf '{ "acsctl-topology": 1, "roots": [ { "functions": [ { "slot": "01.0", "type": "root-port", "acs": {}, "children": [ { "slot": "00.0", "type": "endpoint", "class": "020000", "numa_node": 1, "sriov": { "total_vfs": 4, "num_vfs": 2 } } ] } ] } ] }\n' >"$tmp/vf.json"
expect 0 "p2p view: VFs left out" "$acsctl" -F "$tmp/vf.json" p2p
grep -q '^# 1 of 3 peer functions: the GPUs, accelerators, NICs and NVMe drives, without their 2 VFs ' "$tmp/out" &&
	ok "p2p view: VFs left out by default, and said" || bad "p2p view: VFs left out by default, and said"
expect 0 "p2p view: VFs" "$acsctl" -F "$tmp/vf.json" -s : p2p -j
python3 - "$tmp/out" <<'PY' && ok "p2p view: VFs are NICs on their PF's NUMA node" || bad "p2p view: VFs are NICs on their PF's NUMA node"
import json, sys
d = json.load(open(sys.argv[1]))
assert [(x["label"], x["numa_node"]) for x in d["legend"]] == [("NIC0", 1), ("NIC1", 1), ("NIC2", 1)], d["legend"]
assert {p["class"] for p in d["pairs"]} == {"PIX"}
PY
printf '{ "acsctl-topology": 1, "roots": [ { "functions": [ { "slot": "00.0", "type": "pci-device", "link": { "speed": "8GT/s", "width": 4 } } ] } ] }\n' >"$tmp/badlink.json"
expect 2 "topology: a link on conventional PCI" "$acsctl" -F "$tmp/badlink.json" groups
grep -q 'roots\[0\]\.functions\[0\]: "link": only a PCI Express function' "$tmp/err" && ok "topology: link refused, the element named" || bad "topology: link refused, the element named"
printf '{ "acsctl-topology": 1, "roots": [ { "functions": [ { "slot": "00.0", "type": "rc-endpoint", "link": { "speed": "16GT/s", "width": 8, "max_speed": "8GT/s" } } ] } ] }\n' >"$tmp/badlink.json"
expect 2 "topology: a link above its max" "$acsctl" -F "$tmp/badlink.json" groups
printf '{ "acsctl-topology": 1, "roots": [ { "functions": [ { "slot": "00.0", "type": "endpoint", "numa_node": "zero" } ] } ] }\n' >"$tmp/badlink.json"
expect 2 "topology: numa_node not a number" "$acsctl" -F "$tmp/badlink.json" groups
expect 1 "audit finds the switch without ACS" "$acsctl" -F "$dump" audit -v
grep -q '^FAIL unsafe: .* lacks ReqRedir' "$tmp/out" && ok "audit FAIL line names the bit" || bad "audit FAIL line names the bit"
expect 1 "audit -j" "$acsctl" -F "$dump" audit -j
grep -q '"unsafe": \[' "$tmp/out" && grep -q '"via"' "$tmp/out" && ok "audit JSON" || bad "audit JSON"
expect 0 "audit clean" "$acsctl" -F "$src/examples/switch-acs-everywhere.json" audit
grep -q '^OK' "$tmp/out" && ok "audit says OK" || bad "audit says OK"

expect 0 "whatif clears redirect on a switch" "$acsctl" -F "$src/examples/switch-acs-everywhere.json" whatif switch 0000:01:00.0:ReqRedir-,CR-
grep -q '^p2p_gained: 0000:03:00.0 0000:04:00.0: P2PDMA not_supported -> bus_addr' "$tmp/out" &&
	ok "whatif: P2P gained" || bad "whatif: P2P gained"
grep -q '^merged: 0000:02:00.0 0000:03:00.0' "$tmp/out" && ok "whatif: groups merged" || bad "whatif: groups merged"
expect 0 "whatif sets redirect" "$acsctl" -F "$dump" whatif 00:02.0:RR-
expect 0 "whatif --vfs" "$acsctl" -F "$src/examples/gpu8-nic8-nvme16.json" whatif --vfs 06:00.0=2
grep -q '^added: 0000:06:00.1' "$tmp/out" && ok "whatif: VFs added" || bad "whatif: VFs added"
expect 2 "whatif bad token" "$acsctl" -F "$dump" whatif 00:02.0:XX-
expect 2 "whatif not a switch" "$acsctl" -F "$dump" whatif switch 00:02.0:RR-

ex="$src/examples/switch-acs-everywhere.json"
expect 0 "plan p2p" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups
grep -q '^plan: 2 changes, minimal' "$tmp/out" && grep -q 'pci=config_acs=0010001@0000:02:00.0;0010001@0000:02:01.0' "$tmp/out" &&
	ok "plan: changes and config_acs" || bad "plan: changes and config_acs"
grep -q '^assign together: 0000:03:00.0 0000:04:00.0' "$tmp/out" && ok "plan: assign together" || bad "plan: assign together"
grep -q 'GRUB_CMDLINE_LINUX_DEFAULT=' "$tmp/out" && grep -q '^live: setpci -s 0000:02:00.0 ECAP_ACS+0x6.w=0x0011' "$tmp/out" &&
	ok "plan: GRUB and setpci" || bad "plan: GRUB and setpci"
expect 0 "plan -j" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups -j
grep -q '"feasible": true' "$tmp/out" && grep -q '"acs_ctl_after": "0011"' "$tmp/out" && ok "plan JSON" || bad "plan JSON"
expect 0 "plan on 6.1: disable_acs_redir" "$acsctl" -F "$ex" --kernel 6.1 plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups
grep -q 'pci=disable_acs_redir=0000:02:00.0;0000:02:01.0' "$tmp/out" && ok "plan: 6.1 parameter" || bad "plan: 6.1 parameter"
expect 1 "plan infeasible" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --isolate 05:00.0
grep -q '^FAIL infeasible: .*0000:02:00.0.*0000:05:00.0' "$tmp/out" && ok "plan names the conflict" || bad "plan names the conflict"
expect 1 "plan infeasible -j" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --isolate 05:00.0 -j
grep -q '"conflicts"' "$tmp/out" && ok "plan JSON conflicts" || bad "plan JSON conflicts"
expect 2 "plan without requirements" "$acsctl" -F "$ex" plan
expect 2 "plan bad device" "$acsctl" -F "$ex" plan --isolate 99:00.0

expect 2 "apply on a dump" "$acsctl" -F "$dump" apply 00:02.0:RR-
grep -q 'needs this host' "$tmp/out" "$tmp/err" && ok "apply wants live sysfs" || bad "apply wants live sysfs"
# snapshots of any source read back: a dump's (no groups, no drivers), a
# topology's with its BAR sizes
expect 0 "snapshot of a dump" "$acsctl" -F "$dump" snapshot "$tmp/snap-dump.txt"
"$acsctl" -F "$dump" groups -m >"$tmp/g1"
expect 0 "a dump's snapshot read back" "$acsctl" -F "$tmp/snap-dump.txt" groups -m
cmp -s "$tmp/g1" "$tmp/out" && ok "a dump's snapshot gives its groups" || bad "a dump's snapshot gives its groups"
expect 0 "snapshot of a topology with BAR sizes" "$acsctl" -F "$src/examples/power-phb-bars.json" snapshot "$tmp/snap-bars.txt"
"$acsctl" -F "$src/examples/power-phb-bars.json" --platform phb4 pe --allocate >"$tmp/a1"
expect 0 "pe --allocate from the snapshot" "$acsctl" -F "$tmp/snap-bars.txt" --platform phb4 pe --allocate
cmp -s "$tmp/a1" "$tmp/out" && ok "snapshots keep BAR sizes" || bad "snapshots keep BAR sizes"
sed 's/bars=0x4000,0,0,0,0,0/bars=0x4001,0,0,0,0,0/' "$tmp/snap-bars.txt" >"$tmp/snap-bad.txt"
expect 2 "snapshot: a BAR size not a power of two" "$acsctl" -F "$tmp/snap-bad.txt" groups
grep -q 'snap-bad.txt:[0-9]*: bars=0x4001' "$tmp/err" && ok "snapshot: the bad size's line named" ||
	bad "snapshot: the bad size's line named"
# report: one HTML page, well-formed XML, every function drawn
expect 0 "report" "$acsctl" -F "$dump" report "$tmp/r.html"
nf=$("$acsctl" -F "$dump" groups -m | grep -c '^[0-9]')
ng=$("$acsctl" -F "$dump" groups -m | awk '/^[0-9]/ { print $1 }' | sort -u | wc -l)
nu=$("$acsctl" -F "$dump" audit -v | grep '^FAIL unsafe' | sort -u | wc -l)  # a route under each issue it makes
[ "$(grep -c '^<g class="fn"' "$tmp/r.html")" -eq "$nf" ] && ok "report draws every function" ||
	bad "report draws every function"
grep -q "^<li>$nf functions in $ng IOMMU groups" "$tmp/r.html" && [ "$(grep -c '^<tr id="g-' "$tmp/r.html")" -eq "$ng" ] &&
	ok "report: groups" || bad "report: groups"
grep -q "audit: $nu unsafe" "$tmp/r.html" && [ "$(grep -c '<span class="fail">unsafe' "$tmp/r.html")" -eq "$nu" ] &&
	ok "report: audit" || bad "report: audit"
cp "$dump" "$tmp/a&b<c>.txt"
expect 0 "report to standard output" "$acsctl" -F "$tmp/a&b<c>.txt" report
if command -v xmllint >/dev/null; then
	xmllint --noout "$tmp/r.html" && xmllint --noout "$tmp/out" && grep -q 'a&amp;b&lt;c&gt;' "$tmp/out" &&
		ok "report is well-formed, names escaped" || bad "report is well-formed, names escaped"
else
	echo "# skip: xmllint missing (apt-get install libxml2-utils)"
fi
# 300 VFs: most on virtual buses 02-03 below the root port, drawn and listed too
cat >"$tmp/vf.json" <<'EOF'
{ "acsctl-topology": 1, "roots": [ { "functions": [
 { "slot": "01.0", "type": "root-port", "acs": {}, "secondary": "01", "subordinate": "03", "children": [
   { "slot": "00.0", "type": "endpoint", "sriov": { "total_vfs": 300, "num_vfs": 300 } } ] } ] } ] }
EOF
expect 0 "show with VFs on virtual buses" "$acsctl" -F "$tmp/vf.json" show
[ "$(grep -c '0[123]:[0-9a-f][0-9a-f]\.[0-7]  \[' "$tmp/out")" -eq 301 ] && ok "show lists VFs on virtual buses" ||
	bad "show lists VFs on virtual buses"
expect 0 "report with VFs on virtual buses" "$acsctl" -F "$tmp/vf.json" report
[ "$(grep -c '^<rect x=.* y="12" ' "$tmp/out")" -eq 0 ] && [ "$(grep -c '^<g class="fn"' "$tmp/out")" -eq 302 ] &&
	ok "report draws every VF in a row of its own" || bad "report draws every VF in a row of its own"
if [ -w /dev/full ]; then
	"$acsctl" -F "$dump" report >/dev/full 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && ok "report: a write error is exit 2" ||
		bad "report: a write error is exit 2"
fi
# -j written as the calls come (issue 20; src/cli/emit.c): an answer of
# many chunks parses, is byte for byte json-c's tree of the same calls
# (ACSCTL_FAULT_JSON_TREE, test builds), and a write that fails, on a full
# disk or a closed pipe, is exit 2 with one line, however much went out
"$acsctl" synth --functions 1000 --seed 1 --switch-ports 64 -o "$tmp/s1k.json" >/dev/null
expect 1 "audit -j, 8 MB" "$acsctl" -F "$tmp/s1k.json" audit -j
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); assert d["verdict"] == "fail"' "$tmp/out" &&
	ok "audit -j, 8 MB: JSON" || bad "audit -j, 8 MB: JSON"
if grep -qa ACSCTL_FAULT_JSON_TREE "$acsctl"; then
	ACSCTL_FAULT_JSON_TREE=1 "$acsctl" -F "$tmp/s1k.json" audit -j >"$tmp/tree.json" 2>/dev/null
	cmp -s "$tmp/out" "$tmp/tree.json" && ok "audit -j, 8 MB: json-c's tree, byte for byte" ||
		bad "audit -j, 8 MB: not json-c's tree"
	cp "$dump" "$tmp/j$(printf '\001"\\\t\177\351').txt"
	"$acsctl" -F "$tmp/j"*.txt groups -j >"$tmp/out" 2>/dev/null
	ACSCTL_FAULT_JSON_TREE=1 "$acsctl" -F "$tmp/j"*.txt groups -j >"$tmp/tree.json" 2>/dev/null
	grep -q '"source": ".*j\\u0001\\"\\\\\\t' "$tmp/out" && cmp -s "$tmp/out" "$tmp/tree.json" &&
		ok "groups -j: a file name to escape, as json-c escapes it" || bad "groups -j: a file name to escape"
fi
if [ -w /dev/full ]; then
	"$acsctl" -F "$tmp/s1k.json" audit -j >/dev/full 2>"$tmp/err"
	[ $? -eq 2 ] && [ "$(cat "$tmp/err")" = "acsctl: writing the answer: No space left on device" ] &&
		ok "audit -j: a full disk is exit 2" || bad "audit -j: a full disk is exit 2: $(head -c 200 "$tmp/err")"
fi
(trap '' PIPE; "$acsctl" -F "$tmp/s1k.json" audit -j 2>"$tmp/err"; echo $? >"$tmp/rc") | head -c 100 >/dev/null
[ "$(cat "$tmp/rc")" = 2 ] && [ "$(cat "$tmp/err")" = "acsctl: writing the answer: Broken pipe" ] &&
	ok "audit -j: a closed pipe is exit 2" || bad "audit -j: a closed pipe (exit $(cat "$tmp/rc")): $(head -c 200 "$tmp/err")"
cp "$dump" "$tmp/l$(printf '\351').txt"
expect 0 "report: a file name that is not UTF-8" "$acsctl" -F "$tmp/l$(printf '\351').txt" report
if command -v xmllint >/dev/null; then
	xmllint --noout "$tmp/out" && ok "report: still well-formed UTF-8" || bad "report: still well-formed UTF-8"
fi
expect 2 "report to a directory that is not there" "$acsctl" -F "$dump" report "$tmp/no/such/r.html"
"$acsctl" synth --functions 5000 --seed 3 -o "$tmp/s5k.json"
expect 0 "report on 5000 functions" "$acsctl" -F "$tmp/s5k.json" report
grep -q 'more than the 4000 drawn' "$tmp/out" && ! grep -q '<g class="fn"' "$tmp/out" &&
	ok "report: large fabrics not drawn" || bad "report: large fabrics not drawn"
# the most drawn: 4000 functions in 1505 groups, no two groups alike (the
# swatches carry the same looks as the boxes: colour and hatching)
"$acsctl" synth --functions 4000 --seed 5 -o "$tmp/s4k.json"
expect 0 "report on 4000 functions" "$acsctl" -F "$tmp/s4k.json" report
ng=$(grep -c '^<tr id="g-' "$tmp/out")
[ "$ng" -gt 1000 ] && [ "$(grep -c '^<g class="fn"' "$tmp/out")" -eq 4000 ] &&
	[ "$(grep -o '^<tr id="g-[0-9]*"><td><span class="swatch" style="[^"]*"' "$tmp/out" | sed 's/.*style=//' |
		sort -u | wc -l)" -eq "$ng" ] && ok "report: $ng groups, each its own look" || bad "report: $ng groups, each its own look"
expect 0 "report on a PE platform" "$acsctl" -F "$src/tests/fixtures/vm-power/powernv8/switch-basic/lspci.txt" --platform powernv8 report
grep -q 'audit: 0 unsafe, 0 conservative, 2 unknown' "$tmp/out" && ok "report: the audit against the PE groups" ||
	bad "report: the audit against the PE groups"
# PEs below a switch whose ACS the capture lacks (256 bytes of config
# space): whether they reach each other past the PHB is unknown
expect 3 "audit on a PE platform" "$acsctl" -F "$src/tests/fixtures/vm-power/powernv8/switch-basic/lspci.txt" \
	--platform powernv8 -v audit
[ "$(grep -c '^UNKNOWN pair: 0000:0[34]:00.0 0000:0[34]:00.0 depends on 0000:02:00.0 0000:02:01.0' "$tmp/out")" -eq 2 ] &&
	ok "audit: two PEs below a switch whose ACS was not read" || bad "audit: two PEs below a switch whose ACS was not read"
awk '!/^[0-9a-f]+: / || /^[0-3]0: /' "$src/tests/fixtures/vm-power/powernv9/kitchen-sink-1/lspci.txt" >"$tmp/x64.txt"
expect 0 "pe from a 64-byte dump" "$acsctl" -F "$tmp/x64.txt" --platform powernv9 pe
grep -q '^# PCIe capabilities unknown for 22 functions' "$tmp/out" && ok "pe: a 64-byte dump's PEs are uncertain" ||
	bad "pe: a 64-byte dump's PEs are uncertain"
expect 0 "pe: device policy" "$acsctl" -F "$src/examples/power-phb-bars.json" --platform phb4 --pe-policy device pe
grep -q '^PHB 0000 PE#253 buses 00,06: 0000:00:01.0 0000:06:00.0 0000:06:00.1$' "$tmp/out" &&
	ok "pe: a PE's buses as its devices have them" || bad "pe: a PE's buses as its devices have them"
expect 1 "pe --allocate: a BAR larger than the window" "$acsctl" -F "$src/examples/power-phb-bars.json" --platform p7ioc pe --allocate
grep -q '^FAIL 0000:04:00.0 BAR2 (16 GiB, PE#122): larger than the M32 window (1 GiB)$' "$tmp/out" &&
	ok "allocate: larger than the window, said" || bad "allocate: larger than the window, said"
expect 1 "pe --check -j" "$acsctl" -F "$src/tests/fixtures/vm-power/powernv9/switch-ep-internal-bus/lspci.txt" \
	--platform powernv9 -j pe --check
grep -q '"ok": false' "$tmp/out" && [ "$(grep -c '"kind": "beside_bridge"' "$tmp/out")" -eq 2 ] &&
	grep -q '"bridge": "0000:02:00.0"' "$tmp/out" && ok "pe --check JSON" || bad "pe --check JSON"
expect 2 "explain on a PE platform" "$acsctl" -F "$dump" --platform powernv8 explain 00:00.0
expect 2 "--pe-policy without --platform" "$acsctl" -F "$dump" --pe-policy slot groups

# apply --from FILE: the boot service's acs.conf; errors name the line
printf '# ACS for the GPU box\n\n00:02.0:RR- # the root port\n00:02.0:XX-\n' >"$tmp/acs.conf"
expect 2 "apply --from: a bad line" "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
grep -q "^acsctl: $tmp/acs.conf:4: unknown ACS bit 'XX'" "$tmp/err" && ok "apply --from names the line" ||
	bad "apply --from names the line"
printf '# nothing yet\n   \n' >"$tmp/acs.conf"
expect 0 "apply --from: only comments" "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
grep -q '^nothing to apply' "$tmp/out" && ok "apply --from: nothing to apply" || bad "apply --from: nothing to apply"
printf '00:02.0:RR-,CR- # one\n' >"$tmp/acs.conf"
expect 2 "apply --from on a dump" "$acsctl" -F "$dump" apply --from "$tmp/acs.conf"
grep -q 'needs this host' "$tmp/err" && ok "apply --from reaches apply" || bad "apply --from reaches apply"
expect 2 "apply --from a missing file" "$acsctl" -F "$dump" apply --from "$tmp/missing.conf"
mkdir -p "$tmp/conf.d"
expect 2 "apply --from a directory" "$acsctl" -F "$dump" apply --from "$tmp/conf.d"
printf '00:02.0:RR-\0 junk\n' >"$tmp/nul.conf"
expect 2 "apply --from a file with a NUL byte" "$acsctl" -F "$dump" apply --from "$tmp/nul.conf"
expect 2 "apply: changes and --from" "$acsctl" -F "$dump" apply 00:02.0:RR- --from "$tmp/acs.conf"
ACSCTL_JOURNAL=$tmp/none.json expect 0 "apply --status without a journal" "$acsctl" apply --status
grep -q 'no pending change' "$tmp/out" && ok "apply --status" || bad "apply --status"
# a package build's chroot has nothing on /sys: --status reads only the journal
ACSCTL_JOURNAL=$tmp/none.json expect 0 "apply --status without sysfs" "$acsctl" --sysfs "$tmp/no-sysfs" apply --status
grep -q 'no pending change' "$tmp/out" && ok "apply --status without sysfs" || bad "apply --status without sysfs"

pv="$src/tests/fixtures/vm-power/powernv8/switch-basic/lspci.txt"
expect 0 "pe" "$acsctl" -F "$pv" --platform powernv8 pe
grep -q '^PHB 0000 PE#254 bus 00 (bridges only' "$tmp/out" && grep -q 'M32 segments:' "$tmp/out" &&
	ok "pe: table and segments" || bad "pe: table and segments"
expect 0 "pe -j" "$acsctl" -F "$pv" --platform powernv8 -j pe
grep -A1 '"m32_segments"' "$tmp/out" | grep -q '^ *[0-9]' && ok "pe JSON segments" || bad "pe JSON segments"
expect 0 "pe --check on the kernel's BARs" "$acsctl" -F "$pv" --platform powernv8 pe --check
grep -q '^OK ' "$tmp/out" && ok "pe --check OK line" || bad "pe --check OK line"
expect 2 "pe without --platform" "$acsctl" -F "$pv" pe
expect 2 "pe bad option" "$acsctl" -F "$pv" --platform powernv8 pe --frob
expect 2 "unknown platform" "$acsctl" -F "$pv" --platform power11 pe
"$acsctl" synth --functions 3000 --seed 1 -o "$tmp/s3k.json"
expect 1 "pe: out of PEs" "$acsctl" -F "$tmp/s3k.json" --platform p7ioc pe
grep -q '^FAIL 0000:7f:00.0: PHB 0000 is out of PEs (128, one reserved): no PE for it' "$tmp/out" &&
	[ "$(grep -c '^FAIL 0000:[0-9a-f:.]*: PHB 0000 is out of PEs' "$tmp/out")" -eq 97 ] &&
	grep -q '^PHB 0000 PE#126 bus 00' "$tmp/out" &&
	ok "out of PEs: the table, and every device left out" || bad "out of PEs: the table, and every device left out"
expect 2 "pe --allocate without sizes" "$acsctl" -F "$pv" --platform powernv8 pe --allocate
grep -q 'BAR sizes unknown' "$tmp/err" && ok "pe --allocate says sizes are unknown" || bad "pe --allocate says sizes are unknown"
if ls /sys/bus/pci/devices/*/resource >/dev/null 2>&1; then
	"$acsctl" --platform phb4 pe --allocate >"$tmp/out" 2>"$tmp/err"
	rc=$?
	{ [ $rc -le 1 ] && grep -q '^PHB .* M32: .* used, .* wasted, lower bound' "$tmp/out"; } ||
		{ [ $rc -eq 2 ] && grep -q 'BAR sizes unknown' "$tmp/err"; } &&
		ok "pe --allocate on this host" || bad "pe --allocate on this host (exit $rc)"
fi
expect 1 "pe --check: an endpoint beside downstream ports" "$acsctl" -F \
	"$src/tests/fixtures/vm-power/powernv9/switch-ep-internal-bus/lspci.txt" --platform powernv9 pe --check
grep -q '^FAIL 0000:02:01.0: beside bridge 0000:02:00.0 of its own PE, whose windows hold 0000:03:00.0 of PE#507' "$tmp/out" &&
	ok "pe --check names the bridge and the neighbour" || bad "pe --check names the bridge and the neighbour"
pb="$src/examples/power-phb-bars.json"
expect 0 "pe --check on a topology" "$acsctl" -F "$pb" --platform phb4 pe --check
grep -q '^OK 7 PEs, SR-IOV only: .* holds no BAR addresses' "$tmp/out" &&
	ok "pe --check says what a topology cannot show" || bad "pe --check says what a topology cannot show"
expect 0 "pe --allocate, hand-written BAR sizes" "$acsctl" -F "$pb" --platform phb4 pe --allocate
grep -q '^PHB 0000 M32: 8 BARs in 8 MiB segments: 135 used, 0 wasted, lower bound 135' "$tmp/out" &&
	grep -q '0000:04:00.0 BAR0 32 MiB   at 0xc0000000, segment 128' "$tmp/out" &&
	ok "allocate meets the lower bound; a BAR over four segments" || bad "allocate meets the lower bound; a BAR over four segments"
# the switch's three downstream ports' windows lie side by side inside the
# upstream port's
grep -q '^  bridge 0000:01:00.0 memory window 0x80000000-0xc2ffffff$' "$tmp/out" &&
	grep -q '^  bridge 0000:02:00.0 memory window 0xc2800000-0xc28fffff$' "$tmp/out" &&
	grep -q '^  bridge 0000:02:01.0 memory window 0xc0000000-0xc20fffff$' "$tmp/out" &&
	grep -q '^  bridge 0000:02:02.0 memory window 0x80000000-0xbfffffff$' "$tmp/out" &&
	ok "allocate: bridge windows" || bad "allocate: bridge windows"
expect 0 "pe --allocate -j" "$acsctl" -F "$pb" --platform phb4 -j pe --allocate
grep -q '"lower_bound": 135' "$tmp/out" && [ "$(grep -c '"address": "0x' "$tmp/out")" -eq 8 ] &&
	grep -q '"kind": "memory"' "$tmp/out" && [ "$(grep -c '"bridge": "0000:' "$tmp/out")" -eq 6 ] &&
	ok "allocate JSON" || bad "allocate JSON"
expect 1 "pe --allocate -j: out of segments" "$acsctl" -F "$pb" --platform p7ioc -j pe --allocate
grep -q '"address": null' "$tmp/out" && ok "allocate JSON: unplaced BARs null" || bad "allocate JSON: unplaced BARs null"
expect 0 "--phb m32=4G" "$acsctl" -F "$pb" --platform phb4 --phb m32=4G,pes=256 pe --allocate
grep -q '^PHB 0000 M32: 8 BARs in 16 MiB segments' "$tmp/out" && ok "--phb changes the segments" || bad "--phb changes the segments"
expect 2 "--phb without --platform" "$acsctl" -F "$pb" --phb pes=8 pe
expect 2 "--phb bad key" "$acsctl" -F "$pb" --platform phb4 --phb frob=1 pe
ps="$src/examples/power-sriov-slot.json"
expect 0 "pe: SR-IOV and a multifunction slot" "$acsctl" -F "$ps" --platform phb4 pe
[ "$(grep -c '^PHB 0000 PE#[0-9]* bus 01: 0000:01:00\.[1-4] (VF)$' "$tmp/out")" -eq 4 ] && ok "every VF its own PE" || bad "every VF its own PE"
grep -q '^PHB 0000 PE#252 bus 02: 0000:02:00.0 0000:02:00.1$' "$tmp/out" && ok "a multifunction slot is one PE" || bad "a multifunction slot is one PE"
ks="$src/tests/fixtures/vm-power/powernv9/kitchen-sink-1/lspci.txt"
expect 0 "pe: segment map" "$acsctl" -F "$ks" --platform powernv9 pe
grep -q '^PHB 0000 M32 map (512 segments of 4 MiB): 0 PE#507, 1-2 PE#505, 3 PE#506, 4-511 free$' "$tmp/out" &&
	ok "segment map: runs of segments by PE" || bad "segment map: runs of segments by PE"
expect 0 "pe -j: segment map" "$acsctl" -F "$ks" --platform powernv9 -j pe
python3 - "$tmp/out" <<'PY' && ok "pe -j segment_map runs" || bad "pe -j segment_map runs"
import json, sys
m = json.load(open(sys.argv[1]))["segment_map"]
r = [x for x in m if x["phb"] == "0000" and x["window"] == "m32"][0]["runs"]
assert r[1] == {"first": 1, "last": 2, "pe": 505, "shared": False} and r[-1]["pe"] is None
PY
pm="$src/examples/power-sriov-m64.json"
expect 0 "pe: SR-IOV in every M64 mode" "$acsctl" -F "$pm" --platform powernv8 pe
grep -q '^SR-IOV 0000:01:00.0: 8 of 64 VFs, M64 segmented (VF BARs sized for 256 VFs), PE#240-247, M64 BARs #0-#1$' "$tmp/out" &&
	grep -q '^SR-IOV 0000:02:00.0: 4 of 4 VFs, M64 single-PE (VF BARs sized for 4 VFs), PE#236-239, M64 BARs #2-#5$' "$tmp/out" &&
	grep -q '^PHB 0000 PE#240 bus 01: 0000:01:00.1 (VF)$' "$tmp/out" &&
	ok "VFs in a run of PEs, VF 0 lowest; M64 BARs per mode" || bad "VFs in a run of PEs, VF 0 lowest; M64 BARs per mode"
grep -q '^SR-IOV 0000:04:00.0: 0 of 16 VFs, M64 off: no VFs possible: .*VF BAR2 to have 32 MiB' "$tmp/out" &&
	ok "single-PE mode below 32 MiB: no VFs" || bad "single-PE mode below 32 MiB: no VFs"
grep -q "^SR-IOV 0000:06:00.0: 0 of 4 VFs, M64 off: no VFs possible: VF BAR0 is not a multiple of the kernel's 64 KiB pages" "$tmp/out" &&
	ok "a 16 KiB VF BAR: no SR-IOV with 64 KiB pages" || bad "a 16 KiB VF BAR: no SR-IOV with 64 KiB pages"
expect 1 "pe --check: VFs that cannot be enabled" "$acsctl" -F "$pm" --platform powernv8 pe --check
grep -q '^FAIL 0000:03:00.0: its 2 VFs cannot be enabled: VF BAR0 is not 64-bit prefetchable' "$tmp/out" &&
	grep -q '^FAIL 0000:05:00.0: its 12 VFs cannot be enabled: not enough free M64 BARs' "$tmp/out" &&
	[ "$(grep -c '^FAIL' "$tmp/out")" -eq 2 ] && ok "FAIL per PF whose VFs cannot exist" || bad "FAIL per PF whose VFs cannot exist"
expect 0 "pe -j: sriov" "$acsctl" -F "$pm" --platform powernv8 -j pe
python3 - "$tmp/out" <<'PY' && ok "pe -j sriov entries" || bad "pe -j sriov entries"
import json, sys
d = json.load(open(sys.argv[1]))
s = {e["pf"]: e for e in d["sriov"]}
assert s["0000:02:00.0"]["mode"] == "single-pe" and s["0000:02:00.0"]["m64_bars"] == [2, 3, 4, 5]
assert s["0000:01:00.0"]["vf_pes"] == list(range(240, 248)) and s["0000:01:00.0"]["expanded_vfs"] == 256
assert s["0000:03:00.0"]["enabled"] is False and "64-bit prefetchable" in s["0000:03:00.0"]["reason"]
assert sum(1 for p in d["pes"] if p["vf"]) == 12
PY
expect 0 "--phb m64-bars" "$acsctl" -F "$pm" --platform powernv8 --phb 0000:m64-bars=0..20 pe
grep -q '^SR-IOV 0000:05:00.0: 12 of 16 VFs, M64 single-PE (VF BARs sized for 16 VFs), PE#224-235, M64 BARs #6-#17$' "$tmp/out" &&
	ok "more M64 BARs: the 12 VFs fit" || bad "more M64 BARs: the 12 VFs fit"
expect 2 "--phb m64-bars without a range" "$acsctl" -F "$pm" --platform powernv8 --phb m64-bars=5 pe
expect 0 "pe --allocate: VF BARs as expanded" "$acsctl" -F "$pm" --platform powernv8 pe --allocate
grep -q '^  0000:01:00.0 VF BAR0 16 MiB ' "$tmp/out" && grep -q '^  0000:05:00.0 VF BAR0 4 GiB ' "$tmp/out" &&
	! grep -q '0000:03:00.0 VF BAR' "$tmp/out" && ok "VF BARs in M64 as the kernel sizes them; disabled ones none" ||
	bad "VF BARs in M64 as the kernel sizes them; disabled ones none"
expect 0 "pe --pe-policy device" "$acsctl" -F "$ps" --platform phb4 --pe-policy device pe
grep -q ': 0000:02:00.1$' "$tmp/out" && [ "$(grep -c 'PE#254 ' "$tmp/out")" -eq 1 ] &&
	ok "device policy: isolated functions apart, one root PE#254" || bad "device policy: isolated functions apart, one root PE#254"
expect 0 "pe --allocate: M64" "$acsctl" -F "$pb" --platform powernv9 pe --allocate
grep -q '^PHB 0000 M64: 1 BARs in 512 MiB segments: 32 used, 0 wasted, lower bound 32' "$tmp/out" &&
	grep -q 'BAR2 16 GiB   at 0x6000000000000, segment 0' "$tmp/out" && ok "a 16 GiB BAR over 32 M64 segments" ||
	bad "a 16 GiB BAR over 32 M64 segments"
"$acsctl" -F "$pb" --platform phb4 pe --allocate >"$tmp/out" 2>&1
grep -q '^# PHB 0000: 1 BARs for M64 left out: its size is unknown' "$tmp/out" && ok "M64 size unknown said" || bad "M64 size unknown said"
expect 1 "pe --allocate: out of segments" "$acsctl" -F "$pb" --platform p7ioc pe --allocate
grep -q '^FAIL 0000:04:00.0 BAR0 (32 MiB, PE#122): no free segment' "$tmp/out" && ok "allocate names what does not fit" ||
	bad "allocate names what does not fit"
"$acsctl" -F "$pb" export "$tmp/pb.json" && "$acsctl" -F "$tmp/pb.json" --platform phb4 pe --allocate >"$tmp/out2" 2>&1 &&
	"$acsctl" -F "$pb" --platform phb4 pe --allocate >"$tmp/out" && cmp -s "$tmp/out" "$tmp/out2" &&
	ok "bars survive export" || bad "bars survive export"
printf '{"acsctl-topology":1,"roots":[{"functions":[{"slot":"00.0","type":"endpoint","bars":[{"size":"3M"}]}]}]}' >"$tmp/badbar.json"
expect 2 "bars: size not a power of two" "$acsctl" -F "$tmp/badbar.json" groups
grep -q 'bars\[0\]: needs "size", a power of two' "$tmp/err" && ok "bad BAR size named" || bad "bad BAR size named"
expect 0 "pe --pe-policy slot" "$acsctl" -F "$src/examples/gpu8-nic8-nvme16.json" --platform phb4 --pe-policy slot pe
grep -q '^PHB 0000 PE#253 buses 01-0a: 0000:01:00.0 0000:02:00.0' "$tmp/out" && ok "slot policy: one PE per root port" ||
	bad "slot policy: one PE per root port"

# --- any kernel version: exactly the one given or recorded ---
# VERSION NAME WARN: exit 0, the header names NAME, a warning on stderr
# exactly when WARN is "warn"
kver() {
	expect 0 "--kernel $1" "$acsctl" -F "$dump" --kernel "$1" groups
	grep -qF "kernel policy: $2 (--kernel $1" "$tmp/out" && ok "--kernel $1 is $2" ||
		bad "--kernel $1 is $2: $(grep 'kernel policy' "$tmp/out")"
	if [ "$3" = warn ]; then
		[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q '^acsctl: warning: Linux .* is \(older\|newer\) than' "$tmp/err" &&
			ok "--kernel $1: one warning line" || bad "--kernel $1: one warning line: $(cat "$tmp/err")"
	else
		[ ! -s "$tmp/err" ] && ok "--kernel $1: no warning" || bad "--kernel $1: no warning: $(cat "$tmp/err")"
	fi
}
kver 5.13 5.13 -
kver 6.10 6.10 -
kver 6.10.14 6.10.14 -
kver 6.10.0 6.10.0 -
kver 5.13.19-6-pve 5.13.19 -
kver 6.8.0-45-generic 6.8 -
kver linux-6.1 6.1 -
kver 7.3-rc4 7.3-rc4 -
kver 7.3 7.3 warn
kver 7.4.2 7.4.2 warn
kver 4.19.325 4.19.325 warn
# (a file, not <(...): that is /proc/self/fd/N, absent in a chroot without /proc)
"$acsctl" -F "$dump" --kernel 6.8.0-45-generic groups >"$tmp/kver.out" 2>&1
grep -q 'kernel policy: 6.8 (--kernel 6.8.0-45-generic: a distribution build of 6.8.0, taken to carry the 6.8.y stable backports)' "$tmp/kver.out" &&
	ok "what a distribution's X.Y.0 is taken as is said" ||
	bad "what a distribution's X.Y.0 is taken as is said"
expect 0 "--kernel 6.10.14 -j" "$acsctl" -F "$dump" --kernel 6.10.14 groups -j
grep -q '"kernel": "6.10.14"' "$tmp/out" && ok "JSON names 6.10.14" || bad "JSON names 6.10.14"
for v in banana 6 99999.1 6.1x "6.1 foo" 6.1-rc0 ""; do
	expect 2 "--kernel '$v' refused" "$acsctl" -F "$dump" --kernel "$v" groups
	grep -q "^acsctl: --kernel: '$v' is not a kernel version" "$tmp/err" && ok "--kernel '$v': says why" ||
		bad "--kernel '$v': says why: $(cat "$tmp/err")"
done
# a snapshot's recorded release, exactly (not the nearest modelled one)
snapv() { to_snapshot "$fixture/groups.txt" quiet | sed "2s/.*/# kernel-release: $1/" >"$tmp/snapv"; }
snapv 5.13.19-6-pve
expect 0 "snapshot at 5.13.19-6-pve" "$acsctl" -F "$tmp/snapv" groups
grep -qF 'kernel policy: 5.13.19 (recorded kernel 5.13.19-6-pve)' "$tmp/out" && [ ! -s "$tmp/err" ] &&
	ok "snapshot: the recorded release exactly" || bad "snapshot: the recorded release exactly: $(grep policy "$tmp/out")"
snapv 8.1.0-1-amd64
expect 0 "snapshot at 8.1.0-1-amd64" "$acsctl" -F "$tmp/snapv" groups
grep -q 'warning: Linux 8.1 is newer than' "$tmp/err" && ok "snapshot newer than modelled: warned" ||
	bad "snapshot newer than modelled: warned: $(cat "$tmp/err")"
snapv my-build
expect 0 "snapshot at a release that is no version" "$acsctl" -F "$tmp/snapv" groups
grep -q "warning: kernel release 'my-build' is not a version: predicted as Linux 7.2" "$tmp/err" &&
	ok "a release that is no version: warned" || bad "a release that is no version: warned: $(cat "$tmp/err")"
# the range --help gives comes from the table; README and the man page say
# the same (ACSCTL_UPDATE_DOCS=1 rewrites them from --help)
range=$("$acsctl" --help | grep -o 'kernels [^ ]* to [^;]*' | head -1)
[ -n "$range" ] && ok "--help gives the modelled range ($range)" || bad "--help gives the modelled range"
mrange=${range//-/\\-}
if [ -n "$range" ] && [ "${ACSCTL_UPDATE_DOCS:-0}" = 1 ]; then
	sed -i -E "s/kernels [0-9][^ ]* to [0-9][^;,) ]*/$range/" "$src/README.md"
	sed -i -E "s/kernels [0-9][^ ]* to [0-9][^;,) ]*/${mrange//\\/\\\\}/" "$src/doc/acsctl.8"
fi
grep -qF "$range" "$src/README.md" && ok "README gives the range of --help" || bad "README gives the range of --help ($range)"
grep -qF "$mrange" "$src/doc/acsctl.8" && ok "man page gives the range of --help" || bad "man page gives the range of --help ($mrange)"
# --- Boot parameters: the kernel's leniency, and one --cmdline for every command ---
# Each twin of tests/fixtures/vm-boot/K/NAME: acsctl boots the base dump with
# the twin's parameters (exit 0, like the kernel), gives the kernel's groups
# and warns once about the part the kernel ignores (none where it ignores none).
vb=$src/tests/fixtures/vm-boot
partition() { awk '!/^#/ && NF == 2 { g[$1] = g[$1] " " $2 } END { for (k in g) print g[k] }' "$1" | sort; }
while IFS='|' read -r k name want; do
	k=$(echo $k) name=$(echo $name) want=${want# }
	[ -d "$vb/$k/$name" ] || { bad "twin $k/$name is captured"; continue; }
	expect 0 "twin $k/$name: $(cat "$vb/$k/$name/params.txt")" "$acsctl" -F "$vb/$k/base/lspci.txt" --kernel "$k" \
		--cmdline "$(cat "$vb/$k/$name/params.txt")" groups -m
	[ "$(partition "$tmp/out")" = "$(partition "$vb/$k/$name/groups.txt")" ] &&
		ok "twin $k/$name: the kernel's groups" || bad "twin $k/$name: the kernel's groups"
	if [ -z "$want" ]; then
		[ ! -s "$tmp/err" ] && ok "twin $k/$name: no warning" || bad "twin $k/$name: no warning: $(cat "$tmp/err")"
	else
		[ "$(grep -c . "$tmp/err")" -eq 1 ] && grep -qF "acsctl: warning: --cmdline: $want" "$tmp/err" &&
			ok "twin $k/$name: warns '$want'" || bad "twin $k/$name: warns '$want', got: $(cat "$tmp/err")"
	fi
done <<'TWINS'
6.1  | redir-at          | pci=disable_acs_redir: '@pci:1b36:000c' (not a device
6.12 | redir-at          | pci=disable_acs_redir: '@pci:1b36:000c' (not a device
6.1  | redir-empty       | pci=disable_acs_redir: an empty entry (';;')
6.12 | redir-empty       | pci=disable_acs_redir: an empty entry (';;')
6.1  | redir-bad-middle  | pci=disable_acs_redir: 'zz' (not a device
6.12 | redir-bad-middle  | pci=disable_acs_redir: 'zz' (not a device
6.1  | redir-dup         |
6.12 | redir-dup         |
6.1  | redir-short-bdf   | pci=disable_acs_redir: '00:02' (not a device
6.12 | redir-short-bdf   | pci=disable_acs_redir: '00:02' (not a device
6.1  | redir-ids-junk    | pci=disable_acs_redir: 'junk' (it follows the IDs in an entry)
6.12 | redir-ids-junk    | pci=disable_acs_redir: 'junk' (it follows the IDs in an entry)
6.1  | redir-devfn-wrap  | pci=disable_acs_redir: '00:22.1': device 22.1 is read as 02.1
6.12 | redir-devfn-wrap  | pci=disable_acs_redir: '00:22.1': device 22.1 is read as 02.1
6.1  | redir-path-bad    | pci=disable_acs_redir: 'zz/00.0': the kernel reads a path from the right
6.12 | redir-path-bad    |
6.1  | redir-noeq        | pci: the kernel does not know the option 'disable_acs_redir'
6.12 | redir-noeq        | pci: the kernel does not know the option 'disable_acs_redir'
6.1  | noats-value       | pci: 'noats=1' is read as noats
6.12 | noats-value       | pci: 'noats=1' is read as noats
6.1  | config-at         | pci: the kernel does not know the option 'config_acs=@pci:1b36:000c' (config_acs= first appeared in Linux 6.11)
6.12 | config-at         | pci=config_acs: '@pci:1b36:000c' has no flags before '@'
6.12 | config-empty      | pci=config_acs: an empty entry (';;'): its ACS flags ';00000' hold ';'
6.12 | config-badchar    | pci=config_acs: '1y101@00:02.1': its ACS flags '1y101' hold 'y'
6.12 | config-bad-middle | pci=config_acs: '1y1@00:02.1': its ACS flags '1y1' hold 'y' (only 0, 1 and x): the kernel ignores it and all that follows; devices named before it are still configured
6.12 | config-8flags     | pci=config_acs: '10000000@00:02.0': its ACS flags '10000000' set bits above DirectTrans
6.12 | config-8x         |
6.12 | config-no-at      | pci=config_acs: '00:02.0' (no FLAGS@ before the device)
6.12 | config-no-at-2nd  | pci=config_acs: '00:03.0' (no FLAGS@ before the device)
TWINS
expect 0 "a twin's warnings in JSON" "$acsctl" -F "$vb/6.12/base/lspci.txt" --kernel 6.12 \
	--cmdline "pci=disable_acs_redir=00:02.0;zz;00:03.0" groups -j
grep -q '"ignored": "zz;00:03.0"' "$tmp/out" && grep -q '"param": "pci=disable_acs_redir"' "$tmp/out" &&
	ok "groups -j: warnings[] names the ignored part" || bad "groups -j: warnings[] names the ignored part"
expect 0 "no --cmdline, no warnings[]" "$acsctl" -F "$vb/6.12/base/lspci.txt" groups -j
! grep -q '"warnings"' "$tmp/out" && ok "groups -j without --cmdline: no warnings" || bad "groups -j without --cmdline: no warnings"
expect 0 "pcie_acs_override with a word the patch skips" "$acsctl" -F "$dump" --kernel 6.12 \
	--cmdline "pcie_acs_override=sideways,downstream" groups -m
grep -qF "pcie_acs_override: 'sideways' is none of downstream, multifunction" "$tmp/err" &&
	ok "override: the skipped word is named" || bad "override: the skipped word is named"

# One --cmdline for every command (kitchen-sink-1 on 6.12): the override
# splits the switch's groups, disable_acs_redir merges 0a:00.0 into its root
# port's group; each command sees both.
ovr="pcie_acs_override=downstream,multifunction"
red="pci=disable_acs_redir=00:03.0"
ngroups() { awk '!/^#/ && NF == 2 { print $1 }' "$tmp/out" | sort -u | wc -l; }
for c in "" "$ovr" "$red"; do
	"$acsctl" -F "$dump" --kernel 6.12 ${c:+--cmdline "$c"} groups -m >"$tmp/out" 2>/dev/null
	echo "$(ngroups)"
done | tr '\n' ' ' | grep -qx '10 16 9 ' && ok "groups: 10, 16 with the override, 9 with disable_acs_redir" ||
	bad "groups: 10, 16 with the override, 9 with disable_acs_redir"
expect 0 "whatif --cmdline override" "$acsctl" -F "$dump" --kernel 6.12 --cmdline "$ovr" whatif
grep -q '^split: 0000:02:00.0 0000:03:00.0 0000:03:00.1$' "$tmp/out" && ! grep -q '^no change' "$tmp/out" &&
	ok "whatif sees the override (the switch's group splits)" || bad "whatif sees the override (the switch's group splits)"
grep -q '^audit_new: unsafe 0000:03:00.0 0000:03:00.1$' "$tmp/out" && ! grep -q '^p2p_' "$tmp/out" &&
	ok "whatif: the override is a belief: a new audit finding, no route changes" ||
	bad "whatif: the override is a belief: a new audit finding, no route changes"
expect 0 "whatif --cmdline disable_acs_redir" "$acsctl" -F "$dump" --kernel 6.12 --cmdline "$red" whatif
grep -q '^merged: 0000:00:03.0 0000:0a:00.0$' "$tmp/out" && ok "whatif sees disable_acs_redir" || bad "whatif sees disable_acs_redir"
"$acsctl" -F "$dump" --kernel 6.12 whatif -j --cmdline "$ovr" >"$tmp/out" 2>&1
grep -q '"warnings": \[' "$tmp/out" && grep -q '"split"' "$tmp/out" && ok "whatif -j: warnings[] and split" ||
	bad "whatif -j: warnings[] and split"
"$acsctl" -F "$dump" --kernel 6.12 audit -v >"$tmp/out" 2>&1
! grep -q '^FAIL unsafe: 0000:03:00.0 0000:03:00.1 ' "$tmp/out" && ok "audit: one group, no finding inside it" ||
	bad "audit: one group, no finding inside it"
"$acsctl" -F "$dump" --kernel 6.12 --cmdline "$ovr" audit -v >"$tmp/out" 2>&1
grep -q '^FAIL unsafe: 0000:03:00.0 0000:03:00.1 ' "$tmp/out" && grep -q '^# booted with: pcie_acs_override' "$tmp/out" &&
	ok "audit sees the override: groups apart, functions that reach each other" ||
	bad "audit sees the override: groups apart, functions that reach each other"
"$acsctl" -F "$dump" --kernel 6.12 p2p -v 2>&1 | grep -v '^#' >"$tmp/p0"
"$acsctl" -F "$dump" --kernel 6.12 --cmdline "$ovr" p2p -v >"$tmp/out" 2>&1
grep -q '^# booted with: pcie_acs_override' "$tmp/out" && grep -v '^#' "$tmp/out" | cmp -s - "$tmp/p0" &&
	ok "p2p sees the override, and its routes stay the hardware's" || bad "p2p sees the override, and its routes stay the hardware's"
"$acsctl" -F "$dump" --kernel 6.12 explain 03:00.0 03:00.1 >"$tmp/out" 2>&1
grep -q 'share a group' "$tmp/out" && ok "explain: one group" || bad "explain: one group"
"$acsctl" -F "$dump" --kernel 6.12 --cmdline "$ovr" explain 03:00.0 03:00.1 >"$tmp/out" 2>&1
grep -q 'are in different groups' "$tmp/out" && grep -q 'pcie_acs_override (out of tree) counts' "$tmp/out" &&
	ok "explain sees the override" || bad "explain sees the override"
"$acsctl" -F "$dump" --kernel 6.12 plan --isolate 0a:00.0 >"$tmp/out" 2>&1
grep -q '^plan: 0 changes' "$tmp/out" && ok "plan: 0a:00.0 is isolated" || bad "plan: 0a:00.0 is isolated"
"$acsctl" -F "$dump" --kernel 6.12 --cmdline "$red" plan --isolate 0a:00.0 >"$tmp/out" 2>&1
grep -q '^plan: 1 change' "$tmp/out" && grep -q '^  0000:00:03.0: ACSCtl 0x0000 -> 0x001d' "$tmp/out" &&
	ok "plan sees disable_acs_redir: 00:03.0 back to 0x001d" || bad "plan sees disable_acs_redir: 00:03.0 back to 0x001d"
"$acsctl" -F "$dump" --kernel 6.12 --cmdline "$ovr" plan --isolate 03:00.0 >"$tmp/out" 2>&1
grep -q '^# booted with: pcie_acs_override' "$tmp/out" && grep -q '^FAIL infeasible: 0000:03:00.0' "$tmp/out" &&
	ok "plan sees the override, which isolates nothing" || bad "plan sees the override, which isolates nothing"

# Unknown is never safe: inputs taken without root (issue 13). A VM switch
# (root port with ACS, three downstream ports without) as -xxx (256
# bytes: no extended space), -x (64 bytes: not even the PCIe capability)
# and lspci text with `Capabilities: <access denied>`; and one where a
# single downstream port lost its extended space.
sw="$src/tests/fixtures/vm/6.12/switch-acs-root"
awk '!/^[0-9a-f]+: / || /^[0-9a-f]0: /' "$sw/lspci.txt" >"$tmp/sw-xxx.txt"
awk '!/^[0-9a-f]+: / || /^[0-3]0: /' "$sw/lspci.txt" >"$tmp/sw-x.txt"
awk -v dev=0000:02:02.0 '/^[0-9a-f]+:[0-9a-f]+:/ { cur = $1 } !(cur == dev && /^[0-9a-f][0-9a-f][0-9a-f]: /)' \
	"$sw/lspci.txt" >"$tmp/sw-mixed.txt"
dps='0000:02:00.0 0000:02:01.0 0000:02:02.0'
names_dps() { for d in $dps; do grep -q "^UNKNOWN $d \[" "$tmp/out" || return 1; done; }
expect 1 "unknown: fully read, audit FAIL as before" "$acsctl" -F "$sw/lspci.txt" audit -v
[ "$(grep -c '^FAIL unsafe:' "$tmp/out")" -eq 6 ] && ! grep -q '^UNKNOWN' "$tmp/out" &&
	ok "unknown: fully read: 6 FAIL, no UNKNOWN" || bad "unknown: fully read: 6 FAIL, no UNKNOWN"
expect 3 "unknown: audit on an -xxx dump" "$acsctl" -F "$tmp/sw-xxx.txt" audit
names_dps && ! grep -q '^OK' "$tmp/out" && ! grep -q '^FAIL' "$tmp/out" &&
	grep -q '^UNKNOWN: .*lspci -xxxx' "$tmp/out" && ok "unknown: -xxx: the downstream ports named, no OK" ||
	bad "unknown: -xxx: the downstream ports named, no OK"
expect 3 "unknown: audit -j on an -xxx dump" "$acsctl" -F "$tmp/sw-xxx.txt" audit -j
python3 - "$tmp/out" <<'PY' && ok "unknown: audit JSON verdict unknown" || bad "unknown: audit JSON verdict unknown"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "unknown" and d["unsafe"] == [] and len(d["unknown"]) == 6
assert {"0000:02:00.0", "0000:02:01.0", "0000:02:02.0"} <= set(d["unknown_ports"])
PY
expect 3 "unknown: audit -v lists the pairs" "$acsctl" -F "$tmp/sw-xxx.txt" -v audit
[ "$(grep -c '^UNKNOWN pair: ' "$tmp/out")" -eq 6 ] && ok "unknown: six pairs" || bad "unknown: six pairs"
expect 3 "unknown: audit on an -x dump" "$acsctl" -F "$tmp/sw-x.txt" audit
names_dps && grep -q '^UNKNOWN 0000:01:00.0 \[type not read\]: not known to be a port' "$tmp/out" &&
	ok "unknown: -x: not even known to be ports" || bad "unknown: -x: not even known to be ports"
if lspci --version >/dev/null 2>&1; then
	# lspci on a 64-byte dump prints what it prints without root
	lspci -vvnn -F "$tmp/sw-x.txt" >"$tmp/sw-denied.txt" 2>/dev/null
	grep -q 'Capabilities: <access denied>' "$tmp/sw-denied.txt" && ok "unknown: lspci text says access denied" ||
		bad "unknown: lspci text says access denied"
	expect 3 "unknown: audit on lspci text without root" "$acsctl" -F "$tmp/sw-denied.txt" audit
	names_dps && grep -q '^UNKNOWN: .*lspci -vvv' "$tmp/out" && ! grep -q '^OK' "$tmp/out" &&
		ok "unknown: access denied: ports named, lspci -vvv advised" ||
		bad "unknown: access denied: ports named, lspci -vvv advised"
	expect 3 "unknown: audit -j on lspci text without root" "$acsctl" -F "$tmp/sw-denied.txt" -j audit
	grep -q '"verdict": "unknown"' "$tmp/out" && ok "unknown: access denied JSON" || bad "unknown: access denied JSON"
else
	echo "# skip: no lspci to write text without root"
fi
expect 1 "unknown: one port unread, the rest proven" "$acsctl" -F "$tmp/sw-mixed.txt" audit -v
[ "$(grep -c '^FAIL unsafe:' "$tmp/out")" -eq 4 ] && grep -q '^UNKNOWN 0000:02:02.0 \[Downstream Port\]' "$tmp/out" &&
	[ "$(grep -c '^UNKNOWN 0000:' "$tmp/out")" -eq 1 ] && ok "unknown: FAIL and UNKNOWN together, exit 1" ||
	bad "unknown: FAIL and UNKNOWN together, exit 1"
expect 1 "unknown: mixed audit -j" "$acsctl" -F "$tmp/sw-mixed.txt" audit -j
python3 - "$tmp/out" <<'PY' && ok "unknown: mixed JSON: fail, one unknown port" || bad "unknown: mixed JSON: fail, one unknown port"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "fail" and d["unknown_ports"] == ["0000:02:02.0"] and sum(len(u["routes"]) for u in d["unsafe"]) == 4
assert all(u["depends_on"] == ["0000:02:02.0"] for u in d["unknown"]) and len(d["unknown"]) == 2
PY
expect 3 "unknown: p2p on an -xxx dump" "$acsctl" -F "$tmp/sw-xxx.txt" p2p 03:00.0 04:00.0
grep -q 'PIX/bus?' "$tmp/out" && grep -q '^UNKNOWN 0000:02:00.0 ' "$tmp/out" && ! grep -q '^UNKNOWN 0000:02:02.0 ' "$tmp/out" &&
	ok "unknown: p2p cells marked, ports named" || bad "unknown: p2p cells marked, ports named"
expect 3 "unknown: p2p -j" "$acsctl" -F "$tmp/sw-xxx.txt" -j p2p 03:00.0 04:00.0
python3 - "$tmp/out" <<'PY' && ok "unknown: p2p JSON" || bad "unknown: p2p JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "unknown" and "0000:02:00.0" in d["pairs"][0]["unknown"]
assert d["pairs"][0]["hardware"]["unknown"] is True
PY
expect 0 "unknown: p2p fully read" "$acsctl" -F "$sw/lspci.txt" p2p 03:00.0 04:00.0
! grep -q '^UNKNOWN' "$tmp/out" && ok "unknown: p2p fully read, no UNKNOWN" || bad "unknown: p2p fully read, no UNKNOWN"
expect 3 "unknown: plan on an -xxx dump" "$acsctl" -F "$tmp/sw-xxx.txt" plan --isolate 05:00.0
grep -q '^UNKNOWN plan:' "$tmp/out" && grep -q '^UNKNOWN 0000:02:02.0 ' "$tmp/out" && ! grep -q '^FAIL' "$tmp/out" &&
	ok "unknown: plan says neither plan nor conflict" || bad "unknown: plan says neither plan nor conflict"
expect 3 "unknown: plan -j" "$acsctl" -F "$tmp/sw-xxx.txt" -j plan --isolate 05:00.0
grep -q '"feasible": null' "$tmp/out" && grep -q '"verdict": "unknown"' "$tmp/out" && ok "unknown: plan JSON" ||
	bad "unknown: plan JSON"
expect 1 "unknown: plan fully read, infeasible as before" "$acsctl" -F "$sw/lspci.txt" plan --isolate 05:00.0
expect 3 "unknown: explain on an -xxx dump" "$acsctl" -F "$tmp/sw-xxx.txt" explain 03:00.0 04:00.0
! grep -q 'no ACS setting separates them' "$tmp/out" && grep -q '^UNKNOWN 0000:02:00.0 ' "$tmp/out" &&
	grep -q '^UNKNOWN 0000:02:01.0 ' "$tmp/out" && ! grep -q '^UNKNOWN 0000:02:02.0 ' "$tmp/out" &&
	ok "unknown: explain names the ports on their paths only" || bad "unknown: explain names the ports on their paths only"
expect 3 "unknown: explain -j" "$acsctl" -F "$tmp/sw-xxx.txt" -j explain 03:00.0
grep -q '"verdict": "unknown"' "$tmp/out" && ok "unknown: explain JSON" || bad "unknown: explain JSON"
expect 0 "unknown: explain fully read" "$acsctl" -F "$sw/lspci.txt" explain 03:00.0 04:00.0
expect 3 "unknown: whatif with an unread port" "$acsctl" -F "$tmp/sw-mixed.txt" whatif 00:02.0:RR-
grep -q '^UNKNOWN 0000:02:02.0 ' "$tmp/out" && grep -q '^audit_resolved: unsafe' "$tmp/out" &&
	ok "unknown: whatif says what it depends on" || bad "unknown: whatif says what it depends on"
expect 2 "unknown: whatif on an unread port" "$acsctl" -F "$tmp/sw-xxx.txt" whatif 02:00.0:RR+
grep -q 'ACS state was not read' "$tmp/err" && ok "unknown: not 'has no ACS capability'" ||
	bad "unknown: not 'has no ACS capability'"
expect 0 "unknown: plain groups on an -xxx dump" "$acsctl" -F "$tmp/sw-xxx.txt" groups
grep -q '(uncertain: depends on unknown ACS state)' "$tmp/out" && grep -q '^# 1 group is uncertain' "$tmp/out" &&
	ok "unknown: groups marks uncertain, exit 0" || bad "unknown: groups marks uncertain, exit 0"
# snapshots as taken without root: the kernel's groups known, ACS not
to_snapshot_of() { # GROUPS DUMP > snapshot
	printf '# acsctl snapshot 2\n# kernel-release: 6.12.0-test\n# cmdline: quiet\n# iommu-groups: present\n\n'
	awk 'NR == FNR { g[$2] = $1; next }
	     /^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7] / { n++; print $1 " iommu_group=" (($1 in g) ? g[$1] : "-"); next }
	     { print } END { printf "# end: %d functions\n", n }' "$1" "$2"
}
to_snapshot_of "$sw/groups.txt" "$tmp/sw-xxx.txt" >"$tmp/sw-snap-xxx.txt"
to_snapshot_of "$sw/groups.txt" "$sw/lspci.txt" >"$tmp/sw-snap.txt"
expect 0 "unknown: groups --check, fully read" "$acsctl" -F "$tmp/sw-snap.txt" groups --check
expect 3 "unknown: groups --check without root" "$acsctl" -F "$tmp/sw-snap-xxx.txt" groups --check
grep -q '^UNKNOWN kernel splits predicted group' "$tmp/out" && ! grep -q '^FAIL' "$tmp/out" && names_dps &&
	grep -q 'acsctl snapshot' "$tmp/out" && ok "unknown: check: the split is not a FAIL" ||
	bad "unknown: check: the split is not a FAIL"
expect 3 "unknown: groups --check -j without root" "$acsctl" -F "$tmp/sw-snap-xxx.txt" -j groups --check
python3 - "$tmp/out" <<'PY' && ok "unknown: check JSON" || bad "unknown: check JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "unknown" and d["ok"] is False and all(x["unknown"] for x in d["differences"])
PY
expect 3 "unknown: audit of a snapshot without root" "$acsctl" -F "$tmp/sw-snap-xxx.txt" audit
! grep -q '^FAIL' "$tmp/out" && names_dps && ok "unknown: kernel groups, routes unread: no FAIL" ||
	bad "unknown: kernel groups, routes unread: no FAIL"

# --- whatif: one result (acs_whatif_run) in text, -m and JSON ---
ex="$src/examples/switch-acs-everywhere.json"
expect 0 "whatif -j: structured groups, p2p and audit" "$acsctl" -F "$ex" whatif -j switch 0000:01:00.0:RR-,CR-
python3 - "$tmp/out" <<'PY' && ok "whatif -j: 8 merged, 28 of 120 pairs gained, old lines kept" || bad "whatif -j: 8 merged, 28 of 120 pairs gained, old lines kept"
import json, sys
d = json.load(open(sys.argv[1]))
g, p, a = d["groups"], d["p2p"], d["audit"]
assert (g["before"], g["after"], g["unchanged"]) == (37, 29, 21), g
assert len(g["merged"]) == 8 and not g["split"] and not g["moved"]
m = g["merged"][0]
assert m["devices"] == ["0000:02:00.0", "0000:03:00.0"] and len(m["from"]) == 2, m
assert (p["peers"], p["pairs"], p["changed"], p["gained"], p["listed"], p["truncated"]) == (16, 120, 28, 28, 28, False), p
c = p["changes"][0]
assert (c["a"], c["b"], c["map_before"], c["map_after"], c["hardware_before"], c["hardware_after"]) == \
    ("0000:03:00.0", "0000:04:00.0", "not_supported", "bus_addr", "via_root_complex", "direct"), c
assert a["before"]["unsafe"] == 0 and a["after"]["unsafe"] == len(a["new"]) > 0 and not a["resolved"]
assert all(f["kind"] == "unsafe" and f["via"] for f in a["new"])
# the documented arrays of lines are still there
assert len(d["merged"]) == 8 and len(d["p2p_gained"]) == 28 and len(d["audit_new"]) == len(a["new"])
assert d["merged"][0] == "0000:02:00.0 0000:03:00.0"
assert d["verdict"] == "ok" and d["unknown_ports"] == []
PY
expect 0 "whatif text" "$acsctl" -F "$ex" whatif switch 0000:01:00.0:RR-,CR-
grep -q '^groups: 37 before, 29 after, 21 unchanged$' "$tmp/out" &&
	grep -q '^p2p: 120 pairs of 16 peers, 28 routed again (the others pass nothing that changed), 28 changed (28 gained, 0 lost)$' "$tmp/out" &&
	grep -q '^audit: before 0 unsafe, 0 conservative, 0 unknown; after [1-9][0-9]* unsafe' "$tmp/out" &&
	ok "whatif text: what was compared" || bad "whatif text: what was compared"
expect 0 "whatif -m" "$acsctl" -F "$ex" whatif -m switch 0000:01:00.0:RR-,CR-
[ "$(grep -c '^whatif\.groups\.merged ' "$tmp/out")" = 8 ] && [ "$(grep -c '^whatif\.p2p\.changes ' "$tmp/out")" = 28 ] &&
	grep -q '^whatif\.p2p peers=16 pairs=120 routed=28 changed=28 gained=28 lost=0 listed=28 truncated=false' "$tmp/out" &&
	grep -q '^whatif .* verdict=ok' "$tmp/out" && ! grep -q '^whatif .*p2p_gained=' "$tmp/out" &&
	ok "whatif -m: records of groups and pairs" || bad "whatif -m: records of groups and pairs"
# one port: the pairs through it go direct one way only
expect 0 "whatif one downstream port" "$acsctl" -F "$ex" whatif 0000:02:00.0:RR-
grep -q '^p2p_gained: 0000:03:00.0 0000:04:00.0: P2PDMA not_supported -> not_supported, hardware via root complex -> direct from 0000:03:00.0 only$' "$tmp/out" &&
	ok "whatif: a route direct one way" || bad "whatif: a route direct one way"
# removed: the VFs of the input gone
expect 0 "whatif --vfs back to none" "$acsctl" -F "$src/examples/gpu8-nic8-nvme16.json" --vfs 06:00.0=2 whatif -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); a=d["groups"]["added"]
assert [x["device"] for x in a] == ["0000:06:00.1", "0000:06:00.2"] and all(isinstance(x["group"], int) for x in a), a
assert d["added"][0].startswith("0000:06:00.1 in group ")' "$tmp/out" &&
	ok "whatif -j: VFs added with their groups" || bad "whatif -j: VFs added with their groups"
# a large fabric: every pair counted, the list cut where it says so
"$acsctl" synth --functions 10000 -o "$tmp/s10k.json" >/dev/null 2>&1
expect 0 "whatif on 10000 functions" "$acsctl" -F "$tmp/s10k.json" --cmdline "$ovr" whatif
grep -q '^p2p: the first 10000 of [0-9]* changes listed (-v lists all)$' "$tmp/out" &&
	[ "$(grep -c '^p2p_lost: ' "$tmp/out")" = 10000 ] && ok "whatif: a cut list says so" || bad "whatif: a cut list says so"
n=$(sed -n 's/^p2p: the first 10000 of \([0-9]*\) changes.*/\1/p' "$tmp/out")
expect 0 "whatif -v on 10000 functions" "$acsctl" -F "$tmp/s10k.json" --cmdline "$ovr" whatif -v -j
python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["p2p"]
assert p["truncated"] is False and p["listed"] == p["changed"] == len(p["changes"]) == int(sys.argv[2]) > 10000, p["listed"]
assert p["pairs"] == p["peers"] * (p["peers"] - 1) // 2 and p["routed"] < p["pairs"]' "$tmp/out" "${n:-0}" &&
	ok "whatif -v: every change listed" || bad "whatif -v: every change listed"

# audit: one line per place where groups reach each other, with the fix;
# -v each pair of groups, its members and its routes (the FAIL unsafe lines)
expect 1 "audit: one line per switch" "$acsctl" -F "$dump" audit
[ "$(grep -c '^FAIL' "$tmp/out")" -eq 1 ] && ! grep -q '^FAIL unsafe:' "$tmp/out" &&
	grep -q '^FAIL switch 0000:01:00.0: groups 7 8 below it reach each other without the IOMMU (0000:02:00.0 0000:02:01.0 have no ACS); no ACS setting separates groups 7 8: assign them together$' "$tmp/out" &&
	ok "audit: the switch, its groups, ports without ACS, assign together" ||
	bad "audit: the switch, its groups, ports without ACS, assign together"
expect 1 "audit -v: the pairs" "$acsctl" -F "$dump" audit -v
grep -q '^    group 7: 0000:02:00.0 0000:03:00.0 0000:03:00.1$' "$tmp/out" &&
	grep -q '^    group 8: 0000:02:01.0 0000:04:00.0 0000:05:00.0 0000:06:00.0$' "$tmp/out" &&
	[ "$(grep -c '^FAIL unsafe:' "$tmp/out")" -eq 2 ] && ok "audit -v: every member, the routes" ||
	bad "audit -v: every member, the routes"
expect 1 "audit -m" "$acsctl" -F "$dump" audit -m
grep -q '^audit.sites meets_kind=switch meets_at=0000:01:00.0 groups=7,8 ' "$tmp/out" &&
	grep -q '^audit.sites.fix.together groups=7,8$' "$tmp/out" && grep -q '^audit.unsafe.routes ' "$tmp/out" &&
	ok "audit -m: sites, together, routes" || bad "audit -m: sites, together, routes"
cas="$src/examples/nvme-cascade.json"
cas_red="pci=disable_acs_redir=0000:02:00.0"
expect 1 "audit: a port whose redirect is cleared" "$acsctl" -F "$cas" --cmdline "$cas_red" audit
grep -q '^FAIL switch 0000:01:00.0: groups 3 16 .* 10 of their pairs (0000:02:00.0 lacks SrcValid ReqRedir CmpltRedir UpstreamFwd); fix: pci=config_acs=0000100@0000:02:00.0$' "$tmp/out" &&
	ok "audit: the missing bits and the config_acs fix" || bad "audit: the missing bits and the config_acs fix"
expect 0 "audit: the fix booted clears it" "$acsctl" -F "$cas" --cmdline "$cas_red pci=config_acs=0000100@0000:02:00.0" audit
grep -q '^OK' "$tmp/out" && ok "audit: OK after the fix" || bad "audit: OK after the fix"
expect 1 "audit on 6.1: the change, no config_acs" "$acsctl" -F "$cas" --kernel 6.1 --cmdline "$cas_red" audit
grep -q '; fix: acsctl apply 0000:02:00.0:RR+ (Linux 6.1 takes no pci=config_acs)$' "$tmp/out" &&
	ok "audit on 6.1: acsctl apply" || bad "audit on 6.1: acsctl apply"
expect 1 "audit -j: pairs of groups" "$acsctl" -F "$cas" --cmdline "$cas_red" audit -j
python3 - "$tmp/out" <<'PY' && ok "audit -j: groups, members, meets_at, missing, fix, routes" ||
import json, sys
d = json.load(open(sys.argv[1]))
u = d["unsafe"][0]
assert len(d["sites"]) == 1 and d["sites"][0]["issues"] == list(range(len(d["unsafe"]))) == list(range(10))
assert u["meets_kind"] == "switch" and u["meets_at"] == "0000:01:00.0" and len(u["groups"]) == 2
assert u["devices"] == [x for m in u["members"] for x in m["devices"]] and len(u["devices"]) == 19
assert u["missing"] == [{"port": "0000:02:00.0", "bits": ["SrcValid", "ReqRedir", "CmpltRedir", "UpstreamFwd"], "acs": True}]
assert u["fix"]["config_acs"] == "pci=config_acs=0000100@0000:02:00.0" and not u["fix"]["assign_together"]
assert u["fix"]["changes"] == [{"device": "0000:02:00.0", "acs_ctl_before": "0000", "acs_ctl_after": "0004"}]
assert len(u["routes"]) == 1 and u["routes"][0]["via"][1] == "0000:01:00.0"
PY
	bad "audit -j: groups, members, meets_at, missing, fix, routes"
# ACS changed after boot: the kernel's groups (a snapshot) split what the
# ACS the ports have now joins; remove and rescan, no ACS fix
mf="$src/tests/fixtures/vm/6.12/rp-mf-acs"
awk '/^[0-9a-f]+:[0-9a-f]+:[0-9a-f]+\.[0-7] / { cur = $1 } cur == "0000:00:02.0" && /^140: / { $16 = "00" } { print }' \
	"$mf/lspci.txt" >"$tmp/mf-cleared.txt"
to_snapshot_of "$mf/groups.txt" "$tmp/mf-cleared.txt" >"$tmp/mf-stale.txt"
expect 1 "audit: ACS changed after boot" "$acsctl" -F "$tmp/mf-stale.txt" audit
grep -q '^FAIL stale: groups 1 6: .*remove and rescan them, or reboot$' "$tmp/out" && ok "audit: stale groups, rescan" ||
	bad "audit: stale groups, rescan"
"$acsctl" -F "$tmp/mf-stale.txt" audit -j | grep -q '"rescan": true' && ok "audit -j: rescan" || bad "audit -j: rescan"

# --- p2p, pe, explain through the one output path: -m records; host facts in snapshots ---
sae="$src/examples/switch-acs-everywhere.json"
expect 0 "p2p -m" "$acsctl" -F "$sae" p2p 03:00.0 04:00.0 05:00.0 -m
grep -q '^p2p .*p2pdma_built=false .*cpu=unknown .*devices=0000:03:00.0,0000:04:00.0,0000:05:00.0 .*verdict=ok' "$tmp/out" &&
	[ "$(grep -c '^p2p\.pairs a=' "$tmp/out")" -eq 3 ] && [ "$(grep -c '^p2p\.pairs\.hardware direct=' "$tmp/out")" -eq 3 ] &&
	grep -q '^p2p\.pairs a=0000:03:00.0 b=0000:04:00.0 map=not_supported distance=4 class=PIX label_a=GPU0 label_b=GPU1 cell="PIX\*/no" cell_back="PIX\*/no" detour=0000:02:01.0 detour_back=0000:02:00.0 ' "$tmp/out" &&
	ok "p2p -m: a line per pair and its route" || bad "p2p -m: a line per pair and its route"
expect 3 "p2p -m, unknown" "$acsctl" -F "$tmp/sw-xxx.txt" -m p2p 03:00.0 04:00.0
grep -q '^p2p .*verdict=unknown unknown_ports=0000:01:00.0,0000:02:00.0,' "$tmp/out" && grep -q '^p2p\.pairs .*cell="PIX/bus?"' "$tmp/out" &&
	ok "p2p -m: unknown cells and ports" || bad "p2p -m: unknown cells and ports"
expect 0 "explain -m" "$acsctl" -F "$dump" explain 00:1f.2 00:1f.3 -m
grep -q '^explain .*facts="0000:00:1f.2 .*shared=true ' "$tmp/out" && grep -q ' verdict=ok' "$tmp/out" &&
	ok "explain -m: facts and shared" || bad "explain -m: facts and shared"
rgd="$src/tests/fixtures/vm/6.12/rand-23/lspci.txt"
expect 0 "explain -m: a change" "$acsctl" -F "$rgd" explain 00:02.0 01:00.3 -m
grep -q '^explain .* separable=true config_acs="pci=config_acs=0011101@0000:00:02.0" ' "$tmp/out" &&
	grep -q '^explain\.changes device=0000:00:02.0 acs_ctl_before=0000 acs_ctl_after=001d .*setpci=' "$tmp/out" &&
	ok "explain -m: the change, its boot parameter and setpci" || bad "explain -m: the change, its boot parameter and setpci"
"$acsctl" -F "$rgd" explain 00:02.0 01:00.3 -j >"$tmp/out"
grep -q '"config_acs": "pci=config_acs=0011101@0000:00:02.0"' "$tmp/out" && ok "explain -j: config_acs" || bad "explain -j: config_acs"
expect 0 "pe -m" "$acsctl" -F "$pv" --platform powernv8 -m pe
grep -q '^pe .*platform=powernv8 ' "$tmp/out" && grep -q '^pe\.pes phb=0000 pe=254 buses=00 dma=false ' "$tmp/out" &&
	grep -q '^pe\.segment_map phb=0000 window=m32 ' "$tmp/out" && grep -q '^pe\.segment_map\.runs first=0 ' "$tmp/out" &&
	ok "pe -m: PEs and the segment map" || bad "pe -m: PEs and the segment map"
expect 1 "pe --check -m" "$acsctl" -F "$src/tests/fixtures/vm-power/powernv9/switch-ep-internal-bus/lspci.txt" \
	--platform powernv9 -m pe --check
grep -q '^pe .* ok=false .*verdict=fail' "$tmp/out" && [ "$(grep -c '^pe\.findings kind=beside_bridge' "$tmp/out")" -eq 2 ] &&
	ok "pe --check -m: findings and verdict" || bad "pe --check -m: findings and verdict"
expect 0 "pe --allocate -m" "$acsctl" -F "$pb" --platform phb4 -m pe --allocate
grep -q '^pe\.phbs phb=0000 window=m32 segment_size=8388608 segments=256 used=135 ' "$tmp/out" &&
	[ "$(grep -c '^pe\.phbs\.bars ' "$tmp/out")" -eq 8 ] && grep -q '^pe\.m64_size_unknown phb=0000 bars=1$' "$tmp/out" &&
	ok "pe --allocate -m: placement, and the M64 BARs left out" || bad "pe --allocate -m: placement, and the M64 BARs left out"
"$acsctl" -F "$pb" --platform phb4 -j pe --allocate >"$tmp/out"
python3 - "$tmp/out" <<'PY' && ok "pe --allocate -j: the header, platform still its name" || bad "pe --allocate -j: the header, platform still its name"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["platform"] == "phb4" and d["source"].endswith("power-phb-bars.json") and d["kernel"] is None
assert d["m64_size_unknown"] == [{"phb": "0000", "bars": 1}] and d["unsized_bars"] == 0
PY
# host facts: a snapshot's "# host:" line; without it, unknown as before
"$acsctl" -F "$sae" snapshot "$tmp/sae.snap"
! grep -q '^# host:' "$tmp/sae.snap" && ok "snapshot of a topology: no host line" || bad "snapshot of a topology: no host line"
sed 's/^# source: .*/&\n# host: cpu_vendor=AuthenticAMD cpu_family=25 CONFIG_PCI_P2PDMA=y future_key=1/' "$tmp/sae.snap" >"$tmp/amd.snap"
expect 0 "p2p: a snapshot of an AMD Zen host with P2PDMA" "$acsctl" -F "$tmp/amd.snap" p2p 03:00.0 04:00.0
grep -q '^# the running kernel has P2PDMA (CONFIG_PCI_P2PDMA=y)$' "$tmp/out" && ! grep -q '^# CPU unknown' "$tmp/out" &&
	grep -q '^GPU0  *X  *PIX\*/hb  ' "$tmp/out" && ok "p2p: the snapshot's CPU and config" || bad "p2p: the snapshot's CPU and config"
"$acsctl" -F "$tmp/amd.snap" p2p 03:00.0 04:00.0 -j >"$tmp/out"
grep -q '"p2pdma_built": true' "$tmp/out" && grep -q '"p2pdma_from": "host"' "$tmp/out" && grep -q '"cpu": "amd-zen"' "$tmp/out" &&
	grep -q '"cpu_from": "host"' "$tmp/out" && ok "p2p -j: host facts" || bad "p2p -j: host facts"
"$acsctl" -F "$tmp/amd.snap" --cpu other p2p 03:00.0 04:00.0 -j >"$tmp/out"
grep -q '"cpu": "other"' "$tmp/out" && grep -q '"cpu_from": "--cpu"' "$tmp/out" && grep -q '"map": "not_supported"' "$tmp/out" &&
	ok "p2p: --cpu overrides the host's CPU" || bad "p2p: --cpu overrides the host's CPU"
"$acsctl" -F "$tmp/amd.snap" snapshot "$tmp/amd2.snap"
grep -qx '# host: cpu_vendor=AuthenticAMD cpu_family=25 CONFIG_PCI_P2PDMA=y' "$tmp/amd2.snap" &&
	ok "snapshot keeps the host facts it read" || bad "snapshot keeps the host facts it read"
expect 0 "p2p: a snapshot without the host line" "$acsctl" -F "$sae" p2p 03:00.0 04:00.0
grep -q '^# CPU unknown' "$tmp/out" && grep -q 'as Debian builds it has no P2PDMA' "$tmp/out" &&
	ok "p2p: without host facts, unknown as before" || bad "p2p: without host facts, unknown as before"
sed 's/^# host: .*/# host: cpu_family=zen/' "$tmp/amd.snap" >"$tmp/badhost.snap"
expect 2 "snapshot: a bad host value" "$acsctl" -F "$tmp/badhost.snap" p2p
grep -q 'badhost.snap:[0-9]*: host: cpu_family=zen' "$tmp/err" && ok "snapshot: the bad host line named" ||
	bad "snapshot: the bad host line named"
if [ -r /proc/cpuinfo ] && [ -d /sys/bus/pci/devices ]; then
	"$acsctl" snapshot "$tmp/live.snap" 2>/dev/null
	grep -q '^# host: cpu_vendor=' "$tmp/live.snap" && ok "a live snapshot carries the host's CPU" ||
		bad "a live snapshot carries the host's CPU"
fi
# plan: one result in every format (issue 15): -j and -m carry what the
# text says, the security warnings ("assign together") and the audit after
# included; each way of making it stick, the GRUB line quoted
expect 0 "plan -j: one result" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups -j
python3 - "$tmp/out" <<'PY' && ok "plan -j: assign together, audit, groups and P2P after, boot ways" ||
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "ok" and d["feasible"] is True and len(d["changes"]) == 2
assert {"devices": ["0000:03:00.0", "0000:04:00.0"],
        "reason": "Linux 7.2 keeps them in separate groups, but they reach each other"} in d["assign_together"]
assert len(d["assign_together"]) == 13
pairs = {tuple(sorted(f["devices"])) for f in d["audit"]["unsafe"]}
assert all(tuple(sorted(w["devices"])) in pairs for w in d["assign_together"])
assert d["audit"]["conservative"] == [] and d["audit"]["unknown"] == []
new = [g["devices"] for g in d["groups"] if g["new"]]
assert new == [["0000:02:00.0", "0000:03:00.0"], ["0000:02:01.0", "0000:04:00.0"]], new
assert d["p2p"] == [{"a": "0000:03:00.0", "b": "0000:04:00.0", "map": "bus_addr", "distance": 4}]
assert d["cmdline"] == "pci=config_acs=0010001@0000:02:00.0;0010001@0000:02:01.0"
(w,) = d["boot"]
assert w["way"] == "config_acs" and w["param"] == d["cmdline"] and w["meets"] is True
assert w["grub"] == 'GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX pci=config_acs=\\"0010001@0000:02:00.0;0010001@0000:02:01.0\\""'
assert d["live"] == ["setpci -s 0000:02:00.0 ECAP_ACS+0x6.w=0x0011", "setpci -s 0000:02:01.0 ECAP_ACS+0x6.w=0x0011"]
PY
	bad "plan -j: assign together, audit, groups and P2P after, boot ways"
expect 0 "plan -m" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups -m
grep -q '^plan\.assign_together devices=0000:03:00\.0,0000:04:00\.0 reason="Linux 7.2 keeps them' "$tmp/out" &&
	[ "$(grep -c '^plan\.assign_together ' "$tmp/out")" = 13 ] && [ "$(grep -c '^plan\.audit\.unsafe ' "$tmp/out")" = 14 ] &&
	grep -q '^plan\.boot way=config_acs param="pci=config_acs=0010001@0000:02:00.0;0010001@0000:02:01.0" meets=true ' "$tmp/out" &&
	ok "plan -m: assign together, audit after, boot" || bad "plan -m: assign together, audit after, boot"
expect 0 "plan text: after" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups
grep -q '^groups after: 35 (2 new)$' "$tmp/out" && grep -q '^  group 4: 0000:02:00.0 0000:03:00.0 (new)$' "$tmp/out" &&
	grep -q '^p2p after: 0000:03:00.0 0000:04:00.0: bus_addr (distance 4)$' "$tmp/out" &&
	grep -q '^audit after: 14 unsafe, 0 conservative, 0 unknown$' "$tmp/out" &&
	grep -qF '    GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX pci=config_acs=\"0010001@0000:02:00.0;0010001@0000:02:01.0\""' "$tmp/out" &&
	ok "plan text: groups, P2P and audit after; GRUB line quoted" || bad "plan text: groups, P2P and audit after; GRUB line quoted"
expect 0 "plan -v lists every group after" "$acsctl" -F "$ex" plan -v --p2p 03:00.0,04:00.0 --allow-unsafe-groups
[ "$(grep -c '^  group ' "$tmp/out")" = 35 ] && grep -q '^  unsafe: 0000:03:00.0 0000:04:00.0 via ' "$tmp/out" &&
	ok "plan -v: every group and finding after" || bad "plan -v: every group and finding after"
# before 6.11: disable_acs_redir where it gives the changes, and the boot unit's acs.conf
expect 0 "plan on 6.1: the boot unit" "$acsctl" -F "$ex" --kernel 6.1 plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups
grep -q '^at every boot: add to /etc/acsctl/acs.conf ' "$tmp/out" && grep -q '^    0000:02:00.0:SV+,TB-,RR-,CR-,UF+,DT-$' "$tmp/out" &&
	ok "plan on 6.1: acs.conf lines" || bad "plan on 6.1: acs.conf lines"
"$acsctl" -F "$ex" --kernel 6.1 plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups -j >"$tmp/out" 2>&1
python3 - "$tmp/out" <<'PY' && ok "plan -j on 6.1: disable_acs_redir and acs.conf" || bad "plan -j on 6.1: disable_acs_redir and acs.conf"
import json, sys
d = json.load(open(sys.argv[1]))
assert [w["way"] for w in d["boot"]] == ["disable_acs_redir", "acs.conf"]
assert d["cmdline"] == d["boot"][0]["param"] == "pci=disable_acs_redir=0000:02:00.0;0000:02:01.0"
assert d["boot"][1]["lines"] == ["0000:02:00.0:SV+,TB-,RR-,CR-,UF+,DT-", "0000:02:01.0:SV+,TB-,RR-,CR-,UF+,DT-"]
assert d["boot"][1]["file"] == "/etc/acsctl/acs.conf" and d["boot"][1]["unit"] == "acsctl-apply.service"
PY
# an isolation on 6.1 that sets bits: no parameter says it, the unit does
"$acsctl" -F "$dump" --kernel 6.1 --cmdline "$red" plan --isolate 0a:00.0 >"$tmp/out" 2>&1
grep -q '^at boot: Linux 6.1 cannot express these changes' "$tmp/out" && grep -q '^    0000:00:03.0:' "$tmp/out" &&
	ok "plan on 6.1 setting bits: the boot unit" || bad "plan on 6.1 setting bits: the boot unit"
# "cmdline" is the plan's parameter; --cmdline is in the notes
"$acsctl" -F "$dump" --kernel 6.12 --cmdline "$red" plan --isolate 0a:00.0 -j >"$tmp/out" 2>&1
python3 - "$tmp/out" <<'PY' && ok "plan -j with --cmdline: cmdline is the plan's" || bad "plan -j with --cmdline: cmdline is the plan's"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cmdline"].startswith("pci=config_acs=") and "@0000:00:03.0" in d["cmdline"], d["cmdline"]
assert "booted with: pci=disable_acs_redir=00:03.0" in d["notes"]
PY
expect 1 "plan -j infeasible: verdict" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --isolate 05:00.0 -j
grep -q '"verdict": "fail"' "$tmp/out" && grep -q '"cmdline": null' "$tmp/out" && ok "plan -j infeasible: fail, no parameter" ||
	bad "plan -j infeasible: fail, no parameter"
# apply: its answers through the emitter too
ACSCTL_JOURNAL=$tmp/none.json expect 0 "apply --status -j" "$acsctl" apply --status -j
grep -q '"pending": false' "$tmp/out" && ok "apply --status -j: no pending change" || bad "apply --status -j: no pending change"
ACSCTL_JOURNAL=$tmp/none.json expect 0 "apply --status -m" "$acsctl" apply --status -m
[ "$(cat "$tmp/out")" = "apply pending=false" ] && ok "apply --status -m" || bad "apply --status -m"
printf '# nothing yet\n' >"$tmp/empty.conf"
chmod 600 "$tmp/empty.conf"
expect 0 "apply --from nothing -j" "$acsctl" -F "$dump" apply --from "$tmp/empty.conf" -j
python3 - "$tmp/out" "$tmp/empty.conf" <<'PY' && ok "apply --from nothing -j: header, no changes" || bad "apply --from nothing -j: header, no changes"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["changes"] == [] and d["applied"] is False and d["dry_run"] is True and d["from"] == sys.argv[2]
assert d["verdict"] == "ok" and d["function_count"] > 0
PY
expect 0 "apply --from nothing" "$acsctl" -F "$dump" apply --from "$tmp/empty.conf"
[ "$(cat "$tmp/out")" = "nothing to apply: $tmp/empty.conf holds no changes" ] && ok "apply text: as before" ||
	bad "apply text: as before"

# --- Grammar: each command takes its own options (src/cli/commands.c) ---
# refused: exit 2, one line naming the option and the command
refused() { # NAME OPTION COMMAND ACSCTL-ARGS...
	local name=$1 opt=$2 cmd=$3
	shift 3
	expect 2 "$name" "$acsctl" "$@"
	grep -qF -- "$cmd does not take $opt" "$tmp/err" && grep -qF "acsctl $cmd --help" "$tmp/err" &&
		ok "$name: names $opt and $cmd" || bad "$name: names $opt and $cmd: $(cat "$tmp/err")"
}
refused "show --yes" --yes show -F "$dump" show --yes
refused "show --yes --allocate --rollback" --yes show -F "$dump" show --yes --allocate --rollback
refused "p2p --isolate X" --isolate p2p -F "$dump" p2p --isolate 00:00.0
refused "--isolate before p2p" --isolate p2p -F "$dump" --isolate 00:00.0 p2p
refused "groups --allocate" --allocate groups -F "$dump" groups --allocate
refused "apply --cmdline" --cmdline apply -F "$dump" apply --cmdline pci=noats 00:02.0:RR-
refused "whatif --platform" --platform whatif -F "$dump" whatif --platform phb4 00:02.0:RR-
refused "export --cpu" --cpu export -F "$dump" export --cpu other "$tmp/x.json"
refused "synth -F" -F synth synth --functions 5 -F "$dump"
refused "groups --version" --version groups -F "$dump" groups --version
expect 2 "--yes and no command" "$acsctl" -F "$dump" --yes
grep -qF -- '--yes goes with a command that takes it: apply' "$tmp/err" && ok "--yes alone: apply takes it" ||
	bad "--yes alone: apply takes it: $(cat "$tmp/err")"
expect 2 "unknown option after the command" "$acsctl" -F "$dump" groups --frob
grep -qF 'unknown option --frob (see acsctl groups --help)' "$tmp/err" && ok "unknown option: the command's help" ||
	bad "unknown option: the command's help: $(cat "$tmp/err")"
expect 2 "a value missing" "$acsctl" -F "$dump" groups --kernel
grep -qF 'option --kernel needs a value' "$tmp/err" && ok "a value missing: named" || bad "a value missing: named"
# a command's --help: its options, no other command's
expect 0 "plan --help" "$acsctl" plan --help
grep -q '^Usage: acsctl plan ' "$tmp/out" && grep -q -- '^  --isolate D' "$tmp/out" &&
	grep -q -- '^  --p2p A,B' "$tmp/out" && grep -q -- '^  --tenant' "$tmp/out" && grep -q -- '^  -F FILE' "$tmp/out" &&
	ok "plan --help lists plan's options" || bad "plan --help lists plan's options"
! grep -qE -- '--(rollback|unbind|allocate|check)\b' "$tmp/out" && ok "plan --help: none of apply's or pe's" ||
	bad "plan --help: $(grep -E -- '--(rollback|unbind|allocate|check)' "$tmp/out" | head -1)"
cp "$tmp/out" "$tmp/plan-help"
expect 0 "help plan" "$acsctl" help plan
cmp -s "$tmp/out" "$tmp/plan-help" && ok "help plan is plan --help" || bad "help plan is plan --help"
expect 0 "--help before the command" "$acsctl" -F "$dump" --help plan
cmp -s "$tmp/out" "$tmp/plan-help" && ok "--help plan is plan --help" || bad "--help plan is plan --help"
expect 0 "--help with an option plan does not take" "$acsctl" plan --yes --help
expect 0 "apply --help" "$acsctl" apply --help
grep -q -- '^  --yes' "$tmp/out" && grep -q -- '^  --rollback' "$tmp/out" && ! grep -q -- '--isolate' "$tmp/out" &&
	ok "apply --help: --yes, not --isolate" || bad "apply --help: --yes, not --isolate"
expect 0 "synth --help" "$acsctl" synth --help
grep -q -- '^  --functions N' "$tmp/out" && ! grep -q -- '^  -F' "$tmp/out" && ok "synth --help: no -F" ||
	bad "synth --help: no -F"
expect 2 "help of no command" "$acsctl" help frobnicate
expect 0 "--help" "$acsctl" --help
for c in show groups p2p pe apply plan whatif audit explain snapshot export report synth help; do
	grep -q "^  $c " "$tmp/out" || bad "--help lists $c"
done
awk '/^  -/ { on = /^  --yes/ } on' "$tmp/out" | grep -q '(apply, plan)$' && ok "--help: --yes is apply's and plan's (--write)" ||
	bad "--help: --yes is apply's and plan's (--write)"
# --version: meson.build's project() version
v=$(sed -n "s/^  version : '\([^']*\)',$/\1/p" "$src/meson.build")
expect 0 "--version" "$acsctl" --version
[ -n "$v" ] && [ "$(cat "$tmp/out")" = "acsctl $v" ] && ok "--version: acsctl $v" ||
	bad "--version: '$(cat "$tmp/out")', meson.build '$v'"
# options before the command and after it, in any order: the same answer
"$acsctl" -F "$dump" --kernel 6.1 groups -j >"$tmp/before" 2>&1
for order in "groups -F $dump --kernel 6.1 -j" "groups -j --kernel 6.1 -F $dump" "-j groups --kernel 6.1 -F $dump" \
	"--kernel 6.1 -F $dump -j groups"; do
	# shellcheck disable=SC2086
	"$acsctl" $order >"$tmp/after" 2>&1
	cmp -s "$tmp/before" "$tmp/after" && ok "options anywhere: $order" || bad "options anywhere: $order"
done
expect 0 "synth: its options before it" "$acsctl" --functions 7 --seed 4 synth --format dump -o "$tmp/g1.txt"
expect 0 "synth: its options after it" "$acsctl" synth --functions 7 --seed 4 --format dump -o "$tmp/g2.txt"
cmp -s "$tmp/g1.txt" "$tmp/g2.txt" && ok "synth: options before it or after it, the same" ||
	bad "synth: options before it or after it, the same"

# plan: groups that tell the truth, one-way P2P (issue 16, items 1 and 2)
ex="$src/examples/switch-acs-everywhere.json"
expect 0 "plan p2p: truthful groups" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0
grep -q '^plan: 3 changes, minimal' "$tmp/out" &&
	grep -q '^  0000:00:03.1: ACSCtl 0x001d -> 0x001c ' "$tmp/out" &&
	grep -q '^for truthful groups (the kernel merges what is below them): 0000:00:03.1$' "$tmp/out" &&
	grep -q '^audit after: 0 unsafe, ' "$tmp/out" && ! grep -q '^assign together: ' "$tmp/out" &&
	! grep -q '^WARNING --allow-unsafe-groups' "$tmp/out" &&
	ok "plan p2p: SV off on the root port, audit after OK" || bad "plan p2p: SV off on the root port, audit after OK"
expect 0 "plan --allow-unsafe-groups: loudly" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --allow-unsafe-groups
grep -q '^plan: 2 changes, minimal' "$tmp/out" && grep -q '^WARNING --allow-unsafe-groups: ' "$tmp/out" &&
	grep -q '^audit after: 14 unsafe, ' "$tmp/out" &&
	ok "plan --allow-unsafe-groups: the old plan, a warning" || bad "plan --allow-unsafe-groups: the old plan, a warning"
expect 0 "plan --p2p-one-way" "$acsctl" -F "$ex" plan --p2p-one-way 03:00.0,04:00.0 -j
python3 - "$tmp/out" <<'PY' && ok "plan --p2p-one-way -j: RR off at A's port, CR at B's, SV at the root port: 3 bits" ||
import json, sys
d = json.load(open(sys.argv[1]))
ch = {c["device"]: (int(c["acs_ctl_before"], 16), int(c["acs_ctl_after"], 16)) for c in d["changes"]}
assert ch == {"0000:00:03.1": (0x1d, 0x1c), "0000:02:00.0": (0x1d, 0x19), "0000:02:01.0": (0x1d, 0x15)}, ch
assert sum(bin(a ^ b).count("1") for a, b in ch.values()) == 3
assert d["allow_unsafe_groups"] is False and d["truthful_groups"] == ["0000:00:03.1"]
assert d["audit"]["unsafe"] == []
PY
	bad "plan --p2p-one-way -j: RR off at A's port, CR at B's, SV at the root port: 3 bits"
expect 0 "plan --p2p and --p2p-one-way together" "$acsctl" -F "$ex" plan --p2p 03:00.0,04:00.0 --p2p-one-way 05:00.0,03:00.0
grep -q '^audit after: 0 unsafe, ' "$tmp/out" && ok "plan: both forms, audit after OK" || bad "plan: both forms, audit after OK"
expect 2 "plan --p2p-one-way takes two devices" "$acsctl" -F "$ex" plan --p2p-one-way 03:00.0,04:00.0,05:00.0
# every plan on every example leaves no unsafe pair the fabric did not
# have (the audit before), unless --allow-unsafe-groups; bits cleared
# with and without it
for e in "$src"/examples/*.json; do
	case "$e" in *power-*) continue ;; esac
	python3 - "$acsctl" "$e" <<'PY' && ok "plan on $(basename "$e"): audit after no worse than before" ||
import json, subprocess, sys
acsctl, path = sys.argv[1], sys.argv[2]
def run(*a):
    p = subprocess.run([acsctl, "-F", path, *a, "-j"], capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout)
_, show = run("show")
funcs = show["functions"]
parent = {f["address"]: f.get("parent") for f in funcs}
eps = [f["address"] for f in funcs if f.get("type") == "Endpoint" and not f.get("class", "").startswith("06")]
_, audit = run("audit")
before = {tuple(r["devices"]) for s in audit["unsafe"] for r in s.get("routes", [])}
pairs = [(a, b) for i, a in enumerate(eps) for b in eps[i + 1:]
         if parent.get(a) and parent.get(b) and parent[a] != parent[b] and parent.get(parent[a])
         and parent.get(parent[a]) == parent.get(parent[b])][:2]
reqs = [["--isolate", eps[-1]]] + [[o, a + "," + b] for a, b in pairs for o in ("--p2p", "--p2p-one-way")]
for r in reqs:
    rc, d = run("plan", *r)
    rc2, old = run("plan", *r, "--allow-unsafe-groups")
    assert rc in (0, 1, 3) and rc2 in (0, 1, 3), (r, rc, rc2)
    if d["feasible"]:
        after = {tuple(f["devices"]) for f in d["audit"]["unsafe"]}
        assert after <= before, (r, after - before)
        assert d["allow_unsafe_groups"] is False
    if old["feasible"]:
        assert old["allow_unsafe_groups"] is True
    bits = lambda x: sum(bin(int(c["acs_ctl_before"], 16) ^ int(c["acs_ctl_after"], 16)).count("1")
                         for c in x.get("changes", []))
    print("#", path.rsplit("/", 1)[-1], " ".join(r), "bits:", bits(old) if old["feasible"] else "-", "->",
          bits(d) if d["feasible"] else "infeasible", "unsafe after:",
          len(old["audit"]["unsafe"]) if old["feasible"] else "-", "->",
          len(d["audit"]["unsafe"]) if d["feasible"] else "-")
PY
		bad "plan on $(basename "$e"): audit after no worse than before"
done

# --- The kernel's groups in lspci -vv text; what the IOMMU leaves out; group numbers ---
# lspci -vv prints "\tIOMMU group: N" (pciutils 3.7 on) after the header and its
# Subsystem ... NUMA node lines (lspci.c show_verbose()); the VM captures, turned
# into text by the system's lspci, get their kernel's groups.txt put back that way.
with_groups() { sh "$src/tests/cli/with-groups.sh" "$1"; }
fx=$src/tests/fixtures/vm/6.12
if lspci -F "$dump" -vvnn >"$tmp/vv.txt" 2>/dev/null; then
	with_groups "$(dirname "$dump")/groups.txt" <"$tmp/vv.txt" >"$tmp/kg.txt"
	[ "$(grep -c 'IOMMU group: ' "$tmp/kg.txt")" -eq "$(wc -l <"$(dirname "$dump")/groups.txt")" ] &&
		ok "kernel groups: one IOMMU group line per grouped device" || bad "kernel groups: one IOMMU group line per grouped device"
	expect 0 "kernel groups: groups --check from lspci text" "$acsctl" -F "$tmp/kg.txt" --kernel 6.12 groups --check
	grep -q "^OK: the kernel's groups equal the prediction of policy 6.12 for all $(wc -l <"$(dirname "$dump")/groups.txt") grouped functions" "$tmp/out" &&
		ok "kernel groups: every grouped function compared" || bad "kernel groups: every grouped function compared"
	expect 2 "kernel groups: text without the lines cannot tell" "$acsctl" -F "$tmp/vv.txt" groups --check
	expect 0 "kernel groups: groups says the kernel formed its own" "$acsctl" -F "$tmp/kg.txt" groups -j
	grep -q '"kernel_groups": "present"' "$tmp/out" && ok "kernel groups: JSON kernel_groups present" || bad "kernel groups: JSON kernel_groups present"
	"$acsctl" -F "$tmp/kg.txt" --kernel 6.12 groups -m >"$tmp/kg.m" 2>/dev/null
	diff -q <(sort "$tmp/kg.m") <(sort "$(dirname "$dump")/groups.txt") >/dev/null &&
		ok "kernel groups: predicted numbers equal the kernel's" || bad "kernel groups: predicted numbers equal the kernel's"
	"$acsctl" -F "$tmp/kg.txt" snapshot "$tmp/kg-snap.txt" >/dev/null 2>&1
	expect 0 "kernel groups: a snapshot of the text keeps them" "$acsctl" -F "$tmp/kg-snap.txt" --kernel 6.12 groups --check
	expect 1 "kernel groups: audit (the capture's switch without ACS)" "$acsctl" -F "$tmp/kg.txt" audit
	grep -q "^# groups judged: the kernel's own" "$tmp/out" && ok "kernel groups: audit says it judged the kernel's groups" ||
		bad "kernel groups: audit says it judged the kernel's groups"
	"$acsctl" -F "$tmp/vv.txt" audit -j 2>/dev/null | grep -q '"groups_judged": "predicted"' &&
		ok "kernel groups: without them audit judges the prediction" || bad "kernel groups: without them audit judges the prediction"
	# partial: one device without its line is not compared, never a group of its own
	ep=$(awk '$2 != "0000:00:00.0" { a = $2 } END { sub(/^0000:/, "", a); print a }' "$(dirname "$dump")/groups.txt")
	awk -v ep="$ep" '$1 == ep { print; skip = 1; next } skip && /IOMMU group:/ { skip = 0; next } { print }' "$tmp/kg.txt" >"$tmp/part.txt"
	expect 0 "kernel groups: partial text" "$acsctl" -F "$tmp/part.txt" --kernel 6.12 groups --check
	grep -q "^# partial: 1 function the prediction groups has no kernel group in this source (no IOMMU group line): not compared: 0000:$ep" "$tmp/out" &&
		ok "kernel groups: partial says so and names it" || bad "kernel groups: partial says so and names it"
	"$acsctl" -F "$tmp/part.txt" --kernel 6.12 groups --check -j 2>/dev/null |
		python3 -c 'import json,sys; assert json.load(sys.stdin)["not_compared"] == ["0000:" + sys.argv[1]]' "$ep" &&
		ok "kernel groups: JSON not_compared" || bad "kernel groups: JSON not_compared"
	expect 0 "kernel groups: show on partial text" "$acsctl" -F "$tmp/part.txt" --kernel 6.12 show
	grep -q "$ep .*\[kernel: no group: not compared\]" "$tmp/out" && ok "kernel groups: show marks the device without a line" ||
		bad "kernel groups: show marks the device without a line"
	# a kernel that grouped one device with another: FAIL, and show marks both
	g0=$(awk -v ep="0000:$ep" '$2 == ep { print $1 }' "$(dirname "$dump")/groups.txt")
	awk -v ep="$ep" '$1 == ep { print; moved = 1; next } moved && /IOMMU group:/ { print "\tIOMMU group: 0"; moved = 0; next } { print }' \
		"$tmp/kg.txt" >"$tmp/moved.txt"
	expect 1 "kernel groups: a kernel group the prediction splits" "$acsctl" -F "$tmp/moved.txt" --kernel 6.12 groups --check
	grep -q "^FAIL kernel merges kernel group 0:" "$tmp/out" && ok "kernel groups: FAIL names the kernel's group" || bad "kernel groups: FAIL names the kernel's group"
	expect 0 "kernel groups: show on the merged text" "$acsctl" -F "$tmp/moved.txt" --kernel 6.12 show
	grep -q "$ep .*group $g0 \[kernel group 0: differs\]" "$tmp/out" && ok "kernel groups: show marks where they differ" ||
		bad "kernel groups: show marks where they differ"
	expect 2 "kernel groups: a malformed IOMMU group line" "$acsctl" -F <(sed 's/IOMMU group: 0$/IOMMU group: zero/' "$tmp/kg.txt") groups
	grep -q "'IOMMU group:' without a decimal group number" "$tmp/err" && ok "kernel groups: the error names the line" || bad "kernel groups: the error names the line"
	# several root buses: their order is firmware's, known only from the kernel's numbers
	lspci -F "$fx/pxb-pcie/lspci.txt" -vvnn 2>/dev/null | with_groups "$fx/pxb-pcie/groups.txt" >"$tmp/pxb.txt"
	expect 0 "group numbers: several root buses in a dump" "$acsctl" -F "$fx/pxb-pcie/lspci.txt" groups
	grep -q "^# group numbers are uncertain past the first root bus" "$tmp/out" && ok "group numbers: uncertain said" || bad "group numbers: uncertain said"
	"$acsctl" -F "$fx/pxb-pcie/lspci.txt" groups -j 2>/dev/null | grep -q '"numbers_certain": false' &&
		ok "group numbers: JSON numbers_certain false" || bad "group numbers: JSON numbers_certain false"
	expect 0 "group numbers: with the kernel's numbers" "$acsctl" -F "$tmp/pxb.txt" groups
	grep -q "^# root buses in the order the kernel's own group numbers show" "$tmp/out" && ! grep -q "uncertain past" "$tmp/out" &&
		ok "group numbers: root order from the kernel's numbers" || bad "group numbers: root order from the kernel's numbers"
	diff -q <("$acsctl" -F "$tmp/pxb.txt" --kernel 6.12 groups -m 2>/dev/null | sort) <(sort "$fx/pxb-pcie/groups.txt") >/dev/null &&
		ok "group numbers: equal the kernel's" || bad "group numbers: equal the kernel's"
else
	bad "kernel groups: lspci -F DUMP -vvnn (pciutils) runs"
fi
# AMD-Vi: the IOMMU's own function (class 0806) and the root complex beside it have no group
printf '%s\n\n%s\n\n%s\n\n' \
	'00:00.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Device [1022:14d8]' \
	'00:00.2 IOMMU [0806]: Advanced Micro Devices, Inc. [AMD] Device [1022:14d9]' \
	'00:01.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Device [1022:14da]' >"$tmp/amd.txt"
expect 0 "unmanaged: groups" "$acsctl" -F "$tmp/amd.txt" groups
grep -q '^not managed by the IOMMU (no group):' "$tmp/out" && grep -q '^  0000:00:00.2  \[PCI\] IOMMU' "$tmp/out" &&
	grep -q '^  0000:00:00.0  \[PCI\] Host bridge' "$tmp/out" && ok "unmanaged: listed apart, not as a group" ||
	bad "unmanaged: listed apart, not as a group"
expect 0 "unmanaged: groups -m" "$acsctl" -F "$tmp/amd.txt" groups -m
[ "$(cat "$tmp/out")" = "0 0000:00:01.0" ] && ok "unmanaged: -m has no line for them, numbers start after" ||
	bad "unmanaged: -m has no line for them, numbers start after"
expect 0 "unmanaged: groups -j" "$acsctl" -F "$tmp/amd.txt" groups -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(u["device"], u["reason"]) for u in d["unmanaged"]] == [("0000:00:00.0", "ivrs_root"), ("0000:00:00.2", "iommu_self")]' "$tmp/out" &&
	ok "unmanaged: JSON reasons" || bad "unmanaged: JSON reasons"
expect 0 "unmanaged: show" "$acsctl" -F "$tmp/amd.txt" show
grep -q '00.2  \[PCI\] IOMMU: .*  not managed by the IOMMU$' "$tmp/out" && ok "unmanaged: show says so" || bad "unmanaged: show says so"
expect 3 "unmanaged: explain (ACS unread in a bare text)" "$acsctl" -F "$tmp/amd.txt" explain 00:00.2 00:01.0
grep -q '^1\. 0000:00:00.2 (PCI) is in no group: the IOMMU does not manage it (the AMD IOMMU' "$tmp/out" &&
	grep -q 'share no group$' "$tmp/out" && ok "unmanaged: explain says it is in no group" || bad "unmanaged: explain says it is in no group"
"$acsctl" -F "$tmp/amd.txt" explain 00:00.2 -j 2>/dev/null | grep -q '"group": null' &&
	ok "unmanaged: explain -j group null" || bad "unmanaged: explain -j group null"
# the kernel grouping one of them is a difference
sed 's/^\(00:00.2 .*\)$/\1\n\tIOMMU group: 1/; s/^\(00:01.0 .*\)$/\1\n\tIOMMU group: 0/' "$tmp/amd.txt" >"$tmp/amd-k.txt"
expect 1 "unmanaged: kernel groups the IOMMU's function" "$acsctl" -F "$tmp/amd-k.txt" groups --check
grep -q '^FAIL kernel groups 0000:00:00.2 (kernel group 1), which the prediction leaves out: the AMD IOMMU' "$tmp/out" &&
	ok "unmanaged: FAIL names it and why" || bad "unmanaged: FAIL names it and why"

# p2p -v: requests and completions, each way (issue 16): after the one-way
# plan on the DMA-Direct shape, the DMA function's requests reach the GPU
# and the GPU's completions come back directly; the GPU's own requests
# still go through the root complex
dd=$src/tests/fixtures/rdma-topo/dma-direct.json
expect 0 "plan --p2p-one-way on DMA-Direct" "$acsctl" -F "$dd" --kernel 6.12 plan --p2p-one-way 0008:03:00.0,0008:06:00.0 -j
ddp=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cmdline"])' "$tmp/out")
expect 0 "p2p -v after the one-way plan" "$acsctl" -F "$dd" --kernel 6.12 --cmdline "$ddp" p2p -v 0008:03:00.0 0008:06:00.0
grep -q '^    hardware: requests 0008:03:00.0 -> 0008:06:00.0: direct: ' "$tmp/out" &&
	grep -q '^      completions back: direct: the port they enter by does not redirect completions (CmpltRedir-)$' "$tmp/out" &&
	grep -q '^    hardware: requests 0008:06:00.0 -> 0008:03:00.0: through the root complex: .*(ReqRedir+)$' "$tmp/out" &&
	ok "p2p -v: requests one way, completions back" || bad "p2p -v: requests one way, completions back"
expect 0 "p2p -v -j after the one-way plan" "$acsctl" -F "$dd" --kernel 6.12 --cmdline "$ddp" p2p -v -j 0008:03:00.0 0008:06:00.0
python3 -c 'import json,sys; h=json.load(open(sys.argv[1]))["pairs"][0]["hardware"]
assert h["direct"] and h["completions"]["direct"] and not h["back"]["direct"] and not h["back"]["completions"]["direct"], h' "$tmp/out" &&
	ok "p2p -j: hardware, completions, back" || bad "p2p -j: hardware, completions, back"
# --p2p between a NIC's DMA function and a GPU: the hardware's path by
# default (never the GPU's own downstream port, which no P2P TLP crosses);
# --target p2pdma: the kernel's path, every port on it
expect 0 "plan --p2p on DMA-Direct: target hardware" "$acsctl" -F "$dd" --kernel 6.12 plan --p2p 0008:03:00.0,0008:06:00.0 -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["targets"] == [{"devices": ["0008:03:00.0", "0008:06:00.0"], "target": "hardware"}], d["targets"]
ch = {c["device"] for c in d["changes"]}
assert "0008:05:00.0" not in ch and ch == {"0008:00:00.0", "0008:02:00.0", "0008:02:01.0"}, ch
assert d["audit"]["unsafe"] == [] and d["opened"]["total"] == 0' "$tmp/out" &&
	ok "plan --p2p: the hardware path, not the GPU's port" || bad "plan --p2p: the hardware path, not the GPU's port"
expect 0 "plan --p2p --target p2pdma" "$acsctl" -F "$dd" --kernel 6.12 plan --p2p 0008:03:00.0,0008:06:00.0 --target p2pdma -j
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["targets"][0]["target"] == "p2pdma" and "0008:05:00.0" in {c["device"] for c in d["changes"]}
assert d["p2p"][0]["map"] == "bus_addr"' "$tmp/out" &&
	ok "plan --target p2pdma: the kernel's path" || bad "plan --target p2pdma: the kernel's path"
expect 2 "plan --target other" "$acsctl" -F "$dd" --kernel 6.12 plan --p2p 0008:03:00.0,0008:06:00.0 --target gpu
# what a plan opens beyond the request: RR off on a switch's port opens its
# device to every peer below the switch
expect 0 "plan --p2p below a switch of eight ports" "$acsctl" -F "$src/examples/switch-acs-everywhere.json" plan --p2p 03:00.0,04:00.0
grep -q '^opened beyond the request: 12 pairs of peers now reach each other directly' "$tmp/out" &&
	grep -q '^  opened: 0000:03:00.0 -> 0000:0a:00.0$' "$tmp/out" && ! grep -q 'opened: 0000:03:00.0 -> 0000:04:00.0' "$tmp/out" &&
	ok "plan: every pair opened beyond the request, not the one asked" || bad "plan: every pair opened beyond the request, not the one asked"

# Many inputs in one run (issue 18): -F again, or a directory; each answer
# equals the input's run alone, in order; one bad input does not stop the
# rest; the exit status is the worst seen
mi=$tmp/multi
mkdir -p "$mi"
for f in "$src"/tests/fixtures/vm/6.1[2]/*/lspci.txt; do cp "$f" "$mi/$(basename "$(dirname "$f")").txt"; done
printf 'not pci\n' >"$mi/zz-bad.txt"
nmi=$(ls "$mi" | wc -l)
expect 2 "audit -j over a directory" "$acsctl" -F "$mi" audit -j
cp "$tmp/out" "$tmp/multi.jsonl"
ok_all=1
for f in "$mi"/*.txt; do
	rc=0
	"$acsctl" -F "$f" audit -j >"$tmp/one.json" 2>/dev/null || rc=$?
	python3 -c 'import json,sys
lines = [json.loads(l) for l in open(sys.argv[1])]
mine = [d for d in lines if d["source"] == sys.argv[2]]
assert len(mine) == 1, len(mine)
d = mine[0]
assert d.pop("exit") == int(sys.argv[4]), "exit"
try:
    one = json.load(open(sys.argv[3]))
except ValueError:
    one = None
if one is None:
    assert "error" in d and int(sys.argv[4]) == 2
else:
    assert d == one, sys.argv[2]' "$tmp/multi.jsonl" "$f" "$tmp/one.json" "$rc" || { ok_all=0; echo "# differs: $f"; }
done
[ "$ok_all" = 1 ] && [ "$(wc -l <"$tmp/multi.jsonl")" -eq "$nmi" ] &&
	ok "multi-input: each of $nmi answers equals its run alone" || bad "multi-input: each answer equals its run alone"
expect 2 "groups over a directory, text" "$acsctl" -F "$mi" groups
[ "$(grep -c '^== ' "$tmp/out")" -eq $((nmi + 1)) ] &&
	grep -q "^== $nmi inputs: $((nmi - 1)) OK, 0 FAIL, 0 UNKNOWN, 1 unreadable$" "$tmp/out" &&
	ok "multi-input text: a header per input, the summary" || bad "multi-input text: a header per input, the summary"
# byte for byte: each input's part of the text and -m answers is its run
# alone, one worker running them all one after another (multi.c: the runs
# share a process; pci.ids, loaded once, names the devices in text); every
# fifth input and the bad one, against its run alone
same_all=1
for mode in "" -m; do
	ACSCTL_JOBS=1 "$acsctl" -F "$mi" groups $mode >"$tmp/multi.txt" 2>/dev/null
	for f in $(ls "$mi"/*.txt | awk 'NR % 5 == 1') "$mi/zz-bad.txt"; do
		rc=0
		"$acsctl" -F "$f" groups $mode >"$tmp/one.txt" 2>/dev/null || rc=$?
		[ -z "$mode" ] && hdr="== $f (exit $rc)" || hdr="input path=$f exit=$rc"
		awk -v h="$hdr" '/^(== |input path=|inputs count=)/ { on = ($0 == h); next } on' "$tmp/multi.txt" >"$tmp/part.txt"
		cmp -s "$tmp/part.txt" "$tmp/one.txt" || { same_all=0; echo "# differs: groups $mode $f"; }
	done
done
[ "$same_all" = 1 ] && ok "multi-input text and -m: each input's answer byte for byte its run alone" ||
	bad "multi-input text and -m: an answer differs from its run alone"
# a run that dies (a crash, a signal): its input exits 2 with what it said,
# a new worker takes the inputs after it (the hook is in test builds only)
if grep -qa ACSCTL_FAULT_WORKER "$acsctl"; then
	ACSCTL_JOBS=1 ACSCTL_FAULT_WORKER="$mi/kitchen-sink-1.txt" "$acsctl" -F "$mi" audit -j >"$tmp/out" 2>"$tmp/err"
	rc=$?
	python3 -c 'import json,sys
lines = [json.loads(l) for l in open(sys.argv[1])]
dead = [d for d in lines if d["source"].endswith("/kitchen-sink-1.txt")]
assert len(lines) == int(sys.argv[2]) and len(dead) == 1, len(lines)
assert dead[0] == {"error": "acsctl: ACSCTL_FAULT_WORKER: killed", "source": dead[0]["source"], "exit": 2}, dead[0]
assert sum(1 for d in lines if d["exit"] != 2) == int(sys.argv[2]) - 2' "$tmp/out" "$nmi" && [ $rc -eq 2 ] &&
		cmp -s <(grep -v kitchen-sink-1 "$tmp/out") <(grep -v kitchen-sink-1 "$tmp/multi.jsonl") &&
		ok "multi-input: a run killed half way exits 2 with its message; every other answer as before" ||
		bad "multi-input: a run killed half way (exit $rc): $(head -c 300 "$tmp/out")"
else
	echo "# skip: no ACSCTL_FAULT_WORKER in this build (-Dfault_injection=true has it)"
fi
expect 1 "two -F: the worst exit" "$acsctl" -F "$mi/kitchen-sink-1.txt" -F "$mi/rp-mf-acs.txt" audit -m
grep -q '^input path=.*kitchen-sink-1.txt exit=1$' "$tmp/out" && grep -q '^inputs count=2 ok=1 fail=1 unknown=0 unreadable=0$' "$tmp/out" &&
	ok "multi-input -m: an input record each, the counts" || bad "multi-input -m: an input record each, the counts"
expect 2 "export: one input at a time" "$acsctl" -F "$mi/kitchen-sink-1.txt" -F "$mi/rp-mf-acs.txt" export "$tmp/x.json"
expect 2 "metrics -o: one input" "$acsctl" -F "$mi/kitchen-sink-1.txt" -F "$mi/rp-mf-acs.txt" metrics -o "$tmp/m.prom"
[ ! -e "$tmp/m.prom" ] && grep -q 'takes one input' "$tmp/err" && ok "metrics -o with two inputs: refused, nothing written" ||
	bad "metrics -o with two inputs: refused, nothing written"

# --- whatif --kernel-to / --cmdline-to: before a kernel upgrade ---
# Qualcomm Hamoa root ports: their ACS quirk entered in 7.0, no 5.4.y has it
qh="$src/tests/fixtures/whatif-kernel/qcom-hamoa.json"
read -r kold knew < <("$acsctl" --help | sed -n 's/.*modelled kernels \([^ ]*\) to \([^;]*\);.*/\1 \2/p')
[ -n "$kold" ] && [ -n "$knew" ] && ok "kernel-to: the modelled range ($kold to $knew)" || bad "kernel-to: the modelled range"
expect 1 "kernel-to: oldest to newest, the quirk splits a group" "$acsctl" -F "$qh" --kernel "$kold" whatif --kernel-to "$knew"
grep -q '^split: 0000:00:00.0 0000:00:00.1 0000:01:00.0 0000:02:00.0$' "$tmp/out" &&
	grep -q "^# after: kernel policy: $knew (--kernel-to $knew)$" "$tmp/out" &&
	grep -q '^passthrough_gained: 0000:01:00.0 alone in group 2 after, in group 0 before with 0000:02:00.0$' "$tmp/out" &&
	grep -q '^CHANGED: the groups differ: 1 split, 0 merged; 0 functions alone' "$tmp/out" &&
	ok "kernel-to: the split, the devices alone after, CHANGED" || bad "kernel-to: the split, the devices alone after, CHANGED"
expect 1 "kernel-to: newest to oldest, passthrough breaks" "$acsctl" -F "$qh" --kernel "$knew" whatif --kernel-to "$kold"
grep -q '^merged: 0000:00:00.0 0000:00:00.1 0000:01:00.0 0000:02:00.0$' "$tmp/out" &&
	grep -q '^passthrough_lost: 0000:01:00.0 alone in group 2 before, in group 0 after with 0000:02:00.0$' "$tmp/out" &&
	grep -q '^passthrough_lost: 0000:02:00.0 alone in group 3 before, in group 0 after with 0000:01:00.0$' "$tmp/out" &&
	ok "kernel-to: the merge and the functions that lose their group" || bad "kernel-to: the merge and the functions that lose their group"
expect 1 "kernel-to -j" "$acsctl" -F "$qh" --kernel "$knew" whatif --kernel-to "$kold" -j
python3 - "$tmp/out" "$kold" <<'PY' && ok "kernel-to -j: to, passthrough, verdict fail" || bad "kernel-to -j: to, passthrough, verdict fail"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["to"]["kernel"] == sys.argv[2] and d["to"]["cmdline"] is None, d["to"]
assert [x["device"] for x in d["passthrough"]["lost"]] == ["0000:01:00.0", "0000:02:00.0"]
assert d["passthrough"]["lost"][0]["shared_with"] == ["0000:02:00.0"] and d["passthrough"]["gained"] == []
assert len(d["groups"]["merged"]) == 1 and d["verdict"] == "fail"
PY
expect 1 "kernel-to -m" "$acsctl" -F "$qh" --kernel "$knew" whatif --kernel-to "$kold" -m
[ "$(grep -c '^whatif\.passthrough\.lost device=' "$tmp/out")" = 2 ] && grep -q "^whatif\.to kernel=$kold " "$tmp/out" &&
	grep -q '^whatif .* verdict=fail' "$tmp/out" && ok "kernel-to -m: records" || bad "kernel-to -m: records"
expect 0 "kernel-to: 7.0 to the newest, nothing changes" "$acsctl" -F "$qh" --kernel 7.0 whatif --kernel-to "$knew"
grep -q '^no change: the same groups, P2P and audit$' "$tmp/out" && ! grep -q '^CHANGED' "$tmp/out" &&
	ok "kernel-to: no change, exit 0" || bad "kernel-to: no change, exit 0"
expect 0 "kernel-to: a workstation, oldest to newest" "$acsctl" -F "$src/examples/workstation-chipset.json" --kernel "$kold" whatif --kernel-to "$knew"
# between modelled versions: a point release with its backports, an -rc, a distribution's release
expect 0 "kernel-to 6.12.30 (backports: the quirk)" "$acsctl" -F "$qh" --kernel 7.0 whatif --kernel-to 6.12.30
expect 1 "kernel-to 6.12.0 (no backports)" "$acsctl" -F "$qh" --kernel 7.0 whatif --kernel-to 6.12.0
expect 1 "kernel-to 6.8.0-45-generic" "$acsctl" -F "$qh" --kernel 7.0 whatif --kernel-to 6.8.0-45-generic
expect 2 "kernel-to: not a version" "$acsctl" -F "$qh" whatif --kernel-to 4
grep -q -- '--kernel-to' "$tmp/err" && ok "kernel-to: the error names the option" || bad "kernel-to: the error names the option"
expect 2 "kernel-to with ACS changes" "$acsctl" -F "$qh" whatif --kernel-to "$kold" 00:00.0:RR-
expect 2 "kernel-to: another command's option" "$acsctl" -F "$qh" groups --kernel-to "$kold"
# --cmdline-to: the same kernel with another command line; each kernel reads a line as it does
ks="$src/tests/fixtures/vm/6.12/kitchen-sink-1/lspci.txt"
expect 1 "cmdline-to: disable_acs_redir merges a group" "$acsctl" -F "$ks" --kernel 6.12 whatif --cmdline-to "pci=disable_acs_redir=00:03.0"
grep -q '^merged: 0000:00:03.0 0000:0a:00.0$' "$tmp/out" && grep -q '^# after: booted with: pci=disable_acs_redir=00:03.0$' "$tmp/out" &&
	ok "cmdline-to: the merge, the boot named" || bad "cmdline-to: the merge, the boot named"
expect 0 "cmdline-to: the same line, nothing changes" "$acsctl" -F "$ks" --kernel 6.12 --cmdline "pci=noats" whatif --cmdline-to "pci=noats"
expect 1 "kernel-to: config_acs= unknown to 6.1" "$acsctl" -F "$ks" --kernel 6.12 --cmdline "pci=config_acs=xx0xx@0000:00:03.0" whatif --kernel-to 6.1
grep -q "^acsctl: warning: --cmdline under --kernel-to: pci: the kernel does not know the option 'config_acs=" "$tmp/err" &&
	grep -q '^split: 0000:00:03.0 0000:0a:00.0$' "$tmp/out" &&
	ok "kernel-to: the other kernel's reading of --cmdline" || bad "kernel-to: the other kernel's reading of --cmdline"
"$acsctl" -F "$ks" --kernel 6.12 --cmdline "pci=config_acs=xx0xx@0000:00:03.0" whatif --kernel-to 6.1 -j 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["to"]["cmdline"].startswith("pci=config_acs") and d["to"]["warnings"][0]["param"]' &&
	ok "kernel-to -j: the other side's warnings" || bad "kernel-to -j: the other side's warnings"

# unread ACS: a change resting on it is unknown (3), never CHANGED
awk '!/^[0-9a-f]+: / || /^[0-9a-f]0: /' "$src/tests/fixtures/vm/6.12/switch-acs-root/lspci.txt" >"$tmp/kto-xxx.txt"
expect 3 "cmdline-to on an -xxx dump: the change rests on unread ports" "$acsctl" -F "$tmp/kto-xxx.txt" --kernel 6.12 \
	whatif --cmdline-to "pcie_acs_override=downstream,multifunction"
grep -q '^UNCERTAIN: the groups that differ depend on ACS state' "$tmp/out" && ! grep -q '^CHANGED' "$tmp/out" &&
	grep -q '^UNKNOWN 0000:02:00.0 \[Downstream Port\]' "$tmp/out" &&
	ok "cmdline-to: UNCERTAIN, the ports named" || bad "cmdline-to: UNCERTAIN, the ports named"
expect 3 "kernel-to on an -xxx dump, no change" "$acsctl" -F "$tmp/kto-xxx.txt" --kernel "$knew" whatif --kernel-to "$kold"

# a host booted with ACS parameters: compared as read, and said so
sed 's/^# cmdline: \(.*\)$/# cmdline: \1 pci=disable_acs_redir=00:02.0/' \
	"$src/tests/fixtures/vm-snapshot/6.1/kitchen-sink-1/snapshot.txt" >"$tmp/kto-snap.txt"
expect 0 "kernel-to: a snapshot booted with ACS parameters" "$acsctl" -F "$tmp/kto-snap.txt" whatif --kernel-to 6.12
grep -q 'was booted with ACS parameters (.*pci=disable_acs_redir=00:02.0): both sides compare its ACS state as read' "$tmp/err" &&
	grep -q '^# source: .*kernel policy: 6.1 (recorded kernel ' "$tmp/out" &&
	ok "kernel-to: the recorded kernel before, the boot parameters warned of" ||
	bad "kernel-to: the recorded kernel before, the boot parameters warned of"

# plan --isolate of a function the IOMMU leaves out: no group to isolate, a bad request
printf '%s\n\n%s\n\n%s\n\n' \
	'00:00.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Device [1022:14d8]' \
	'00:00.2 IOMMU [0806]: Advanced Micro Devices, Inc. [AMD] Device [1022:14d9]' \
	'00:01.0 Host bridge [0600]: Advanced Micro Devices, Inc. [AMD] Device [1022:14da]' >"$tmp/amd-iso.txt"
expect 2 "plan --isolate an unmanaged function" "$acsctl" -F "$tmp/amd-iso.txt" plan --isolate 00:00.2
grep -q '^acsctl plan: --isolate 0000:00:00.2: in no IOMMU group: the IOMMU does not manage it (the AMD IOMMU.*; nothing to isolate$' "$tmp/err" &&
	! grep -q 'infeasible' "$tmp/out" && ok "plan --isolate unmanaged: says why, no plan" || bad "plan --isolate unmanaged: says why, no plan"
expect 2 "plan --tenant with an unmanaged function" "$acsctl" -F "$tmp/amd-iso.txt" plan --tenant a:00:00.0

# issue 18 items 3, 4: snapshots that say whose they are; acsctl diff A B.
snapdir="$src/tests/fixtures/vm-snapshot"
# edit_snap IN OUT [--drop ADDR] [--link ADDR HEX16] [--short]: a copy of a
# snapshot (or dump) without a device, with a device's Link Status, or cut
# to 64 bytes a function (as without root)
edit_snap() {
	python3 - "$@" <<'PY'
import sys
args = sys.argv[1:]
src, dst, drop, link, short = args[0], args[1], None, None, False
i = 2
while i < len(args):
    if args[i] == "--drop":
        drop, i = args[i + 1], i + 2
    elif args[i] == "--link":
        link, i = (args[i + 1], int(args[i + 2], 16)), i + 3
    else:
        short, i = True, i + 1
out, dev, rows, count = [], None, [], 0
def flush():
    global rows
    if dev is None or dev == drop:
        rows = []
        return
    data = bytearray()
    for r in rows:
        data += bytes(int(x, 16) for x in r.split(":")[1].split())
    if link and dev == link[0]:
        pos = data[0x34]
        while pos and data[pos] != 0x10:
            pos = data[pos + 1]
        assert pos, "no PCIe capability"
        data[pos + 0x12:pos + 0x14] = link[1].to_bytes(2, "little")
    if short:
        data = data[:64]
    for off in range(0, len(data), 16):
        out.append(("%02x:" if off < 256 else "%03x:") % off + "".join(" %02x" % b for b in data[off:off + 16]))
    out.append("")
    rows = []
for line in open(src).read().splitlines():
    if line[:1] in "0123456789abcdef" and line[:1] and "." in line.split()[0] and ":" in line.split()[0] and \
            not line.split()[0].endswith(":"):
        flush()
        dev = line.split()[0]
        if dev != drop:
            out.append(line)
            count += 1
    elif dev is not None and line and line[0] in "0123456789abcdef":
        rows.append(line)
    elif dev is not None and not line:
        continue
    elif line.startswith("# end: "):
        flush()
        dev = None
        out.append("# end: %d functions" % count)
    else:
        out.append(line)
flush()
open(dst, "w").write("\n".join(out) + "\n")
PY
}
# every committed snapshot still loads, and written again with the new
# fields (link=, identity lines kept) reads back with the same groups
n=0 same=0
for s in "$snapdir"/*/*/snapshot.txt; do
	n=$((n + 1))
	{ sed -n 1p "$s"; printf '# hostname: test-host\n# time: 2026-12-06T22:00:00Z\n# bios-version: 1.16.2\n'; sed 1d "$s"; } >"$tmp/id-in.txt"
	"$acsctl" -F "$s" groups -m >"$tmp/g-old" 2>/dev/null &&
		"$acsctl" -F "$tmp/id-in.txt" snapshot "$tmp/id-out.txt" >/dev/null 2>&1 &&
		grep -qx '# hostname: test-host' "$tmp/id-out.txt" && grep -qx '# bios-version: 1.16.2' "$tmp/id-out.txt" &&
		grep -q ' link=[0-9.]*GT/s,x[0-9]*$' "$tmp/id-out.txt" &&
		"$acsctl" -F "$tmp/id-out.txt" groups -m >"$tmp/g-new" && cmp -s "$tmp/g-old" "$tmp/g-new" &&
		same=$((same + 1))
done
[ "$n" -gt 0 ] && [ "$same" -eq "$n" ] && ok "snapshots: $n old ones load, written again with the new fields: same groups" ||
	bad "snapshots: $same of $n read back with the same groups"
# a sysfs tree with DMI and a host name beside it: the identity lines; the
# serial only with --serial
rm -rf "$tmp/idroot" && mkdir -p "$tmp/idroot/sys/class/dmi/id" "$tmp/idroot/proc/sys/kernel" &&
	python3 - "$snapdir/6.12/switch-nested/snapshot.txt" "$tmp/idroot/sys" <<'PY'
import os, sys
dev = None
cfg = {}
for line in open(sys.argv[1]).read().splitlines():
    w = line.split()
    if w and "." in w[0] and w[0].count(":") == 2:
        dev = w[0]
        cfg[dev] = bytearray()
    elif dev and line and line[0] in "0123456789abcdef":
        cfg[dev] += bytes(int(x, 16) for x in line.split(":")[1].split())
for dev, data in cfg.items():
    d = os.path.join(sys.argv[2], "bus/pci/devices", dev)
    os.makedirs(d)
    open(os.path.join(d, "config"), "wb").write(data)
PY
printf 'QEMU\n' >"$tmp/idroot/sys/class/dmi/id/bios_vendor"
printf '1.16.2-debian\n' >"$tmp/idroot/sys/class/dmi/id/bios_version"
printf 'Standard PC (Q35 + ICH9, 2009)\n' >"$tmp/idroot/sys/class/dmi/id/product_name"
printf 'SN-77\n' >"$tmp/idroot/sys/class/dmi/id/product_serial"
printf 'node-7\n' >"$tmp/idroot/proc/sys/kernel/hostname"
printf 'vendor_id\t: GenuineIntel\n' >"$tmp/idroot/proc/cpuinfo"
expect 0 "snapshot of a sysfs tree with DMI" "$acsctl" --sysfs "$tmp/idroot/sys" snapshot "$tmp/id-sys.txt"
grep -qx '# hostname: node-7' "$tmp/id-sys.txt" && grep -qx '# dmi-product: Standard PC (Q35 + ICH9, 2009)' "$tmp/id-sys.txt" &&
	grep -qx '# bios-version: 1.16.2-debian' "$tmp/id-sys.txt" &&
	grep -qE '^# time: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$tmp/id-sys.txt" &&
	! grep -q 'SN-77' "$tmp/id-sys.txt" && ok "snapshot: host name, time, DMI; no serial" || bad "snapshot: host name, time, DMI; no serial"
expect 0 "snapshot --serial" "$acsctl" --sysfs "$tmp/idroot/sys" snapshot --serial "$tmp/id-serial.txt"
grep -qx '# serial: SN-77' "$tmp/id-serial.txt" && ok "snapshot --serial keeps it" || bad "snapshot --serial keeps it"
"$acsctl" --sysfs "$tmp/idroot/sys" groups -m >"$tmp/g-sys" 2>/dev/null
"$acsctl" -F "$tmp/id-serial.txt" groups -m >"$tmp/g-snap" 2>/dev/null
cmp -s "$tmp/g-sys" "$tmp/g-snap" && ok "snapshot with identity: the tree's groups" || bad "snapshot with identity: the tree's groups"

# many inputs: the JSON line of an input that says whose it is has "host"
"$acsctl" -F "$tmp/id-sys.txt" -F "$snapdir/6.12/switch-nested/snapshot.txt" groups -j >"$tmp/multi-host" 2>/dev/null
python3 -c '
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["host"]["hostname"] == "node-7" and a["host"]["bios_version"] == "1.16.2-debian", a.get("host")
assert "host" not in b
' "$tmp/multi-host" && ok "-F A -F B -j: host where known" || bad "-F A -F B -j: host where known"
"$acsctl" -F "$tmp/id-sys.txt" show -j >"$tmp/show-host" 2>/dev/null
grep -q '"dmi_product": "Standard PC (Q35 + ICH9, 2009)"' "$tmp/show-host" && ok "show -j: the host block" ||
	bad "show -j: the host block"

# diff: the same input, none; a setpci change (a config_acs boot against the base)
s12=$snapdir/6.12/switch-nested/snapshot.txt
expect 0 "diff of a snapshot with itself" "$acsctl" diff "$s12" "$s12"
grep -qx 'no differences' "$tmp/out" && ok "diff: no differences" || bad "diff: no differences"
boot=$src/tests/fixtures/vm-boot/6.12
expect 1 "diff: a setpci change" "$acsctl" diff "$boot/base/lspci.txt" "$boot/config-one/lspci.txt"
grep -q '^acs 0000:00:02.0: ACSCtl 0x001d .* -> ACSCtl 0x0015 ' "$tmp/out" &&
	grep -q '^groups merged at 0000:00:02.0: ' "$tmp/out" && ok "diff: the port's ACS and the groups it merged" ||
	bad "diff: the port's ACS and the groups it merged"
# a kernel change: the same case under 6.1 and 6.12
expect 1 "diff: a kernel change" "$acsctl" diff "$snapdir/6.1/switch-nested/snapshot.txt" "$s12"
grep -qx 'host kernel-release: 6.1.0-57-amd64 -> 6.12.118+deb12-amd64' "$tmp/out" && ok "diff: the kernel release" ||
	bad "diff: the kernel release"
# a removed device
edit_snap "$s12" "$tmp/removed.txt" --drop 0000:06:00.0
expect 1 "diff: a removed device" "$acsctl" diff "$s12" "$tmp/removed.txt"
grep -qx 'removed 0000:06:00.0 (1b36:0010)' "$tmp/out" && [ "$(grep -c '^removed \|^added ' "$tmp/out")" = 1 ] &&
	ok "diff: the removed device, alone" || bad "diff: the removed device, alone"
expect 1 "diff: an added device" "$acsctl" diff -j "$tmp/removed.txt" "$s12"
grep -q '"kind": "added"' "$tmp/out" && ok "diff -j: added" || bad "diff -j: added"
# a link downgrade: 16GT/s x4 in A, 8GT/s x4 in B
edit_snap "$s12" "$tmp/link-a.txt" --link 0000:05:00.0 0044
edit_snap "$s12" "$tmp/link-b.txt" --link 0000:05:00.0 0043
expect 1 "diff: a link downgrade" "$acsctl" diff "$tmp/link-a.txt" "$tmp/link-b.txt"
grep -qx 'link 0000:05:00.0: 16GT/s x4 -> 8GT/s x4 (degraded)' "$tmp/out" && ok "diff: the link, degraded" ||
	bad "diff: the link, degraded"
expect 1 "diff -m: a link upgrade" "$acsctl" diff -m "$tmp/link-b.txt" "$tmp/link-a.txt"
grep -q '^diff.differences kind=link device=0000:05:00.0 a="8GT/s x4" b="16GT/s x4" degraded=false' "$tmp/out" &&
	ok "diff -m: the link, not degraded" || bad "diff -m: the link, not degraded"
# unread ACS on one side: unknown, never same
edit_snap "$s12" "$tmp/short.txt" --short
expect 3 "diff: ACS unread on one side" "$acsctl" diff "$s12" "$tmp/short.txt"
grep -q '^UNKNOWN 0000:' "$tmp/out" && ok "diff: UNKNOWN lines" || bad "diff: UNKNOWN lines"
# bad input
expect 2 "diff: one input" "$acsctl" diff "$s12"
expect 2 "diff: a missing file" "$acsctl" diff "$s12" "$tmp/nonexistent.txt"


# plan --boot LOADER, --write [--yes] (src/cli/plan-boot.c, issue 19 item 1;
# tests/vm/grub-boot.sh boots the GRUB form in real GRUB)
bb=$src/tests/fixtures/vm-boot/6.12/base/lspci.txt
bparam='pci=config_acs=0011001@0000:00:02.0;0010101@0000:00:02.1;0011100@0000:00:02.2'
bgrub='GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX pci=config_acs=\"0011001@0000:00:02.0;0010101@0000:00:02.1;0011100@0000:00:02.2\""'
expect 0 "plan --boot grub" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot grub
grep -qxF "    $bgrub" "$tmp/out" && grep -q '^    then: update-grub' "$tmp/out" && ! grep -q 'kernel-install' "$tmp/out" &&
	grep -q '^when: nothing changes until the next boot with the parameter .*acsctl apply.*acsctl-apply.service' "$tmp/out" &&
	ok "plan --boot grub: the drop-in alone, update-grub, what happens when" || bad "plan --boot grub: the drop-in alone, update-grub, what happens when"
expect 0 "plan --boot systemd-boot" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot systemd-boot
grep -qxF "  systemd-boot, UKIs: add to /etc/kernel/cmdline: $bparam" "$tmp/out" && ! grep -q 'GRUB' "$tmp/out" &&
	ok "plan --boot systemd-boot: /etc/kernel/cmdline alone" || bad "plan --boot systemd-boot: /etc/kernel/cmdline alone"
expect 0 "plan --boot bls" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot bls
grep -qF "grubby --update-kernel=ALL --args='\"$bparam\"'" "$tmp/out" &&
	ok "plan --boot bls: grubby, the word quoted" || bad "plan --boot bls: grubby, the word quoted"
expect 2 "plan --boot foo" "$acsctl" -F "$bb" plan --isolate 01:00.0 --boot foo
expect 2 "plan --write without --boot" "$acsctl" -F "$bb" plan --isolate 01:00.0 --write
grep -q 'write needs --boot' "$tmp/err" && ok "plan --write: needs --boot" || bad "plan --write: needs --boot"
had=0; [ -e /etc/default/grub.d/acsctl.cfg ] && had=1
expect 0 "plan --write (dry run)" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot grub --write
grep -qxF 'write (dry run, --yes to write it): /etc/default/grub.d/acsctl.cfg:' "$tmp/out" && grep -qxF "$bgrub" "$tmp/out" &&
	{ [ $had = 1 ] || [ ! -e /etc/default/grub.d/acsctl.cfg ]; } &&
	ok "plan --write: the file and its content, nothing written" || bad "plan --write: the file and its content, nothing written"
expect 0 "plan --boot 6.1" "$acsctl" -F "$bb" --kernel 6.1 plan --p2p-one-way 01:00.0,02:00.0 --boot grub --write
grep -q '^write: nothing for the loader: Linux 6.1 takes no parameter' "$tmp/out" && grep -q '^at every boot: add to /etc/acsctl/acs.conf' "$tmp/out" &&
	ok "plan --write on 6.1: the boot unit instead" || bad "plan --write on 6.1: the boot unit instead"
# --yes under ACSCTL_BOOT_ROOT (test builds only)
if grep -qa ACSCTL_BOOT_ROOT "$acsctl"; then
	br=$tmp/bootroot
	mkdir -p "$br/etc/default" "$br/etc/kernel"
	chmod 755 "$br" "$br/etc" "$br/etc/default" "$br/etc/kernel"
	expect 0 "plan --write --yes grub" env ACSCTL_BOOT_ROOT="$br" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot grub --write --yes -j
	[ "$(tail -n 1 "$br/etc/default/grub.d/acsctl.cfg")" = "$bgrub" ] &&
		python3 -c 'import json,sys; w=json.load(open(sys.argv[1]))["write"]; assert w["written"] and not w["dry_run"] and w["file"].endswith("/etc/default/grub.d/acsctl.cfg")' "$tmp/out" &&
		ok "plan --write --yes: the GRUB drop-in written" || bad "plan --write --yes: the GRUB drop-in written"
	echo 'root=UUID=1 ro pci=config_acs=1111111@0000:00:02.0 quiet' >"$br/etc/kernel/cmdline"
	expect 0 "plan --write --yes systemd-boot" env ACSCTL_BOOT_ROOT="$br" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot systemd-boot --write --yes
	[ "$(cat "$br/etc/kernel/cmdline")" = "root=UUID=1 ro quiet $bparam" ] &&
		ok "plan --write --yes: /etc/kernel/cmdline, the earlier config_acs replaced" || bad "plan --write --yes: /etc/kernel/cmdline, the earlier config_acs replaced"
	printf 'root=UUID=1 ro\001\n' >"$br/etc/kernel/cmdline"
	expect 2 "plan --write --yes: a control character" env ACSCTL_BOOT_ROOT="$br" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot systemd-boot --write --yes
	grep -q 'not one line of printable ASCII' "$tmp/err" && [ "$(od -An -c "$br/etc/kernel/cmdline" | tr -d ' \n')" = 'root=UUID=1ro001\n' ] &&
		ok "plan --write --yes: /etc/kernel/cmdline of a control character refused, untouched" || bad "plan --write --yes: /etc/kernel/cmdline of a control character refused, untouched"
	echo 'root=UUID=1 ro' >"$br/etc/kernel/cmdline"; chmod 666 "$br/etc/kernel/cmdline"
	expect 2 "plan --write --yes: a file others write" env ACSCTL_BOOT_ROOT="$br" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot systemd-boot --write --yes
	rm -f "$br/etc/kernel/cmdline"; ln -s /etc/hostname "$br/etc/kernel/cmdline"
	expect 2 "plan --write --yes: a symbolic link" env ACSCTL_BOOT_ROOT="$br" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot systemd-boot --write --yes
	rm -f "$br/etc/kernel/cmdline"
	expect 2 "plan --write --yes: no /etc/kernel/cmdline" env ACSCTL_BOOT_ROOT="$br" "$acsctl" -F "$bb" --kernel 6.12 plan --p2p-one-way 01:00.0,02:00.0 --boot systemd-boot --write --yes
	grep -q 'write the line you boot with there first' "$tmp/err" && ok "plan --write --yes: no /etc/kernel/cmdline, says what to do" ||
		bad "plan --write --yes: no /etc/kernel/cmdline, says what to do"
else
	echo "# plan --write --yes: ACSCTL_BOOT_ROOT not compiled in (-Dfault_injection=false): skipped"
fi
# A mapped file cut shorter while read (SIGBUS): one line, exit 2, never a crash
if grep -qa 'map:cut' "$acsctl" "$(dirname "$acsctl")"/src/lib/libacsctl.so* 2>/dev/null; then
	cp "$(ls -S "$src"/tests/fixtures/vm/6.12/*/lspci.txt | head -n 1)" "$tmp/cut.txt"
	expect 2 "a file cut shorter while read" env ACSCTL_FAULT=map:cut "$acsctl" -F "$tmp/cut.txt" groups
	[ "$(cat "$tmp/err")" = "acsctl: $tmp/cut.txt: cut shorter while it was read (changed by another writer); read it again" ] &&
		ok "a file cut shorter while read: its name, in one line" || bad "a file cut shorter while read: its name, in one line"
else
	echo "# skip: no ACSCTL_FAULT=map:cut in this build (-Dfault_injection=true has it)"
fi
finish
