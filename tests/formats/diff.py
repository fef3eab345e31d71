# SPDX-License-Identifier: GPL-2.0-or-later
"""diff A B: two inputs of one host compared; the differences by kind,
the unknown ports, the verdict."""
import glob
import os

from p2p import one, records, top

NO_SOURCE = True
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TEXT = (("host ", "host"), ("added ", "added"), ("removed ", "removed"), ("id ", "id"), ("acs ", "acs"),
        ("driver ", "driver"), ("link ", "link"), ("group split at ", "group_split"),
        ("groups merged at ", "group_merged"))


def runs(path):
    """Each snapshot capture with itself and across kernels; the boot
    captures' base against every config_acs case (a setpci change); the
    VM captures of a few cases across kernels."""
    out = []
    snaps = sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/vm-snapshot/6.12/*/snapshot.txt")))
    for s in snaps:
        out.append(["diff", s, s])
        old = s.replace("/6.12/", "/6.1/")
        if os.path.exists(old):
            out.append(["diff", old, s])
    boot = os.path.join(ROOT, "tests/fixtures/vm-boot/6.12")
    for c in sorted(glob.glob(os.path.join(boot, "config-*/lspci.txt"))):
        out.append(["diff", os.path.join(boot, "base/lspci.txt"), c])
    for c in sorted(glob.glob(os.path.join(ROOT, "tests/fixtures/vm/6.12/*/lspci.txt")))[:12]:
        old = c.replace("/6.12/", "/6.1/")
        if os.path.exists(old):
            out.append(["diff", old, c])
    return out


def summary(kinds, count, unknown, verdict):
    return {"kinds": dict(sorted(kinds.items())), "count": count, "unknown": unknown, "verdict": verdict}


def count_kinds(kinds):
    n = {}
    for k in kinds:
        n[k] = n.get(k, 0) + 1
    return n


def facts(fmt, out, args):
    if fmt == "json":
        return summary(count_kinds(d["kind"] for d in out["differences"]), out["difference_count"],
                       len(out["unknown_ports"]), out["verdict"])
    if fmt == "machine":
        t = top(out, "diff")
        return summary(count_kinds(one(r, "kind") for r in records(out, "diff.differences")),
                       int(one(t, "difference_count")), len(t["unknown_ports"]), one(t, "verdict"))
    kinds = [k for line in out.splitlines() for p, k in TEXT if line.startswith(p)]
    lines = out.splitlines()
    verdict = [l[len("verdict: "):] for l in lines if l.startswith("verdict: ")]
    count = 0 if "no differences" in lines else int(([l.split()[0] for l in lines
                                                      if l.endswith((" differences", " difference"))] or ["-1"])[0])
    return summary(count_kinds(kinds), count, sum(l.startswith("UNKNOWN ") for l in lines),
                   verdict[0] if verdict else None)
