# SPDX-License-Identifier: GPL-2.0-or-later
"""pe: the PE table (PEs, their devices and segments, the segment map,
SR-IOV, functions left out), pe --check (findings) and pe --allocate (BARs
placed and not) on PE platforms."""
import os
import re

from p2p import one, records, top

ADDR = r"[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]"
# the examples that are POWER machines, and the platform each is for
EXAMPLES = {"power-phb-bars.json": "phb4", "power-sriov-m64.json": "powernv8", "power-sriov-slot.json": "phb4"}


def runs(path):
    """The fixtures of vm-power come with their --platform; the POWER
    examples get theirs here, and --allocate where they have BAR sizes."""
    if os.sep + "vm-power" + os.sep in path:
        return [["pe"], ["pe", "--check"], ["--pe-policy", "slot", "pe"]]
    platform = EXAMPLES.get(os.path.basename(path))
    if not platform:
        return []
    out = [["--platform", platform, "pe"], ["--platform", platform, "pe", "--check"],
           ["--platform", platform, "--pe-policy", "device", "pe"]]
    for p in (platform, "p7ioc", "powernv9"):
        if acsctl(["-F", path, "--platform", p, "pe", "--allocate"])[0] != 2:
            out.append(["--platform", p, "pe", "--allocate"])
    return out


def table(pes, vfs, bridges_only, devices, m32, m64, maps, sriov, left):
    return {"pes": pes, "vf_pes": vfs, "bridges_only": bridges_only, "devices": devices, "m32_segments": m32,
            "m64_segments": m64, "segment_maps": maps, "sriov": sriov, "left_out": left}


def check(findings, ok, pes, sriov_only):
    # text says how many PEs were checked, and whether only SR-IOV was, on its OK line alone
    return {"findings": findings, "ok": ok, "pes": pes if ok else None, "sriov_only": sriov_only if ok else None}


def allocate(phbs, bars, failed, used, m64_unknown, unsized):
    return {"phbs": phbs, "bars": bars, "failed": failed, "used": used, "m64_size_unknown": m64_unknown,
            "unsized_bars": unsized}


def facts(fmt, out, args):
    mode = "allocate" if "--allocate" in args else "check" if "--check" in args else "table"
    if fmt == "json":
        if mode == "table":
            p = out["pes"]
            return table(len(p), sum(x["vf"] for x in p), sum(not x["dma"] for x in p),
                         sum(len(x["devices"]) for x in p), sum(len(x["m32_segments"]) for x in p),
                         sum(len(x["m64_segments"]) for x in p), len(out["segment_map"]), len(out["sriov"]),
                         len(out["left_out"]))
        if mode == "check":
            return check(len(out["findings"]), out["ok"], out["pes"], out["sriov_only"])
        bars = [b for x in out["phbs"] for b in x["bars"]]
        return allocate(len(out["phbs"]), len(bars), sum(b["address"] is None for b in bars),
                        sum(x["used"] for x in out["phbs"]), len(out.get("m64_size_unknown", [])),
                        out["unsized_bars"])
    if fmt == "machine":
        t = top(out, "pe")
        if mode == "table":
            p = records(out, "pe.pes")
            return table(len(p), sum(one(x, "vf") == "true" for x in p), sum(one(x, "dma") == "false" for x in p),
                         sum(len(x["devices"]) for x in p), sum(len(x["m32_segments"]) for x in p),
                         sum(len(x["m64_segments"]) for x in p), len(records(out, "pe.segment_map")),
                         len(records(out, "pe.sriov")), len(t["left_out"]))
        if mode == "check":
            return check(len(records(out, "pe.findings")), one(t, "ok") == "true", int(one(t, "pes")),
                         one(t, "sriov_only") == "true")
        bars = records(out, "pe.phbs.bars")
        phbs = records(out, "pe.phbs")
        return allocate(len(phbs), len(bars), sum(one(b, "address") is None for b in bars),
                        sum(int(one(x, "used")) for x in phbs), len(records(out, "pe.m64_size_unknown")),
                        int(one(t, "unsized_bars")))
    lines = out.splitlines()
    if mode == "table":
        pe = [l for l in lines if re.match(r"^PHB [0-9a-f]{4} PE#", l)]
        segs = {"M32": 0, "M64": 0}
        for l in lines:
            m = re.match(r"^    (M32|M64) segments:((?: \d+)*)$", l)
            if m:
                segs[m.group(1)] += len(m.group(2).split())
        return table(len(pe), sum(l.endswith(" (VF)") for l in pe), sum("(bridges only" in l for l in pe),
                     sum(len(re.findall(ADDR, l)) for l in pe), segs["M32"], segs["M64"],
                     sum(bool(re.match(r"^PHB [0-9a-f]{4} M(32|64) map ", l)) for l in lines),
                     sum(l.startswith("SR-IOV ") for l in lines),
                     sum(bool(re.match(r"^FAIL \S+: PHB [0-9a-f]{4} is out of PEs", l)) for l in lines))
    if mode == "check":
        ok = [l for l in lines if l.startswith("OK ")]
        return check(sum(l.startswith("FAIL ") for l in lines), bool(ok),
                     int(ok[0].split()[1]) if ok else None, bool(ok) and " SR-IOV only: " in ok[0])
    phbs = [l for l in lines if re.match(r"^PHB [0-9a-f]{4} M(32|64): \d+ BARs in ", l)]
    placed = sum(bool(re.match(r"^  %s (VF )?BAR\d " % ADDR, l)) for l in lines)
    failed = sum(l.startswith("FAIL ") for l in lines)
    unsized = [int(l.split()[1]) for l in lines if re.match(r"^# \d+ BARs of unknown size left out$", l)]
    return allocate(len(phbs), placed + failed, failed, sum(int(re.search(r": (\d+) used,", l).group(1)) for l in phbs),
                    sum(bool(re.match(r"^# PHB [0-9a-f]{4}: \d+ BARs for M64 left out", l)) for l in lines),
                    unsized[0] if unsized else 0)
