# SPDX-License-Identifier: GPL-2.0-or-later
"""audit: findings of each kind, the verdict and what it depends on."""
import common

KINDS = ("unsafe", "conservative", "unknown")


def runs(path):
    return [["audit", "-v"]]


def facts(fmt, out, args):
    if fmt == "json":
        f = {k: len(out[k]) for k in KINDS}
        f["verdict"] = out["verdict"]
        f["unknown_ports"] = len(out["unknown_ports"])
        return f
    if fmt == "machine":
        f = {k: common.count(out, "audit." + k) for k in KINDS}
        t = common.top(out, "audit")
        f["verdict"] = t["verdict"]
        f["unknown_ports"] = len([p for p in t["unknown_ports"].split(",") if p])
        return f
    lines = out.splitlines()
    f = {"unsafe": sum(l.startswith("FAIL unsafe:") for l in lines),
         "conservative": sum(l.startswith("INFO conservative:") for l in lines),
         "unknown": sum(l.startswith("UNKNOWN pair:") for l in lines)}
    f["verdict"] = "fail" if f["unsafe"] else "unknown" if any(l.startswith("UNKNOWN: ") for l in lines) else "ok"
    f["unknown_ports"] = sum(l.startswith("UNKNOWN 0") for l in lines)
    return f
