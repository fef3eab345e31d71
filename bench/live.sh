#!/bin/sh
# The live source on a host of about 500 functions (issue 20: analysis at
# most 20 ms wall, most of it reading sysfs). A sysfs tree is built the
# way the kernel lays it out, from a synthetic lspci -xxxx dump
# (acsctl synth --format dump --seed 1): /sys/devices/pci0000:00/... with
# bus/pci/devices links, config (4 KiB), resource, link speed and width,
# numa_node, reset_method, iommu_group and driver links, the groups'
# type files, DMI; /proc/cpuinfo, /proc/interrupts, the host name and a
# kernel config beside it. Then `acsctl --sysfs DIR groups -m`, `audit`
# and `p2p` of four endpoints, N runs each: median and least wall ms,
# median user + system CPU ms, the goal ratio (median / 20 ms, wall and
# CPU); the same fabric's groups -m from a topology file (the tree
# exported), so the difference is the cost of reading sysfs; the system
# calls of one run (strace -c).
# Usage: bench/live.sh [ACSCTL [N]]   (N default 20)
#   LIVE_FUNCTIONS=F: the host's size (default 500)
#   LIVE_PROFILE=no: no strace (bench/smoke.sh)
#   LIVE_TREE=DIR: build the tree there (DIR/sys, a new directory) and keep it
set -eu
acsctl=${1:-./build/acsctl}
runs=${2:-20}
functions=${LIVE_FUNCTIONS:-500}
profile=${LIVE_PROFILE:-yes}
command -v python3 >/dev/null || { echo "bench/live.sh: needs python3" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$acsctl" synth --functions "$functions" --seed 1 --switch-ports 8 --format dump -o "$tmp/d.txt" >/dev/null
"$acsctl" -F "$tmp/d.txt" groups -m >"$tmp/groups"
root=${LIVE_TREE:-$tmp/root}
[ ! -e "$root" ] || { echo "bench/live.sh: $root exists" >&2; exit 2; }
python3 - "$tmp/d.txt" "$tmp/groups" "$root" >"$tmp/devs" <<'PY'
import os, sys
dump, groups_file, root = sys.argv[1:4]
sysd = os.path.join(root, "sys")
release = "6.12.0-bench"

cfg, order = {}, []
dev = None
for line in open(dump):
    w = line.split()
    if not w:
        continue
    if w[0].count(":") == 2:
        dev = w[0]
        cfg[dev] = bytearray()
        order.append(dev)
    else:
        cfg[dev] += bytes(int(x, 16) for x in w[1:])
group = dict(reversed(line.split()) for line in open(groups_file))

def u16(c, o):
    return c[o] | c[o + 1] << 8

def pcie_cap(c):
    if len(c) < 64 or not (u16(c, 6) & 0x10):
        return None
    at, seen = c[0x34] & 0xfc, 0
    while at and seen < 48 and at + 1 < len(c):
        if c[at] == 0x10:
            return at
        at, seen = c[at + 1] & 0xfc, seen + 1
    return None

# where each function sits below its host bridge: a bridge's secondary bus
parent_of_bus = {}
for a in order:
    c = cfg[a]
    if (c[0x0e] & 0x7f) == 1:
        parent_of_bus[(a[:4], c[0x19])] = a

path = {}
def devpath(a):
    if a not in path:
        bus = int(a[5:7], 16)
        up = parent_of_bus.get((a[:4], bus))
        path[a] = os.path.join(devpath(up) if up else os.path.join(sysd, "devices", "pci%s:%02x" % (a[:4], bus)), a)
    return path[a]

def write(p, text, mode="w"):
    with open(p, mode) as f:
        f.write(text)

def link(target, name):
    os.symlink(os.path.relpath(target, os.path.dirname(name)), name)

speeds = {1: "2.5 GT/s PCIe", 2: "5.0 GT/s PCIe", 3: "8.0 GT/s PCIe", 4: "16.0 GT/s PCIe",
          5: "32.0 GT/s PCIe", 6: "64.0 GT/s PCIe"}
drivers = {0x0604: "pcieport", 0x0108: "nvme", 0x0200: "mlx5_core", 0x0207: "mlx5_core",
           0x0302: "nvidia", 0x0300: "nvidia"}
busdir = os.path.join(sysd, "bus/pci")
os.makedirs(os.path.join(busdir, "devices"))
os.makedirs(os.path.join(sysd, "kernel/iommu_groups"))
endpoints, bar = [], 0x4000000000
for a in order:
    c = cfg[a]
    d = devpath(a)
    os.makedirs(d)
    link(d, os.path.join(busdir, "devices", a))
    link(busdir, os.path.join(d, "subsystem"))
    write(os.path.join(d, "config"), bytes(c), "wb")
    cls = u16(c, 0x0a)
    for name, value in (("vendor", u16(c, 0)), ("device", u16(c, 2)), ("subsystem_vendor", u16(c, 0x2c)),
                        ("subsystem_device", u16(c, 0x2e))):
        write(os.path.join(d, name), "0x%04x\n" % value)
    write(os.path.join(d, "class"), "0x%06x\n" % (cls << 8 | c[9]))
    write(os.path.join(d, "revision"), "0x%02x\n" % c[8])
    write(os.path.join(d, "irq"), "0\n")
    write(os.path.join(d, "enable"), "1\n")
    write(os.path.join(d, "numa_node"), "%d\n" % (0 if a < "0000:80" else 1))
    write(os.path.join(d, "modalias"), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n" %
          (u16(c, 0), u16(c, 2), u16(c, 0x2c), u16(c, 0x2e), c[0x0b], c[0x0a], c[9]))
    bridge = (c[0x0e] & 0x7f) == 1
    rows = []
    for k in range(6):
        if not bridge and cls != 0x0600 and k == 0:
            rows.append("0x%016x 0x%016x 0x%016x" % (bar, bar + 0xffffff, 0x140204))
            bar += 0x1000000
        else:
            rows.append("0x%016x 0x%016x 0x%016x" % (0, 0, 0))
    rows += ["0x%016x 0x%016x 0x%016x" % (0, 0, 0)] * (7 + (4 if bridge else 0))
    write(os.path.join(d, "resource"), "\n".join(rows) + "\n")
    cap = pcie_cap(c)
    if cap is not None:
        st = u16(c, cap + 0x12)
        write(os.path.join(d, "current_link_speed"), speeds.get(st & 0xf, "Unknown") + "\n")
        write(os.path.join(d, "current_link_width"), "%d\n" % (st >> 4 & 0x3f))
        write(os.path.join(d, "max_link_speed"), speeds.get(st & 0xf, "Unknown") + "\n")
        write(os.path.join(d, "max_link_width"), "%d\n" % (st >> 4 & 0x3f))
    if not bridge:
        write(os.path.join(d, "reset_method"), "flr bus\n" if cap is not None else "pm\n")
        write(os.path.join(d, "reset"), "")
        if a.endswith(".0") and cls not in (0x0600, 0x0604) and len(endpoints) < 4:
            endpoints.append(a)
    name = drivers.get(cls)
    if name:
        dd = os.path.join(busdir, "drivers", name)
        os.makedirs(dd, exist_ok=True)
        link(dd, os.path.join(d, "driver"))
        link(d, os.path.join(dd, a))
    g = group.get(a)
    if g is not None:
        gd = os.path.join(sysd, "kernel/iommu_groups", g)
        if not os.path.isdir(gd):
            os.makedirs(os.path.join(gd, "devices"))
            write(os.path.join(gd, "type"), "DMA-FQ\n")
            write(os.path.join(gd, "reserved_regions"), "0x00000000fee00000 0x00000000feefffff msi\n")
        link(gd, os.path.join(d, "iommu_group"))
        link(d, os.path.join(gd, "devices", a))
dmi = os.path.join(sysd, "class/dmi/id")
os.makedirs(dmi)
for name, value in (("product_name", "Bench Server 500"), ("board_name", "B500"), ("bios_vendor", "Bench"),
                    ("bios_version", "1.0"), ("bios_date", "01/01/2026"), ("product_serial", "SN-500")):
    write(os.path.join(dmi, name), value + "\n")
for u in range(2):
    e = os.path.join(sysd, "class/iommu/dmar%d/intel-iommu" % u)
    os.makedirs(e)
    write(os.path.join(e, "ecap"), "f050da\n")
proc = os.path.join(root, "proc")
os.makedirs(os.path.join(proc, "sys/kernel"))
write(os.path.join(proc, "sys/kernel/hostname"), "bench-500\n")
write(os.path.join(proc, "sys/kernel/osrelease"), release + "\n")
write(os.path.join(proc, "cpuinfo"), "".join(
    "processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\n\n" % k for k in range(64)))
write(os.path.join(proc, "interrupts"), "            CPU0       CPU1\n" + "".join(
    " %3d:  %8d  %8d  IR-PCI-MSIX-%s    0-edge      q%d\n" % (40 + k, k, k, a, k)
    for k, a in enumerate(order[:256])))
# a distribution kernel's config is 8,000-odd lines; P2PDMA near the end
os.makedirs(os.path.join(root, "boot"))
write(os.path.join(root, "boot/config-" + release), "".join(
    "CONFIG_BENCH_OPTION_%04d=y\n" % k for k in range(8000)) + "CONFIG_PCI_P2PDMA=y\n")
print(" ".join(endpoints))
PY
sysfs=$root/sys
devs=$(cat "$tmp/devs")
# the tree reads back as the dump it was made from: the same groups
"$acsctl" --sysfs "$sysfs" groups -m >"$tmp/tree-groups"
"$acsctl" --sysfs "$sysfs" export "$root/topo.json" >/dev/null
cmp -s "$tmp/groups" "$tmp/tree-groups" ||
	{ echo "bench/live.sh: the tree's groups differ from the dump's" >&2; exit 1; }
echo "# $(uname -n), $(nproc) cores, $(date -u '+%F %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $functions functions ($(wc -l <"$tmp/groups") in the tree), $runs runs each; p2p $devs"
# shellcheck disable=SC2086
python3 - "$runs" "$acsctl" "$sysfs" $devs <<'PY'
import os, statistics, subprocess, sys, time
runs, acsctl, sysfs, devs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
topo = os.path.join(os.path.dirname(sysfs), "topo.json")
steps = [("groups -m", ["--sysfs", sysfs, "groups", "-m"]), ("audit", ["--sysfs", sysfs, "audit"]),
         ("p2p", ["--sysfs", sysfs, "p2p"] + devs),
         # the same fabric from a topology file: what is not reading sysfs
         ("topo groups -m", ["-F", topo, "groups", "-m"])]
# goal: the median wall against 20 ms; goal-cpu: the median CPU (user +
# system) against it, what a box of its own would see
result = {}
print("%-14s %9s %9s %11s %6s %8s" % ("command", "median-ms", "min-ms", "cpu-ms(u+s)", "goal", "goal-cpu"))
for label, args in steps:
    wall, cpu = [], []
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.Popen([acsctl] + args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((ru.ru_utime + ru.ru_stime) * 1000)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1, 3):   # 1 a finding, 3 unknown: answers, not failures
            sys.exit("bench/live.sh: %s failed (exit %d): %s" % (label, code, p.stderr.read()[:300]))
        p.stderr.close()
    med, mcpu = statistics.median(wall), statistics.median(cpu)
    print("%-14s %9.1f %9.1f %11.1f %5.2fx %7.2fx" % (label, med, min(wall), mcpu, med / 20, mcpu / 20))
    result[label] = mcpu
print("# reading sysfs: about %.1f of groups -m's %.1f CPU ms (its CPU less the topology file's, whose parse"
      " stays in)" % (result["groups -m"] - result["topo groups -m"], result["groups -m"]))
PY
[ "$profile" = yes ] || exit 0
if command -v strace >/dev/null; then
	strace -f -c -o "$tmp/strace" "$acsctl" --sysfs "$sysfs" groups -m >/dev/null 2>&1 || true
	awk -v n="$functions" '
		$NF ~ /^(openat|open|read|pread64|readlink|access|faccessat2|newfstatat|statx|fstat|lstat|getdents64|close)$/ {
			calls[$NF] = $4 }
		$NF == "total" { total = $4 }
		END {
			printf "# syscalls of groups -m: %d (%.1f a function):", total, total / n
			for (s in calls) printf " %s %d", s, calls[s]
			printf "\n"
		}' "$tmp/strace"
fi
