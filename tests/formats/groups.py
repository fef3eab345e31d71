# SPDX-License-Identifier: GPL-2.0-or-later
"""groups: the groups and their members; --check: the differences and the
verdict. -m is the kernel captures' "GROUP ADDRESS [?]" per function."""
import common


def runs(path):
    r = [["groups"]]
    if path.endswith("snapshot.txt") or "with-groups" in path:
        r.append(["groups", "--check"])
    return r


def check_facts(fmt, out):
    if fmt == "json":
        return {"differences": len(out["differences"]), "verdict": out["verdict"],
                "kernel_only": len(out["kernel_only"])}
    if fmt == "machine":
        return {"differences": common.count(out, "groups.differences"),
                "verdict": common.top(out, "groups")["verdict"],
                "kernel_only": common.count(out, "groups.kernel_only")}
    lines = out.splitlines()
    diffs = sum(l.startswith(("FAIL kernel splits", "FAIL kernel merges", "UNKNOWN kernel")) for l in lines)
    verdict = "fail" if any(l.startswith("FAIL") for l in lines) else \
        "unknown" if any(l.startswith("UNKNOWN") for l in lines) else "ok"
    return {"differences": diffs, "verdict": verdict,
            "kernel_only": sum(l.startswith("FAIL kernel groups ") for l in lines)}


def facts(fmt, out, args):
    if "--check" in args:
        return check_facts(fmt, out)
    if fmt == "json":
        g = out["groups"]
        return {"groups": len(g), "functions": sum(len(x["devices"]) for x in g),
                "uncertain": sum(x["uncertain"] for x in g)}
    if fmt == "machine":
        rows = [l.split() for l in out.splitlines()]
        ids = {r[0] for r in rows}
        return {"groups": len(ids), "functions": len(rows),
                "uncertain": len({r[0] for r in rows if len(r) > 2 and r[2] == "?"})}
    lines = out.splitlines()
    # the functions the IOMMU leaves out come last, under their heading
    if "not managed by the IOMMU (no group):" in lines:
        lines = lines[:lines.index("not managed by the IOMMU (no group):")]
    heads = [l for l in lines if l.startswith("group ")]
    return {"groups": len(heads), "functions": sum(l.startswith("  ") for l in lines),
            "uncertain": sum("(uncertain" in l for l in heads)}
