# SPDX-License-Identifier: GPL-2.0-or-later
"""vfio: the verdict, the group, each member's binding and verdict, how
many issues of each verdict, the Proxmox lines, the libvirt elements."""
import re

from p2p import one, records, top

# refused on PE platforms (exit 2)
PLATFORMS = False


def runs(path):
    """The group of the last function the groups list names, by device."""
    status, out = acsctl(["-F", path, "groups", "-m"])
    if status != 0:
        return []
    lines = [l.split() for l in out.splitlines() if l.strip()]
    return [["vfio", lines[-1][1]]] if lines else []


def summary(verdict, group, members, issues, proxmox, hostdevs):
    return {"verdict": verdict, "group": group, "members": sorted(members),
            "issues": sorted(issues), "proxmox": proxmox, "hostdevs": hostdevs}


def facts(fmt, out, args):
    if fmt == "json":
        return summary(out["verdict"], out["group"],
                       [(m["address"], m["binding"], m["verdict"]) for m in out["members"]],
                       [i["verdict"] for i in out["issues"]], out["proxmox"],
                       (out["libvirt"] or "").count("<hostdev "))
    if fmt == "machine":
        t = top(out, "vfio")
        return summary(one(t, "verdict"), int(one(t, "group")),
                       [(one(m, "address"), one(m, "binding"), one(m, "verdict")) for m in records(out, "vfio.members")],
                       [one(i, "verdict") for i in records(out, "vfio.issues")], t.get("proxmox", []),
                       (one(t, "libvirt") or "").count("<hostdev "))
    lines = out.splitlines()
    head = [re.match(r"^group (\d+) \([^)]*\): (\w+)$", l) for l in lines]
    head = [m for m in head if m][0]
    members = [re.match(r"^  ([0-9a-f]{4,8}:\S+) +\S+ +(\S+) .*: (\w+)$", l) for l in lines]
    words = {"NOTE": "ready", "BLOCKED": "blocked", "UNKNOWN": "unknown"}
    issues = [words[l.split()[0]] for l in lines
              if re.match(r"^(NOTE|BLOCKED|UNKNOWN) ", l)]
    return summary(head.group(2), int(head.group(1)), [m.groups() for m in members if m], issues,
                   [l for l in lines if re.match(r"^hostpci\d+: ", l)],
                   sum(l.startswith("<hostdev ") for l in lines))
