# SPDX-License-Identifier: GPL-2.0-or-later
"""explain: the facts, whether two devices share a group, the change that
separates them, the verdict."""
import re

from p2p import one, records, top

# explain is refused on PE platforms (exit 2): ACS reasons only
PLATFORMS = False


def runs(path):
    """One device; two of one group (the largest); two of different groups."""
    status, out = acsctl(["-F", path, "groups", "-m"])
    if status != 0:
        return []
    groups = {}
    for line in out.splitlines():
        g, addr = line.split()[:2]
        groups.setdefault(g, []).append(addr)
    if not groups:
        return []
    order = sorted(groups, key=lambda g: (-len(groups[g]), int(g)))
    big = groups[order[0]]
    out = [["explain", big[-1]]]
    if len(big) > 1:
        out.append(["explain", big[0], big[-1]])
    if len(order) > 1:
        out.append(["explain", big[-1], groups[order[-1]][0]])
    return out


def summary(facts, shared, separable, changes, config_acs, verdict, unknown_ports):
    return {"facts": facts, "shared": shared, "separable": separable, "changes": changes,
            "config_acs": config_acs, "verdict": verdict, "unknown_ports": unknown_ports}


def facts(fmt, out, args):
    if fmt == "json":
        return summary(len(out["facts"]), out.get("shared"), out.get("separable"), len(out.get("changes", [])),
                       out.get("config_acs"), out["verdict"], len(out["unknown_ports"]))
    if fmt == "machine":
        t = top(out, "explain")
        flag = {"true": True, "false": False, None: None}
        return summary(len(t["facts"]), flag[one(t, "shared")], flag[one(t, "separable")],
                       len(records(out, "explain.changes")), one(t, "config_acs"), one(t, "verdict"),
                       len(t["unknown_ports"]))
    lines = out.splitlines()
    two = len(args) == 3
    facts = [l for l in lines if re.match(r"^\d+\. ", l)]
    # "N. A (type) and B (type) share a group" (not "so functions of slot ... share a group")
    shared = any(re.match(r"^\d+\. [0-9a-f:.]+ \([^)]*\) and [0-9a-f:.]+ \([^)]*\) share a group$", l)
                 for l in facts) if two else None
    changed = any(l == "smallest change that separates them:" for l in lines)
    boot = [l[len("at boot: "):] for l in lines if l.startswith("at boot: pci=config_acs=")]
    return summary(len(facts), shared, changed if shared else None,
                   sum(bool(re.match(r"^  \S+: ACSCtl 0x", l)) for l in lines), boot[0] if boot else None,
                   "unknown" if any(l.startswith("UNKNOWN: ") for l in lines) else "ok",
                   sum(bool(re.match(r"^UNKNOWN [0-9a-f]+:", l)) for l in lines))
