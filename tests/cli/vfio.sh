#!/bin/bash
# acsctl vfio DEV|GROUP on fake sysfs trees made from a VM snapshot
# (kitchen-sink-1, Linux 6.12: group 7 is downstream port 02:00.0 with the
# two NVMe functions 03:00.0 and 03:00.1 behind it): a ready group, a
# blocked one (a host driver, no reset), the IOMMU off, interrupt
# remapping off, bridges' drivers before and after 5.19, a snapshot
# written from a tree (the new facts kept) and an old one (drivers only:
# exit 3), bad input. Usage: vfio.sh ACSCTL [SOURCE_DIR]
set -u
acsctl=$1
src=${2:-.}
snap=$src/tests/fixtures/vm-snapshot/6.12/kitchen-sink-1/snapshot.txt
. "$(dirname "$0")/lib.sh"




# tree ROOT WORD...: ROOT/sys and ROOT/proc from the snapshot. Words:
#   drv=ADDR:NAME (- none)  reset=ADDR:METHODS (- none, ~ no file)
#   reset-all=METHODS       every type 0 function's reset_method
#   type=T                  every group's type file   groups=no (IOMMU off)
#   ecap=HEX                one DMAR unit             interrupts=ir|noir
#   old-reset               only the `reset` file (a kernel before 5.15)
tree() {
	local root=$1
	shift
	rm -rf "$root"
	python3 - "$snap" "$root" "$@" <<'PY'
import os, sys
snap, root, words = sys.argv[1], sys.argv[2], sys.argv[3:]
opt = {}
drv, reset = {}, {}
for w in words:
    k, _, v = w.partition("=")
    if k == "drv":
        a, _, n = v.rpartition(":")
        drv[a] = n
    elif k == "reset":
        a, _, m = v.rpartition(":")
        reset[a] = m
    else:
        opt[k] = v
dev, cfg, meta = None, {}, {}
for line in open(snap).read().splitlines():
    w = line.split()
    if w and "." in w[0] and w[0].count(":") == 2:
        dev = w[0]
        cfg[dev] = bytearray()
        meta[dev] = dict(x.split("=", 1) for x in w[1:])
    elif dev and line and line[0] in "0123456789abcdef":
        cfg[dev] += bytes(int(x, 16) for x in line.split(":")[1].split())
sysd = os.path.join(root, "sys")
groups = opt.get("groups", "yes") == "yes"
for dev, data in cfg.items():
    d = os.path.join(sysd, "bus/pci/devices", dev)
    os.makedirs(d)
    open(os.path.join(d, "config"), "wb").write(data)
    name = drv.get(dev, meta[dev].get("driver", "-"))
    if name != "-":
        os.makedirs(os.path.join(sysd, "bus/pci/drivers", name), exist_ok=True)
        os.symlink("../../../../bus/pci/drivers/" + name, os.path.join(d, "driver"))
    g = meta[dev].get("iommu_group", "-")
    if groups and g != "-":
        gd = os.path.join(sysd, "kernel/iommu_groups", g)
        os.makedirs(os.path.join(gd, "devices"), exist_ok=True)
        os.symlink("../../../../kernel/iommu_groups/" + g, os.path.join(d, "iommu_group"))
        if "type" in opt:
            open(os.path.join(gd, "type"), "w").write(opt["type"] + "\n")
    m = reset.get(dev, opt.get("reset-all", "~") if (data[14] & 0x7f) == 0 else "~")
    if "old-reset" in opt and m not in ("~", "-"):
        open(os.path.join(d, "reset"), "w").write("")
    elif m == "-":
        pass  # a kernel with reset_method leaves it out: no reset method
    elif m != "~":
        open(os.path.join(d, "reset_method"), "w").write(m.replace(",", " ") + "\n")
os.makedirs(os.path.join(sysd, "kernel/iommu_groups"), exist_ok=True)
if "ecap" in opt:
    e = os.path.join(sysd, "class/iommu/dmar0/intel-iommu")
    os.makedirs(e)
    open(os.path.join(e, "ecap"), "w").write(opt["ecap"] + "\n")
proc = os.path.join(root, "proc")
os.makedirs(proc)
open(os.path.join(proc, "cpuinfo"), "w").write("vendor_id\t: GenuineIntel\ncpu family\t: 6\n")
if opt.get("interrupts") == "ir":
    open(os.path.join(proc, "interrupts"), "w").write(
        "           CPU0\n 24:   10  IR-PCI-MSIX-0000:03:00.0    0-edge      nvme0q0\n")
elif opt.get("interrupts") == "noir":
    open(os.path.join(proc, "interrupts"), "w").write(
        "           CPU0\n 24:   10  PCI-MSIX-0000:03:00.0    0-edge      nvme0q0\n")
PY
}

G7="drv=0000:03:00.0:vfio-pci drv=0000:03:00.1:vfio-pci"

# a ready group: both endpoints on vfio-pci, the port on pcieport, DMA-FQ, IR, FLR
tree "$tmp/ready" $G7 reset-all=flr,bus type=DMA-FQ ecap=f020df
expect 0 "ready group by device" "$acsctl" --sysfs "$tmp/ready/sys" vfio 03:00.0
has "ready: the verdict" '^group 7 \(the kernel.s\): ready$'
has "ready: the IOMMU and its type" "^iommu: on, the group's domain DMA-FQ$"
has "ready: interrupt remapping from the ecap" '^interrupt remapping: on \(ecap IR bit of every DMAR unit\)$'
has "ready: the port stays with the host" '^  0000:02:00.0 host-side pcieport +pcieport +: ready$'
has "ready: an endpoint's binding and reset" '^  0000:03:00.1 endpoint +vfio +vfio-pci +reset flr bus: ready$'
has "ready: libvirt hostdev" "^    <address domain='0x0000' bus='0x03' slot='0x00' function='0x1'/>$"
has "ready: Proxmox gives the whole slot" '^hostpci0: 0000:03:00$'
hasnt "ready: one Proxmox line" '^hostpci1:'
has "ready: the last line" '^READY: the group can be given to one VM now$'
expect 0 "ready group by number" "$acsctl" --sysfs "$tmp/ready/sys" vfio 7
expect 0 "ready -j" "$acsctl" --sysfs "$tmp/ready/sys" vfio 7 -j
python3 - "$tmp/out" <<'PY' && ok "ready -j: verdict, members, resets, proxmox" || bad "ready -j: verdict, members, resets, proxmox"
import json, sys
j = json.load(open(sys.argv[1]))
m = {x["address"]: x for x in j["members"]}
assert j["verdict"] == "ready" and j["group"] == 7 and j["kernel_group"] is True, j
assert j["iommu"] == "on" and j["iommu_type"] == "DMA-FQ" and j["irq_remapping"] == "on", j
assert m["0000:03:00.0"]["reset_methods"] == ["flr", "bus"] and m["0000:03:00.0"]["binding"] == "vfio", m
assert m["0000:02:00.0"]["role"] == "host-side" and m["0000:02:00.0"]["reset_methods"] is None, m
assert j["proxmox"] == ["hostpci0: 0000:03:00"] and j["libvirt"].count("<hostdev ") == 2, j
assert j["issues"] == [], j["issues"]
PY
expect 0 "ready -m" "$acsctl" --sysfs "$tmp/ready/sys" vfio 7 -m
has "-m: the verdict on the top record" '^vfio .*verdict=ready'

# /proc/interrupts beside the tree says it too
tree "$tmp/ready-ir" $G7 reset-all=flr type=DMA interrupts=ir
expect 0 "ready from /proc/interrupts" "$acsctl" --sysfs "$tmp/ready-ir/sys" vfio 03:00.1
has "IR from /proc/interrupts" '^interrupt remapping: on \(/proc/interrupts: IR- interrupt chips\)$'

# a snapshot of the ready tree keeps the new facts; read back: ready
expect 0 "snapshot of the ready tree" "$acsctl" --sysfs "$tmp/ready/sys" snapshot "$tmp/ready.txt"
grep -q '^0000:03:00.0 .* reset=flr,bus iommu_type=DMA-FQ' "$tmp/ready.txt" &&
	grep -qx '# irq-remapping: on (ecap IR bit of every DMAR unit)' "$tmp/ready.txt" &&
	ok "snapshot: reset=, iommu_type=, irq-remapping" || bad "snapshot: reset=, iommu_type=, irq-remapping"
expect 0 "the snapshot read back: ready" "$acsctl" -F "$tmp/ready.txt" vfio 7
has "snapshot: the basis says snapshot" '^interrupt remapping: on \(snapshot: ecap IR bit of every DMAR unit\)$'
"$acsctl" --sysfs "$tmp/ready/sys" vfio 7 -j | python3 -c 'import json,sys; j=json.load(sys.stdin); [x.pop("irq_remapping_basis", None) for x in [j]]; j.pop("source", None); print(json.dumps({k: j[k] for k in ("members", "issues", "proxmox", "libvirt", "verdict")}, sort_keys=True))' >"$tmp/a.json"
"$acsctl" -F "$tmp/ready.txt" vfio 7 -j | python3 -c 'import json,sys; j=json.load(sys.stdin); print(json.dumps({k: j[k] for k in ("members", "issues", "proxmox", "libvirt", "verdict")}, sort_keys=True))' >"$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" && ok "snapshot: the same members, issues and lines as the tree" ||
	bad "snapshot: differs from the tree: $(diff "$tmp/a.json" "$tmp/b.json" | head -5)"

# blocked: 03:00.1 on its host driver, 03:00.0 without a reset method
tree "$tmp/blocked" drv=0000:03:00.0:vfio-pci drv=0000:03:00.1:nvme reset=0000:03:00.0:- reset=0000:03:00.1:flr \
	type=DMA ecap=f020df
expect 1 "blocked group" "$acsctl" --sysfs "$tmp/blocked/sys" vfio 03:00.0
has "blocked: the verdict" '^group 7 \(the kernel.s\): blocked$'
has "blocked: the host driver, named, must go along" \
	"^BLOCKED 0000:03:00.1 is bound to the host driver nvme; it shares 0000:03:00.0's IOMMU group, so it must go to the same VM$"
has "blocked: driverctl" '^  fix: driverctl set-override 0000:03:00.1 vfio-pci$'
has "blocked: vfio-pci.ids with the softdep" '^  at boot: vfio-pci.ids=1b36:0010 on the kernel command line, and "softdep nvme pre: vfio-pci"'
has "blocked: no reset" '^BLOCKED 0000:03:00.0 has no reset method'
has "blocked: the member line" '^  0000:03:00.0 endpoint +vfio +vfio-pci +no reset: blocked$'
has "blocked: the last line" '^BLOCKED: fix the BLOCKED lines above'
# asked by the member on the host driver: no "must go along" for itself
expect 1 "blocked, asked by the other device" "$acsctl" --sysfs "$tmp/blocked/sys" vfio 03:00.1
has "blocked: its own line says it plainly" '^BLOCKED 0000:03:00.1 is bound to the host driver nvme$'
# the first function alone unbound
tree "$tmp/nodrv" drv=0000:03:00.0:- drv=0000:03:00.1:pci-stub reset-all=flr type=DMA ecap=f020df
expect 1 "no driver and pci-stub: not given to a VM" "$acsctl" --sysfs "$tmp/nodrv/sys" vfio 7
has "no driver: viable, not assignable" '^BLOCKED 0000:03:00.0 has no driver: the group stays viable'
has "pci-stub: parked" '^BLOCKED 0000:03:00.1 is parked on pci-stub'

# the IOMMU off: no groups; the group is the prediction
tree "$tmp/off" $G7 reset-all=flr groups=no
expect 1 "IOMMU off" "$acsctl" --sysfs "$tmp/off/sys" vfio 03:00.0
has "IOMMU off: said" '^BLOCKED the IOMMU is off'
has "IOMMU off: the Intel parameters" '^  fix: intel_iommu=on iommu=pt on the kernel command line'
has "IOMMU off: predicted group" '^group 7 \(predicted: the source has no kernel groups\): blocked$'
has "IOMMU off: the note on the prediction" "^NOTE the group is acsctl's prediction"

# interrupt remapping off: a DMAR unit without IR, or no IR- chips
tree "$tmp/noir" $G7 reset-all=flr type=DMA ecap=f020d7
expect 1 "no IR bit" "$acsctl" --sysfs "$tmp/noir/sys" vfio 7
has "no IR: blocked with the unsafe way out" '^  fix: .*vfio_iommu_type1.allow_unsafe_interrupts=1$'
has "no IR: the unit named" '^interrupt remapping: off \(ecap of dmar0: no IR bit\)$'
tree "$tmp/noir2" $G7 reset-all=flr type=DMA ecap=f020df interrupts=noir
expect 1 "no IR- chips beat the ecap" "$acsctl" --sysfs "$tmp/noir2/sys" vfio 7
# nothing says: unknown
tree "$tmp/irunknown" $G7 reset-all=flr type=DMA
expect 3 "interrupt remapping unknown" "$acsctl" --sysfs "$tmp/irunknown/sys" vfio 7
has "IR unknown: UNKNOWN line" '^UNKNOWN whether interrupts are remapped'

# a tree that carries no reset file at all: reset unknown, not "none"
tree "$tmp/noreset" $G7 type=DMA ecap=f020df
expect 3 "reset files not in the tree" "$acsctl" --sysfs "$tmp/noreset/sys" vfio 7
has "reset unknown" '^UNKNOWN 0000:03:00.0: its reset methods are not in the source'
# a kernel before 5.15: only `reset`, a reset without a name
tree "$tmp/oldreset" $G7 reset-all=flr type=DMA ecap=f020df old-reset
expect 0 "the old reset file" "$acsctl" --sysfs "$tmp/oldreset/sys" vfio 7
has "old reset: said" '^  0000:03:00.0 endpoint +vfio +vfio-pci +reset reset: ready$'

# a bridge on a driver of its own: taken before 5.19, refused from 5.19 on
tree "$tmp/shpc" $G7 drv=0000:02:00.0:shpchp reset-all=flr type=DMA ecap=f020df
expect 0 "a bridge on shpchp, Linux 5.15" "$acsctl" --kernel 5.15 --sysfs "$tmp/shpc/sys" vfio 7
expect 1 "a bridge on shpchp, Linux 6.12" "$acsctl" --kernel 6.12 --sysfs "$tmp/shpc/sys" vfio 7
has "shpchp: the fix" '^  fix: driverctl set-override 0000:02:00.0 pci-stub$'

# an old snapshot (drivers known, resets and interrupt remapping not): its
# unbound NVMe blocks (1 beats 3), the rest is UNKNOWN
expect 1 "old snapshot: the unbound endpoint blocks" "$acsctl" -F "$snap" vfio 03:00.0
has "old snapshot: reset unknown" '^UNKNOWN 0000:03:00.0: its reset methods are not in the source'
has "old snapshot: the driver known" '^  0000:03:00.0 endpoint +none +- +reset unknown: blocked$'
"$acsctl" -F "$snap" vfio 03:00.0 -j | python3 -c '
import json, sys
j = json.load(sys.stdin)
kinds = sorted(set((i["kind"], i["verdict"]) for i in j["issues"]))
assert j["verdict"] == "blocked", j["verdict"]
assert ("irq-remapping", "unknown") in kinds and ("reset", "unknown") in kinds and ("driver", "blocked") in kinds, kinds
' && ok "old snapshot -j: the unbound NVMe blocks, reset and IR unknown" || bad "old snapshot -j"
# endpoints on vfio-pci in the old snapshot: unknown, never ready
sed -e 's/^\(0000:03:00\.[01] .*\)driver=-/\1driver=vfio-pci/' "$snap" >"$tmp/old-vfio.txt"
expect 3 "old snapshot with vfio-pci: unknown, not ready" "$acsctl" -F "$tmp/old-vfio.txt" vfio 7
has "old snapshot: the UNKNOWN last line" '^UNKNOWN: the source lacks'

# a dump: no drivers, no IOMMU: unknown; lspci -vv text: its "Kernel
# driver in use:" lines, the rest unknown
dump=$src/tests/fixtures/vm/6.12/kitchen-sink-1/lspci.txt
expect 3 "a dump: unknown" "$acsctl" -F "$dump" vfio 03:00.0
has "a dump: the driver unknown" '^  0000:03:00.0 endpoint +unknown +unknown +reset unknown: unknown$'
has "a dump: the IOMMU unknown" '^UNKNOWN whether the IOMMU is on is not in the source'
if command -v lspci >/dev/null; then
	lspci -F "$dump" -vvnn 2>/dev/null |
		awk '/^03:00\.[01] /{print; getline; print; print "\tKernel driver in use: vfio-pci"; next} {print}' >"$tmp/lspci-vv.txt"
	expect 3 "lspci text with vfio-pci: unknown, never ready" "$acsctl" -F "$tmp/lspci-vv.txt" vfio 03:00.1
	has "lspci text: the driver from its line" '^  0000:03:00.1 endpoint +vfio +vfio-pci +reset unknown: unknown$'
	sed -i 's/^\(\tKernel driver in use:\) vfio-pci$/\1 nvme/' "$tmp/lspci-vv.txt"
	expect 1 "lspci text with nvme: blocked" "$acsctl" -F "$tmp/lspci-vv.txt" vfio 03:00.1
else
	echo "# skip: lspci is missing (lspci text)"
fi

# bad input: one line, exit 2
expect 2 "no such group" "$acsctl" --sysfs "$tmp/ready/sys" vfio 99
grep -q 'no IOMMU group 99' "$tmp/err" && ok "no such group: said" || bad "no such group: said"
expect 2 "no such device" "$acsctl" --sysfs "$tmp/ready/sys" vfio 0000:3f:00.0
expect 2 "not a device" "$acsctl" --sysfs "$tmp/ready/sys" vfio 7x
expect 2 "no argument" "$acsctl" --sysfs "$tmp/ready/sys" vfio
expect 2 "two arguments" "$acsctl" --sysfs "$tmp/ready/sys" vfio 7 8
printf '# acsctl snapshot 2\n# irq-remapping: maybe\n' >"$tmp/bad-ir.txt"
expect 2 "a bad irq-remapping line" "$acsctl" -F "$tmp/bad-ir.txt" vfio 7
grep -q 'bad-ir.txt:2: irq-remapping' "$tmp/err" && ok "bad irq-remapping: file and line" || bad "bad irq-remapping: $(cat "$tmp/err")"
sed -e 's/^\(0000:03:00\.0 .*\)$/\1 reset=flr;bus/' "$tmp/ready.txt" >"$tmp/bad-reset.txt"
expect 2 "a bad reset= word" "$acsctl" -F "$tmp/bad-reset.txt" vfio 7

# the real kernels (tests/vm/vfio-in-vm.sh): NVMe 06:00.0 on vfio-pci
# (group with its downstream port: ready), 07:00.0 on nvme (blocked); what
# acsctl said there, against what sysfs said, and again from the snapshot
# taken there
nvm=0
for d in "$src"/tests/fixtures/vm-vfio/*/; do
	[ -f "$d/ready.rc" ] || continue
	k=$(basename "$d")
	nvm=$((nvm + 1))
	[ "$(cat "$d/ready.rc") $(cat "$d/ready-json.rc") $(cat "$d/blocked.rc") $(cat "$d/blocked-json.rc")" = "0 0 1 1" ] &&
		ok "vm $k: ready exit 0, blocked exit 1" || bad "vm $k: exit statuses $(cat "$d"/*.rc | tr '\n' ' ')"
	grep -q '^0000:06:00.0 driver=vfio-pci ' "$d/facts.txt" && grep -q '^0000:07:00.0 driver=nvme ' "$d/facts.txt" &&
		grep -qE '^ir_chips=[1-9]' "$d/facts.txt" && ok "vm $k: the bindings set up, interrupts remapped" ||
		bad "vm $k: facts.txt"
	grep -qE "^group [0-9]+ \(the kernel's\): ready$" "$d/ready.out" &&
		grep -q '^  0000:06:00.0 endpoint  vfio     vfio-pci ' "$d/ready.out" &&
		grep -q '^hostpci0: 0000:06:00.0$' "$d/ready.out" && ok "vm $k: the ready group explained" ||
		bad "vm $k: ready.out"
	grep -qx 'BLOCKED 0000:07:00.0 is bound to the host driver nvme' "$d/blocked.out" &&
		grep -qx '  fix: driverctl set-override 0000:07:00.0 vfio-pci' "$d/blocked.out" &&
		ok "vm $k: the blocked group explained, with its fix" || bad "vm $k: blocked.out"
	# acsctl's members against sysfs itself
	python3 - "$d" <<'PY' && ok "vm $k: drivers and reset methods as sysfs gave them" || bad "vm $k: members against facts.txt"
import json, sys
d = sys.argv[1]
facts = {}
for line in open(d + "/facts.txt"):
    w = line.split()
    if w and w[0].count(":") == 2:
        facts[w[0]] = dict(x.split("=", 1) for x in w[1:])
for name in ("ready-json.out", "blocked-json.out"):
    for m in json.load(open(d + "/" + name))["members"]:
        f = facts[m["address"]]
        assert (m["driver"] or "-") == f["driver"], (m, f)
        if m["role"] == "endpoint":
            assert ",".join(m["reset_methods"]) or "-" == f["reset_method"], (m, f)
PY
	# the snapshot taken in the VM: the same answers, by this build
	for s in ready/06:00.0/0 blocked/07:00.0/1; do
		IFS=/ read -r name dev rc <<<"$s"
		expect "$rc" "vm $k: the snapshot, $name" "$acsctl" -F "$d/snapshot.txt" vfio "$dev" -j
		python3 - "$tmp/out" "$d/$name-json.out" <<'PY' && ok "vm $k: the snapshot says what the kernel's sysfs said ($name)" ||
import json, sys
keys = ("group", "kernel_group", "verdict", "iommu", "iommu_type", "irq_remapping", "members", "issues", "libvirt", "proxmox")
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for m in a["members"] + b["members"]:
    del m["description"]  # pci.ids here, none in the VM
diff = [k for k in keys if a[k] != b[k]]
assert not diff, [(k, a[k], b[k]) for k in diff]
assert a["irq_remapping_basis"] == "snapshot: " + b["irq_remapping_basis"], (a["irq_remapping_basis"], b["irq_remapping_basis"])
PY
			bad "vm $k: the snapshot's $name answer differs"
	done
done
[ "$nvm" -gt 0 ] && ok "vm: $nvm kernels' captures" || bad "vm: no captures under tests/fixtures/vm-vfio"

finish vfio
